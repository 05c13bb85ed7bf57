"""Indexes of the waiting entries, one per service × language queue.

They let the router do per event only the work the event touches:

* **Membership** per queue, with its length, the count of *offerable* entries (connected
  and not reserved by an offer) so that matching skips queues with nobody to offer, the
  oldest ``enqueued_at`` for the operators' longest wait, and the sorted ``enqueued_at``
  of the entries no offer reserves (the wait estimates of other queues count them; kept
  in step here so that no estimate sorts a queue).
* **Serving order, cached.** The order of :func:`signaling.routing.ordering.entry_key`
  changes with time only when one entry overtakes its neighbour ahead, and the cache
  keeps the instant of the first such swap (``valid_until``, see :func:`swap_time`): a
  sorted list is valid from the instant it was sorted (``sorted_at``) until then. Joins
  are inserted with a binary search and leavers deleted in place, each also bounding
  ``valid_until`` by the swap times of the neighbours it makes. An expired list is
  re-sorted (nearly sorted, so cheap) when next needed, at the latest when its
  ``valid_until`` comes up in a heap of such instants. Entries of one priority never
  swap, so a queue without mixed priorities never expires.
* **Pending pushes.** Each queue remembers the range of indexes whose positions or
  estimates may have changed since they were last pushed (``dirty``): an insertion or
  deletion marks its index to the end, a re-sort the indexes from the first to the last
  that differ, a change of the estimate's inputs (staffed agents, average handle time)
  the whole queue. Each change keeps the entries outside its range at their indexes, so
  outside the hull of the marked ranges every entry keeps exactly the place it was last
  told.

The entries are the router's own records; the router changes their ``connected`` and
``offer_id`` only through :meth:`QueueBook.set_status` so that the counts stay right.
"""

from __future__ import annotations

import heapq
import math
import sys
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Iterator
from itertools import pairwise

from signaling.routing import ordering
from signaling.routing.records import Entry

QueueKey = tuple[str, str]  # (service_id, language)
_END = sys.maxsize  # a dirty range "to the end"


def offerable(entry: Entry) -> bool:
    """Whether an entry could be offered now: connected and not already reserved."""
    return entry.connected and entry.offer_id is None


def swap_time(ahead: Entry, behind: Entry, now: float, step_s: float) -> float:
    """First instant after ``now`` at which ``behind``, ranked right after ``ahead`` at
    ``now``, ranks ahead of it (``inf``: never, while both stay).

    Why it is enough to look at ``t``, the next escalation step of ``behind``: until then
    ``behind``'s effective priority is constant and ``ahead``'s can only grow, so no
    overtaking happens before ``t``. At every later step of ``behind`` (``e_b + k·s``)
    the difference ``floor((t − e_b)/s) − floor((t − e_a)/s)`` takes the same value
    ``−floor((e_b − e_a)/s)``, and between its steps it can only shrink; so if
    ``behind`` is not ahead at ``t`` it never is. (This needs both entries to have
    been enqueued by ``now``, as the router's are; otherwise ``t`` is returned as a
    cautious bound.) Entries of equal priority never swap: the one waiting longer has
    at least the same effective priority and wins the tie on ``enqueued_at``.
    """
    if ahead.priority == behind.priority or step_s <= 0:
        return math.inf
    when = ordering.next_escalation(behind.enqueued_at, now, step_s)
    assert when is not None  # step_s > 0
    if ordering.entry_key(behind, when, step_s) < ordering.entry_key(ahead, when, step_s):
        return when
    if now < ahead.enqueued_at or now < behind.enqueued_at:
        return when
    return math.inf


class Queue:
    """One service × language queue; see the module docstring for the fields' meaning."""

    __slots__ = (
        "dirty",
        "members",
        "offerable",
        "oldest",
        "order",
        "sorted_at",
        "unoffered",
        "valid_until",
    )

    def __init__(self) -> None:
        self.members: dict[str, Entry] = {}
        self.offerable = 0
        self.unoffered: list[float] = []  # sorted enqueued_at of entries without an offer
        self.oldest: float | None = math.inf  # None: recompute when asked
        # Serving order valid in [sorted_at, valid_until); None: sort when next needed.
        self.order: list[Entry] | None = []
        self.sorted_at = -math.inf
        self.valid_until = math.inf
        self.dirty: tuple[int, int] | None = None  # [start, stop) of indexes to recheck

    def valid_at(self, now: float) -> bool:
        """Whether the cached order is the serving order at ``now``."""
        return self.order is not None and self.sorted_at <= now < self.valid_until


class QueueBook:
    """All non-empty queues, the boundaries at which their orders expire, and what to push."""

    def __init__(self, escalation_step_s: float) -> None:
        self._step = escalation_step_s
        self._queues: dict[QueueKey, Queue] = {}
        self._dirty: set[QueueKey] = set()
        self._expiries: list[tuple[float, QueueKey]] = []  # lazy: checked against valid_until

    # ------------------------------------------------------------ reading

    def __contains__(self, key: QueueKey) -> bool:
        return key in self._queues

    def keys(self) -> Iterator[QueueKey]:
        """Keys of the non-empty queues."""
        return iter(self._queues)

    def length(self, key: QueueKey) -> int:
        """Number of entries in a queue (offered and disconnected ones too)."""
        queue = self._queues.get(key)
        return 0 if queue is None else len(queue.members)

    def members(self, key: QueueKey) -> Iterable[Entry]:
        """The entries of a queue, in no particular order."""
        queue = self._queues.get(key)
        return () if queue is None else queue.members.values()

    def unoffered_joins(self, key: QueueKey) -> list[float]:
        """Sorted ``enqueued_at`` of a queue's entries that no offer reserves (connected or
        not). The list is the index itself: do not change it or keep it across changes."""
        queue = self._queues.get(key)
        return [] if queue is None else queue.unoffered

    def offerable_keys(self) -> list[QueueKey]:
        """Keys of the queues that hold an entry that is connected and not reserved."""
        return [key for key, queue in self._queues.items() if queue.offerable > 0]

    def has_offerable(self, key: QueueKey) -> bool:
        """Whether a queue holds an entry that is connected and not reserved."""
        queue = self._queues.get(key)
        return queue is not None and queue.offerable > 0

    def oldest(self, key: QueueKey) -> float | None:
        """The earliest ``enqueued_at`` in a queue; None if it is empty."""
        queue = self._queues.get(key)
        if queue is None:
            return None
        if queue.oldest is None:
            queue.oldest = min(e.enqueued_at for e in queue.members.values())
        return queue.oldest

    def view(self, key: QueueKey, now: float) -> list[Entry]:
        """Serving order at any ``now``, without disturbing the cache (a copy)."""
        queue = self._queues.get(key)
        if queue is None:
            return []
        if queue.order is not None and queue.valid_at(now):
            return list(queue.order)
        return sorted(queue.members.values(), key=self._sort_key(now))

    # ----------------------------------------------------------- changing

    def add(self, entry: Entry, now: float) -> None:
        """Add a new entry at ``now`` (the router's time)."""
        key = (entry.service_id, entry.language)
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = Queue()
        queue.members[entry.entry_id] = entry
        queue.offerable += offerable(entry)
        if entry.offer_id is None:
            _insert(queue.unoffered, entry.enqueued_at)
        if queue.oldest is not None:
            queue.oldest = min(queue.oldest, entry.enqueued_at)
        order = queue.order
        if order is not None and queue.valid_at(now):
            sort_key = self._sort_key(now)
            index = bisect_left(order, sort_key(entry), key=sort_key)
            order.insert(index, entry)
            self._neighbours_at(key, queue, index - 1, now)
            self._neighbours_at(key, queue, index, now)
            self._touch(key, queue, index)
        else:
            queue.order = None  # sort afresh when next needed
            self._touch(key, queue)

    def remove(self, entry: Entry, now: float) -> None:
        """Remove an entry from its queue at ``now`` (the router's time)."""
        key = (entry.service_id, entry.language)
        queue = self._queues[key]
        del queue.members[entry.entry_id]
        queue.offerable -= offerable(entry)
        if entry.offer_id is None:
            _discard(queue.unoffered, entry.enqueued_at)
        if not queue.members:
            del self._queues[key]
            self._dirty.discard(key)
            return
        if queue.oldest is not None and entry.enqueued_at <= queue.oldest:
            queue.oldest = None
        if queue.order is not None:
            index = queue.order.index(entry)  # identity: records compare by identity
            del queue.order[index]
            if queue.valid_at(now):
                # Implied by the bounds of (prev, entry) and (entry, next), which are
                # already in valid_until; kept as a cheap belt and braces.
                self._neighbours_at(key, queue, index - 1, now)
            self._touch(key, queue, index)

    def set_status(self, entry: Entry, *, connected: bool, offer_id: str | None) -> None:
        """Change whether a queued entry is connected and which offer reserves it."""
        queue = self._queues[(entry.service_id, entry.language)]
        before, was_free = offerable(entry), entry.offer_id is None
        entry.connected, entry.offer_id = connected, offer_id
        queue.offerable += offerable(entry) - before
        if was_free != (offer_id is None):
            if was_free:
                _discard(queue.unoffered, entry.enqueued_at)
            else:
                _insert(queue.unoffered, entry.enqueued_at)

    def touch(self, key: QueueKey, stop: int = _END) -> None:
        """The estimate's inputs of a queue changed: recheck the pushes of the first ``stop``
        positions (default: every one)."""
        queue = self._queues.get(key)
        if queue is not None:
            self._touch(key, queue, 0, stop)

    def touch_service(self, service_id: str) -> None:
        """Like :meth:`touch` for every language queue of a service."""
        for key, queue in self._queues.items():
            if key[0] == service_id:
                self._touch(key, queue)

    def touch_entry(self, entry: Entry) -> None:
        """One entry must be told its position again (e.g. its kiosk reconnected)."""
        key = (entry.service_id, entry.language)
        queue = self._queues[key]
        if queue.order is None:
            self._touch(key, queue)
        else:
            index = queue.order.index(entry)
            self._touch(key, queue, index, index + 1)

    # ------------------------------------------------------------ ordering

    def ordered(self, key: QueueKey, now: float) -> list[Entry]:
        """Serving order of a non-empty queue at ``now`` (the router's time); cached.

        The list is the cache itself: do not change it, and do not keep it across changes.
        """
        queue = self._queues[key]
        old = queue.order
        if old is not None and queue.valid_at(now):
            return old
        new = sorted(queue.members.values() if old is None else old, key=self._sort_key(now))
        queue.order, queue.sorted_at, queue.valid_until = new, now, math.inf
        step = self._step
        self._expire_at(
            key,
            queue,
            min((swap_time(a, b, now, step) for a, b in pairwise(new)), default=math.inf),
        )
        if old is None:
            self._touch(key, queue)
        elif old != new:  # identity per element: records compare by identity
            first = next(i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a is not b)
            last = next(i for i in range(len(new) - 1, first - 1, -1) if old[i] is not new[i])
            self._touch(key, queue, first, last + 1)
        return new

    def settle(self, now: float) -> None:
        """Sort every queue whose order was dropped, so that its expiry is known."""
        for key in list(self._dirty):
            queue = self._queues.get(key)
            if queue is not None and queue.order is None:
                self.ordered(key, now)

    def next_expiry(self) -> float | None:
        """Earliest instant at which a cached order may change with time."""
        expiries = self._expiries
        while expiries:
            due, key = expiries[0]
            queue = self._queues.get(key)
            if queue is not None and queue.order is not None and queue.valid_until == due:
                return due
            heapq.heappop(expiries)
        return None

    def take_pushes(self, now: float) -> list[tuple[QueueKey, list[Entry], int, int]]:
        """(key, serving order at ``now``, start, stop) of every queue whose positions or
        estimates may have changed since the last call, sorted by key: the indexes in
        ``range(start, stop)`` need rechecking."""
        expiries = self._expiries
        while expiries and expiries[0][0] <= now:
            due, key = heapq.heappop(expiries)
            queue = self._queues.get(key)
            if queue is not None and queue.order is not None and queue.valid_until == due:
                self.ordered(key, now)  # marks the queue if the order changed
        pushes = []
        for key in sorted(self._dirty):
            queue = self._queues.get(key)
            if queue is None:
                continue
            order = self.ordered(key, now)
            start, stop = queue.dirty or (0, 0)
            queue.dirty = None
            pushes.append((key, order, start, min(stop, len(order))))
        self._dirty.clear()
        return pushes

    # ------------------------------------------------------------ internal

    def _sort_key(self, now: float) -> Callable[[Entry], ordering.EntryKey]:
        """:func:`ordering.entry_key` at ``now``, inlined: it runs for every member."""
        step = self._step
        if step <= 0:
            return lambda e: (-e.priority, e.enqueued_at, e.entry_id)
        floor = math.floor
        return lambda e: (
            -(e.priority + floor(max(0.0, now - e.enqueued_at) / step)),
            e.enqueued_at,
            e.entry_id,
        )

    def _neighbours_at(self, key: QueueKey, queue: Queue, index: int, now: float) -> None:
        """Bound the order's validity by when ``order[index + 1]`` overtakes ``order[index]``."""
        order = queue.order
        assert order is not None
        if 0 <= index < len(order) - 1:
            self._expire_at(key, queue, swap_time(order[index], order[index + 1], now, self._step))

    def _expire_at(self, key: QueueKey, queue: Queue, when: float) -> None:
        if when < queue.valid_until:
            queue.valid_until = when
            if when < math.inf:
                heapq.heappush(self._expiries, (when, key))

    def _touch(self, key: QueueKey, queue: Queue, start: int = 0, stop: int = _END) -> None:
        """Mark ``range(start, stop)`` of a queue's order for rechecking (default: all)."""
        if queue.dirty is not None:
            start, stop = min(start, queue.dirty[0]), max(stop, queue.dirty[1])
        queue.dirty = (start, stop)
        self._dirty.add(key)


def _insert(times: list[float], at: float) -> None:
    if not times or times[-1] <= at:
        times.append(at)  # the usual case: a citizen who joins now
    else:
        insort(times, at)


def _discard(times: list[float], at: float) -> None:
    # Equal times are interchangeable: removing any one of them keeps the list right.
    index = bisect_left(times, at)
    if index < len(times) and times[index] == at:
        del times[index]
