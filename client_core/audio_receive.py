"""The tuned audio receive path: a jitter buffer that conceals losses and uses Opus in-band FEC.

aiortc's audio jitter buffer (16 packets, 4 prefetched) stops at a lost packet until 16 more
have arrived, then throws away the packets before the hole one by one: each loss costs about
five frames (measured: 15-20 % of 20 ms frames never played at 3 % loss) and leaves up to
300 ms of extra delay behind.  There is no concealment, and the FEC copy that Opus carries
of the previous frame is never used.

:class:`AudioJitterBuffer` (sans-I/O) plays one frame per 20 ms tick of the local clock,
like a sound card asks for them, and decides for each tick (:class:`Decision`):

* ``decode``: the packet for the position is there;
* ``fec``: it is lost but the next one is there: rebuild it from the next packet's FEC;
* ``conceal``: lost, or not arrived yet: Opus packet loss concealment (speech extrapolated,
  fading out).  When nothing at all is buffered (a jitter spike) the position stays put, so
  the late packet still plays when it comes and the delay has grown by one frame;
* ``accelerate``: the buffer holds more than the target delay plus a margin for a while:
  one frame is decoded and dropped, to bring the delay back down.

The target delay comes from a :class:`~client_core.playout.PlayoutDelay` over packet
arrivals, never less than one frame more than the jitter (the FEC of a lost packet is in the
next one, which must be there in time).  :class:`AudioPlayoutTrack` runs the ticks, decodes
with libopus (:mod:`client_core.opus_native`) and counts what it played in
:class:`~client_core.media_sink.ConcealmentCounters`, as ``getStats()`` would.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import time
from collections import deque
from dataclasses import dataclass
from typing import Final, Literal

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtp import RtpPacket
from av import AudioFrame

from client_core.media_sink import ConcealmentCounters
from client_core.opus_native import FRAME_SAMPLES, SAMPLE_RATE, OpusDecoder
from client_core.playout import DelayConfig, PlayoutDelay

log = logging.getLogger(__name__)

TICK_S: Final = FRAME_SAMPLES / SAMPLE_RATE
AUDIO_DELAY: Final = DelayConfig(
    window_s=5.0, quantile=97.0, margin_s=TICK_S, tolerance_s=0.0, min_s=3 * TICK_S,
    max_s=0.4, decay_s_per_s=0.02, warmup_s=0.0,
)
"""Audio's playout delay: one frame above the jitter (for FEC), 60..400 ms; a late packet
is a gap in speech, so no tolerance."""
_ACCELERATE_MARGIN_S: Final = 0.06
_ACCELERATE_AFTER_TICKS: Final = 25
_RESYNC_S: Final = 0.5
_MAX_BUFFERED: Final = 200

Kind = Literal["decode", "fec", "conceal", "accelerate", "wait"]


def packet_samples(packet: bytes) -> int:
    """Samples (48 kHz) of an Opus packet, from its TOC byte (RFC 6716 3.1); 0 if unknown."""
    if not packet:
        return 0
    toc = packet[0]
    config = toc >> 3
    if config < 12:  # SILK: 10, 20, 40, 60 ms
        per_frame = (480, 960, 1920, 2880)[config & 3]
    elif config < 16:  # hybrid: 10, 20 ms
        per_frame = (480, 960)[config & 1]
    else:  # CELT: 2.5, 5, 10, 20 ms
        per_frame = (120, 240, 480, 960)[config & 3]
    code = toc & 3
    if code == 0:
        frames = 1
    elif code in (1, 2):
        frames = 2
    else:
        frames = packet[1] & 0x3F if len(packet) > 1 else 0
    return per_frame * frames


@dataclass(frozen=True)
class Decision:
    """What to play for one tick: ``payload`` to decode (the next packet's, for ``fec``)."""

    kind: Kind
    payload: bytes | None = None
    samples: int = FRAME_SAMPLES
    extra: bytes | None = None
    """``accelerate``: the frame played after the dropped one."""


class AudioJitterBuffer:
    """Opus packets in, one :class:`Decision` per tick out (see the module docstring)."""

    def __init__(self, *, fec: bool = True, delay: DelayConfig = AUDIO_DELAY) -> None:
        self.fec = fec
        self.delay = PlayoutDelay(delay, clock_rate=SAMPLE_RATE)
        self.counters = ConcealmentCounters()
        self._packets: dict[int, bytes] = {}  # unwrapped timestamp -> payload
        self._position: int | None = None
        self._newest_end: int | None = None
        self._first_at: float | None = None
        self._over = 0

    def starved(self) -> bool:
        """Started, and nothing buffered to play now."""
        return self._position is not None and not self._packets

    @property
    def buffered_s(self) -> float:
        """Audio received ahead of the play position."""
        if self._position is None or self._newest_end is None:
            return 0.0
        return max(0, self._newest_end - self._position) / SAMPLE_RATE

    def insert(self, packet: RtpPacket, now: float) -> None:
        """A packet arrived at ``now``."""
        media_s = self.delay.media_time(packet.timestamp)
        ts = round(media_s * SAMPLE_RATE)
        payload: bytes = packet._data  # type: ignore[attr-defined]
        if self._first_at is None:
            self._first_at = now
        if self._position is not None and ts < self._position:
            self.counters.late_packets += 1
            return
        if not payload or len(self._packets) >= _MAX_BUFFERED:
            return
        self.delay.observe(media_s, now)
        self._packets[ts] = payload
        end = ts + (packet_samples(payload) or FRAME_SAMPLES)
        self._newest_end = end if self._newest_end is None else max(self._newest_end, end)

    def next(self, now: float) -> Decision:
        """What to play for the tick at ``now``."""
        if self._position is None:
            started = self._first_at is not None and now - self._first_at >= self.delay.delay_s
            if not started or not self._packets:
                return Decision("wait")
            self._position = min(self._packets)
        self._skip_gap_if_far_behind()
        position = self._position
        payload = self._packets.pop(position, None)
        if payload is not None:
            samples = packet_samples(payload) or FRAME_SAMPLES
            self._position = position + samples
            return self._maybe_accelerate(Decision("decode", payload, samples))
        if not self._packets:
            # Nothing buffered: conceal but keep the position, so the late packet still plays.
            return self._count(Decision("conceal"))
        self._position = position + FRAME_SAMPLES
        following = self._packets.get(position + FRAME_SAMPLES)
        if self.fec and following is not None:
            return self._count(Decision("fec", following))
        return self._count(Decision("conceal"))

    def _skip_gap_if_far_behind(self) -> None:
        """After a long silence of the sender, jump to what arrived instead of concealing
        the whole gap first."""
        assert self._position is not None
        if self._packets and self._position not in self._packets:
            first = min(self._packets)
            if (first - self._position) / SAMPLE_RATE > _RESYNC_S:
                self._position = first

    def _maybe_accelerate(self, decision: Decision) -> Decision:
        assert self._position is not None
        excess = self.buffered_s - (self.delay.delay_s + _ACCELERATE_MARGIN_S)
        self._over = self._over + 1 if excess > 0 else 0
        following = self._packets.get(self._position)
        if self._over >= _ACCELERATE_AFTER_TICKS and following is not None:
            self._over = 0
            del self._packets[self._position]
            samples = packet_samples(following) or FRAME_SAMPLES
            self._position += samples
            self.counters.accelerated_samples += decision.samples
            self.counters.total_samples += samples
            return Decision("accelerate", decision.payload, samples, extra=following)
        return self._count(decision)

    def _count(self, decision: Decision) -> Decision:
        self.counters.total_samples += decision.samples
        if decision.kind == "conceal":
            self.counters.concealed_samples += decision.samples
        elif decision.kind == "fec":
            self.counters.fec_samples += decision.samples
        return decision


class AudioPlayoutTrack(MediaStreamTrack):
    """Plays an :class:`AudioJitterBuffer` at 20 ms ticks as s16 stereo 48 kHz frames."""

    kind = "audio"

    def __init__(self, buffer: AudioJitterBuffer, channels: int = 2) -> None:
        super().__init__()
        self.buffer = buffer
        self.channels = channels
        self._decoder = OpusDecoder(channels)
        self._pts = 0
        self._next_tick: float | None = None
        self._ended = False

    def end(self) -> None:
        """Stop after the current tick (the peer connection closed)."""
        self._ended = True
        self.stop()

    async def recv(self) -> AudioFrame:
        while True:
            if self._ended or self.readyState != "live":
                raise MediaStreamError
            now = time.monotonic()
            if self._next_tick is None or now - self._next_tick > 0.2:
                self._next_tick = now  # first tick, or the loop stalled: start afresh
            if self._next_tick > now:
                await asyncio.sleep(self._next_tick - now)
            elif now - self._next_tick > TICK_S:
                # Catching up after our own process stalled: the packets that came in the
                # meantime are still on their way through aiortc's tasks; let them land.
                await asyncio.sleep(0)
                if self.buffer.starved():
                    self._next_tick = time.monotonic()  # our clock slipped, not the network
                    continue
            decision = self.buffer.next(time.monotonic())
            self._next_tick += TICK_S
            if decision.kind != "wait":
                return self._frame(self._pcm(decision))

    def _pcm(self, decision: Decision) -> bytes:
        try:
            match decision.kind:
                case "decode":
                    assert decision.payload is not None
                    return self._decoder.decode(decision.payload)
                case "fec":
                    assert decision.payload is not None
                    return self._decoder.decode_fec(decision.payload, decision.samples)
                case "accelerate":
                    assert decision.payload is not None and decision.extra is not None
                    self._decoder.decode(decision.payload)  # keeps the decoder's state
                    return self._decoder.decode(decision.extra)
                case _:
                    return self._decoder.conceal(decision.samples)
        except Exception:
            log.exception("audio decode failed: silence instead")
            return bytes(decision.samples * 2 * self.channels)

    def _frame(self, pcm: bytes) -> AudioFrame:
        samples = len(pcm) // (2 * self.channels)
        layout = "stereo" if self.channels == 2 else "mono"
        frame = AudioFrame(format="s16", layout=layout, samples=samples)
        frame.planes[0].update(pcm)
        frame.sample_rate = SAMPLE_RATE
        frame.time_base = fractions.Fraction(1, SAMPLE_RATE)
        frame.pts = self._pts
        self._pts += samples
        return frame


class QueueMeter:
    """How much longer packets take now than at their quickest in ``window_s``: the queue
    in front of the slowest link on the way (audio's steady 50 packets a second probe it)."""

    def __init__(self, window_s: float = 30.0, span_s: float = 0.5) -> None:
        self.window_s = window_s
        self.span_s = span_s
        self._mins: deque[tuple[float, float]] = deque()
        self._recent: deque[tuple[float, float]] = deque()

    def add(self, media_s: float, arrival: float) -> None:
        transit = arrival - media_s
        while self._mins and self._mins[-1][1] >= transit:
            self._mins.pop()
        self._mins.append((arrival, transit))
        while self._mins[0][0] < arrival - self.window_s:
            self._mins.popleft()
        self._recent.append((arrival, transit))
        while self._recent[0][0] < arrival - self.span_s:
            self._recent.popleft()

    def queue_s(self) -> float | None:
        """Mean extra transit over the last ``span_s`` (None before any packet)."""
        if not self._recent:
            return None
        floor = self._mins[0][1]
        return max(0.0, sum(t for _, t in self._recent) / len(self._recent) - floor)


class AudioReceivePath:
    """The tap's handler and the playout track for one remote Opus stream."""

    def __init__(self, *, fec: bool = True) -> None:
        self.buffer = AudioJitterBuffer(fec=fec)
        self.track = AudioPlayoutTrack(self.buffer)
        self.queue = QueueMeter()
        self.last_packet_at: float | None = None

    @property
    def counters(self) -> ConcealmentCounters:
        return self.buffer.counters

    @property
    def playout_delay_ms(self) -> float:
        return self.buffer.delay.delay_s * 1000

    def on_packet(self, packet: RtpPacket) -> None:
        """A media packet from the tap (aiortc's packet loop: must not block)."""
        now = time.monotonic()
        self.last_packet_at = now
        self.buffer.insert(packet, now)
        self.queue.add(self.buffer.delay.media_time(packet.timestamp), now)

    async def close(self) -> None:
        """End the track."""
        self.track.end()
