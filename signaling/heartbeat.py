"""The open connections of a server, each with its own slot in the heartbeat interval.

Every connection gets a ping once per ``heartbeat_interval_s``. Pinging every due connection
in one sweep sent pings (and got their answers) in bursts: with 10,000 clients, a thousand
writes and a thousand replies on the event loop at once, twice a second, and an offer that
arrived meanwhile waited for all of them. :class:`ConnectionRoster` spreads the pings: the
interval is cut into slots of about :data:`SLOT_S`, a new connection takes the next slot in
turn, and each step of the sweep hands out only the connections of the slots that came round
since the step before. Silent connections are found by a separate, cheap walk
(:meth:`ConnectionRoster.silent`) that only compares times.

No I/O and no clock of its own: the server's heartbeat loop passes the time in and sends.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Generic, Protocol, TypeVar

__all__ = ["SLOT_S", "ConnectionRoster", "Heartbeating"]

SLOT_S = 0.05
"""The aimed width of one heartbeat slot: 100 slots in the default 5 s interval."""


class Heartbeating(Protocol):
    """What the roster reads of a connection."""

    @property
    def last_seen(self) -> float:
        """When the client was last heard from."""


C = TypeVar("C", bound=Heartbeating)


class ConnectionRoster(Generic[C]):
    """The server's open connections (a set), and which of them to ping when."""

    def __init__(self, interval_s: float, slot_s: float = SLOT_S) -> None:
        if interval_s <= 0 or slot_s <= 0:
            raise ValueError("the heartbeat interval and slot must be positive")
        self.interval_s = interval_s
        self.slots = max(1, round(interval_s / slot_s))
        self.slot_s = interval_s / self.slots
        """The actual slot width: the interval divided into a whole number of slots."""
        self._buckets: list[dict[C, None]] = [{} for _ in range(self.slots)]
        self._slot_of: dict[C, int] = {}
        self._next_slot = 0
        self._last_tick: int | None = None

    # ------------------------------------------------------------------ the set

    def add(self, conn: C) -> None:
        """Register an open connection; it takes the next slot in turn, so connections that
        open together are pinged apart."""
        if conn in self._slot_of:
            return
        slot = self._next_slot
        self._next_slot = (slot + 1) % self.slots
        self._slot_of[conn] = slot
        self._buckets[slot][conn] = None

    def discard(self, conn: C) -> None:
        """Forget a connection (closed); nothing if it is not here."""
        slot = self._slot_of.pop(conn, None)
        if slot is not None:
            del self._buckets[slot][conn]

    def slot_of(self, conn: C) -> int | None:
        """The connection's slot (0 .. slots - 1), or None if it is not registered."""
        return self._slot_of.get(conn)

    def __contains__(self, conn: object) -> bool:
        return conn in self._slot_of

    def __iter__(self) -> Iterator[C]:
        return iter(list(self._slot_of))

    def __len__(self) -> int:
        return len(self._slot_of)

    def __bool__(self) -> bool:
        return bool(self._slot_of)

    # ------------------------------------------------------------------ the sweep

    def due(self, now: float) -> list[C]:
        """The connections to ping now: those of every slot that began since the previous
        call (one slot when called once per :attr:`slot_s`; after a stall, the slots missed,
        but each connection at most once). The first call hands out the current slot."""
        tick = math.floor(now / self.slot_s)
        last = tick - 1 if self._last_tick is None else self._last_tick
        if tick <= last:
            return []
        self._last_tick = tick
        first = max(last + 1, tick - self.slots + 1)
        out: list[C] = []
        for t in range(first, tick + 1):
            out.extend(self._buckets[t % self.slots])
        return out

    def silent(self, now: float, timeout_s: float) -> list[C]:
        """The connections not heard from for longer than ``timeout_s``."""
        return [c for c in self._slot_of if now - c.last_seen > timeout_s]
