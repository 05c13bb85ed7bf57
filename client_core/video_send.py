"""Sending video within what the link carries: a ladder of sizes, rates and bitrates.

aiortc's VP8 encoder targets the receiver's bandwidth estimate (REMB) between 250 kbit/s and
1.5 Mbit/s and starts a new encoder, with a keyframe, whenever that estimate moves by more
than 10 %.  On a 300 kbit/s uplink its floor alone, with 96 kbit/s of audio, overflows the
link; on a lossy link every estimate wobble sends a 20-packet keyframe that loss then holds
up.  :class:`LadderController` (sans-I/O) picks one rung of :data:`LADDER` instead:

* a loss-based estimate (as in Google congestion control): loss that lasts
  (:class:`~client_core.congestion.SustainedLoss`, over three receiver reports) above 10 %
  cuts it to what was sent less half the loss, a report under 2 % raises it 8 % but never
  past twice what the rung sends, in between it holds (random loss, or one burst of a
  Gilbert-Elliott link, is not congestion);
* the queue in front of the link, as the other side measures it on our audio and reports
  it over the data channel (:class:`~client_core.control.LinkReport`, twice a second), read
  as a trend (:class:`~client_core.congestion.QueueTrend`): a queue growing over the last
  4 s cuts the estimate to 85 % of what we send, one rising less clearly stops increases
  for 2 s. A narrow uplink's buffer fills for a while before it drops anything, and
  cutting then spares the citizen the loss; the level alone is not used, because jitter
  raises it with nothing queued (30 ms of jitter read as 80 ms of queue cut video to a
  fifth on a link with 2 Mbit/s free);
* after a cut (congestion), the estimate it was cut to stays a ceiling for ``hold_s``
  (10 s after lasting loss or a sudden step of the queue; ``queue_hold_s``, 25 s, after a
  queue grew for seconds, which shows the link's capacity beyond doubt), so the ladder
  does not climb straight back into the same overflow; after that it climbs back, but for
  ``memory_s`` (30 s) not to the rate it sent when the link overflowed (on a 300 kbit/s
  uplink a ladder that re-probed that rate every 15 s lost video each time);
* the receiver's REMB is recorded but not used: aiortc's delay-based estimator reported
  55-120 kbit/s on links with 2 Mbit/s to spare (it never says much more than 1.5 times
  what arrives, our encoder often sends less than its target, and on a busy machine every
  scheduling stall looks like a queue), and used as a ceiling it walked the ladder down
  to 320x240 at 10 fps on an idle link;
* a climb is a probe: for ``probe_watch_s`` (4 s) after it, two queue reports running
  ``probe_rise_s`` (25 ms) above the queue before the climb, or one twice that, step
  straight back to the rung
  it came from, which the link carried, and that rung is not tried again for
  ``probe_backoff_s`` (15 s, doubling with each failed try).  On a 300 kbit/s uplink the
  climb from 180 to 240 kbit/s overflows a 100 ms buffer within seconds; the queue trend
  saw it only once the buffer was full and dropping, and the cut after it went two rungs
  down (measured: 40 % of one second's packets lost, a 2 s freeze, then 15 fps);
* the budget is that estimate less the audio (which keeps its rate: a clerk must be heard
  first, seen second) and packet overhead;
* it starts at 320x240@24 (a narrow uplink must not overflow while the first reports come
  in), steps down at once when the budget falls below the rung, and up when the budget has
  stayed above the next rung for ``probe_s`` (2 s: 640x480 within 8 s on a free link)
  until the first congestion, ``up_after_s`` (5 s) after it: a new size costs a keyframe.

:class:`TunedVp8Encoder` is a small subclass of aiortc's :class:`~aiortc.codecs.vpx.Vp8Encoder`
(its packetiser and picture ids, our own ``encode``): it scales the picture to the rung's
size, drops frames down to its rate, and re-creates the libvpx encoder only when the rung
changes.  Keyframe requests (PLI) reach it from aiortc's sender as before.  It is installed
with :func:`client_core.aiortc_hooks.use_encoder`.
"""

from __future__ import annotations

import logging
import multiprocessing
import statistics
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Final

import av
from aiortc.codecs.vpx import Vp8Encoder, number_of_threads
from aiortc.mediastreams import VIDEO_TIME_BASE, convert_timebase
from av import VideoFrame
from av.frame import Frame
from av.video.reformatter import VideoReformatter

from client_core.congestion import QueueState, QueueTrend, SustainedLoss

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rung:
    """One step of the ladder: picture size, frame rate and VP8 target bitrate."""

    width: int
    height: int
    fps: float
    bitrate: int


LADDER: Final = (
    Rung(640, 480, 30, 900_000),
    Rung(640, 480, 30, 600_000),
    Rung(480, 360, 30, 400_000),
    Rung(480, 360, 30, 300_000),
    Rung(320, 240, 30, 240_000),
    Rung(320, 240, 24, 180_000),
    Rung(320, 240, 15, 110_000),
    Rung(320, 240, 10, 70_000),
)
"""Small steps up (a third more at most), so that a probe into a link that cannot carry it
fills the queue slowly enough for the link reports to stop it before anything is dropped."""
START_RUNG: Final = 5
"""320x240@24 at 180 kbit/s until the receiver's loss reports say there is room."""
AUDIO_BPS: Final = 50_000
"""Opus at 32 kbit/s with its FEC and RTP/UDP overhead: kept whatever the budget."""
OVERHEAD: Final = 0.12
"""Share of a video bitrate that goes to RTP, SRTP, UDP, IP and TURN headers."""


class LadderController:
    """Which :class:`Rung` to send, from the receiver's loss and queue reports (sans-I/O)."""

    def __init__(
        self, *, start: int = START_RUNG, up_after_s: float = 5.0, probe_s: float = 2.0,
        initial_bps: int = 700_000, hold_s: float = 10.0, queue_hold_s: float = 25.0,
        memory_s: float = 30.0, probe_watch_s: float = 4.0, probe_rise_s: float = 0.025,
        probe_backoff_s: float = 15.0,
    ) -> None:
        self.rung_index = start
        self.probe_watch_s = probe_watch_s
        self.probe_rise_s = probe_rise_s
        self.probe_backoff_s = probe_backoff_s
        self.failed_probes = 0
        self._probe: tuple[float, int, float] | None = None
        """A climb being watched: when, the rung it came from, the queue before it."""
        self._probe_failures: dict[int, tuple[float, int]] = {}
        """Rungs whose probe failed: when it last did, and how many times."""
        self._recent_queue: deque[tuple[float, float]] = deque()
        self.up_after_s = up_after_s
        self.probe_s = probe_s
        self.hold_s = hold_s
        self.queue_hold_s = queue_hold_s
        self.memory_s = memory_s
        self._hold = hold_s
        self.congestions = 0
        self.queue_cuts = 0
        """Of the congestions, those a growing queue called (the rest: lasting loss)."""
        self.loss_estimate = float(initial_bps)
        self.remb: float | None = None
        self.sent_bps: float | None = None
        self.ceiling: float | None = None
        self.changes = 0
        self._congested_at: float | None = None
        self._overflowed: tuple[float, float] | None = None
        """When the last congestion was, and what we sent then."""
        self._above_since: float | None = None
        self._no_increase_until = 0.0
        self.queue_s: float | None = None
        self.queue_trend: QueueTrend = QueueTrend()
        self.losses: SustainedLoss = SustainedLoss()
        self._lock = threading.Lock()

    @property
    def rung(self) -> Rung:
        return LADDER[self.rung_index]

    def on_remb(self, bitrate: float, now: float) -> None:
        """The receiver's bandwidth estimate (from aiortc's REMB handling): recorded only."""
        self.remb = float(bitrate)

    def on_queue(self, queue_s: float, now: float) -> None:
        """The other side's measure of the queue our media waits in (a link report)."""
        with self._lock:
            self.queue_s = queue_s
            self._recent_queue.append((now, queue_s))
            while self._recent_queue[0][0] < now - self.probe_watch_s:
                self._recent_queue.popleft()
            state = self.queue_trend.add(queue_s, now)
            if self._probe_failed(now):
                return
            if state in (QueueState.GROWING, QueueState.STEPPED) and not self._recently_cut(now):
                self._cut(0.85 * ((self.sent_bps or self.rung.bitrate) + AUDIO_BPS), now)
                self._hold = self.queue_hold_s if state is QueueState.GROWING else self.hold_s
                self.queue_cuts += 1
                # The queue drains for a while after the cut: judge it on new reports only.
                self.queue_trend.reset()
                self._decide(now)
            elif state is not QueueState.STEADY:
                self._no_increase_until = now + 2.0

    def _probe_failed(self, now: float) -> bool:
        """Whether the climb being watched filled the queue: then back to where it was."""
        if self._probe is None:
            return False
        started, back_to, before = self._probe
        if now - started > self.probe_watch_s:
            self._probe = None
            return False
        since = [q for t, q in self._recent_queue if t > started]
        # Two reports over the rise, or one over twice the rise (a 100 ms buffer is half
        # full by then: measured, waiting for the second report let it overflow).
        twice = len(since) >= 2 and min(since[-2:]) > before + self.probe_rise_s
        if not (twice or (since and since[-1] > before + 2 * self.probe_rise_s)):
            return False
        failed = self.rung_index
        _, count = self._probe_failures.get(failed, (now, 0))
        self._probe_failures[failed] = (now, count + 1)
        self.failed_probes += 1
        self._probe = None
        log.info("video ladder: the climb to %s filled the queue (%.0f -> %.0f ms): back",
                 self.rung, before * 1000, since[-1] * 1000)
        self._set(back_to, now)
        return True

    def _probe_blocked(self, index: int, now: float) -> bool:
        failure = self._probe_failures.get(index)
        if failure is None:
            return False
        when, count = failure
        return now - when < self.probe_backoff_s * 2.0 ** (count - 1)

    def calm(self, now: float) -> bool:
        """No congestion within ``hold_s`` and the queue not rising: loss now is the link's,
        not ours (retransmissions may be sent twice)."""
        with self._lock:
            recent = self._congested_at is not None and now - self._congested_at < self.hold_s
            return not recent and now >= self._no_increase_until

    def _recently_cut(self, now: float) -> bool:
        # A report right after a cut still counts the overflow that caused it.
        return self._congested_at is not None and now - self._congested_at < 1.5

    def _cut(self, to_bps: float, now: float) -> None:
        self.loss_estimate = min(self.loss_estimate, to_bps)
        self.ceiling, self._congested_at = self.loss_estimate, now
        self._overflowed = (now, (self.sent_bps or self.rung.bitrate) + AUDIO_BPS)
        self.congestions += 1

    def on_loss(self, fraction_lost: float, now: float, sent_bps: float | None = None) -> None:
        """A receiver report's loss fraction (0..1) for our video stream, and the video
        payload rate we sent since the previous report."""
        with self._lock:
            if sent_bps is not None:
                self.sent_bps = sent_bps
            recently_cut = self._recently_cut(now)
            sustained = self.losses.add(fraction_lost, now)
            if sustained is not None and sustained > 0.10 and not recently_cut:
                sending = (self.sent_bps or self.rung.bitrate) + AUDIO_BPS
                self._cut(sending * (1 - 0.5 * sustained), now)
                self._hold = self.hold_s
                self.losses.reset()
            elif (fraction_lost < 0.02 and not recently_cut
                  and now >= self._no_increase_until):
                self.loss_estimate *= 1.08
            top = 2.0 * (self.rung.bitrate + AUDIO_BPS)
            self.loss_estimate = min(max(self.loss_estimate, 60_000.0), top)
            self._decide(now)

    def budget(self, now: float) -> float:
        """Bits per second the video may use."""
        if self._congested_at is not None and now - self._congested_at > self._hold:
            self.ceiling = self._congested_at = None
        total = self.loss_estimate
        if self.ceiling is not None:
            total = min(total, self.ceiling)
        if self._overflowed is not None and now - self._overflowed[0] < self.memory_s:
            # Back up quickly after a cut, but not into the rate that overflowed.
            total = min(total, self._overflowed[1])
        return (total - AUDIO_BPS) * (1 - OVERHEAD)

    def _decide(self, now: float) -> None:
        budget = self.budget(now)
        index = self.rung_index
        while index < len(LADDER) - 1 and LADDER[index].bitrate > budget:
            index += 1
        if index > self.rung_index:
            self._set(index, now)
            return
        if (index > 0 and LADDER[index - 1].bitrate <= budget and now >= self._no_increase_until
                and not self._probe_blocked(index - 1, now)):
            if self._above_since is None:
                self._above_since = now
            elif now - self._above_since >= (self.up_after_s if self.congestions else self.probe_s):
                self._set(index - 1, now)
        else:
            self._above_since = None

    def _set(self, index: int, now: float) -> None:
        if index < self.rung_index and len(self._recent_queue) >= 2:
            before = statistics.median(q for _, q in self._recent_queue)
            self._probe = (now, self.rung_index, before)
        elif index > self.rung_index:
            self._probe = None
        log.info("video ladder %s -> %s (REMB %s, loss estimate %.0f kbit/s)",
                 self.rung, LADDER[index], None if self.remb is None else round(self.remb / 1000),
                 self.loss_estimate / 1000)
        self.rung_index = index
        self.changes += 1
        self._above_since = None


class TunedVp8Encoder(Vp8Encoder):
    """VP8 at the controller's rung (see the module docstring)."""

    def __init__(self, controller: LadderController) -> None:
        super().__init__()
        self.controller = controller
        self._rung: Rung | None = None
        self._last_kept: float | None = None
        self.frames_dropped = 0
        # Our own scaler: frame.reformat() uses one per frame object, and the kiosk's view
        # converts the same camera frame in another thread; two threads in one swscale
        # context deadlocked the kiosk (hung in tests/kiosk under load).
        self._scaler = VideoReformatter()
        self.keyframes = 0

    @property
    def target_bitrate(self) -> int:
        return self.controller.rung.bitrate

    @target_bitrate.setter
    def target_bitrate(self, bitrate: int) -> None:
        # aiortc's sender sets this from each REMB it receives.
        self.controller.on_remb(bitrate, time.monotonic())

    def encode(self, frame: Frame, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        assert isinstance(frame, VideoFrame)
        rung = self.controller.rung
        assert frame.pts is not None and frame.time_base is not None
        timestamp = convert_timebase(frame.pts, frame.time_base, VIDEO_TIME_BASE)
        seconds = float(timestamp) / 90000
        if self._drop(seconds, rung) and not force_keyframe:
            self.frames_dropped += 1
            return [], timestamp
        if (frame.width, frame.height) != (rung.width, rung.height):
            frame = self._scaler.reformat(
                frame, width=rung.width, height=rung.height, format="yuv420p")
        elif frame.format.name != "yuv420p":
            frame = self._scaler.reformat(frame, format="yuv420p")
        if rung != self._rung or self.codec is None:
            self._open(rung)
            force_keyframe = True
        if force_keyframe:
            frame.pict_type = av.video.frame.PictureType.I
            self.keyframes += 1
        assert self.codec is not None
        data = b"".join(bytes(p) for p in self.codec.encode(frame))
        payloads = self._packetize(data, self.picture_id)
        self.picture_id = (self.picture_id + 1) % (1 << 15)
        return payloads, timestamp

    def _drop(self, seconds: float, rung: Rung) -> bool:
        """Keep ``rung.fps`` frames a second, evenly (24 of 30: four in five)."""
        interval = 1.0 / rung.fps
        due = self._last_kept
        if due is not None and due - 3 * interval <= seconds < due - 0.2 * interval:
            return True
        if due is None or abs(seconds - due) > interval:
            due = seconds  # the first frame, a stall or a new source: start the schedule here
        self._last_kept = due + interval
        return False

    def _open(self, rung: Rung) -> None:
        codec = av.CodecContext.create("libvpx", "w")
        codec.width, codec.height = rung.width, rung.height
        codec.bit_rate = rung.bitrate
        codec.pix_fmt = "yuv420p"
        codec.gop_size = 3000  # keyframes on request only
        codec.qmin, codec.qmax = 2, 56
        codec.options = {
            "bufsize": str(rung.bitrate),  # a one-second buffer, as aiortc has it
            "cpu-used": "-6",
            "deadline": "realtime",
            "lag-in-frames": "0",
            "minrate": str(rung.bitrate),
            "maxrate": str(rung.bitrate),
            "noise-sensitivity": "4",
            "overshoot-pct": "15",
            "partitions": "0",
            "static-thresh": "1",
            "undershoot-pct": "100",
        }
        codec.thread_count = number_of_threads(
            rung.width * rung.height, multiprocessing.cpu_count()
        )
        self.codec = codec
        self._rung = rung
