"""Local media wrappers of the kiosk: mute and camera-off switches, self view, device loss.

The tracks given to every call are these wrappers around the real sources (camera or
synthetic picture, microphone or tone).  They keep RTP flowing when the citizen mutes or
turns the camera off (silence, a dark picture), notice a source that dies mid-call (the
citizen keeps sound or chat; the controller tells the operator) and keep the latest sent
picture in a :class:`FrameSlot` for the self view.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Final

import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame, VideoFrame

log = logging.getLogger("etapiste.kiosk.media")

_FALLBACK_FPS: Final = 15.0
_AUDIO_RATE: Final = 48000
_AUDIO_PTIME: Final = 0.020


class FrameSlot:
    """The newest video frame and a sequence number; older frames are simply replaced.

    Written by the media side, read by the UI at display rate: never a queue.
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

    def clear(self) -> None:
        """Forget the held frame (end of call, next citizen)."""
        with self._lock:
            self._frame = None
            self.seq += 1


def _dark_i420(width: int, height: int) -> np.ndarray[Any, np.dtype[np.uint8]]:
    i420 = np.full((height * 3 // 2, width), 128, dtype=np.uint8)
    i420[:height] = 16
    return i420


class SwitchableVideoTrack(MediaStreamTrack):
    """Forwards a video source; sends a dark picture while switched off or after a failure."""

    kind = "video"

    def __init__(
        self,
        source: MediaStreamTrack,
        preview: FrameSlot,
        on_failed: Callable[[str], None] | None = None,
        width: int = 640,
        height: int = 480,
    ) -> None:
        super().__init__()
        self.source = source
        self.preview = preview
        self.on_failed = on_failed
        self.enabled = True
        self.failed = False
        self._size = (width, height)
        self._dark: dict[tuple[int, int], np.ndarray[Any, np.dtype[np.uint8]]] = {}
        self._t0 = time.monotonic()

    def _dark_frame(self, like: VideoFrame | None) -> VideoFrame:
        size = (like.width, like.height) if like is not None else self._size
        if size not in self._dark:
            self._dark[size] = _dark_i420(*size)
        frame = VideoFrame.from_ndarray(self._dark[size], format="yuv420p")
        if like is not None:
            frame.pts, frame.time_base = like.pts, like.time_base
        return frame

    async def recv(self) -> VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self.failed:
            await asyncio.sleep(1 / _FALLBACK_FPS)
            frame = self._dark_frame(None)
            frame.pts = int((time.monotonic() - self._t0) * 90000)
            frame.time_base = fractions.Fraction(1, 90000)
            return frame
        try:
            received = await self.source.recv()
        except MediaStreamError:
            self._fail("video source ended")
            return await self.recv()
        if not isinstance(received, VideoFrame):
            raise MediaStreamError
        frame = received
        if not self.enabled:
            return self._dark_frame(frame)
        self.preview.put(frame)
        return frame

    def _fail(self, reason: str) -> None:
        self.failed = True
        log.warning("video source failed: %s", reason)
        if self.on_failed is not None:
            self.on_failed(reason)


class SwitchableAudioTrack(MediaStreamTrack):
    """Forwards an audio source; sends silence while muted or after the source died."""

    kind = "audio"

    def __init__(
        self, source: MediaStreamTrack, on_failed: Callable[[str], None] | None = None
    ) -> None:
        super().__init__()
        self.source = source
        self.on_failed = on_failed
        self.enabled = True
        self.failed = False
        self._samples = int(_AUDIO_RATE * _AUDIO_PTIME)
        self._pts = 0
        self._next = 0.0

    def _silence(self, like: AudioFrame | None) -> AudioFrame:
        if like is None:
            frame = AudioFrame(format="s16", layout="mono", samples=self._samples)
            frame.sample_rate = _AUDIO_RATE
            frame.time_base = fractions.Fraction(1, _AUDIO_RATE)
            frame.pts = self._pts
            self._pts += self._samples
        else:
            frame = AudioFrame(
                format=like.format.name, layout=like.layout.name, samples=like.samples
            )
            frame.sample_rate = like.sample_rate
            frame.time_base = like.time_base
            frame.pts = like.pts
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        return frame

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self.failed:
            now = time.monotonic()
            self._next = max(self._next + _AUDIO_PTIME, now)
            await asyncio.sleep(self._next - now)
            return self._silence(None)
        try:
            received = await self.source.recv()
        except MediaStreamError:
            self.failed = True
            log.warning("microphone track ended")
            if self.on_failed is not None:
                self.on_failed("audio source ended")
            return await self.recv()
        if not isinstance(received, AudioFrame):
            raise MediaStreamError
        return received if self.enabled else self._silence(received)
