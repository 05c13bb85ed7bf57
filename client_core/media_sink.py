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
* freeze: the W3C webrtc-stats ``freezeCount`` rule, as Chromium computes
  it for ``getStats()`` (``VideoQualityObserver``): a gap between two
  consecutive frames handed to the view is a freeze when it is at least
  ``max(3 * avg, avg + 150 ms)``, where ``avg`` is the mean of the last 30
  gaps (this one included), once 5 gaps are known; 183 ms at a steady
  30 fps.  Freeze time (``totalFreezesDuration``) is the sum of those gaps.
  The same rule for both stacks keeps the comparison with the browser fair.
* audio gaps: a decoded frame's ``pts`` says where it belongs in the
  stream, so samples between the end of one frame and the start of the
  next were never played (the RTP packets were lost, or dropped by
  aiortc's jitter buffer).  With a receive path that conceals losses
  (:mod:`client_core.audio_receive`) the played stream has no holes and
  its counters say how much of it was synthesised.  ``concealed_samples /
  total_samples`` is then what ``getStats()`` reports as
  ``concealedSamples / totalSamplesReceived``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from dataclasses import dataclass
from fractions import Fraction
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
FREEZE_WINDOW: Final = 30
"""Gaps averaged for the freeze threshold (W3C webrtc-stats, Chromium)."""
FREEZE_MIN_GAPS: Final = 5
FREEZE_MIN_INCREASE_S: Final = 0.150


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
        self.expected_fps = expected_fps
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
        self._gaps: deque[float] = deque(maxlen=FREEZE_WINDOW)
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
        elif self.last_frame_at is not None:
            self._count_freeze(now - self.last_frame_at)
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

    def _count_freeze(self, gap: float) -> None:
        self._gaps.append(gap)
        if len(self._gaps) < FREEZE_MIN_GAPS:
            return
        avg = sum(self._gaps) / len(self._gaps)
        if gap >= max(3 * avg, avg + FREEZE_MIN_INCREASE_S):
            self.freezes += 1
            self.freeze_time_s += gap

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


@dataclass
class ConcealmentCounters:
    """What a concealing audio receive path played, as ``getStats()`` counts it.

    ``total_samples`` counts every sample played out per channel (``totalSamplesReceived``),
    ``concealed_samples`` those synthesised by loss concealment (``concealedSamples``);
    ``fec_samples`` were rebuilt from the next packet's in-band FEC and are not concealed
    (NetEq decodes FEC as a packet).  ``late_packets`` arrived after their time had passed.
    """

    total_samples: int = 0
    concealed_samples: int = 0
    fec_samples: int = 0
    late_packets: int = 0
    accelerated_samples: int = 0
    """Samples dropped to bring the delay back down after a jitter spike."""


class AudioSink(_TrackReader):
    """Consumes a remote audio track: counts frames and gaps, measures their level.

    ``concealment`` (set by a peer whose receive path conceals losses) adds what was
    synthesised to the gaps found from the frames' ``pts``.
    """

    def __init__(self, *, name: str = "audio") -> None:
        super().__init__(name)
        self.frames_received = 0
        self.samples_received = 0
        self.gap_samples = 0
        """Samples missing between consecutive frames (by ``pts``): never played."""
        self.first_frame_at: float | None = None
        self.last_frame_at: float | None = None
        self.concealment: ConcealmentCounters | None = None
        self._next_pts: int | None = None
        self.rms = 0.0
        """RMS of the last frame as a fraction of full scale (0..1)."""
        self._record_left = 0
        self._recorded: list[npt.NDArray[np.float64]] = []
        self.record_rate = 48000

    def record(self, seconds: float, rate: int = 48000) -> None:
        """Keep the next ``seconds`` of received audio (first channel, -1..1) for a probe
        (:mod:`client_core.tone_probe`); off unless a test or bench asks."""
        self._recorded = []
        self.record_rate = rate
        self._record_left = int(seconds * rate)

    def recorded(self) -> npt.NDArray[np.float64]:
        """What :meth:`record` kept so far."""
        if not self._recorded:
            return np.zeros(0)
        return np.concatenate(self._recorded)

    @property
    def level_dbfs(self) -> float:
        """Level of the last frame in dBFS (-inf for digital silence)."""
        return 20 * math.log10(self.rms) if self.rms > 0 else -math.inf

    @property
    def total_samples(self) -> int:
        """Samples the stream spanned so far, per channel (played or missing)."""
        return self.samples_received + self.gap_samples

    @property
    def concealed_samples(self) -> int:
        """Samples not from received audio: gaps, plus what a concealing path synthesised."""
        synthesised = self.concealment.concealed_samples if self.concealment else 0
        return self.gap_samples + synthesised

    def _on_frame(self, frame: Frame | Packet[Any]) -> None:
        if not isinstance(frame, AudioFrame):
            return
        now = time.monotonic()
        if self.first_frame_at is None:
            self.first_frame_at = now
        self.last_frame_at = now
        self.frames_received += 1
        self.samples_received += frame.samples
        self._count_gap(frame)
        pcm = frame.to_ndarray()
        scaled = pcm.astype(np.float64)
        if pcm.dtype.kind in "iu":
            # Full scale of a signed sample of this width (s16: 32768).
            scaled /= float(2 ** (8 * pcm.dtype.itemsize - 1))
        self.rms = float(np.sqrt(np.mean(np.square(scaled)))) if scaled.size else 0.0
        if self._record_left > 0 and scaled.size:
            self.record_rate = frame.sample_rate or self.record_rate
            channels = max(1, len(frame.layout.channels))
            mono = scaled.reshape(-1)[::channels] if frame.format.is_packed else scaled[0]
            mono = mono[: self._record_left]
            self._recorded.append(mono)
            self._record_left -= mono.size

    def _count_gap(self, frame: AudioFrame) -> None:
        if frame.pts is None or frame.sample_rate <= 0:
            return
        pts = int(frame.pts)
        if frame.time_base is not None and frame.time_base != Fraction(1, frame.sample_rate):
            pts = round(pts * frame.time_base * frame.sample_rate)
        if self._next_pts is not None and pts > self._next_pts:
            self.gap_samples += pts - self._next_pts
        if self._next_pts is None or pts + frame.samples > self._next_pts:
            self._next_pts = pts + frame.samples


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
