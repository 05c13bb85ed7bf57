"""VP8 frames from RTP packets, with retransmission requests that know when to stop (sans-I/O).

aiortc's receiver hands a frame to the decoder only when the *next* frame's first packet
arrives, one frame per packet even when a retransmission completed several, asks once per
new gap for every packet still missing (so a lost retransmission waits for the next loss to
be asked for again), and asks for a keyframe only when the decoder already failed.  On a
rural link with 3 % loss that freezes the picture several times a second.

:class:`VideoAssembler` takes packets and the clock and returns :class:`Actions`:

* complete frames in order, as soon as their last packet (the RTP marker) is in;
* NACKs: a gap is asked for at once, and again every ``1.2 x RTT`` (the RTT measured from
  NACK to retransmission) up to :attr:`AssemblerConfig.max_nacks` times, oldest first, within
  a budget of :attr:`AssemblerConfig.nack_ratio` requests per packet received: aiortc's
  sender resends whatever is asked at once, and on a link that is already overflowing
  (a 300 kbit/s uplink) asking for everything again multiplied the load (measured: the
  kiosk sent 2.4 Mbit/s into its 300 kbit/s link for 3 s);
* a keyframe request (PLI) when a hole is given up on (older than ``give_up_rtts x RTT``,
  at least ``min_give_up_s``), when the decoder fails, or while waiting for a keyframe (at
  most every :attr:`AssemblerConfig.pli_interval_s`).  After a hole is given up, inter frames
  would decode against a reference that never arrived (VP8 has no other recovery), so
  frames are dropped until a keyframe; a complete keyframe further on ends the wait at once.

Only VP8 is understood (the payload descriptor's start bit and the frame's P bit); the call
keeps aiortc's own path for other codecs.  Sequence numbers are unwrapped to 64 bits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from aiortc.codecs.vpx import VpxPayloadDescriptor
from aiortc.rtp import RtpPacket

RTP_HISTORY: Final = 128
"""Packets an aiortc sender keeps for retransmission (``aiortc.rtp.RTP_HISTORY_SIZE``);
Chromium keeps more.  Older gaps are not asked for."""
_MAX_BUFFERED: Final = 2000


@dataclass(frozen=True)
class AssemblerConfig:
    """Tuning of :class:`VideoAssembler` (the defaults are the measured choice)."""

    max_nacks: int = 6
    nack_rtt_factor: float = 1.2
    give_up_rtts: float = 3.0
    min_give_up_s: float = 0.35
    pli_interval_s: float = 0.4
    initial_rtt_s: float = 0.2
    nack_ratio: float = 0.3
    nack_burst: float = 20.0


@dataclass(frozen=True)
class EncodedFrame:
    """A complete encoded frame (RTP timestamp, VP8 data) and when it became complete."""

    timestamp: int
    data: bytes
    keyframe: bool
    first_packet_at: float
    completed_at: float
    retransmitted: bool = False
    """A packet of it came as the answer to a NACK: it is late by a round trip."""


@dataclass
class Actions:
    """What the assembler asks of the I/O layer after one input."""

    frames: list[EncodedFrame] = field(default_factory=list)
    nack: list[int] = field(default_factory=list)
    """16-bit sequence numbers to ask for again."""
    pli: bool = False

    def __bool__(self) -> bool:
        return bool(self.frames or self.nack or self.pli)


@dataclass
class _Missing:
    first_seen: float
    nacks: int = 0
    last_nack: float = 0.0


def vp8_frame_start(packet: RtpPacket) -> tuple[bool, bool]:
    """``(starts a frame, starts a keyframe)`` from the VP8 payload descriptor and header."""
    try:
        descriptor, rest = VpxPayloadDescriptor.parse(packet.payload)
    except ValueError:
        return False, False
    start = bool(descriptor.partition_start) and descriptor.partition_id == 0
    return start, start and bool(rest) and (rest[0] & 0x01) == 0


@dataclass
class AssemblerCounters:
    """Totals for stats and tests."""

    packets: int = 0
    duplicates: int = 0
    frames: int = 0
    nacks_sent: int = 0
    retransmissions: int = 0
    holes_given_up: int = 0
    plis: int = 0


class VideoAssembler:
    """Packets in, decodable frames out (see the module docstring)."""

    def __init__(self, config: AssemblerConfig | None = None) -> None:
        self.cfg = config or AssemblerConfig()
        self.rtt_s = self.cfg.initial_rtt_s
        self.counters = AssemblerCounters()
        self._packets: dict[int, tuple[RtpPacket, float]] = {}
        self._missing: dict[int, _Missing] = {}
        self._recovered: set[int] = set()
        """Buffered packets that came as retransmissions."""
        self._max: int | None = None
        self._next: int | None = None
        """First sequence number of the next frame to release; None: waiting for a keyframe."""
        self._last_pli = -1e9
        self._first_packet_at: float | None = None
        self._nack_tokens = self.cfg.nack_burst / 2

    # ------------------------------------------------------------------------- input

    def _unwrap(self, seq: int) -> int:
        if self._max is None:
            return seq + (1 << 16)  # room below for reordered packets
        delta = (seq - self._max) & 0xFFFF
        return self._max + delta if delta < 0x8000 else self._max - (0x10000 - delta)

    def add(self, packet: RtpPacket, now: float) -> Actions:
        """One RTP packet (RTX already unwrapped) arrived at ``now``."""
        out = Actions()
        self.counters.packets += 1
        if self._first_packet_at is None:
            self._first_packet_at = now
        ext = self._unwrap(packet.sequence_number)
        self._nack_tokens = min(self.cfg.nack_burst, self._nack_tokens + self.cfg.nack_ratio)
        if ext in self._packets or (self._next is not None and ext < self._next):
            self.counters.duplicates += 1
            return out
        if self._max is None or ext > self._max:
            if self._max is not None:
                first_new = max(self._max + 1, ext - RTP_HISTORY)
                for seq in range(first_new, ext):
                    gap = _Missing(first_seen=now)
                    self._missing[seq] = gap
                    if self._nack_tokens >= 1:
                        self._nack_tokens -= 1
                        gap.nacks, gap.last_nack = 1, now
                        out.nack.append(seq & 0xFFFF)
            self._max = ext
        else:
            hole = self._missing.pop(ext, None)
            if hole is not None and hole.nacks > 0:
                self.counters.retransmissions += 1
                self._recovered.add(ext)
                if hole.nacks == 1:  # unambiguous: answers the only request
                    sample = now - hole.last_nack
                    if 0.002 < sample < 3.0:
                        self.rtt_s = 0.8 * self.rtt_s + 0.2 * sample
        self.counters.nacks_sent += len(out.nack)
        self._packets[ext] = (packet, now)
        if self._next is None:
            start, key = vp8_frame_start(packet)
            if start and key:
                self._resync(ext)
        self._release(now, out)
        self._bound()
        return out

    def decode_failed(self, now: float) -> Actions:
        """The decoder rejected a frame: wait for a keyframe."""
        out = Actions()
        self._next = None
        self._request_keyframe(now, out)
        return out

    # ------------------------------------------------------------------------ timers

    def rtt_hint(self, rtt_s: float) -> None:
        """The round trip RTCP measured on our own stream the other way (same path).

        Retransmissions alone cannot teach it when every hole was asked for twice before
        its answer came: the answer might be to either request.
        """
        if 0.001 < rtt_s < 3.0:
            self.rtt_s = 0.5 * self.rtt_s + 0.5 * rtt_s

    def poll(self, now: float) -> Actions:
        """Retry NACKs, give up on old holes, repeat keyframe requests; call every ~20 ms."""
        out = Actions()
        retry = max(0.02, self.cfg.nack_rtt_factor * self.rtt_s)
        floor = (self._max or 0) - RTP_HISTORY
        for seq in sorted(self._missing):  # oldest first: they hold the picture back
            hole = self._missing[seq]
            if self._nack_tokens < 1:
                break
            due = hole.nacks == 0 or now - hole.last_nack >= retry
            if hole.nacks < self.cfg.max_nacks and due and seq > floor:
                self._nack_tokens -= 1
                hole.nacks += 1
                hole.last_nack = now
                out.nack.append(seq & 0xFFFF)
        self.counters.nacks_sent += len(out.nack)
        if self._next is not None:
            self._maybe_give_up(now, out)
        if self._next is None:
            self._find_keyframe(now, out)
            if self._next is None and self._first_packet_at is not None:
                self._request_keyframe(now, out)
        return out

    def _maybe_give_up(self, now: float, out: Actions) -> None:
        blocking = self._blocking_hole()
        if blocking is None:
            return
        hole = self._missing.get(blocking)  # None: too old to be asked for any more
        limit = max(self.cfg.min_give_up_s, self.cfg.give_up_rtts * self.rtt_s)
        if hole is not None and now - hole.first_seen < limit:
            return
        self.counters.holes_given_up += 1
        self._next = None
        self._drop_before(blocking + 1)
        self._find_keyframe(now, out)
        if self._next is None:
            self._request_keyframe(now, out)

    def _blocking_hole(self) -> int | None:
        """The missing sequence number that holds the next frame back, if any."""
        if self._next is None:
            return None
        seq = self._next
        while seq in self._packets:
            packet = self._packets[seq][0]
            if packet.marker:
                return None  # complete (released on the next input)
            seq += 1
        if self._max is None or seq > self._max:
            return None  # not late, just not sent yet
        return seq

    # ---------------------------------------------------------------------- release

    def _resync(self, ext: int) -> None:
        self._next = ext
        self._drop_before(ext)

    def _find_keyframe(self, now: float, out: Actions) -> None:
        """Waiting for a keyframe: start at the newest keyframe start buffered, if any."""
        starts = [seq for seq, (p, _) in self._packets.items() if vp8_frame_start(p)[1]]
        if starts:
            self._resync(max(starts))
            self._release(now, out)

    def _release(self, now: float, out: Actions) -> None:
        while self._next is not None:
            frame = self._complete_frame(self._next, now)
            if frame is None:
                # A later keyframe that is complete beats waiting for this hole.
                self._jump_to_complete_keyframe(now, out)
                return
            end, encoded = frame
            for seq in range(self._next, end + 1):
                self._packets.pop(seq, None)
                self._missing.pop(seq, None)
                self._recovered.discard(seq)
            self._next = end + 1
            self.counters.frames += 1
            out.frames.append(encoded)

    def _complete_frame(self, start: int, now: float) -> tuple[int, EncodedFrame] | None:
        if start not in self._packets:
            return None
        timestamp = self._packets[start][0].timestamp
        seq, parts, first_at = start, [], self._packets[start][1]
        while seq in self._packets:
            packet, arrived = self._packets[seq]
            if packet.timestamp != timestamp:
                seq -= 1  # the frame ended without a marker: take what came
                break
            parts.append(packet._data)  # type: ignore[attr-defined]
            first_at = min(first_at, arrived)
            if packet.marker:
                break
            seq += 1
        else:
            return None
        first = self._packets[start][0]
        return seq, EncodedFrame(
            timestamp=timestamp,
            data=b"".join(parts),
            keyframe=vp8_frame_start(first)[1],
            first_packet_at=first_at,
            completed_at=now,
            retransmitted=any(s in self._recovered for s in range(start, seq + 1)),
        )

    def _jump_to_complete_keyframe(self, now: float, out: Actions) -> None:
        assert self._next is not None
        for seq in sorted(s for s in self._packets if s > self._next):
            if vp8_frame_start(self._packets[seq][0])[1] and self._complete_frame(seq, now):
                self.counters.holes_given_up += 1
                self._resync(seq)
                self._release(now, out)
                return

    def _drop_before(self, seq: int) -> None:
        for old in [s for s in self._packets if s < seq]:
            del self._packets[old]
        self._recovered = {s for s in self._recovered if s >= seq}
        self._drop_missing_before(seq)

    def _drop_missing_before(self, seq: int) -> None:
        for old in [s for s in self._missing if s < seq]:
            del self._missing[old]

    def _request_keyframe(self, now: float, out: Actions) -> None:
        if now - self._last_pli >= self.cfg.pli_interval_s:
            self._last_pli = now
            self.counters.plis += 1
            out.pli = True

    def _bound(self) -> None:
        if self._max is not None and len(self._missing) > RTP_HISTORY:
            self._drop_missing_before(self._max - 2 * RTP_HISTORY)
        if len(self._packets) > _MAX_BUFFERED:  # a sender gone mad: start over
            self._packets.clear()
            self._missing.clear()
            self._recovered.clear()
            self._next = None
