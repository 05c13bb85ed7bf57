"""Periodic call quality samples from WebRTC statistics, as a browser's ``getStats()`` has them.

The figures are the ones any WebRTC peer reports: round-trip time and loss
(``remote-inbound-rtp``), inbound loss and interarrival jitter
(``inbound-rtp``), bytes per transport, and for the decoded video
``framesDecoded``, ``freezeCount`` and ``totalFreezesDuration``.  aiortc's
``getStats()`` covers RTP and transport counters only, so the frame figures
come from the track's consumer (:class:`~client_core.media_sink.VideoSink`),
counted by the W3C rules.  Rates are per interval: each sample is the
difference from the previous one.

Latency from the frame stamps (:mod:`client_core.frame_stamp`) is reported
when the sender stamps its frames (benchmarks and tests), and never graded:
a real call carries no stamps.

Quality grade
-------------
"poor" if any of: RTT > 400 ms, inbound loss > 8 %, jitter > 100 ms,
decoded fps < 40 % of the expected rate, freezes > 1 s in total per 5 s
(20 % of the interval).  "good" if all known figures are within: RTT <=
150 ms, loss <= 2 %, jitter <= 30 ms, fps >= 80 % of expected, no freeze.
Otherwise "fair".  Unknown figures (no RTCP yet) are left out of the grade.
The delay bounds follow ITU-T G.114 (up to 150 ms one way is transparent
for conversation, above 400 ms is unacceptable); 2 % loss is about where
Opus FEC and VP8 NACK stop hiding it, 8 % where video breaks up and speech
gets gaps.  Jitter is the audio stream's: up to 30 ms a receiver's jitter
buffer absorbs unnoticed, past 100 ms speech arrives in bursts or late.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from aiortc import RTCPeerConnection

from client_core.media_sink import AudioSink, CountingTrack, VideoSink, percentile

if TYPE_CHECKING:
    from client_core.peer import CallPeer

log = logging.getLogger(__name__)

Grade = Literal["good", "fair", "poor"]
_CLOCK_RATE: Final = {"video": 90000, "audio": 48000}

GOOD_RTT_MS: Final = 150.0
POOR_RTT_MS: Final = 400.0
GOOD_LOSS: Final = 0.02
POOR_LOSS: Final = 0.08
GOOD_FPS_RATIO: Final = 0.8
POOR_FPS_RATIO: Final = 0.4
POOR_FREEZE_RATIO: Final = 0.2
GOOD_JITTER_MS: Final = 30.0
POOR_JITTER_MS: Final = 100.0


@dataclass(frozen=True, slots=True)
class StatsSample:
    """Call quality over one interval; ``None`` where a figure is unknown."""

    at: float
    """Wall-clock time of the sample (epoch seconds)."""
    interval_s: float
    rtt_ms: float | None
    loss_in: float | None
    """Fraction of inbound RTP packets lost in the interval (all streams)."""
    loss_out: float | None
    """Fraction of our packets the remote reported lost (worst stream)."""
    jitter_ms: float | None
    """Inbound audio interarrival jitter (video's when there is no audio)."""
    bitrate_out_kbps: float
    bitrate_in_kbps: float
    fps_sent: float | None
    fps_decoded: float
    frames_missing: int
    freezes: int
    freeze_ms: float
    latency_p50_ms: float | None
    """Capture to decoded (frame stamps); None when the sender does not stamp."""
    latency_p95_ms: float | None
    audio_level_dbfs: float | None
    grade: Grade
    audio_samples: int = 0
    """Remote audio samples (per channel) the interval spanned, played or missing."""
    audio_concealed_samples: int = 0
    """Of those, samples not from received audio (``getStats()`` ``concealedSamples``)."""
    latencies_ms: tuple[float, ...] = ()
    """Every stamped frame's latency in the interval (benchmarks pool them); empty unstamped."""

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for a wire message or JSON."""
        return dataclasses.asdict(self)


def grade(
    *,
    rtt_ms: float | None,
    loss: float | None,
    jitter_ms: float | None,
    fps: float,
    expected_fps: float,
    freeze_ms: float,
    interval_s: float,
) -> Grade:
    """Grade one interval by the thresholds in the module docstring."""
    fps_ratio = fps / expected_fps if expected_fps > 0 else 1.0
    freeze_ratio = freeze_ms / 1000 / interval_s if interval_s > 0 else 0.0
    if (
        (rtt_ms is not None and rtt_ms > POOR_RTT_MS)
        or (loss is not None and loss > POOR_LOSS)
        or (jitter_ms is not None and jitter_ms > POOR_JITTER_MS)
        or fps_ratio < POOR_FPS_RATIO
        or freeze_ratio > POOR_FREEZE_RATIO
    ):
        return "poor"
    if (
        (rtt_ms is None or rtt_ms <= GOOD_RTT_MS)
        and (loss is None or loss <= GOOD_LOSS)
        and (jitter_ms is None or jitter_ms <= GOOD_JITTER_MS)
        and fps_ratio >= GOOD_FPS_RATIO
        and freeze_ms == 0
    ):
        return "good"
    return "fair"


@dataclass
class _Totals:
    at: float = 0.0
    bytes_sent: int = 0
    bytes_received: int = 0
    packets_received: int = 0
    packets_lost: int = 0
    frames_sent: int = 0
    frames_decoded: int = 0
    missing: int = 0
    freezes: int = 0
    freeze_time_s: float = 0.0
    audio_samples: int = 0
    audio_concealed: int = 0


class CallStatsCollector:
    """Samples a peer connection and its sinks, every ``interval_s`` if run.

    The first sample covers the time since :meth:`start` (or since the
    collector was made, if :meth:`sample` is called without it).
    """

    def __init__(
        self,
        pc: RTCPeerConnection,
        video_sink: VideoSink | None = None,
        audio_sink: AudioSink | None = None,
        sent_video: CountingTrack | None = None,
        *,
        interval_s: float = 5.0,
        expected_fps: float = 30.0,
    ) -> None:
        self.pc = pc
        self.video_sink = video_sink
        self.audio_sink = audio_sink
        self.sent_video = sent_video
        self.interval_s = interval_s
        self.expected_fps = expected_fps
        self._prev = _Totals(at=time.monotonic())
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def for_peer(cls, peer: CallPeer, **kwargs: Any) -> CallStatsCollector:
        """A collector over a :class:`~client_core.peer.CallPeer` and its sinks."""
        return cls(peer.pc, peer.video_sink, peer.audio_sink, peer.sent_video, **kwargs)

    async def _totals(self) -> tuple[_Totals, dict[str, Any]]:
        report = await self.pc.getStats()
        totals = _Totals(at=time.monotonic())
        figures: dict[str, Any] = {"rtt": [], "loss_out": [], "jitter": {}}
        for stats in report.values():
            kind = getattr(stats, "kind", None)
            if stats.type == "transport":
                totals.bytes_sent += stats.bytesSent
                totals.bytes_received += stats.bytesReceived
            elif stats.type == "inbound-rtp":
                totals.packets_received += stats.packetsReceived
                totals.packets_lost += max(0, stats.packetsLost)
                if kind in _CLOCK_RATE:
                    figures["jitter"][kind] = stats.jitter / _CLOCK_RATE[kind] * 1000
            elif stats.type == "remote-inbound-rtp":
                if stats.roundTripTime is not None:
                    figures["rtt"].append(stats.roundTripTime * 1000)
                # RTCP carries the fraction lost as an 8-bit fixed point.
                figures["loss_out"].append(stats.fractionLost / 256)
        if self.sent_video is not None:
            totals.frames_sent = self.sent_video.frames
        if self.video_sink is not None:
            totals.frames_decoded = self.video_sink.frames_received
            totals.missing = self.video_sink.missing
            totals.freezes = self.video_sink.freezes
            totals.freeze_time_s = self.video_sink.freeze_time_s
        if self.audio_sink is not None:
            totals.audio_samples = self.audio_sink.total_samples
            totals.audio_concealed = self.audio_sink.concealed_samples
        return totals, figures

    async def start(self) -> None:
        """Take the baseline the first sample is measured from."""
        self._prev, _ = await self._totals()

    async def sample(self) -> StatsSample:
        """One sample covering the time since the previous one."""
        prev = self._prev
        now, figures = await self._totals()
        self._prev = now
        dt = max(now.at - prev.at, 1e-6)
        received = now.packets_received - prev.packets_received
        lost = now.packets_lost - prev.packets_lost
        loss_in = lost / (received + lost) if received + lost > 0 else None
        rtt = max(figures["rtt"]) if figures["rtt"] else None
        loss_out = max(figures["loss_out"]) if figures["loss_out"] else None
        jitter = figures["jitter"].get("audio", figures["jitter"].get("video"))
        fps_decoded = (now.frames_decoded - prev.frames_decoded) / dt
        fps_sent = (now.frames_sent - prev.frames_sent) / dt if self.sent_video else None
        freeze_ms = (now.freeze_time_s - prev.freeze_time_s) * 1000
        latencies: list[float] = []
        level: float | None = None
        if self.video_sink is not None:
            latencies = self.video_sink.latency_ms(since=prev.at)
        if self.audio_sink is not None and self.audio_sink.frames_received:
            level = self.audio_sink.level_dbfs
            if level == float("-inf"):
                level = -120.0
        p50 = percentile(latencies, 50)
        return StatsSample(
            at=time.time(),
            interval_s=dt,
            rtt_ms=rtt,
            loss_in=loss_in,
            loss_out=loss_out,
            jitter_ms=jitter,
            bitrate_out_kbps=(now.bytes_sent - prev.bytes_sent) * 8 / dt / 1000,
            bitrate_in_kbps=(now.bytes_received - prev.bytes_received) * 8 / dt / 1000,
            fps_sent=fps_sent,
            fps_decoded=fps_decoded,
            frames_missing=now.missing - prev.missing,
            freezes=now.freezes - prev.freezes,
            freeze_ms=freeze_ms,
            latency_p50_ms=p50,
            latency_p95_ms=percentile(latencies, 95),
            audio_level_dbfs=level,
            audio_samples=now.audio_samples - prev.audio_samples,
            audio_concealed_samples=now.audio_concealed - prev.audio_concealed,
            latencies_ms=tuple(round(x, 1) for x in latencies),
            grade=grade(
                rtt_ms=rtt,
                loss=loss_in,
                jitter_ms=figures["jitter"].get("audio"),
                fps=fps_decoded,
                expected_fps=self.expected_fps,
                freeze_ms=freeze_ms,
                interval_s=dt,
            ),
        )

    def run(self, on_sample: Callable[[StatsSample], None]) -> None:
        """Start sampling every ``interval_s`` in a task until :meth:`stop`."""
        if self._task is None:
            self._task = asyncio.create_task(self._loop(on_sample), name="call-stats")

    async def _loop(self, on_sample: Callable[[StatsSample], None]) -> None:
        await self.start()
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                on_sample(await self.sample())
            except Exception:
                log.exception("stats sample failed")

    async def stop(self) -> None:
        """Stop the sampling task started by :meth:`run`."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
