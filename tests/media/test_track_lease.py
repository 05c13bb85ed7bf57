"""A call's fan-out reads the app's camera through a lease: after the call, nothing of it
reads the camera any more, and the next reader gets every frame."""

from __future__ import annotations

import asyncio

from client_core.media_synthetic import SyntheticVideoTrack
from client_core.mesh import MediaFanout
from client_core.track_lease import TrackLease, lease


class CountingTrack(SyntheticVideoTrack):
    """The app's camera, counting who takes its frames."""

    def __init__(self) -> None:
        super().__init__(160, 120, fps=50)
        self.reads = 0

    async def recv(self):  # type: ignore[no-untyped-def]
        self.reads += 1
        return await super().recv()


async def test_a_finished_calls_relay_stops_reading_the_camera() -> None:
    camera = CountingTrack()
    for _call in range(2):  # two calls one after the other
        leased = lease(camera)
        assert isinstance(leased, TrackLease) and leased.kind == "video"
        fanout = MediaFanout(leased, None)
        pairs = [fanout.subscribe(), fanout.subscribe()]
        for pair in pairs:
            assert pair.video is not None
            await asyncio.wait_for(pair.video.recv(), 2.0)
        for pair in pairs:
            pair.stop()
        leased.stop()
        await asyncio.sleep(0.1)  # the relay's worker notices within a frame
    before = camera.reads
    await asyncio.sleep(0.2)
    assert camera.reads == before  # no reader of a past call is left
    # The camera itself lives on for the next reader (a device check, the next call).
    frame = await asyncio.wait_for(camera.recv(), 2.0)
    assert frame.width == 160 and camera.readyState == "live"


async def test_lease_of_nothing_is_nothing() -> None:
    assert lease(None) is None
