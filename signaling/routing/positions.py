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

With ``"agents"`` each queue's estimates are kept as a *profile* (one prediction per place,
plus one for a newcomer, see :class:`~signaling.routing.waits.Predictions`); between
recomputations citizens who move up take over the prediction of their new place, except a
"soon", which belongs to the citizen it was computed for. A profile is recomputed:

* at once when the first clerk of the queue starts working or the last one stops (ready
  after a break, a break, a login or logout; see :mod:`signaling.routing.staff`): "no
  estimate" and a number never stand for each other;
* when it is *due*: it is ``RouterConfig.estimate_interval_s`` old and since it was
  computed a clerk's state moved on (offer, call, wrap-up, a break, a login) or a handle
  time was recorded; or it is ``RouterConfig.estimate_refresh_s`` old (calls run on and
  breaks end while nothing happens). A due queue is recomputed when an event has to tell
  its citizens something anyway (someone joined, left or moved up), and otherwise on a
  clock tick, at most :data:`RECOMPUTE_BUDGET` per tick, oldest first (the server ticks at
  least once a second).

After a recomputation the first :data:`~signaling.routing.waits.EXACT_POSITIONS` places are
rechecked, and the rest of the queue only when the prediction for its last place moved by a
minute or more (see :meth:`Positions._renew`).

What this costs: a busy queue is recomputed about every ``estimate_interval_s``, whatever
the event rate, so the router's time for estimates grows with the number of queues, not
with the number of events; ``bench/router_events.py`` measures it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from itertools import chain

from signaling.routing.actions import Action, QueuePosition
from signaling.routing.estimate import round_wait, shown_wait
from signaling.routing.model import AgentState, RouterConfig, ServiceRules
from signaling.routing.queues import QueueKey
from signaling.routing.records import Agent, Entry
from signaling.routing.state import RoutingState, uuid_ids
from signaling.routing.waits import (
    EXACT_POSITIONS,
    MIN_MINUTES_S,
    NO_ESTIMATE,
    Clerk,
    Competing,
    Predictions,
    WaitEstimate,
    queue_predictions,
    shown,
)

__all__ = ["Positions"]

RECOMPUTE_BUDGET = 2  # queue estimates recomputed per event at most, when they are due


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

    def _push_positions(self, now: float, out: list[Action], *, upkeep: bool) -> None:
        # Only queues whose order, membership or estimate inputs changed, and in them
        # only the indexes that may have moved (see queues.QueueBook). ``upkeep``: a
        # clock tick, which also renews the estimates that are due.
        if self._cfg.estimator != "agents":
            self._push_staffed(now, out)
            return
        seen = _Pass(self, now)
        self._drop_urgent()
        if upkeep:
            self._renew_due(now, seen)
        for key, order, start, stop in self._book.take_pushes(now):
            if start >= stop:
                continue
            profile = self._profiles.get(key)
            if profile is None:
                profile = self._profile(key, order, now, seen)
                start, stop = 0, len(order)  # everyone's estimate is new
            elif self._due(key, profile, now):
                # Between ticks only a queue that has to be told anyway (a citizen joined,
                # left or moved up) is renewed, when due.
                profile, reach = self._renew(key, order, now, seen, profile)
                start, stop = 0, max(stop, reach)
            self._recheck(key, order, range(start, stop), profile, now, out)

    def _recheck(
        self,
        key: QueueKey,
        order: Sequence[Entry],
        places: range,
        profile: _Profile,
        now: float,
        out: list[Action],
    ) -> None:
        """Tell the citizens at ``places`` of a queue whatever changed for them."""
        found = profile.found
        # A busy queue rechecks every citizen behind one who leaves: the usual case (a
        # number of minutes, computed for that place) is worked out here without the
        # general path's objects and calls; it gives what _Profile.estimate gives.
        seconds, soon = (found.seconds, found.soon) if found is not None else ([], [])
        last, computed_at = len(seconds) - 1, profile.computed_at
        for index in places:
            entry = order[index]
            if not entry.connected:
                continue  # it gets a fresh position on reconnect
            pushed, position = entry.pushed, index + 1
            if index < last and not soon[index]:
                left = computed_at + seconds[index] - now
                left = left if left > 0.0 else 0.0
                estimate = WaitEstimate("minutes", left, max(MIN_MINUTES_S, round_wait(left)))
            else:
                estimate = profile.estimate(index, entry.entry_id, now)
            if pushed is None or _worth_telling(pushed, position, estimate):
                self._tell(entry, key, position, estimate, out)

    def _push_staffed(self, now: float, out: list[Action]) -> None:
        for key, order, start, stop in self._book.take_pushes(now):
            avg = self._handle_times.average(key[0])
            staffed = self._staffed(*key)
            for index in range(start, stop):
                entry = order[index]
                if entry.connected:
                    seconds = shown_wait(index + 1, avg, staffed)
                    self._tell(entry, key, index + 1, _staffed_estimate(seconds), out)

    def _tell(
        self, entry: Entry, key: QueueKey, position: int, estimate: WaitEstimate, out: list[Action]
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
                    self._now,
                )
            )

    def _due(self, key: QueueKey, profile: _Profile, now: float) -> bool:
        """Whether a queue's estimates are due for a recomputation: its clerks or handle
        times changed at least ``estimate_interval_s`` ago, or ``estimate_refresh_s`` passed."""
        cfg = self._cfg
        wait = cfg.estimate_interval_s if key in self._stale_waits else cfg.estimate_refresh_s
        return now - profile.computed_at >= wait

    def _drop_urgent(self) -> None:
        """Drop at once the estimates of queues where the last working clerk stopped or the
        first started: "none" and a number never stand for each other."""
        for key in self._urgent_waits:
            if self._profiles.pop(key, None) is not None:
                self._book.touch(key)
        self._urgent_waits.clear()

    def _renew_due(self, now: float, seen: _Pass) -> None:
        """On a tick, renew the estimates that are due (see :meth:`_due`), the oldest first
        and :data:`RECOMPUTE_BUDGET` at most: a change that touches every queue (a clerk of
        every service) is spread over the next ticks, not paid at once."""
        due = sorted(
            (profile.computed_at, key)
            for key, profile in self._profiles.items()
            if self._due(key, profile, now)
        )
        for _at, key in due[:RECOMPUTE_BUDGET]:
            if key not in self._book:
                del self._profiles[key]  # nobody waits: a newcomer gets a fresh one
                self._stale_waits.discard(key)
                continue
            _profile, reach = self._renew(key, self._book.ordered(key, now), now, seen)
            self._book.touch(key, reach)
        # Queues without estimates have nobody to tell; they are computed when needed.
        self._stale_waits.intersection_update(self._profiles)

    def _renew(
        self,
        key: QueueKey,
        order: Sequence[Entry],
        now: float,
        seen: _Pass,
        old: _Profile | None = None,
    ) -> tuple[_Profile, int]:
        """Recompute a queue's estimates; returns them and how many places from the head
        must be rechecked: the first :data:`~signaling.routing.waits.EXACT_POSITIONS`, or
        all when the prediction for the last place moved by a minute or more. (A change that
        small there is too small to tell anyone before it: predictions move most at the
        end; and citizens further back are rechecked anyway whenever they move up.)"""
        old = self._profiles.get(key) if old is None else old
        new = self._profile(key, order, now, seen)
        everyone = len(order)
        if old is None or old.found is None or new.found is None:
            return new, everyone
        last = min(len(old.found.seconds), len(new.found.seconds)) - 1
        before = old.computed_at + old.found.seconds[last]
        moved = abs(now + new.found.seconds[last] - before) >= MIN_MINUTES_S
        return new, everyone if moved else min(everyone, EXACT_POSITIONS)

    def _profile(
        self, key: QueueKey, order: Sequence[Entry], now: float, seen: _Pass
    ) -> _Profile:
        """Compute and keep a queue's estimates, one past its end for newcomers."""
        found = self._queue_waits(key, order, now, newcomers=1, seen=seen)
        profile = _Profile(now, [e.entry_id for e in order], found)
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
    ) -> Predictions | None:
        """The ``"agents"`` estimate for each entry of a queue in serving ``order`` and
        ``newcomers`` more; None: no clerk is counted."""
        seen = _Pass(self, now) if seen is None else seen
        pool = self._serving(*key)
        clerks = {a.agent_id: c for a in pool.values() if (c := seen.clerk(a)) is not None}
        if not clerks:
            return None
        obs = self._observed
        # Per other queue, how many of our working clerks also serve it.
        ours = Counter(chain.from_iterable(map(self._staff.queues_of, clerks)))
        del ours[key]
        competing = []
        for other in sorted(ours):
            if self._book.length(other):
                share = ours[other] / seen.working(other)
                competing.append(Competing(seen.joined(other), share, obs.hazard(other[0])))
        return queue_predictions(
            now,
            order,
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
        if profile is None or self._due(key, profile, now):
            order = self._book.view(key, now)
            found = self._queue_waits(key, order, now, newcomers=1)
            profile = _Profile(now, [e.entry_id for e in order], found)
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
    is told the minutes instead until the next recomputation. ``found`` None: no estimate
    for anyone."""

    __slots__ = ("computed_at", "entry_ids", "found")

    def __init__(self, computed_at: float, entry_ids: list[str], found: Predictions | None):
        self.computed_at, self.entry_ids, self.found = computed_at, entry_ids, found

    def estimate(self, index: int, entry_id: str | None, now: float) -> WaitEstimate:
        """The estimate for place ``index`` (0-based) at ``now``; ``entry_id`` None for a
        citizen who has not joined yet."""
        found = self.found
        if found is None:
            return NO_ESTIMATE
        all_seconds = found.seconds
        last = len(all_seconds) - 1
        place = index if index < last else last
        seconds = predicted = all_seconds[place]
        if index > last:  # past the newcomer's place: one more spacing per place
            spacing = seconds - all_seconds[last - 1] if last > 0 else 0.0
            seconds += (index - last) * max(0.0, spacing)
        left = max(0.0, self.computed_at + seconds - now)
        if found.soon[place]:
            own = index < len(self.entry_ids) and self.entry_ids[index] == entry_id
            if own or entry_id is None:
                return shown("soon", predicted)  # the promise computed for this citizen
            return shown("minutes", left)
        return shown("minutes", left)


class _Pass:
    """What one round of estimates looks up more than once, computed once at ``now``."""

    def __init__(self, router: Positions, now: float) -> None:
        self._router, self._now = router, now
        self._clerks: dict[str, Clerk | None] = {}
        self._working: dict[QueueKey, int] = {}

    def clerk(self, agent: Agent) -> Clerk | None:
        clerks = self._clerks
        if agent.agent_id in clerks:
            return clerks[agent.agent_id]
        found = clerks[agent.agent_id] = self._router._clerk(agent, self._now)
        return found

    def working(self, key: QueueKey) -> int:
        """How many clerks of a queue are expected to take citizens: those who work, and
        those on a break who are expected back."""
        count = self._working.get(key)
        if count is None:
            staff = self._router._staff.of(*key)
            back = sum(self.clerk(a) is not None for a in staff.resting.values())
            count = self._working[key] = staff.working + back
        return count

    def joined(self, key: QueueKey) -> list[float]:
        """Sorted join times of a queue's citizens who are not offered yet."""
        return self._router._book.unoffered_joins(key)


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
