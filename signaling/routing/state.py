"""The router's state and the transitions that several event handlers share.

:class:`RoutingState` owns the records (entries, agents, offers, calls), keeps
the kiosk and agent indexes consistent, and offers the read-only views. The
event handlers live in :class:`signaling.routing.router.Router`, which extends it;
use that class, not this one.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Literal

from signaling.routing import ordering, views
from signaling.routing.actions import (
    Action,
    AgentStateChanged,
    CallEnded,
    EndedBy,
    EntryQueued,
    EntryRemoved,
    OfferRevoked,
    OfferSent,
    QueuePosition,
    RemovalReason,
    RevokeReason,
)
from signaling.routing.estimate import HandleTimes, estimate_wait
from signaling.routing.model import AgentState, RouterConfig, ServiceRules
from signaling.routing.records import Agent, Call, Entry, Offer
from signaling.routing.views import AgentView, CallView, EntryView, QueueStats

Admission = Literal["service_closed", "queue_full", "language_unavailable"]

# Timer kinds, in the order they fire when due at the same instant.
OFFER_TIMER, WRAP_TIMER, CALL_TIMER, ENTRY_TIMER = range(4)


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
        self._entries: dict[str, Entry] = {}
        self._kiosk_entry: dict[str, Entry] = {}
        self._agents: dict[str, Agent] = {}
        self._offers: dict[str, Offer] = {}
        self._calls: dict[str, Call] = {}
        self._kiosk_call: dict[str, Call] = {}
        self._now = -math.inf

    def _advance(self, now: float) -> float:
        self._now = max(self._now, now)
        return self._now

    # ------------------------------------------------------------ timers

    def next_deadline(self) -> float | None:
        """Earliest instant at which a :class:`Tick` would change something, if any.

        Besides timeouts and graces this includes decline cool-off ends (an entry may
        become offerable to an agent) and escalation steps (positions may change).
        """
        times = [due for due, _kind, _key in self._timers()]
        step = self._cfg.escalation_step_s
        for entry in self._entries.values():
            times.extend(entry.cooloff.values())
            escalation = ordering.next_escalation(entry.enqueued_at, self._now, step)
            if escalation is not None:
                times.append(escalation)
        return min(times, default=None)

    def _timers(self) -> Iterator[tuple[float, int, str]]:
        """(due, kind, key) of every pending timer."""
        for offer in self._offers.values():
            yield offer.expires_at, OFFER_TIMER, offer.offer_id
        for agent in self._agents.values():
            if agent.state is AgentState.WRAP_UP and agent.wrap_until is not None:
                yield agent.wrap_until, WRAP_TIMER, agent.agent_id
        for call in self._calls.values():
            graces = [t for t in (call.kiosk_grace_until, call.agent_grace_until) if t is not None]
            if graces:
                yield min(graces), CALL_TIMER, call.call_id
        for entry in self._entries.values():
            if entry.grace_until is not None:
                yield entry.grace_until, ENTRY_TIMER, entry.entry_id

    # ------------------------------------------------------------ queues

    def _admission(
        self, service_id: str, rules: ServiceRules, language: str, now: float
    ) -> Admission | None:
        """Why a citizen could not join this queue now, or None if they can."""
        if not rules.hours.is_open(now):
            return "service_closed"
        if self._queue_length(service_id, language) >= rules.max_queue:
            return "queue_full"
        if language not in self.languages_available(service_id):
            return "language_unavailable"
        return None

    def _queue_length(self, service_id: str, language: str) -> int:
        key = (service_id, language)
        return sum(1 for e in self._entries.values() if (e.service_id, e.language) == key)

    def _staffed(self, service_id: str, language: str) -> int:
        return sum(1 for a in self._agents.values() if a.serves(service_id, language))

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
        self._entries[entry_id] = entry
        self._kiosk_entry[kiosk_id] = entry
        out.append(EntryQueued(entry_id, kiosk_id, service_id, language, priority, enqueued_at))
        return entry

    def _remove_entry(self, entry: Entry, reason: RemovalReason, out: list[Action]) -> None:
        del self._entries[entry.entry_id]
        del self._kiosk_entry[entry.kiosk_id]
        out.append(EntryRemoved(entry.entry_id, entry.kiosk_id, reason))

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
        agent.state, agent.since, agent.reason, agent.wrap_until = state, now, reason, until
        out.append(self._state_of(agent))

    @staticmethod
    def _state_of(agent: Agent) -> AgentStateChanged:
        return AgentStateChanged(
            agent.agent_id, agent.state, agent.reason, agent.since, agent.wrap_until
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
        pairs = ordering.match(
            self._entries.values(), self._agents.values(), now, self._cfg.escalation_step_s
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
            entry.offer_id = agent.offer_id = offer.offer_id
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
                )
            )
            self._set_state(agent, AgentState.RESERVED, now, out)

    def _revoke(self, offer: Offer, reason: RevokeReason, out: list[Action]) -> tuple[Entry, Agent]:
        """Drop an offer; the entry keeps its place and the caller decides the agent's state."""
        del self._offers[offer.offer_id]
        entry, agent = self._entries[offer.entry_id], self._agents[offer.agent_id]
        entry.offer_id = agent.offer_id = None
        out.append(OfferRevoked(offer.offer_id, offer.agent_id, reason))
        return entry, agent

    def _decline(self, offer: Offer, reason: RevokeReason, now: float, out: list[Action]) -> Agent:
        """Revoke an offer because of the agent; they are not offered this entry for a while."""
        entry, agent = self._revoke(offer, reason, out)
        entry.cooloff[agent.agent_id] = now + self._cfg.decline_cooloff_s
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
        out.append(CallEnded(call.call_id, call.entry_id, call.kiosk_id, call.agent_id, reason, by))
        agent = self._agents[call.agent_id]
        agent.call_id = None
        if agent.connected:
            self._start_wrap_up(agent, now, out)
        else:
            del self._agents[agent.agent_id]  # dropped and now without a call: logged out

    # --------------------------------------------------------- positions

    def _push_positions(self, now: float, out: list[Action]) -> None:
        step = self._cfg.escalation_step_s
        for (service_id, language), members in ordering.queues(
            self._entries.values(), now, step
        ).items():
            staffed = self._staffed(service_id, language)
            avg = self._handle_times.average(service_id)
            for position, entry in enumerate(members, start=1):
                if not entry.connected:
                    continue  # cannot reach it; it gets a fresh position on reconnect
                estimate = estimate_wait(position, avg, staffed)
                if entry.pushed != (position, estimate):
                    entry.pushed = (position, estimate)
                    out.append(
                        QueuePosition(
                            entry.kiosk_id,
                            entry.entry_id,
                            service_id,
                            language,
                            position,
                            estimate,
                        )
                    )

    # ------------------------------------------------------------- views

    @property
    def services(self) -> Mapping[str, ServiceRules]:
        """The rules of every routable service (read-only)."""
        return MappingProxyType(self._services)

    def estimate_wait(self, service_id: str, language: str, position: int) -> float | None:
        """The wait a citizen joining at ``position`` would be told (None if unstaffed)."""
        if service_id not in self._services:
            return None
        avg = self._handle_times.average(service_id)
        return estimate_wait(position, avg, self._staffed(service_id, language))

    def languages_available(self, service_id: str) -> frozenset[str]:
        """Languages of logged-in agents (any state) who have the service's skill."""
        return frozenset(
            lang for a in self._agents.values() if service_id in a.skills for lang in a.languages
        )

    def queue_stats(self, now: float) -> list[QueueStats]:
        """Stats of each queue with entries or staffed agents, by (service, language)."""
        keys = {(e.service_id, e.language) for e in self._entries.values()}
        keys |= {
            (sid, lang)
            for a in self._agents.values()
            for sid in a.skills
            if sid in self._services
            for lang in a.languages
        }
        grouped = ordering.queues(self._entries.values(), now, self._cfg.escalation_step_s)
        stats = []
        for service_id, language in sorted(keys):
            members = grouped.get((service_id, language), [])
            eligible = [a for a in self._agents.values() if a.serves(service_id, language)]
            stats.append(
                QueueStats(
                    service_id,
                    language,
                    len(members),
                    max((max(0.0, now - e.enqueued_at) for e in members), default=0.0),
                    sum(1 for a in eligible if a.state is AgentState.READY and a.connected),
                    len(eligible),
                )
            )
        return stats

    def queue(self, service_id: str, language: str, now: float) -> list[EntryView]:
        """Entries of one queue in serving order (index + 1 is the position)."""
        members = ordering.queues(self._entries.values(), now, self._cfg.escalation_step_s)
        return [views.of_entry(e) for e in members.get((service_id, language), [])]

    def entries(self) -> list[EntryView]:
        """Every queue entry, sorted by entry id."""
        return [views.of_entry(e) for _id, e in sorted(self._entries.items())]

    def entry_for_kiosk(self, kiosk_id: str) -> EntryView | None:
        """The kiosk's queue entry, if it is waiting."""
        entry = self._kiosk_entry.get(kiosk_id)
        return None if entry is None else views.of_entry(entry)

    def agent_view(self, agent_id: str) -> AgentView | None:
        """A logged-in agent, or None."""
        agent = self._agents.get(agent_id)
        return None if agent is None else views.of_agent(agent)

    def agents(self) -> list[AgentView]:
        """Every logged-in agent, sorted by agent id."""
        return [views.of_agent(a) for _id, a in sorted(self._agents.items())]

    def call(self, call_id: str) -> CallView | None:
        """A call in progress, or None."""
        call = self._calls.get(call_id)
        return None if call is None else views.of_call(call)

    def call_for_kiosk(self, kiosk_id: str) -> CallView | None:
        """The kiosk's call in progress, if any."""
        call = self._kiosk_call.get(kiosk_id)
        return None if call is None else views.of_call(call)

    def calls(self) -> list[CallView]:
        """Every call in progress, sorted by call id."""
        return [views.of_call(c) for _id, c in sorted(self._calls.items())]
