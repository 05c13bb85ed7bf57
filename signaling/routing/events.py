"""Inputs of the routing core.

The I/O layer turns authenticated client messages and timers into these events and
feeds them to :meth:`signaling.routing.router.Router.handle` together with the
current time. Authorisation (is this agent a member of that call?) is the I/O
layer's job; the router only validates against its own state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class JoinQueue:
    """A kiosk asks to queue for a service in a language."""

    kiosk_id: str
    service_id: str
    language: str
    priority: int = 0
    kiosk_free_until: float | None = None
    """A walk-in: when the kiosk's next booked meeting starts. The join is refused
    (``kiosk_reserved``) unless the expected wait plus the average call ends by then."""
    kiosk_reserved_until: float | None = None
    """When that meeting's slot ends (told to a refused walk-in)."""
    booking: BookedJoin | None = None
    """A booked citizen whose slot has started (see :mod:`signaling.routing.booked`)."""


@dataclass(frozen=True, slots=True)
class BookedJoin:
    """What a booked citizen's join adds: ahead of walk-ins, and offered only to
    ``named_agent`` (if set) until ``named_until``, then to any eligible clerk."""

    booking_id: str
    named_agent: str | None
    named_until: float


@dataclass(frozen=True, slots=True)
class BookingRestored:
    """The citizen queued at ``kiosk_id`` is a booked one whose place was restored without
    its booking (after a restart): give the place back ``booking`` (ahead of walk-ins' held
    clerks, and the named clerk only until ``booking.named_until`` if that is still ahead)."""

    kiosk_id: str
    booking: BookedJoin


@dataclass(frozen=True, slots=True)
class LeaveQueue:
    """The citizen cancels waiting."""

    kiosk_id: str


@dataclass(frozen=True, slots=True)
class KioskDisconnected:
    """The kiosk's signaling connection dropped."""

    kiosk_id: str


@dataclass(frozen=True, slots=True)
class KioskReconnected:
    """The kiosk resumed its session (within or after the grace period)."""

    kiosk_id: str


@dataclass(frozen=True, slots=True)
class AgentLogin:
    """An agent logs in (or re-logs in after a restart) with skills and languages."""

    agent_id: str
    skills: frozenset[str]
    languages: frozenset[str]


@dataclass(frozen=True, slots=True)
class AgentReady:
    """The agent is available for offers."""

    agent_id: str


@dataclass(frozen=True, slots=True)
class AgentNotReady:
    """The agent takes a break; applied after the current call or wrap-up if any."""

    agent_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class AgentLogout:
    """The agent logs out on purpose."""

    agent_id: str


@dataclass(frozen=True, slots=True)
class AgentDisconnected:
    """The agent's signaling connection dropped."""

    agent_id: str


@dataclass(frozen=True, slots=True)
class AgentReconnected:
    """The agent resumed its session."""

    agent_id: str


@dataclass(frozen=True, slots=True)
class AcceptOffer:
    """The agent accepts a pending offer."""

    agent_id: str
    offer_id: str


@dataclass(frozen=True, slots=True)
class RejectOffer:
    """The agent declines a pending offer."""

    agent_id: str
    offer_id: str


@dataclass(frozen=True, slots=True)
class EndCall:
    """A member of the call hangs up."""

    call_id: str
    by: Literal["kiosk", "agent"]
    reason: str


@dataclass(frozen=True, slots=True)
class EndWrapUp:
    """The agent finishes wrap-up early; with ``call_id``, only the wrap-up of that call."""

    agent_id: str
    call_id: str | None = None


@dataclass(frozen=True, slots=True)
class Transfer:
    """The agent hands the citizen over to another service's queue."""

    agent_id: str
    call_id: str
    service_id: str


@dataclass(frozen=True, slots=True)
class ClerkBooked:
    """When the agent's next booked meeting that names them starts (None: none ahead)."""

    agent_id: str
    at: float | None


@dataclass(frozen=True, slots=True)
class Tick:
    """Time passed; send at :meth:`Router.next_deadline` (or periodically)."""


Event = (
    JoinQueue
    | BookingRestored
    | LeaveQueue
    | KioskDisconnected
    | KioskReconnected
    | AgentLogin
    | AgentReady
    | AgentNotReady
    | AgentLogout
    | AgentDisconnected
    | AgentReconnected
    | AcceptOffer
    | RejectOffer
    | EndCall
    | EndWrapUp
    | Transfer
    | ClerkBooked
    | Tick
)
