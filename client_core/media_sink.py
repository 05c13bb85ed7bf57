"""Consumers for remote tracks, and the frame accounting the stats rely on.

Every remote track must be read to the end: aiortc queues decoded frames
for a track nobody reads and memory grows without bound (aiortc #554,
#1423).  The sinks read in a task of their own and keep only counters, a
bounded window of samples and the latest frame.

Definitions
-----------
* fps: decoded frames whose arrival falls in the last ``fps_window_s``.
* latency: receiver wall clock minus the capture time in the frame's
  stamp (see :mod:`client_core.frame_stamp`), in ms.
* missing: counter values skipped between consecutive stamped frames (lost
  or undecodable frames; the sender never skips).  out_of_order: a stamp
  whose counter is not above the previous one.
* freeze: the gap between two consecutive decoded frames exceeds
  ``max(3 * interval, interval + 150 ms)`` with ``interval = 1 /
  expected_fps``, i.e. 183 ms at 30 fps.  That is the W3C webrtc-stats
  ``freezeCount`` rule, but on the nominal rate rather than a running
  average so a stream that degrades slowly still registers.  Freeze time
  is the sum of those gaps.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame, VideoFrame
from av.frame import Frame
from av.packet import Packet

from client_core.frame_slot import FrameSlot
from client_core.frame_stamp import Stamp, now_us, read_stamp, stamp_height

log = logging.getLogger(__name__)

_LUMA_FORMATS: Final = frozenset({"yuv420p", "yuvj420p", "yuv422p", "yuv444p", "nv12", "gray"})


def percentile(values: list[float], q: float) -> float | None:
    """The ``q``-th percentile (0..100, linear interpolation); None if empty."""
    if not values:
        return None
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def read_frame_stamp(frame: VideoFrame) -> Stamp | None:
    """Read the stamp from the luma plane of ``frame`` without converting it."""
    if frame.format.name in _LUMA_FORMATS:
        plane = frame.planes[0]
        rows = min(plane.height, stamp_height(frame.width))
        luma = np.frombuffer(memoryview(plane), dtype=np.uint8, count=rows * plane.line_size)
        return read_stamp(luma.reshape(rows, plane.line_size)[:, : frame.width])
    return read_stamp(np.asarray(frame.to_ndarray(format="gray"), dtype=np.uint8))


class _TrackReader:
    """Reads a track to its end in a task; subclasses handle each frame."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._task: asyncio.Task[None] | None = None
        self.attached = False
        self.ended = asyncio.Event()

    def attach(self, track: MediaStreamTrack) -> None:
        """Start consuming ``track``; a sink reads one track in its life."""
        if self.attached:
            raise RuntimeError(f"{self.name}: already consuming a track")
        self._task = asyncio.create_task(self._run(track), name=f"sink-{self.name}")
        self.attached = True

    async def _run(self, track: MediaStreamTrack) -> None:
        try:
            while True:
                try:
                    frame = await track.recv()
                except MediaStreamError:
                    return
                try:
                    self._on_frame(frame)
                except Exception:
                    # Keep reading whatever happens: a sink that stops
                    # reading is the memory leak it exists to prevent.
                    log.exception("%s: frame accounting failed", self.name)
        finally:
            self.ended.set()

    def _on_frame(self, frame: Frame | Packet[Any]) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        """Stop reading; returns once the reading task has finished.

        After the peer connection closed, the track has already ended and
        this returns at once; otherwise the pending ``recv()`` is cancelled.
        """
        task, self._task = self._task, None
        if task is None:
            return
        if not task.done():
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class VideoSink(_TrackReader):
    """Consumes a remote video track and keeps the figures for stats and UI.

    Every decoded frame goes into :attr:`slot` (the one given, or a slot
    of its own), where a view picks up the newest at display rate.
    """

    def __init__(
        self,
        *,
        name: str = "video",
        expected_fps: float = 30.0,
        fps_window_s: float = 1.0,
        max_samples: int = 900,
        slot: FrameSlot | None = None,
    ) -> None:
        super().__init__(name)
        interval = 1.0 / expected_fps
        self.freeze_threshold_s = max(3 * interval, interval + 0.150)
        self.fps_window_s = fps_window_s
        self.slot = slot if slot is not None else FrameSlot()
        self.frames_received = 0
        self.unstamped = 0
        self.missing = 0
        self.out_of_order = 0
        self.freezes = 0
        self.freeze_time_s = 0.0
        self.first_frame_at: float | None = None
        self.first_frame_wall_us: int | None = None
        self.last_frame_at: float | None = None
        self.last_stamp: Stamp | None = None
        self.width = 0
        self.height = 0
        self._arrivals: deque[float] = deque()
        # (arrival monotonic, latency ms), bounded: 30 s at 30 fps.
        self.latencies: deque[tuple[float, float]] = deque(maxlen=max_samples)
        self._bgr: tuple[int, npt.NDArray[np.uint8]] | None = None

    def _on_frame(self, frame: Frame | Packet[Any]) -> None:
        if not isinstance(frame, VideoFrame):
            return
        now = time.monotonic()
        wall = now_us()
        if self.first_frame_at is None:
            self.first_frame_at = now
            self.first_frame_wall_us = wall
        elif now - (self.last_frame_at or now) > self.freeze_threshold_s:
            self.freezes += 1
            self.freeze_time_s += now - (self.last_frame_at or now)
        self.last_frame_at = now
        self.frames_received += 1
        self.width, self.height = frame.width, frame.height
        self._arrivals.append(now)
        self._trim(now)
        stamp = read_frame_stamp(frame)
        if stamp is None:
            self.unstamped += 1
        else:
            self._account(stamp, now, wall)
        self.slot.put(frame)

    def _account(self, stamp: Stamp, now: float, wall_us: int) -> None:
        last = self.last_stamp
        if last is not None:
            if stamp.counter > last.counter:
                self.missing += stamp.counter - last.counter - 1
            else:
                self.out_of_order += 1
        if last is None or stamp.counter > last.counter:
            self.last_stamp = stamp
        self.latencies.append((now, (wall_us - stamp.ts_us) / 1000.0))

    def _trim(self, now: float) -> None:
        cutoff = now - self.fps_window_s
        while self._arrivals and self._arrivals[0] < cutoff:
            self._arrivals.popleft()

    def fps(self) -> float:
        """Decoded frames per second over the last ``fps_window_s``."""
        self._trim(time.monotonic())
        return len(self._arrivals) / self.fps_window_s

    def latency_ms(self, since: float | None = None) -> list[float]:
        """Latency samples (ms), all kept or those that arrived after ``since``."""
        return [lat for at, lat in self.latencies if since is None or at > since]

    def latest_bgr(self) -> npt.NDArray[np.uint8] | None:
        """The newest frame in the slot as BGR (converted once per frame), or None."""
        seq, frame = self.slot.get()
        if frame is None:
            return None
        if self._bgr is None or self._bgr[0] != seq:
            self._bgr = (seq, np.asarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8))
        return self._bgr[1]


class AudioSink(_TrackReader):
    """Consumes a remote audio track: counts frames, measures their level."""

    def __init__(self, *, name: str = "audio") -> None:
        super().__init__(name)
        self.frames_received = 0
        self.samples_received = 0
        self.first_frame_at: float | None = None
        self.last_frame_at: float | None = None
        self.rms = 0.0
        """RMS of the last frame as a fraction of full scale (0..1)."""

    @property
    def level_dbfs(self) -> float:
        """Level of the last frame in dBFS (-inf for digital silence)."""
        return 20 * math.log10(self.rms) if self.rms > 0 else -math.inf

    def _on_frame(self, frame: Frame | Packet[Any]) -> None:
        if not isinstance(frame, AudioFrame):
            return
        now = time.monotonic()
        if self.first_frame_at is None:
            self.first_frame_at = now
        self.last_frame_at = now
        self.frames_received += 1
        self.samples_received += frame.samples
        pcm = frame.to_ndarray()
        scaled = pcm.astype(np.float64)
        if pcm.dtype.kind in "iu":
            # Full scale of a signed sample of this width (s16: 32768).
            scaled /= float(2 ** (8 * pcm.dtype.itemsize - 1))
        self.rms = float(np.sqrt(np.mean(np.square(scaled)))) if scaled.size else 0.0


class CountingTrack(MediaStreamTrack):
    """Forwards another track's frames and counts them (frames sent).

    aiortc's sender stops the track it sends when the peer connection
    closes; giving it this proxy instead keeps the real source (a camera)
    alive for the next peer connection of the same call.  Stopping the proxy
    never stops the source; the source ending ends the proxy.
    """

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self.kind = source.kind
        self.source = source
        self.frames = 0

    async def recv(self) -> Frame | Packet[Any]:
        if self.readyState != "live":
            raise MediaStreamError
        try:
            frame = await self.source.recv()
        except MediaStreamError:
            self.stop()
            raise
        self.frames += 1
        return frame
