"""Sinks fed straight from local tracks (no network)."""

from __future__ import annotations

import asyncio
import math
from typing import Any

from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, MediaStreamTrack

from client_core.frame_slot import FrameSlot
from client_core.media_sink import AudioSink, CountingTrack, VideoSink, percentile
from client_core.media_synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from tests.media.conftest import wait_until


class Tamper(MediaStreamTrack):
    """Drops every ``drop_every``-th frame and stalls once, to fake a bad link."""

    kind = "video"

    def __init__(self, source: MediaStreamTrack, drop_every: int, stall_at: int) -> None:
        super().__init__()
        self.source, self.drop_every, self.stall_at, self.n = source, drop_every, stall_at, 0

    async def recv(self) -> Any:
        while True:
            frame = await self.source.recv()
            self.n += 1
            if self.n == self.stall_at:
                await asyncio.sleep(0.4)
            if self.n % self.drop_every:
                return frame


async def test_video_sink_counts_gaps_freezes_latency() -> None:
    source = SyntheticVideoTrack(320, 240, stamp_frames=True)
    slot = FrameSlot()
    sink = VideoSink(slot=slot)
    sink.attach(Tamper(source, drop_every=5, stall_at=12))
    await wait_until(lambda: sink.frames_received >= 24, 5)
    await sink.stop()
    source.stop()
    assert sink.first_frame_at is not None and sink.first_frame_wall_us is not None
    assert sink.last_stamp is not None and sink.last_stamp.counter >= 28
    # One in five dropped: counter gaps of one.
    assert sink.missing == sink.last_stamp.counter + 1 - sink.frames_received
    assert sink.missing >= 5
    assert sink.out_of_order == 0 and sink.unstamped == 0
    assert sink.freezes >= 1 and 0.35 < sink.freeze_time_s < 1.5
    lat = sink.latency_ms()
    assert len(lat) == sink.frames_received
    # Latency here is production -> sink, plus the 400 ms stall for one frame.
    p50 = percentile(lat, 50)
    assert p50 is not None and 0 <= p50 < 200
    # The slot holds the newest frame only, numbered once per frame.
    seq, newest = slot.get()
    assert seq == sink.frames_received and newest is not None
    bgr = sink.latest_bgr()
    assert bgr is not None and bgr.shape == (240, 320, 3)
    assert sink.latest_bgr() is bgr  # converted once per frame


async def test_video_sink_fps_window() -> None:
    source = SyntheticVideoTrack(320, 240)
    sink = VideoSink()
    sink.attach(source)
    await asyncio.sleep(1.2)
    assert 20 <= sink.fps() <= 32
    await sink.stop()
    source.stop()


async def test_audio_sink_level() -> None:
    tone, silence = SyntheticAudioTrack(), AudioStreamTrack()
    loud, quiet = AudioSink(), AudioSink()
    loud.attach(tone)
    quiet.attach(silence)
    await wait_until(lambda: loud.frames_received >= 5 and quiet.frames_received >= 5, 3)
    await loud.stop()
    await quiet.stop()
    assert math.isclose(loud.rms, 0.25 / math.sqrt(2), rel_tol=0.05)
    assert -20 < loud.level_dbfs < -15
    assert quiet.rms == 0 and quiet.level_dbfs == -math.inf


async def test_sink_ends_with_track() -> None:
    source = SyntheticVideoTrack(320, 240)
    sink = VideoSink()
    sink.attach(source)
    await wait_until(lambda: sink.frames_received > 0, 2)
    source.stop()
    await asyncio.wait_for(sink.ended.wait(), 1)
    await sink.stop()


async def test_counting_track_forwards_and_survives_stop() -> None:
    source = SyntheticVideoTrack(320, 240)
    proxy = CountingTrack(source)
    assert proxy.kind == "video"
    frames = [await proxy.recv() for _ in range(3)]
    assert proxy.frames == 3 and len(frames) == 3
    proxy.stop()  # what aiortc's sender does when the connection closes
    assert source.readyState == "live"
    again = CountingTrack(source)
    await again.recv()
    source.stop()
    try:
        await again.recv()
    except MediaStreamError:
        assert again.readyState == "ended"
    else:
        raise AssertionError("expected MediaStreamError")


def test_percentile() -> None:
    assert percentile([], 50) is None
    assert percentile([1.0, 2.0, 3.0], 50) == 2.0


def test_freezes_follow_the_w3c_rule_on_a_running_average() -> None:
    sink = VideoSink()
    for _ in range(4):
        sink._count_freeze(0.5)  # too few gaps to judge: never a freeze
    assert sink.freezes == 0
    sink = VideoSink()
    for _ in range(30):
        sink._count_freeze(1 / 30)
    sink._count_freeze(0.180)  # avg ~ 0.038 s: the bar is avg + 150 ms ~ 0.188 s
    assert sink.freezes == 0
    sink._count_freeze(0.250)
    assert sink.freezes == 1 and abs(sink.freeze_time_s - 0.250) < 1e-9
    # A stream that settled at 10 fps: 100 ms gaps are its normal, 250 ms is not yet a
    # freeze (avg + 150 ms), 400 ms is.
    slow = VideoSink()
    for _ in range(30):
        slow._count_freeze(0.1)
    slow._count_freeze(0.24)
    assert slow.freezes == 0
    slow._count_freeze(0.4)
    assert slow.freezes == 1


def _audio_frame(pts: int, samples: int = 960) -> Any:
    from fractions import Fraction

    from av import AudioFrame

    frame = AudioFrame(format="s16", layout="stereo", samples=samples)
    for plane in frame.planes:
        plane.update(bytes(plane.buffer_size))
    frame.sample_rate = 48000
    frame.time_base = Fraction(1, 48000)
    frame.pts = pts
    return frame


def test_audio_sink_counts_samples_that_were_never_played() -> None:
    from client_core.media_sink import ConcealmentCounters

    sink = AudioSink()
    for pts in (0, 960, 2880, 3840, 3840):  # one frame missing, one repeated
        sink._on_frame(_audio_frame(pts))
    assert sink.samples_received == 5 * 960
    assert sink.gap_samples == 960
    assert sink.total_samples == 6 * 960 and sink.concealed_samples == 960
    # A concealing receive path says how much of what it played it synthesised.
    sink.concealment = ConcealmentCounters(total_samples=4800, concealed_samples=480)
    assert sink.concealed_samples == 960 + 480
