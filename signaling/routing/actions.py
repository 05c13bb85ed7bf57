"""Outputs of the routing core.

:meth:`signaling.routing.router.Router.handle` returns these in the order they
happened; the I/O layer sends, persists or logs each one. Invalid requests never
raise: they produce :class:`JoinRefused` or :class:`Rejected`.

Every action that the I/O layer records or that states a time carries ``at``: the router's
``now`` when it happened. The I/O layer stores and sends these times and never reads its own
clock while carrying actions out, so what is stored is exactly what the router decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from signaling.routing.model import AgentState

EstimateKind = Literal["soon", "minutes", "none"]

JoinRefusal = Literal[
    "service_closed",
    "queue_full",
    "language_unavailable",
    "unknown_service",
    "already_queued",
    "kiosk_reserved",
]
RemovalReason = Literal["cancelled", "abandoned", "answered", "transferred"]
RevokeReason = Literal["timeout", "rejected", "cancelled", "kiosk_lost", "agent_lost"]
RejectCode = Literal["unknown_offer", "unknown_call", "not_allowed", "bad_state", "unknown_service"]
# "system" marks calls ended by the router itself (a side lost past its grace).
EndedBy = Literal["kiosk", "agent", "system"]


@dataclass(frozen=True, slots=True)
class QueuePosition:
    """Tell a waiting kiosk where it stands; sent only when position or estimate changed.

    ``position`` is 1-based within the entry's service × language queue.
    ``estimate_kind`` says how to read ``estimated_wait_s`` (see
    :mod:`signaling.routing.waits`): ``"soon"`` (a clerk will answer within about a
    minute; the seconds are under 60), ``"minutes"`` (the seconds, never under 60 with the
    default estimator) or ``"none"`` (no honest estimate; the seconds are None). ``at`` is
    when it was told: the hub stores every estimate a citizen was shown with that time.
    """

    kiosk_id: str
    entry_id: str
    service_id: str
    language: str
    position: int
    estimated_wait_s: float | None
    estimate_kind: EstimateKind
    at: float

    def __post_init__(self) -> None:
        if (self.estimated_wait_s is None) != (self.estimate_kind == "none"):
            raise ValueError("estimate_kind 'none' goes with estimated_wait_s None, and only it")


@dataclass(frozen=True, slots=True)
class JoinRefused:
    """A join was refused; ``languages_available`` lets the kiosk offer another language."""

    kiosk_id: str
    code: JoinRefusal
    next_opening: float | None
    languages_available: tuple[str, ...]
    kiosk_reserved_at: float | None = None
    """With ``kiosk_reserved``: when the kiosk's booked meeting starts."""
    kiosk_reserved_until: float | None = None
    """With ``kiosk_reserved``: when it ends."""


@dataclass(frozen=True, slots=True)
class EntryQueued:
    """A queue entry was created (persist it for crash recovery)."""

    entry_id: str
    kiosk_id: str
    service_id: str
    language: str
    priority: int
    enqueued_at: float
    at: float


@dataclass(frozen=True, slots=True)
class EntryRemoved:
    """A queue entry left the queue (drop it from persistence)."""

    entry_id: str
    kiosk_id: str
    reason: RemovalReason
    at: float


@dataclass(frozen=True, slots=True)
class OfferSent:
    """Offer a waiting citizen to an agent until ``expires_at``."""

    offer_id: str
    agent_id: str
    entry_id: str
    kiosk_id: str
    service_id: str
    language: str
    waited_s: float
    expires_at: float
    at: float


@dataclass(frozen=True, slots=True)
class OfferRevoked:
    """A pending offer is void; tell the agent's console to drop it."""

    offer_id: str
    agent_id: str
    reason: RevokeReason


@dataclass(frozen=True, slots=True)
class CallStarted:
    """An agent accepted; connect the kiosk and the agent."""

    call_id: str
    entry_id: str
    kiosk_id: str
    agent_id: str
    service_id: str
    language: str
    offered_at: float
    answered_at: float
    at: float


@dataclass(frozen=True, slots=True)
class CallEnded:
    """A call is over; ``reason`` is free text from the hanging-up side or the router's own
    ``"agent_lost"``, ``"kiosk_lost"`` or ``"transferred"``."""

    call_id: str
    entry_id: str
    kiosk_id: str
    agent_id: str
    reason: str
    by: EndedBy
    at: float


@dataclass(frozen=True, slots=True)
class EntryRequeued:
    """The citizen was put back at the head of their queue under ``entry_id`` (the new
    entry, also announced by the :class:`EntryQueued` that follows)."""

    entry_id: str
    kiosk_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class CallTransferred:
    """The call ended by transfer; the citizen now waits as ``entry_id`` in ``to_service``."""

    call_id: str
    kiosk_id: str
    agent_id: str
    from_service: str
    to_service: str
    entry_id: str
    at: float


@dataclass(frozen=True, slots=True)
class AgentStateChanged:
    """An agent's routing state changed; ``until`` is the wrap-up deadline in WRAP_UP."""

    agent_id: str
    state: AgentState
    reason: str | None
    since: float
    until: float | None
    at: float


@dataclass(frozen=True, slots=True)
class BookingFallback:
    """The booked clerk did not take the booked citizen in time: any eligible clerk may
    now; tell the kiosk ("another clerk will serve you")."""

    entry_id: str
    kiosk_id: str
    booking_id: str
    named_agent: str
    at: float


@dataclass(frozen=True, slots=True)
class Rejected:
    """An event was invalid in the current state; ``target_id`` is the id it targeted."""

    target_id: str
    code: RejectCode
    detail: str


Action = (
    QueuePosition
    | JoinRefused
    | EntryQueued
    | EntryRemoved
    | OfferSent
    | OfferRevoked
    | CallStarted
    | CallEnded
    | EntryRequeued
    | CallTransferred
    | AgentStateChanged
    | BookingFallback
    | Rejected
)
