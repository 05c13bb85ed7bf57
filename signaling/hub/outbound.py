"""Rendering: from a routing action to the messages for each member. Pure functions.

Nothing here sends, stores or reads a clock: :func:`render` maps one action, with the lookups
it needs (names, the agent's current call, ICE servers for a call at a given time), to a list
of :class:`Outgoing` messages; the hub delivers them. Times come from the action (``at``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from signaling.identity import Principal
from signaling.routing import actions as A
from signaling.routing.member_model import StaffProfile
from signaling.routing.model import AgentState
from signaling.text_rules import fit_for_wire
from wire import server_messages as S
from wire.booking_messages import OfferBooking
from wire.errors import ErrorCode
from wire.member_messages import INTERPRETATION_LANGUAGES
from wire.types import LANGUAGES, PROTOCOL_VERSION, IceServer

__all__ = [
    "REJECT_CODES",
    "Greeting",
    "Lookups",
    "Outgoing",
    "agent_status",
    "call_start",
    "render",
    "welcome",
]

REJECT_CODES: dict[str, ErrorCode] = {
    "unknown_offer": ErrorCode.UNKNOWN_OFFER,
    "unknown_call": ErrorCode.UNKNOWN_CALL,
    "not_allowed": ErrorCode.NOT_ALLOWED,
    "bad_state": ErrorCode.BAD_STATE,
    "unknown_service": ErrorCode.UNKNOWN_SERVICE,
    "service_closed": ErrorCode.SERVICE_CLOSED,
    "queue_full": ErrorCode.QUEUE_FULL,
    "language_unavailable": ErrorCode.LANGUAGE_UNAVAILABLE,
    "already_queued": ErrorCode.ALREADY_QUEUED,
    "kiosk_reserved": ErrorCode.KIOSK_RESERVED,
}
_REFUSAL_TEXT = {
    "service_closed": "the service is closed now",
    "queue_full": "the queue is full",
    "language_unavailable": "nobody serves this service in that language right now",
    "unknown_service": "no such service",
    "already_queued": "this kiosk is already waiting or in a call",
    "kiosk_reserved": "this kiosk is booked for a meeting before the call would end",
}


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message for one call member (kiosk or agent id)."""

    to: str
    message: S.ServerMessage
    reply: bool = False
    """An answer to the request being handled: goes to its sender, with its ``ref``."""
    keep: bool = False
    """If the kiosk is away, keep the message to tell it when it resumes."""


@dataclass(frozen=True, slots=True)
class Lookups:
    """What rendering needs to know beyond the action itself."""

    kiosk_label: Callable[[str], tuple[str, S.SiteRef | None]]
    agent_name: Callable[[str], str]
    agent_call: Callable[[str], str | None]
    ice_servers: Callable[[str, float], list[IceServer]]
    ice_transport_policy: str
    offer_booking: Callable[[str, str], OfferBooking | None] = lambda _kiosk, _agent: None
    """The booking of the citizen at a kiosk, as an offer to an agent shows it."""
    kiosk_needed: Callable[[str], bool] = lambda _kiosk: False
    """Whether a booked meeting is due at the kiosk where a walk-in waits."""


@dataclass(frozen=True, slots=True)
class Greeting:
    """Server-driven settings every ``welcome`` carries."""

    heartbeat_interval_s: float
    heartbeat_timeout_s: float
    dispositions: tuple[str, ...]
    photo_retention_days: int | None = None


def welcome(
    p: Principal, conn_id: str, protocol: int, ref: str | None, resume_token: str | None,
    site: S.SiteRef | None, now: float, greeting: Greeting, *, hearing_loop: bool = False,
    profile: StaffProfile | None = None,
) -> S.Welcome:
    """The ``welcome`` for a connection of ``p`` (``hearing_loop``: its site has one;
    ``profile``: an agent's team, supervisor flag and interpretation languages)."""
    agent = p.role == "agent"
    return S.Welcome(
        ref=ref,
        protocol=min(protocol, PROTOCOL_VERSION),
        role=p.role,
        identity=S.Identity(
            id=p.id,
            # Whatever was stored, the welcome must be sendable, or the client could never
            # connect (see signaling.text_rules).
            name=fit_for_wire(p.name),
            site=site.names if site else None,
            skills=sorted(p.skills),
            languages=[lang for lang in LANGUAGES if lang in p.languages],
            hearing_loop=hearing_loop and p.role == "kiosk",
            interpretation_languages=[
                lang for lang in INTERPRETATION_LANGUAGES
                if profile is not None and lang in profile.interpretation_languages
            ],
            supervisor=profile is not None and profile.supervisor,
            team=profile.team if profile is not None else None,
        ),
        connection_id=conn_id,
        heartbeat_interval_s=greeting.heartbeat_interval_s,
        heartbeat_timeout_s=greeting.heartbeat_timeout_s,
        resume_token=resume_token,
        server_time=now,
        dispositions=list(greeting.dispositions) if agent else [],
        services=sorted(p.skills) if agent else [],
        photo_retention_days=greeting.photo_retention_days if agent else None,
    )


def agent_status(
    state: AgentState, reason: str | None, since: float, until: float | None, call_id: str | None
) -> S.AgentStatus:
    """An agent's routing state as its console sees it."""
    return S.AgentStatus(state=state.value, reason=reason, since=since, until=until,
                         call_id=call_id)


def call_start(
    call_id: str, kiosk_id: str, agent_id: str, service_id: str, language: str, *,
    resumed: bool, now: float, look: Lookups, only: str | None = None,
) -> list[Outgoing]:
    """``call_start`` for both members (or ``only`` one), with ICE servers minted at ``now``."""
    ice = look.ice_servers(call_id, now)
    kiosk_name, site = look.kiosk_label(kiosk_id)
    sides = (
        (kiosk_id, "offerer", S.Peer(kind="agent", name=look.agent_name(agent_id))),
        (agent_id, "answerer", S.Peer(kind="kiosk", name=kiosk_name, site=site)),
    )
    return [
        Outgoing(
            member,
            S.CallStart(
                call_id=call_id,
                role=role,  # type: ignore[arg-type]
                ice_servers=ice,
                ice_transport_policy=look.ice_transport_policy,  # type: ignore[arg-type]
                peer=peer,
                service=service_id,
                language=language,  # type: ignore[arg-type]
                resumed=resumed,
            ),
        )
        for member, role, peer in sides
        if only is None or member == only
    ]


def render(action: A.Action, look: Lookups) -> list[Outgoing]:
    """The messages that carry ``action`` to the members it concerns."""
    match action:
        case A.QueuePosition():
            position = S.QueuePosition(
                entry_id=action.entry_id,
                service=action.service_id,
                language=action.language,  # type: ignore[arg-type]
                position=action.position,
                estimated_wait_s=action.estimated_wait_s,
                estimate_kind=action.estimate_kind,
                kiosk_needed=look.kiosk_needed(action.kiosk_id),
            )
            return [Outgoing(action.kiosk_id, position)]
        case A.JoinRefused():
            refusal = S.Error(
                code=REJECT_CODES[action.code],
                message=_REFUSAL_TEXT.get(action.code, action.code),
                next_opening=action.next_opening,
                languages_available=sorted(action.languages_available) or None,  # type: ignore[arg-type]
                kiosk_reserved_at=action.kiosk_reserved_at,
                kiosk_free_at=action.kiosk_reserved_until,
            )
            return [Outgoing(action.kiosk_id, refusal, reply=True)]
        case A.Rejected():
            code = REJECT_CODES.get(action.code, ErrorCode.BAD_STATE)
            error = S.Error(code=code, message=action.detail)
            return [Outgoing(action.target_id, error, reply=True)]
        case A.EntryRemoved() if action.reason in ("cancelled", "abandoned"):
            return [Outgoing(action.kiosk_id, S.QueueLeft(reason=action.reason), keep=True)]
        case A.OfferSent():
            kiosk, site = look.kiosk_label(action.kiosk_id)
            offer = S.Offer(
                offer_id=action.offer_id,
                service=action.service_id,
                language=action.language,  # type: ignore[arg-type]
                site=site,
                kiosk=kiosk,
                waited_s=max(0.0, action.waited_s),
                expires_in_s=max(0.0, action.expires_at - action.at),
                booking=look.offer_booking(action.kiosk_id, action.agent_id),
            )
            return [Outgoing(action.agent_id, offer)]
        case A.OfferRevoked():
            revoked = S.OfferRevoked(offer_id=action.offer_id, reason=action.reason)
            return [Outgoing(action.agent_id, revoked)]
        case A.CallStarted():
            return call_start(
                action.call_id, action.kiosk_id, action.agent_id, action.service_id,
                action.language, resumed=False, now=action.at, look=look,
            )
        case A.CallEnded():
            ended = S.CallEnded(call_id=action.call_id, reason=action.reason, by=action.by)
            return [Outgoing(action.kiosk_id, ended, keep=True), Outgoing(action.agent_id, ended)]
        case A.CallTransferred():
            moved = S.CallTransferred(call_id=action.call_id, service=action.to_service)
            return [Outgoing(action.kiosk_id, moved)]
        case A.AgentStateChanged():
            status = agent_status(
                action.state, action.reason, action.since, action.until,
                look.agent_call(action.agent_id),
            )
            return [Outgoing(action.agent_id, status)]
    return []
