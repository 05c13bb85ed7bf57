"""Answering a NACK once per round trip, not once per copy of it (sans-I/O).

Our receive path (:mod:`client_core.video_receive`) sends every NACK twice, because a lost
NACK costs a whole retry interval of frozen picture.  aiortc's sender retransmits whatever
each NACK lists, so both copies were answered, and on a link that was already overflowing
(a 300 kbit/s uplink the video ladder had just probed past) the doubled retransmissions
fed the overflow that caused them.  A browser's sender (libwebrtc's packet history) resends
a packet at most once per round trip; :class:`RetransmitGate` keeps the same rule, and the
hook :func:`client_core.aiortc_hooks.gate_retransmissions` consults it before aiortc resends.
A receiver's own retry, a round trip and more later, still goes through.

On a link that loses packets at random and is not congested (3 % loss, 2 Mbit/s), the
retransmission is sent twice (:meth:`RetransmitGate.copies` with ``duplicate``): one lost
retransmission otherwise costs a second round trip, 350 ms or more of frozen picture that
no playout delay short of that covers (measured: one or two such freezes a minute at
150 ms RTT), and the second copy costs as many bytes again as the retransmissions, a few
per cent of the video.  The caller says when the link is calm (the video ladder's view: no
congestion, the queue not rising); on a link that overflows, one copy.
"""

from __future__ import annotations

from typing import Final

_REMEMBERED: Final = 512
"""Sequence numbers kept (an aiortc sender keeps 128 packets to resend)."""


class RetransmitGate:
    """Whether to resend a packet now, given when it was last resent."""

    def __init__(
        self, *, rtt_factor: float = 0.5, min_interval_s: float = 0.02,
        max_interval_s: float = 0.3, default_interval_s: float = 0.05,
    ) -> None:
        self.rtt_factor = rtt_factor
        self.min_interval_s = min_interval_s
        self.max_interval_s = max_interval_s
        self.default_interval_s = default_interval_s
        self.resent = 0
        self.refused = 0
        self.duplicated = 0
        self._last: dict[int, float] = {}

    def interval(self, rtt_s: float | None) -> float:
        """How long after a resend the same packet is not resent again."""
        if rtt_s is None or rtt_s <= 0:
            return self.default_interval_s
        return min(self.max_interval_s, max(self.min_interval_s, self.rtt_factor * rtt_s))

    def copies(
        self, seq: int, now: float, rtt_s: float | None = None, *, duplicate: bool = False
    ) -> int:
        """How many times to resend ``seq`` now: 0 (resent within the interval), 1, or 2
        when ``duplicate`` (a lossy link that is not congested)."""
        if not self.allow(seq, now, rtt_s):
            return 0
        if duplicate:
            self.duplicated += 1
            return 2
        return 1

    def allow(self, seq: int, now: float, rtt_s: float | None = None) -> bool:
        """A NACK asks for ``seq`` at ``now``: True to resend it (and remember that)."""
        last = self._last.pop(seq, None)
        if last is not None and now - last < self.interval(rtt_s):
            self._last[seq] = last
            self.refused += 1
            return False
        self._last[seq] = now
        self.resent += 1
        while len(self._last) > _REMEMBERED:
            del self._last[next(iter(self._last))]
        return True
