"""Read-only snapshots of router state for dashboards, consoles and tests."""

from __future__ import annotations

from dataclasses import dataclass

from signaling.routing.model import AgentState
from signaling.routing.records import Agent, Call, Entry


@dataclass(frozen=True, slots=True)
class QueueStats:
    """Health of one service × language queue at a moment.

    ``waiting`` counts every entry in the queue (offered and disconnected ones too);
    ``staffed_agents`` every agent logged in with the skill and the language, in any state;
    ``longest_wait_s`` is measured from the entry's ``enqueued_at``, which a requeued
    or transferred citizen carries over from their first join.
    """

    service_id: str
    language: str
    waiting: int
    longest_wait_s: float
    ready_agents: int
    staffed_agents: int
    working_agents: int = 0
    """Of the staffed agents, those taking citizens: not on a break or going on one."""


@dataclass(frozen=True, slots=True)
class EntryView:
    """A waiting citizen's queue entry."""

    entry_id: str
    kiosk_id: str
    service_id: str
    language: str
    priority: int
    enqueued_at: float
    connected: bool
    grace_until: float | None  # abandonment deadline while disconnected
    offer_id: str | None  # set while reserved by an offer


@dataclass(frozen=True, slots=True)
class AgentView:
    """A logged-in agent."""

    agent_id: str
    state: AgentState
    reason: str | None
    since: float
    until: float | None
    idle_since: float
    skills: frozenset[str]
    languages: frozenset[str]
    connected: bool
    missed_offers: int
    offer_id: str | None
    call_id: str | None
    pending_not_ready: str | None  # applied when the current call / wrap-up ends
    booked_at: float | None = None  # start of their next named booked meeting, if any


@dataclass(frozen=True, slots=True)
class CallView:
    """A call in progress."""

    call_id: str
    entry_id: str
    kiosk_id: str
    agent_id: str
    service_id: str
    language: str
    priority: int
    enqueued_at: float
    offered_at: float
    answered_at: float
    kiosk_connected: bool
    agent_connected: bool


def of_entry(entry: Entry) -> EntryView:
    """Snapshot of an internal entry record."""
    return EntryView(
        entry.entry_id,
        entry.kiosk_id,
        entry.service_id,
        entry.language,
        entry.priority,
        entry.enqueued_at,
        entry.connected,
        entry.grace_until,
        entry.offer_id,
    )


def of_agent(agent: Agent) -> AgentView:
    """Snapshot of an internal agent record."""
    return AgentView(
        agent.agent_id,
        agent.state,
        agent.reason,
        agent.since,
        agent.wrap_until,
        agent.idle_since,
        agent.skills,
        agent.languages,
        agent.connected,
        agent.missed,
        agent.offer_id,
        agent.call_id,
        agent.pending_not_ready,
        agent.booked_at,
    )


def of_call(call: Call) -> CallView:
    """Snapshot of an internal call record."""
    return CallView(
        call.call_id,
        call.entry_id,
        call.kiosk_id,
        call.agent_id,
        call.service_id,
        call.language,
        call.priority,
        call.enqueued_at,
        call.offered_at,
        call.answered_at,
        call.kiosk_grace_until is None,
        call.agent_grace_until is None,
    )
