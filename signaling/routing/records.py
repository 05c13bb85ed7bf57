"""Mutable internal records of the router.

Only :mod:`signaling.routing.router` and :mod:`signaling.routing.ordering` touch
these; everything else sees the frozen snapshots in :mod:`signaling.routing.views`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from signaling.routing.model import AgentState


@dataclass(eq=False, slots=True)
class Entry:
    """A citizen waiting in one service × language queue."""

    entry_id: str
    kiosk_id: str
    service_id: str
    language: str
    priority: int
    enqueued_at: float
    connected: bool = True
    grace_until: float | None = None
    offer_id: str | None = None
    # agent_id -> end of that agent's decline cool-off for this entry
    cooloff: dict[str, float] = field(default_factory=dict)
    # (position, estimate) last sent to the kiosk, to push only changes
    pushed: tuple[int, float | None] | None = None
    # times this citizen went back to the head of the queue after a failed media path
    # (in memory only: a server restart forgets it, allowing one more)
    media_requeues: int = 0
    # a booked citizen: their booking, and the only clerk offered them until named_until
    booking_id: str | None = None
    named_agent: str | None = None
    named_until: float | None = None

    def offerable_to(self, agent_id: str, now: float) -> bool:
        """Whether a booking's restriction to its named clerk lets ``agent_id`` be offered
        this citizen at ``now``."""
        return (
            self.named_agent is None
            or self.named_agent == agent_id
            or (self.named_until is not None and now >= self.named_until)
        )


@dataclass(eq=False, slots=True)
class Agent:
    """A logged-in agent."""

    agent_id: str
    skills: frozenset[str]
    languages: frozenset[str]
    state: AgentState
    since: float
    idle_since: float
    reason: str | None = None
    connected: bool = True
    missed: int = 0
    offer_id: str | None = None
    call_id: str | None = None
    wrap_call_id: str | None = None
    """The call whose wrap-up the agent is in (or last was)."""
    wrap_until: float | None = None
    pending_not_ready: str | None = None
    booked_at: float | None = None
    """Start of the agent's next booked meeting that names them (walk-ins are not offered
    to them from :attr:`RouterConfig.booked_guard_s` before it)."""

    def serves(self, service_id: str, language: str) -> bool:
        """Whether the agent has the skill and the language."""
        return service_id in self.skills and language in self.languages


@dataclass(eq=False, slots=True)
class Offer:
    """A reservation of an entry for one agent until ``expires_at``."""

    offer_id: str
    agent_id: str
    entry_id: str
    offered_at: float
    expires_at: float


@dataclass(eq=False, slots=True)
class Call:
    """A call in progress; a side's grace deadline is set while it is disconnected."""

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
    kiosk_grace_until: float | None = None
    agent_grace_until: float | None = None
    media_requeues: int = 0
