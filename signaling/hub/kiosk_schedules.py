"""What each kiosk is told of its next booked meeting (``kiosk_schedule``), told only on change.

A kiosk held for a booked meeting shows walk-ins when it is needed; the pair (start, end) of
the earliest booking still ``booked`` for it is pushed when it changes, and once to every kiosk
that attaches. Reads the check-in desk (:mod:`signaling.booking.desk`); sends nothing else.
"""

from __future__ import annotations

from signaling.booking.desk import BookingDesk
from signaling.hub.connections import Connections
from wire import booking_messages as B

__all__ = ["KioskSchedules"]

Pair = tuple[float | None, float | None]


class KioskSchedules:
    """The last schedule each kiosk was told, and the pushes that keep it right."""

    def __init__(self, desk: BookingDesk, connections: Connections) -> None:
        self._desk, self._conns = desk, connections
        self._told: dict[str, Pair] = {}

    def attached(self, kiosk_id: str, now: float) -> None:
        """A kiosk attached: a new connection knows of no reservation; tell it its own."""
        self._told[kiosk_id] = (None, None)
        held = self._desk.reservation(kiosk_id, now)
        self._tell(kiosk_id, (None, None) if held is None else (held.start_at, held.end_at))

    def push_all(self, now: float) -> None:
        """Re-tell every kiosk whose schedule changed (after a booking changed)."""
        # One pass over the bookings, then one over the kiosks told something before or
        # held now: not every connected kiosk times every booking.
        held: dict[str, Pair] = {}
        for b in self._desk.bookings():
            if b.state != "booked" or b.end_at <= now:
                continue
            old = held.get(b.kiosk_id)
            if old is None or (old[0] is not None and b.start_at < old[0]):
                held[b.kiosk_id] = (b.start_at, b.end_at)
        for kiosk_id in set(held) | {k for k, v in self._told.items() if v != (None, None)}:
            self._tell(kiosk_id, held.get(kiosk_id, (None, None)))

    def _tell(self, kiosk_id: str, pair: Pair) -> None:
        if self._told.get(kiosk_id, (None, None)) == pair:
            return
        conn = self._conns.kiosks.get(kiosk_id)
        if conn is None:
            self._told.pop(kiosk_id, None)  # told again when it attaches
            return
        self._told[kiosk_id] = pair
        conn.send(B.KioskSchedule(reserved_at=pair[0], reserved_until=pair[1]))
