"""The newest video frame of a stream, for whoever shows it: :class:`FrameSlot`.

A video sink (remote picture) or a gated camera track (self view) writes every frame into a
slot; a view reads it at display rate.  Older frames are simply replaced, never queued, so a
slow view costs nothing on the media side and never lags behind.
"""

from __future__ import annotations

import threading

from av import VideoFrame


class FrameSlot:
    """The newest video frame and a sequence number that moves on every change.

    Written by the media side, read by the UI at display rate (possibly from a worker
    thread): both sides go through a lock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frame: VideoFrame | None = None
        self.seq = 0

    def put(self, frame: VideoFrame) -> None:
        """Replace the held frame."""
        with self._lock:
            self._frame = frame
            self.seq += 1

    def get(self) -> tuple[int, VideoFrame | None]:
        """``(seq, frame)``: the newest frame and its number."""
        with self._lock:
            return self.seq, self._frame

    @property
    def frame(self) -> VideoFrame | None:
        """The newest frame, or None."""
        with self._lock:
            return self._frame

    def clear(self) -> None:
        """Forget the held frame (end of call, camera off, next citizen)."""
        with self._lock:
            if self._frame is None:
                return
            self._frame = None
            self.seq += 1
