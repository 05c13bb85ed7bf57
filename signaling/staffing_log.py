"""Who served each queue, hour by hour: clerk-seconds for the staffing forecast.

The forecast (:mod:`signaling.forecast`) sets the clerks needed beside the clerks who were
there. The monitor shows this log the router's queue figures at every step (about once a
second); the log integrates, per UTC hour, service and language, the clerks logged in with the
skill and language and those of them working (not on a break), and adds them to the store every
:data:`FLUSH_S` and at the end (:meth:`StaffingLog.flush`), in one transaction. Divided by
3600, an hour's seconds are the clerks there were on average.

The figures seen at one step are taken to have held until the next; a gap longer than
:data:`MAX_GAP_S` (the loop was stalled, the machine slept) counts only that long, so a stall
never books hours of clerks nobody saw.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable

from signaling.errors import StoreError
from signaling.routing.views import QueueStats
from signaling.store.interface import StaffingStore
from signaling.store.records import StaffingRecord

__all__ = ["FLUSH_S", "MAX_GAP_S", "StaffingLog"]

FLUSH_S = 60.0
MAX_GAP_S = 300.0
HOUR_S = 3600.0

log = logging.getLogger("etapiste.staffing")


class StaffingLog:
    """Clerk-seconds per hour, service and language, on their way to the store."""

    def __init__(self, store: StaffingStore, *, flush_s: float = FLUSH_S) -> None:
        self._store = store
        self._flush_s = flush_s
        self._seen_at: float | None = None
        self._seen: dict[tuple[str, str], tuple[int, int]] = {}
        self._pending: dict[tuple[float, str, str], list[float]] = {}
        self._flushed_at: float | None = None

    def observe(self, now: float, stats: Iterable[QueueStats]) -> None:
        """The queues' figures at ``now``; the previous ones held until now."""
        if self._seen_at is not None and now > self._seen_at:
            self._book(max(self._seen_at, now - MAX_GAP_S), now)
        if self._seen_at is None or now > self._seen_at:
            self._seen_at = now
        self._seen = {
            (q.service_id, q.language): (q.staffed_agents, q.working_agents)
            for q in stats
            if q.staffed_agents
        }
        if self._flushed_at is None:
            self._flushed_at = now
        elif now - self._flushed_at >= self._flush_s:
            try:
                self.flush(now)
            except StoreError:
                # The monitor's step goes on; those seconds are lost, the next ones are not.
                log.exception("staffing not stored")

    def _book(self, start: float, end: float) -> None:
        """Add the figures last seen for ``[start, end)``, split at hour boundaries."""
        t = start
        while t < end:
            hour = math.floor(t / HOUR_S) * HOUR_S
            until = min(end, hour + HOUR_S)
            for (service_id, language), (staffed, working) in self._seen.items():
                seconds = self._pending.setdefault((hour, service_id, language), [0.0, 0.0])
                seconds[0] += staffed * (until - t)
                seconds[1] += working * (until - t)
            t = until

    def flush(self, now: float | None = None) -> None:
        """Add what was booked so far to the store (and, with ``now``, up to ``now``)."""
        if now is not None and self._seen_at is not None and now > self._seen_at:
            self._book(max(self._seen_at, now - MAX_GAP_S), now)
            self._seen_at = now
        pending, self._pending = self._pending, {}
        if now is not None:
            self._flushed_at = now
        rows = [
            StaffingRecord(hour, service_id, language, logged_in, working)
            for (hour, service_id, language), (logged_in, working) in sorted(pending.items())
        ]
        self._store.add_staffing(rows)
