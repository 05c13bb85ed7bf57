"""Sending video within what the link carries: a ladder of sizes, rates and bitrates.

aiortc's VP8 encoder targets the receiver's bandwidth estimate (REMB) between 250 kbit/s and
1.5 Mbit/s and starts a new encoder, with a keyframe, whenever that estimate moves by more
than 10 %.  On a 300 kbit/s uplink its floor alone, with 96 kbit/s of audio, overflows the
link; on a lossy link every estimate wobble sends a 20-packet keyframe that loss then holds
up.  :class:`LadderController` (sans-I/O) picks one rung of :data:`LADDER` instead:

* a loss-based estimate (as in Google congestion control): more than 10 % loss reported by
  the receiver cuts it by half the loss, under 2 % raises it 8 % per report, in between it
  holds (random loss is not congestion);
* the budget is the smaller of that and the receiver's REMB, less the audio (which keeps its
  rate: a clerk must be heard first, seen second) and packet overhead;
* it steps down at once when the budget falls below the rung, and up only when the budget
  has stayed above the next rung for ``up_after_s`` (a new size costs a keyframe).

:class:`TunedVp8Encoder` is a small subclass of aiortc's :class:`~aiortc.codecs.vpx.Vp8Encoder`
(its packetiser and picture ids, our own ``encode``): it scales the picture to the rung's
size, drops frames down to its rate, and re-creates the libvpx encoder only when the rung
changes.  Keyframe requests (PLI) reach it from aiortc's sender as before.  It is installed
with :func:`client_core.aiortc_hooks.use_encoder`.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from dataclasses import dataclass
from typing import Final

import av
from aiortc.codecs.vpx import Vp8Encoder, number_of_threads
from aiortc.mediastreams import VIDEO_TIME_BASE, convert_timebase
from av import VideoFrame
from av.frame import Frame


@dataclass(frozen=True)
class Rung:
    """One step of the ladder: picture size, frame rate and VP8 target bitrate."""

    width: int
    height: int
    fps: float
    bitrate: int


LADDER: Final = (
    Rung(640, 480, 30, 900_000),
    Rung(640, 480, 30, 500_000),
    Rung(480, 360, 30, 300_000),
    Rung(320, 240, 24, 180_000),
    Rung(320, 240, 15, 110_000),
    Rung(320, 240, 10, 70_000),
)
START_RUNG: Final = 1
AUDIO_BPS: Final = 50_000
"""Opus at 32 kbit/s with its FEC and RTP/UDP overhead: kept whatever the budget."""
OVERHEAD: Final = 0.12
"""Share of a video bitrate that goes to RTP, SRTP, UDP, IP and TURN headers."""


class LadderController:
    """Which :class:`Rung` to send, from REMB and the receiver's loss reports (sans-I/O)."""

    def __init__(
        self, *, start: int = START_RUNG, up_after_s: float = 8.0, initial_bps: int = 700_000
    ) -> None:
        self.rung_index = start
        self.up_after_s = up_after_s
        self.loss_estimate = float(initial_bps)
        self.remb: float | None = None
        self.changes = 0
        self._above_since: float | None = None
        self._lock = threading.Lock()

    @property
    def rung(self) -> Rung:
        return LADDER[self.rung_index]

    def on_remb(self, bitrate: float, now: float) -> None:
        """The receiver's bandwidth estimate (from aiortc's REMB handling)."""
        with self._lock:
            self.remb = float(bitrate)
            self._decide(now)

    def on_loss(self, fraction_lost: float, now: float) -> None:
        """A receiver report's loss fraction (0..1) for our video stream."""
        with self._lock:
            if fraction_lost > 0.10:
                self.loss_estimate *= 1 - 0.5 * fraction_lost
            elif fraction_lost < 0.02:
                self.loss_estimate *= 1.08
            self.loss_estimate = min(max(self.loss_estimate, 60_000.0), 3_000_000.0)
            self._decide(now)

    def budget(self) -> float:
        """Bits per second the video may use."""
        total = self.loss_estimate if self.remb is None else min(self.remb, self.loss_estimate)
        return (total - AUDIO_BPS) * (1 - OVERHEAD)

    def _decide(self, now: float) -> None:
        budget = self.budget()
        index = self.rung_index
        while index < len(LADDER) - 1 and LADDER[index].bitrate > budget:
            index += 1
        if index > self.rung_index:
            self._set(index)
            return
        if index > 0 and LADDER[index - 1].bitrate <= budget * 0.85:
            if self._above_since is None:
                self._above_since = now
            elif now - self._above_since >= self.up_after_s:
                self._set(index - 1)
        else:
            self._above_since = None

    def _set(self, index: int) -> None:
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
            frame = frame.reformat(width=rung.width, height=rung.height, format="yuv420p")
        elif frame.format.name != "yuv420p":
            frame = frame.reformat(format="yuv420p")
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
        """Keep frames at most ``rung.fps`` a second (a little slack for jittery capture)."""
        last = self._last_kept
        if last is None or seconds < last or seconds - last >= 0.85 / rung.fps:
            self._last_kept = seconds  # (a timestamp going back: a new source)
            return False
        return True

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
