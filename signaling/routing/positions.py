"""Positions and wait estimates pushed to waiting kiosks.

:class:`Positions` adds to the router's state what a waiting kiosk is told: its place in
its service × language queue and the estimated wait, by the estimator that
``RouterConfig.estimator`` names:

* ``"agents"`` (default, :mod:`signaling.routing.waits`): from what each clerk of the queue
  is doing now, the give-up rate seen and the other queues the same clerks serve;
* ``"staffed"`` (:mod:`signaling.routing.estimate`): position × average handle time ÷
  clerks logged in, kept for comparison.

A :class:`~signaling.routing.actions.QueuePosition` is pushed when the position or the
shown estimate changed; with ``"agents"``, an estimate that only wobbled (by less than a
minute, or less than a sixth) is not pushed again (see :func:`_worth_telling`).

With ``"agents"`` each queue's estimates are kept as a *profile* (one estimate per place,
plus one for a newcomer) and recomputed:

* at once when a clerk of the queue starts or stops working (ready after a break, a break,
  a login or logout): "no estimate" and a number never stand for each other;
* when a clerk's call cycle moves on (offer, call, wrap-up) or a handle time is recorded,
  but at most every ``RouterConfig.estimate_interval_s`` (a busy queue sees such changes
  every few seconds; in between, citizens who move up take over the estimate of their new
  place, except a "soon", which belongs to the citizen it was computed for);
* at least every ``RouterConfig.estimate_refresh_s``, because calls run on and breaks end
  while nothing happens (on the next event or tick; the server ticks at least once a
  second);

and no more than :data:`RECOMPUTE_BUDGET` of the due ones per event, oldest first, so a
clerk who serves every queue does not make one event pay for all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from signaling.routing.actions import Action, QueuePosition
from signaling.routing.estimate import shown_wait
from signaling.routing.model import AgentState, RouterConfig, ServiceRules
from signaling.routing.queues import QueueKey
from signaling.routing.records import Agent, Entry
from signaling.routing.state import RoutingState, uuid_ids
from signaling.routing.waits import (
    MIN_MINUTES_S,
    NO_ESTIMATE,
    Clerk,
    Competing,
    WaitEstimate,
    Waiting,
    queue_waits,
    shown,
)

__all__ = ["Positions"]

RECOMPUTE_BUDGET = 4  # queue estimates recomputed per event at most, when they are due


class Positions(RoutingState):
    """Queue positions and wait estimates; see the module docstring."""

    def __init__(
        self,
        config: RouterConfig,
        services: Mapping[str, ServiceRules],
        *,
        id_factory: Callable[[str], str] = uuid_ids,
    ) -> None:
        super().__init__(config, services, id_factory=id_factory)
        self._profiles: dict[QueueKey, _Profile] = {}

    # ------------------------------------------------------------- pushing

    def _push_positions(self, now: float, out: list[Action]) -> None:
        # Only queues whose order, membership or estimate inputs changed, and in them
        # only the indexes that may have moved (see queues.QueueBook).
        if self._cfg.estimator != "agents":
            self._push_staffed(now, out)
            return
        self._renew_profiles(now)
        seen: _Pass | None = None
        for key, order, start, stop in self._book.take_pushes(now):
            if start >= stop:
                continue
            profile = self._profiles.get(key)
            if profile is None:
                seen = _Pass(self, now) if seen is None else seen
                profile = self._profile(key, order, now, seen)
            for index in range(start, stop):
                entry = order[index]
                if entry.connected:  # else it gets a fresh position on reconnect
                    estimate = profile.estimate(index, entry.entry_id, now)
                    if entry.pushed is None or _worth_telling(entry.pushed, index + 1, estimate):
                        self._tell(entry, key, index + 1, estimate, out)

    def _push_staffed(self, now: float, out: list[Action]) -> None:
        for key, order, start, stop in self._book.take_pushes(now):
            avg = self._handle_times.average(key[0])
            staffed = self._staffed(*key)
            for index in range(start, stop):
                entry = order[index]
                if entry.connected:
                    seconds = shown_wait(index + 1, avg, staffed)
                    self._tell(entry, key, index + 1, _staffed_estimate(seconds), out)

    @staticmethod
    def _tell(
        entry: Entry, key: QueueKey, position: int, estimate: WaitEstimate, out: list[Action]
    ) -> None:
        if entry.pushed != (position, estimate.shown_s):
            entry.pushed = (position, estimate.shown_s)
            out.append(
                QueuePosition(
                    entry.kiosk_id,
                    entry.entry_id,
                    key[0],
                    key[1],
                    position,
                    estimate.shown_s,
                    estimate.kind,
                )
            )

    def _renew_profiles(self, now: float) -> None:
        """Drop the profiles that are due for a recomputation and mark their queues for
        pushing: those whose clerks or handle times changed, at most every
        ``estimate_interval_s``, and every one at least every ``estimate_refresh_s``."""
        interval, refresh = self._cfg.estimate_interval_s, self._cfg.estimate_refresh_s
        stale = self._stale_waits
        for key in self._urgent_waits:  # a clerk started or stopped working: no waiting
            if self._profiles.pop(key, None) is not None:
                self._book.touch(key)
        self._urgent_waits.clear()
        due = sorted(
            (profile.computed_at, key)
            for key, profile in self._profiles.items()
            if now - profile.computed_at >= (interval if key in stale else refresh)
        )
        # The oldest first, a few per event: a change that touches every queue (a clerk
        # of every service) is spread over the next events and ticks, not paid at once.
        for _at, key in due[:RECOMPUTE_BUDGET]:
            del self._profiles[key]
            stale.discard(key)
            self._book.touch(key)
        for key in list(stale):
            if key not in self._profiles:
                stale.discard(key)
                self._book.touch(key)

    def _profile(
        self, key: QueueKey, order: Sequence[Entry], now: float, seen: _Pass
    ) -> _Profile:
        """Compute and keep a queue's estimates, one past its end for newcomers."""
        waits = self._queue_waits(key, order, now, newcomers=1, seen=seen)
        profile = _Profile(now, [e.entry_id for e in order], waits)
        self._stale_waits.discard(key)
        if order:  # an empty queue's profile would outlive it
            self._profiles[key] = profile
        return profile

    # ----------------------------------------------------------- estimating

    def _queue_waits(
        self,
        key: QueueKey,
        order: Sequence[Entry],
        now: float,
        newcomers: int = 0,
        seen: _Pass | None = None,
    ) -> list[WaitEstimate]:
        """The ``"agents"`` estimate for each entry of a queue in serving ``order``."""
        seen = _Pass(self, now) if seen is None else seen
        pool = self._serving(*key)
        clerks = {a.agent_id: c for a in pool.values() if (c := seen.clerk(a)) is not None}
        if not clerks:
            return [NO_ESTIMATE] * (len(order) + newcomers)
        obs = self._observed
        competing = []
        others = {(s, lang) for a in pool.values() for s in a.skills for lang in a.languages}
        for other in sorted(others - {key}):
            if self._book.length(other) == 0:
                continue
            working = seen.working(other)
            ours = sum(agent_id in clerks for agent_id in working)
            if ours:
                competing.append(
                    Competing(seen.joined(other), ours / len(working), obs.hazard(other[0]))
                )
        return queue_waits(
            now,
            _Own(order),
            list(clerks.values()),
            cycle_s=obs.answer_s + self._handle_times.average(key[0]) + obs.wrap_s,
            hazard=obs.hazard(key[0]),
            answer_s=obs.answer_s,
            competing=competing,
            newcomers=newcomers,
        )

    def _clerk(self, agent: Agent, now: float) -> Clerk | None:
        """When a clerk is next free to take a citizen; None if not expected back."""
        obs = self._observed
        state = agent.state
        if state is AgentState.NOT_READY:
            left = obs.away_left(agent.reason or "", now - agent.since)
            return None if left is None else Clerk(now + left, False)
        if state is AgentState.READY:
            return Clerk(now, True)
        if state is AgentState.WRAP_UP:
            until = agent.wrap_until if agent.wrap_until is not None else now
            free = Clerk(min(until, max(now, agent.since + obs.wrap_s)), True)
        elif state is AgentState.RESERVED:
            offer = self._offers.get(agent.offer_id or "")
            entry = None if offer is None else self._entries.get(offer.entry_id)
            if offer is None or entry is None:
                return Clerk(now, False)
            answered = max(now, offer.offered_at + obs.answer_s)
            call_s = self._handle_times.average(entry.service_id)
            free = Clerk(answered + call_s + obs.wrap_s, False)
        else:
            call = self._calls.get(agent.call_id or "")
            if call is None:
                return Clerk(now, False)
            left = self._handle_times.remaining(call.service_id, now - call.answered_at)
            free = Clerk(now + left + obs.wrap_s, False)
        if agent.pending_not_ready is None:
            return free
        # Asked to go not ready after this call: free again only after that spell too.
        away = obs.away_left(agent.pending_not_ready, 0.0)
        return None if away is None else Clerk(free.free_at + away, False)

    # ---------------------------------------------------------------- views

    def wait_estimate(
        self, service_id: str, language: str, position: int, now: float | None = None
    ) -> WaitEstimate:
        """What a citizen at ``position`` of the queue is told at ``now`` (default: the
        router's latest time); for a position past the end, what a newcomer who joined
        now would be told at that place."""
        if service_id not in self._services or position < 1:
            return NO_ESTIMATE
        now = self._now if now is None else max(now, self._now)
        key = (service_id, language)
        if self._cfg.estimator != "agents":
            avg = self._handle_times.average(service_id)
            return _staffed_estimate(shown_wait(position, avg, self._staffed(*key)))
        profile = self._profiles.get(key)
        fresh = (
            profile is not None
            and key not in self._stale_waits
            and now - profile.computed_at < self._cfg.estimate_interval_s
        )
        if profile is None or not fresh:
            order = self._book.view(key, now)
            waits = self._queue_waits(key, order, now, newcomers=1)
            profile = _Profile(now, [e.entry_id for e in order], waits)
        ids = profile.entry_ids
        entry_id = ids[position - 1] if position <= len(ids) else None
        return profile.estimate(position - 1, entry_id, now)

    def estimate_wait(self, service_id: str, language: str, position: int) -> float | None:
        """The wait in seconds a citizen at ``position`` is shown (None: no estimate);
        see :meth:`wait_estimate`."""
        return self.wait_estimate(service_id, language, position).shown_s


class _Profile:
    """A queue's estimates as computed at ``computed_at``, reused for pushes until
    recomputed: citizens who move up take over the predicted time of their new place.

    A "soon" belongs to the citizen it was computed for; a citizen who moves into that place
    is told the minutes instead until the next recomputation."""

    __slots__ = ("computed_at", "entry_ids", "waits")

    def __init__(self, computed_at: float, entry_ids: list[str], waits: list[WaitEstimate]):
        self.computed_at, self.entry_ids, self.waits = computed_at, entry_ids, waits

    def estimate(self, index: int, entry_id: str | None, now: float) -> WaitEstimate:
        """The estimate for place ``index`` (0-based) at ``now``; ``entry_id`` None for a
        citizen who has not joined yet."""
        waits = self.waits
        last = len(waits) - 1
        est = waits[min(index, last)]
        if est.seconds is None:
            return NO_ESTIMATE
        seconds = est.seconds
        if index > last:  # past the newcomer's place: one more spacing per place
            before = waits[last - 1].seconds if last > 0 else None
            spacing = seconds - before if before is not None else 0.0
            seconds += (index - last) * max(0.0, spacing)
        left = max(0.0, self.computed_at + seconds - now)
        if est.kind == "soon":
            own = index < len(self.entry_ids) and self.entry_ids[index] == entry_id
            if own or entry_id is None:
                return est  # the promise computed for this citizen (or a newcomer)
            return shown("minutes", left)
        return shown(est.kind, left)


class _Own:
    """A queue's entries as the estimate reads them, built only as far as it reads."""

    __slots__ = ("_entries",)

    def __init__(self, entries: Sequence[Entry]) -> None:
        self._entries = entries

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index: int) -> Waiting:
        entry = self._entries[index]
        return Waiting(entry.enqueued_at, entry.offer_id is not None)


class _Pass:
    """What one round of estimates looks up more than once, computed once at ``now``."""

    def __init__(self, router: Positions, now: float) -> None:
        self._router, self._now = router, now
        self._clerks: dict[str, Clerk | None] = {}
        self._working: dict[QueueKey, list[str]] = {}
        self._joined: dict[QueueKey, list[float]] = {}

    def clerk(self, agent: Agent) -> Clerk | None:
        if agent.agent_id not in self._clerks:
            self._clerks[agent.agent_id] = self._router._clerk(agent, self._now)
        return self._clerks[agent.agent_id]

    def working(self, key: QueueKey) -> list[str]:
        """Ids of the clerks of a queue who are expected to take citizens."""
        if key not in self._working:
            pool = self._router._serving(*key)
            self._working[key] = [a.agent_id for a in pool.values() if self.clerk(a) is not None]
        return self._working[key]

    def joined(self, key: QueueKey) -> list[float]:
        """Sorted join times of a queue's citizens who are not offered yet."""
        if key not in self._joined:
            members = self._router._book.members(key)
            self._joined[key] = sorted(e.enqueued_at for e in members if e.offer_id is None)
        return self._joined[key]


def _worth_telling(pushed: tuple[int, float | None], position: int, new: WaitEstimate) -> bool:
    """Whether a kiosk should hear of a new estimate: a new place, a new kind, or a number
    that moved by a minute and by a sixth; not every small wobble of a recomputation."""
    old_position, old = pushed
    if position != old_position or (old is None) != (new.shown_s is None):
        return True
    if old is None or new.shown_s is None:
        return False
    if (old < MIN_MINUTES_S) != (new.shown_s < MIN_MINUTES_S):  # soon <-> minutes
        return True
    return abs(new.shown_s - old) >= max(MIN_MINUTES_S, old / 6)


def _staffed_estimate(seconds: float | None) -> WaitEstimate:
    """The earlier estimate's seconds as a :class:`WaitEstimate`; its kind is what today's
    kiosk makes of the number (under a minute reads as soon)."""
    if seconds is None:
        return NO_ESTIMATE
    return WaitEstimate("soon" if seconds < 60 else "minutes", seconds, seconds)

