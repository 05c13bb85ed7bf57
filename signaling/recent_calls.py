"""The last day's calls and today's waits for the operator monitor, kept up to date from changes.

The monitor shows each kiosk how its recent calls ended, each queue today's figures, and
``/metrics`` the accuracy of today's wait estimates. Re-reading the whole day from the store
every few seconds costs in proportion to the day's calls, on the event loop that routes: at
10,000 kiosks that showed in the offer latency's tail. :class:`RecentCalls` reads the day once,
then only what may have changed since its last read:

* calls still in progress and calls that ended since (both through the ``calls_ended`` index:
  a call's row changes when it is answered, which inserts it, and when it ends);
* places that joined since (the ``waits_queued`` index), and the places it holds that were
  still open, by id (a wait changes when its first estimate is shown and when it ends).

Each read goes back :data:`OVERLAP_S` before the previous one, so a row stamped just before a
read but written just after it is still seen; rows are kept by id, so reading one twice changes
nothing. Only the kiosks, queues and services whose rows changed are computed again.
"""

from __future__ import annotations

import heapq
from collections import defaultdict

from signaling.reports import QueueDay, QueueTally
from signaling.store import Store
from signaling.store.records import CallRecord, WaitRecord
from signaling.wait_accuracy import Accuracy, AccuracyTally
from signaling.wait_report import first_estimate

__all__ = ["DAY_S", "OVERLAP_S", "RecentCalls"]

DAY_S = 86400.0
"""How far back a kiosk's call end reasons go."""
OVERLAP_S = 5.0

Reasons = list[str | None]


class RecentCalls:
    """The calls queued in the last day and the waits that began today, from changes."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.calls: dict[str, CallRecord] = {}
        self.waits: dict[str, WaitRecord] = {}
        self.reasons: dict[str, Reasons] = {}
        """Each kiosk's answered calls' end reasons, newest first (kiosks with none absent)."""
        self.today: dict[tuple[str, str], QueueDay] = {}
        self.estimates: dict[str, Accuracy] = {}
        self.rows_read = 0
        """Rows the store returned so far (what a test checks stays small)."""
        self.records_counted = 0
        """Calls and waits counted into (or out of) the running figures so far: what a test
        checks follows the changes, not the day."""
        self._read_at: float | None = None
        self._midnight = 0.0
        # Running figures and indexes, so that a change costs what it touches, not the day.
        self._queues: dict[tuple[str, str], QueueTally] = {}  # today's calls per queue
        self._services: dict[str, AccuracyTally] = {}  # today's first estimates per service
        self._by_kiosk: dict[str, set[str]] = defaultdict(set)
        self._open: set[str] = set()  # waits not ended
        self._expiry: list[tuple[float, str]] = []  # heap of (queued_at, call id)

    def reset(self) -> None:
        """Read the whole day again at the next refresh (the store may hold another node's
        writes that were never seen here)."""
        self._read_at = None

    def refresh(self, now: float, midnight: float, threshold_s: float) -> set[str]:
        """Bring everything up to ``now`` (today began at ``midnight``); the kiosks whose
        reasons may have changed."""
        if self._read_at is None or midnight != self._midnight:
            calls = self._store.calls_between(now - DAY_S, now + 1)
            waits = self._store.waits_between(midnight, now + 1)
        else:
            since = self._read_at - OVERLAP_S
            calls = self._store.calls_changed_since(since)
            waits = [*self._store.waits_between(max(since, midnight), now + 1),
                     *self._store.waits_of(sorted(self._open))]
        return self.apply(calls, waits, now, midnight, threshold_s)

    def apply(
        self, calls: list[CallRecord], waits: list[WaitRecord], now: float, midnight: float,
        threshold_s: float,
    ) -> set[str]:
        """Take in rows read at ``now`` (the whole day's when :attr:`due_full` was true);
        the kiosks whose reasons may have changed."""
        self.rows_read += len(calls) + len(waits)
        kiosks: set[str] = set()
        queues: set[tuple[str, str]] = set()
        if self._read_at is None or midnight != self._midnight:
            kiosks = set(self.reasons)
            queues = set(self.today)
            self.calls, self.waits, self.today, self.estimates = {}, {}, {}, {}
            self._queues, self._services = {}, {}
            self._by_kiosk.clear()
            self._open.clear()
            self._expiry = []
        for c in calls:
            old = self.calls.get(c.id)
            if c.queued_at < now - DAY_S or old == c:
                continue
            if old is None:
                heapq.heappush(self._expiry, (c.queued_at, c.id))
            else:
                self._count_call(old, -1, midnight, threshold_s, queues)
            self.calls[c.id] = c
            self._count_call(c, 1, midnight, threshold_s, queues)
            self._by_kiosk[c.kiosk_id].add(c.id)
            kiosks.add(c.kiosk_id)
        while self._expiry and self._expiry[0][0] < now - DAY_S:
            _, call_id = heapq.heappop(self._expiry)
            gone = self.calls.pop(call_id, None)
            if gone is not None:  # out of the day: its kiosk's reasons shrink
                self._count_call(gone, -1, midnight, threshold_s, queues)
                self._by_kiosk[gone.kiosk_id].discard(call_id)
                kiosks.add(gone.kiosk_id)
        for w in waits:
            old_wait = self.waits.get(w.entry_id)
            if old_wait == w:
                continue
            if old_wait is not None:
                self._count_wait(old_wait, -1)
            self.waits[w.entry_id] = w
            self._count_wait(w, 1)
            if w.ended_at is None:
                self._open.add(w.entry_id)
            else:
                self._open.discard(w.entry_id)
        self._read_at, self._midnight = now, midnight
        self._recompute(kiosks, queues, now)
        return kiosks

    def _count_call(
        self, c: CallRecord, sign: int, midnight: float, threshold_s: float,
        queues: set[tuple[str, str]],
    ) -> None:
        # (On a 25-hour day a call of today can be out of the last 24 hours: it leaves the
        # queue's figures when it leaves the day.)
        if c.queued_at < midnight:
            return
        key = (c.service_id, c.language)
        tally = self._queues.get(key)
        if tally is None:
            tally = self._queues[key] = QueueTally(threshold_s)
        tally.add(c, sign)
        self.records_counted += 1
        queues.add(key)

    def _count_wait(self, w: WaitRecord, sign: int) -> None:
        first = first_estimate(w)
        if first is None:
            return
        tally = self._services.get(w.service_id)
        if tally is None:
            tally = self._services[w.service_id] = AccuracyTally()
        if sign > 0:
            tally.add(first)
        else:
            tally.remove(first)
        self.records_counted += 1

    def _recompute(self, kiosks: set[str], queues: set[tuple[str, str]], now: float) -> None:
        for kiosk_id in kiosks:
            ended = [(c.ended_at, "failed" if c.outcome == "failed" else c.end_reason)
                     for c in (self.calls[i] for i in self._by_kiosk.get(kiosk_id, ()))
                     if c.answered_at is not None and c.ended_at is not None]
            if ended:
                self.reasons[kiosk_id] = [r for _t, r in sorted(ended, key=lambda x: -x[0])]
            else:
                self.reasons.pop(kiosk_id, None)
                self._by_kiosk.pop(kiosk_id, None)
        for key in queues:
            tally = self._queues.get(key)
            if tally is not None and len(tally):
                self.today[key] = tally.figures()
            else:
                self.today.pop(key, None)
                self._queues.pop(key, None)
        # Every service's figures are read again: an open "soon" estimate is scored against
        # the time now. Reading a tally costs a few list lookups, not the day.
        self.estimates = {
            service: tally.figures(until=now)
            for service, tally in sorted(self._services.items()) if len(tally)
        }
