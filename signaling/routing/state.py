"""The router's state and the transitions that several event handlers share.

:class:`RoutingState` owns the records (entries, agents, offers, calls), keeps
the kiosk and agent indexes consistent. The read-only views live in
:mod:`signaling.routing.lookups`, restoring after a restart in
:mod:`signaling.routing.restore`, and the event handlers in
:class:`signaling.routing.router.Router`, which extends them all; use that class, not
this one.
"""

from __future__ import annotations

import heapq
import math
import uuid
from collections.abc import Callable, Mapping
from typing import Literal

from signaling.routing import ordering
from signaling.routing.actions import (
    Action,
    AgentStateChanged,
    CallEnded,
    EndedBy,
    EntryQueued,
    EntryRemoved,
    OfferRevoked,
    OfferSent,
    RemovalReason,
    RevokeReason,
)
from signaling.routing.estimate import HandleTimes
from signaling.routing.model import AgentState, RouterConfig, ServiceRules
from signaling.routing.observed import Observed
from signaling.routing.queues import QueueBook, QueueKey
from signaling.routing.records import Agent, Call, Entry, Offer
from signaling.routing.staff import Staff

Admission = Literal["service_closed", "queue_full", "language_unavailable"]

# Timer kinds, in the order they fire when due at the same instant.
OFFER_TIMER, WRAP_TIMER, CALL_TIMER, ENTRY_TIMER, NAMED_TIMER = range(5)
Timer = tuple[float, int, str]  # (due, kind, key)


def uuid_ids(prefix: str) -> str:
    """Default id factory: ``"<prefix>-<uuid4 hex>"``."""
    return f"{prefix}-{uuid.uuid4().hex}"


class RoutingState:
    """Records, indexes, shared transitions and read-only views of the router."""

    def __init__(
        self,
        config: RouterConfig,
        services: Mapping[str, ServiceRules],
        *,
        id_factory: Callable[[str], str] = uuid_ids,
    ) -> None:
        self._cfg = config
        self._services = dict(services)
        self._new_id = id_factory
        self._handle_times = HandleTimes(
            {sid: rules.default_handle_s for sid, rules in self._services.items()},
            config.handle_time_alpha,
        )
        self._observed = Observed(self._services, config.wrapup_s, config.handle_time_alpha)
        self._entries: dict[str, Entry] = {}
        self._kiosk_entry: dict[str, Entry] = {}
        self._agents: dict[str, Agent] = {}
        self._offers: dict[str, Offer] = {}
        self._calls: dict[str, Call] = {}
        self._kiosk_call: dict[str, Call] = {}
        self._now = -math.inf
        # Indexes kept in step with the records above, so that an event costs what it
        # touches rather than what is waiting:
        self._book = QueueBook(config.escalation_step_s)  # queues, orders, pending pushes
        self._staff = Staff()  # who serves each queue, and who of them works
        # queues whose "agents" estimate inputs changed since it was last computed; urgent
        # ones because a clerk started or stopped working (recomputed at once)
        self._stale_waits: set[QueueKey] = set()
        self._urgent_waits: set[QueueKey] = set()
        # Heaps with lazy deletion: an item counts only while the record still holds
        # that time (see _timer_live); stale ones are dropped when they reach the top.
        self._timers: list[Timer] = []
        self._cooloffs: list[tuple[float, str, str]] = []  # (until, entry_id, agent_id)

    def _advance(self, now: float) -> float:
        self._now = max(self._now, now)
        return self._now

    # ------------------------------------------------------------ timers

    def next_deadline(self) -> float | None:
        """Earliest instant at which a :class:`Tick` would change something, if any.

        Besides timeouts and graces this includes decline cool-off ends (an entry may
        become offerable to an agent) and the escalation steps at which a queue's order
        may change (positions may change). A queue whose entries share one priority
        never reorders with time, so its escalation steps are not deadlines.
        """
        self._book.settle(self._now)
        timers, cooloffs = self._timers, self._cooloffs
        while timers and not self._timer_live(*timers[0]):
            heapq.heappop(timers)
        while cooloffs and not self._cooloff_live(*cooloffs[0]):
            heapq.heappop(cooloffs)
        times = [heap[0][0] for heap in (timers, cooloffs) if heap]
        expiry = self._book.next_expiry()
        if expiry is not None:
            times.append(expiry)
        return min(times, default=None)

    def _schedule(self, due: float, kind: int, key: str) -> None:
        heapq.heappush(self._timers, (due, kind, key))

    def _schedule_call(self, call: Call) -> None:
        due = _call_deadline(call)
        if due is not None:
            self._schedule(due, CALL_TIMER, call.call_id)

    def _timer_live(self, due: float, kind: int, key: str) -> bool:
        """Whether a heap item is still a pending timer (the record still holds ``due``)."""
        if kind == OFFER_TIMER:
            offer = self._offers.get(key)
            return offer is not None and offer.expires_at == due
        if kind == WRAP_TIMER:
            agent = self._agents.get(key)
            return (
                agent is not None and agent.state is AgentState.WRAP_UP and agent.wrap_until == due
            )
        if kind == CALL_TIMER:
            call = self._calls.get(key)
            return call is not None and _call_deadline(call) == due
        entry = self._entries.get(key)
        if kind == NAMED_TIMER:
            return entry is not None and entry.named_agent is not None and entry.named_until == due
        return entry is not None and entry.grace_until == due

    def _cooloff_live(self, until: float, entry_id: str, agent_id: str) -> bool:
        entry = self._entries.get(entry_id)
        return entry is not None and entry.cooloff.get(agent_id) == until

    def _pop_due(self, now: float) -> Timer | None:
        """The earliest pending timer due at ``now``, removed from the heap."""
        timers = self._timers
        while timers and timers[0][0] <= now:
            timer = heapq.heappop(timers)
            if self._timer_live(*timer):
                return timer
        return None

    def _prune_cooloffs(self, now: float) -> None:
        """Forget cool-offs that ended by ``now`` (matching checks ends anyway)."""
        cooloffs = self._cooloffs
        while cooloffs and cooloffs[0][0] <= now:
            until, entry_id, agent_id = heapq.heappop(cooloffs)
            if self._cooloff_live(until, entry_id, agent_id):
                del self._entries[entry_id].cooloff[agent_id]

    # ------------------------------------------------------------ queues

    def _admission(
        self, service_id: str, rules: ServiceRules, language: str, now: float
    ) -> Admission | None:
        """Why a citizen could not join this queue now, or None if they can."""
        if not rules.hours.is_open(now):
            return "service_closed"
        if self._book.length((service_id, language)) >= rules.max_queue:
            return "queue_full"
        if not self._language_served(service_id, language, now):
            return "language_unavailable"
        return None

    def _staffed(self, service_id: str, language: str) -> int:
        return len(self._serving(service_id, language))

    def _serving(self, service_id: str, language: str) -> Mapping[str, Agent]:
        """Logged-in agents with the skill and the language, by id."""
        return self._staff.serving(service_id, language)

    def _enqueue(
        self,
        entry_id: str,
        kiosk_id: str,
        service_id: str,
        language: str,
        priority: int,
        enqueued_at: float,
        out: list[Action],
    ) -> Entry:
        entry = Entry(entry_id, kiosk_id, service_id, language, priority, enqueued_at)
        self._add_entry(entry)
        out.append(
            EntryQueued(
                entry_id, kiosk_id, service_id, language, priority, enqueued_at, self._now
            )
        )
        return entry

    def _add_entry(self, entry: Entry) -> None:
        self._entries[entry.entry_id] = entry
        self._kiosk_entry[entry.kiosk_id] = entry
        self._book.add(entry, self._now)
        if entry.grace_until is not None:
            self._schedule(entry.grace_until, ENTRY_TIMER, entry.entry_id)
        if entry.named_agent is not None and entry.named_until is not None:
            self._schedule(entry.named_until, NAMED_TIMER, entry.entry_id)

    def _remove_entry(self, entry: Entry, reason: RemovalReason, out: list[Action]) -> None:
        if reason != "transferred":
            gave_up = reason in ("cancelled", "abandoned")
            self._observed.record_wait(entry.service_id, self._now - entry.enqueued_at, gave_up)
        del self._entries[entry.entry_id]
        del self._kiosk_entry[entry.kiosk_id]
        self._book.remove(entry, self._now)
        out.append(EntryRemoved(entry.entry_id, entry.kiosk_id, reason, self._now))

    def _disconnect_entry(self, entry: Entry, grace_until: float) -> None:
        self._book.set_status(entry, connected=False, offer_id=entry.offer_id)
        entry.grace_until = grace_until
        self._schedule(grace_until, ENTRY_TIMER, entry.entry_id)

    # ----------------------------------------------------------- agents

    def _add_agent(self, agent: Agent) -> None:
        self._agents[agent.agent_id] = agent
        self._count_staff(agent, +1)

    def _drop_agent(self, agent: Agent) -> None:
        del self._agents[agent.agent_id]
        self._count_staff(agent, -1)

    def _reskill(self, agent: Agent, skills: frozenset[str], languages: frozenset[str]) -> None:
        if (skills, languages) != (agent.skills, agent.languages):
            self._count_staff(agent, -1)
            agent.skills, agent.languages = skills, languages
            self._count_staff(agent, +1)

    def _count_staff(self, agent: Agent, delta: int) -> None:
        flipped = self._staff.add(agent) if delta > 0 else self._staff.remove(agent)
        for service_id in agent.skills:
            for language in agent.languages:
                # A staffed count feeds the earlier estimate of its queue: recheck those pushes.
                self._book.touch((service_id, language))
        self._mark_waits(agent, flipped)

    def _record_handle_time(self, service_id: str, handle_s: float) -> None:
        self._handle_times.record(service_id, handle_s)
        if self._cfg.estimator == "agents":
            languages = self._staff.languages(service_id)
            self._stale_waits.update((service_id, lang) for lang in languages)
        else:
            self._book.touch_service(service_id)  # new average: recheck its estimates

    # ------------------------------------------------------ agent states

    def _set_state(
        self,
        agent: Agent,
        state: AgentState,
        now: float,
        out: list[Action],
        *,
        reason: str | None = None,
        until: float | None = None,
    ) -> None:
        if agent.state is AgentState.NOT_READY and state is not AgentState.NOT_READY:
            self._observed.record_away(agent.reason or "", now - agent.since)
        agent.state, agent.since, agent.reason, agent.wrap_until = state, now, reason, until
        if state is AgentState.WRAP_UP and until is not None:
            self._schedule(until, WRAP_TIMER, agent.agent_id)
        self._touch_agent(agent)
        out.append(self._state_of(agent))

    def _touch_agent(self, agent: Agent) -> None:
        """The clerk's state changed (or the break they asked for after this call): it moves
        the waits of their queues (with the "agents" estimate)."""
        self._mark_waits(agent, self._staff.update(agent))

    def _mark_waits(self, agent: Agent, flipped: list[QueueKey]) -> None:
        """Mark the clerk's queues for a new estimate at the next due renewal, and at once
        those in ``flipped``, where the first clerk started working or the last one stopped:
        their estimate may change between "none" and a number."""
        if self._cfg.estimator == "agents":
            self._stale_waits.update((s, lang) for s in agent.skills for lang in agent.languages)
            self._urgent_waits.update(flipped)

    def _state_of(self, agent: Agent) -> AgentStateChanged:
        return AgentStateChanged(
            agent.agent_id, agent.state, agent.reason, agent.since, agent.wrap_until, self._now
        )

    def _make_ready(self, agent: Agent, now: float, out: list[Action], *, reset_idle: bool) -> None:
        if reset_idle:
            agent.idle_since = now
        self._set_state(agent, AgentState.READY, now, out)

    def _start_wrap_up(self, agent: Agent, now: float, out: list[Action]) -> None:
        if self._cfg.wrapup_s > 0:
            until = now + self._cfg.wrapup_s
            self._set_state(agent, AgentState.WRAP_UP, now, out, until=until)
        else:
            self._end_wrap_up(agent, now, out)

    def _end_wrap_up(self, agent: Agent, now: float, out: list[Action]) -> None:
        if agent.state is AgentState.WRAP_UP:
            self._observed.record_wrap(now - agent.since)
        reason, agent.pending_not_ready = agent.pending_not_ready, None
        if reason is not None:
            self._set_state(agent, AgentState.NOT_READY, now, out, reason=reason)
        else:
            self._make_ready(agent, now, out, reset_idle=True)

    def _reconnect_agent(self, agent: Agent) -> None:
        agent.connected = True
        if agent.call_id is not None:
            self._calls[agent.call_id].agent_grace_until = None

    # -------------------------------------------------- offers and calls

    def _match(self, now: float, out: list[Action]) -> None:
        # Only queues that hold someone to offer and that a free agent serves can match; the
        # others would be skipped by the greedy pass anyway. Queues first: there are a few
        # dozen and usually none has anyone to offer, whereas walking every free agent's
        # skills × languages on every event cost a third of the server's CPU at 100 agents.
        book = self._book
        offerable = book.offerable_keys()
        if not offerable:
            return
        free = [a for a in self._agents.values() if a.state is AgentState.READY and a.connected]
        if not free:
            return
        keys = [
            key
            for key in offerable
            if any(key[0] in a.skills and key[1] in a.languages for a in free)
        ]
        if not keys:
            return
        free.sort(key=lambda a: (a.idle_since, a.agent_id))
        pairs = ordering.match_ordered(
            [book.ordered(key, now) for key in keys], free, now, self._cfg.escalation_step_s,
            self._cfg.booked_guard_s,
        )
        for entry, agent in pairs:
            offer = Offer(
                self._new_id("offer"),
                agent.agent_id,
                entry.entry_id,
                now,
                now + self._cfg.offer_timeout_s,
            )
            self._offers[offer.offer_id] = offer
            self._schedule(offer.expires_at, OFFER_TIMER, offer.offer_id)
            book.set_status(entry, connected=entry.connected, offer_id=offer.offer_id)
            agent.offer_id = offer.offer_id
            out.append(
                OfferSent(
                    offer.offer_id,
                    agent.agent_id,
                    entry.entry_id,
                    entry.kiosk_id,
                    entry.service_id,
                    entry.language,
                    max(0.0, now - entry.enqueued_at),
                    offer.expires_at,
                    now,
                )
            )
            self._set_state(agent, AgentState.RESERVED, now, out)

    def _revoke(self, offer: Offer, reason: RevokeReason, out: list[Action]) -> tuple[Entry, Agent]:
        """Drop an offer; the entry keeps its place and the caller decides the agent's state."""
        del self._offers[offer.offer_id]
        entry, agent = self._entries[offer.entry_id], self._agents[offer.agent_id]
        self._book.set_status(entry, connected=entry.connected, offer_id=None)
        agent.offer_id = None
        out.append(OfferRevoked(offer.offer_id, offer.agent_id, reason))
        return entry, agent

    def _decline(self, offer: Offer, reason: RevokeReason, now: float, out: list[Action]) -> Agent:
        """Revoke an offer because of the agent; they are not offered this entry for a while."""
        entry, agent = self._revoke(offer, reason, out)
        until = now + self._cfg.decline_cooloff_s
        entry.cooloff[agent.agent_id] = until
        heapq.heappush(self._cooloffs, (until, entry.entry_id, agent.agent_id))
        return agent

    def _revoke_for_citizen(
        self, offer: Offer, reason: RevokeReason, now: float, out: list[Action]
    ) -> None:
        _entry, agent = self._revoke(offer, reason, out)
        # Not the agent's doing: they keep their idle time and thus their turn.
        self._make_ready(agent, now, out, reset_idle=False)

    def _finish_call(
        self, call: Call, reason: str, by: EndedBy, now: float, out: list[Action]
    ) -> None:
        del self._calls[call.call_id]
        del self._kiosk_call[call.kiosk_id]
        out.append(
            CallEnded(
                call.call_id, call.entry_id, call.kiosk_id, call.agent_id, reason, by, now
            )
        )
        agent = self._agents[call.agent_id]
        agent.call_id = None
        agent.wrap_call_id = call.call_id
        if agent.connected:
            self._start_wrap_up(agent, now, out)
        else:
            self._drop_agent(agent)  # dropped and now without a call: logged out

    # ------------------------------------------------------- rules and staffing

    def update_rules(self, rules: Mapping[str, ServiceRules]) -> None:
        """Replace the rules (opening hours, queue cap) of known services.

        Admission reads them at each join, so a change applies to the next citizen; those
        already waiting keep their places. Unknown service ids are ignored: adding a service
        needs its staff and queues, which only a restart from the store sets up.
        """
        for service_id, service_rules in rules.items():
            if service_id in self._services:
                self._services[service_id] = service_rules

    def languages_available(self, service_id: str, now: float | None = None) -> frozenset[str]:
        """Languages in which the service is being given at ``now`` (default: the router's
        latest time): those of its agents who are ready, reserved, in a call or in wrap-up, or
        not ready for less than ``RouterConfig.not_ready_grace_s`` (a short break, or just
        logged in). A clerk logged in but not ready for longer does not make a language look
        served: the kiosk then tells the citizen the truth and offers what exists.

        Wait estimates read the staff their own way (:mod:`signaling.routing.staff`).
        """
        at = self._now if now is None else now
        return frozenset(
            language
            for language in self._staff.languages(service_id)
            if self._language_served(service_id, language, at)
        )

    def _language_served(self, service_id: str, language: str, now: float) -> bool:
        queue = self._staff.of(service_id, language)
        # Working agents (ready, reserved, in a call or wrap-up, no break pending) serve; of
        # the resting few, those in a call before a break, or on a short break, still do.
        return queue.working > 0 or any(
            self._giving_service(agent, now) for agent in queue.resting.values()
        )

    def _giving_service(self, agent: Agent, now: float) -> bool:
        if agent.state is not AgentState.NOT_READY:
            return True
        return now - agent.since < self._cfg.not_ready_grace_s


def _call_deadline(call: Call) -> float | None:
    """When a call's earlier side grace runs out, if a side is away."""
    graces = [t for t in (call.kiosk_grace_until, call.agent_grace_until) if t is not None]
    return min(graces, default=None)

