"""Read-only snapshots of router state for dashboards, consoles and tests."""

from __future__ import annotations

from dataclasses import dataclass

from signaling.routing.model import AgentState


@dataclass(frozen=True, slots=True)
class QueueStats:
    """Health of one service × language queue at a moment.

    ``waiting`` counts every entry in the queue (offered and disconnected ones too);
    ``longest_wait_s`` is measured from the entry's ``enqueued_at``, which a requeued
    or transferred citizen carries over from their first join.
    """

    service_id: str
    language: str
    waiting: int
    longest_wait_s: float
    ready_agents: int
    staffed_agents: int


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
