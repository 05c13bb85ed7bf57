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

from signaling.reports import QueueDay, queue_day
from signaling.store import Store
from signaling.store.records import CallRecord, WaitRecord
from signaling.wait_accuracy import Accuracy
from signaling.wait_report import accuracy_by_service

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
        self._read_at: float | None = None
        self._midnight = 0.0
        # Indexes, so that a change costs what it touches, not the day.
        self._by_kiosk: dict[str, set[str]] = defaultdict(set)
        self._by_queue: dict[tuple[str, str], set[str]] = defaultdict(set)  # today's calls
        self._by_service: dict[str, set[str]] = defaultdict(set)
        self._open: set[str] = set()  # waits not ended
        self._expiry: list[tuple[float, str]] = []  # heap of (queued_at, call id)

    def reset(self) -> None:
        """Read the whole day again at the next refresh (the store may hold another node's
        writes that were never seen here)."""
        self._read_at = None

    def refresh(self, now: float, midnight: float, threshold_s: float) -> set[str]:
        """Bring everything up to ``now`` (today began at ``midnight``); the kiosks whose
        reasons may have changed."""
        kiosks: set[str] = set()
        queues: set[tuple[str, str]] = set()
        services: set[str] = set()
        if self._read_at is None or midnight != self._midnight:
            calls = self._store.calls_between(now - DAY_S, now + 1)
            waits = self._store.waits_between(midnight, now + 1)
            self.rows_read += len(calls) + len(waits)
            kiosks = set(self.reasons)
            self.calls, self.waits, self.today, self.estimates = {}, {}, {}, {}
            self._by_kiosk.clear()
            self._by_queue.clear()
            self._by_service.clear()
            self._open.clear()
            self._expiry = []
        else:
            since = self._read_at - OVERLAP_S
            calls = self._store.calls_changed_since(since)
            waits = [*self._store.waits_between(max(since, midnight), now + 1),
                     *self._store.waits_of(sorted(self._open))]
            self.rows_read += len(calls) + len(waits)
        for c in calls:
            if c.queued_at >= now - DAY_S and self.calls.get(c.id) != c:
                if c.id not in self.calls:
                    heapq.heappush(self._expiry, (c.queued_at, c.id))
                self.calls[c.id] = c
                self._by_kiosk[c.kiosk_id].add(c.id)
                kiosks.add(c.kiosk_id)
                if c.queued_at >= midnight:
                    self._by_queue[(c.service_id, c.language)].add(c.id)
                    queues.add((c.service_id, c.language))
        while self._expiry and self._expiry[0][0] < now - DAY_S:
            _, call_id = heapq.heappop(self._expiry)
            gone = self.calls.pop(call_id, None)
            if gone is not None:  # out of the day: its kiosk's reasons shrink
                self._by_kiosk[gone.kiosk_id].discard(call_id)
                kiosks.add(gone.kiosk_id)
        for w in waits:
            if self.waits.get(w.entry_id) != w:
                self.waits[w.entry_id] = w
                self._by_service[w.service_id].add(w.entry_id)
                services.add(w.service_id)
                if w.ended_at is None:
                    self._open.add(w.entry_id)
                else:
                    self._open.discard(w.entry_id)
        # An open "soon" estimate is scored against the time now: its service moves on.
        services |= {self.waits[e].service_id for e in self._open
                     if self.waits[e].first_kind == "soon"}
        self._read_at, self._midnight = now, midnight
        self._recompute(kiosks, queues, services, now, threshold_s)
        return kiosks

    def _recompute(
        self, kiosks: set[str], queues: set[tuple[str, str]], services: set[str], now: float,
        threshold_s: float,
    ) -> None:
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
            # (On a 25-hour day a call of today can be out of the last 24 hours.)
            # Unsorted: queue_day's counts and fsum-based means do not depend on the order.
            members = [self.calls[i] for i in self._by_queue[key] if i in self.calls]
            self.today.update(queue_day(members, threshold_s))
        if services:
            for service in services:
                # Unsorted too: counts and medians do not depend on the order either.
                waits = [self.waits[e] for e in self._by_service[service]]
                fresh = accuracy_by_service(waits, until=now)
                if service in fresh:
                    self.estimates[service] = fresh[service]
                else:
                    self.estimates.pop(service, None)
            self.estimates = dict(sorted(self.estimates.items()))
