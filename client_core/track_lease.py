"""A long-lived local track lent to one call: :class:`TrackLease`.

A kiosk's camera and a console's microphone live as long as the app; a call's
:class:`~client_core.mesh.MediaFanout` reads them through aiortc's ``MediaRelay``, whose
worker reads its source until the source *ends*.  Handing the relay the device track itself
would leave one worker per past call still reading the device (each stealing frames from the
next call and from the kiosk's device check).  The relay gets a lease instead: stopping the
lease at the end of the call ends the relay's worker within one frame, and the device track
goes on for whoever reads it next.
"""

from __future__ import annotations

from typing import Any

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av.frame import Frame
from av.packet import Packet

__all__ = ["TrackLease", "lease"]


class TrackLease(MediaStreamTrack):
    """Frames of ``source`` until :meth:`stop` (the source is not stopped)."""

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self.kind = source.kind
        self.source = source

    async def recv(self) -> Frame | Packet[Any]:
        """The source's next frame, or :class:`MediaStreamError` once the lease ended."""
        if self.readyState != "live":
            raise MediaStreamError
        frame = await self.source.recv()
        if self.readyState != "live":
            raise MediaStreamError
        return frame


def lease(source: MediaStreamTrack | None) -> TrackLease | None:
    """A lease of ``source`` (None for no source)."""
    return TrackLease(source) if source is not None else None
