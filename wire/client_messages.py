"""Messages a client (kiosk, agent console, browser) sends to the signaling server.

Each message is a model with a literal ``type``; :data:`ClientMessage` is their discriminated
union. ``ref`` is optional on every message: when set, the server's direct reply or error
carries the same ``ref`` so a client can match them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from wire.bases import ClientBase as ClientBase  # re-exported: it was defined here first
from wire.booking_messages import (
    BOOKING_AGENT_TYPES,
    BOOKING_KIOSK_TYPES,
    BookingCancel,
    BookingCheckIn,
    BookingMake,
    BookingsGet,
    BookingSlotsGet,
)
from wire.callback_messages import (
    CALLBACK_AGENT_TYPES,
    CALLBACK_KIOSK_TYPES,
    CallbackAccept,
    CallbackReject,
    CallbackRequest,
    CallbackResult,
)
from wire.media_messages import MEDIA_KIOSK_TYPES, MediaPrepare
from wire.member_messages import (
    KIOSK_MEMBER_TYPES,
    MEMBER_CLIENT_TYPES,
    MemberChat,
    MemberDirectoryGet,
    MemberInvite,
    MemberInviteCancel,
    MemberLeave,
    MemberOfferAccept,
    MemberOfferDecline,
    MemberRemove,
    SupervisorJoin,
    SupervisorModeSet,
)
from wire.types import (
    Attempt,
    CallStats,
    Candidate,
    Ident,
    KioskHealth,
    Language,
    Note,
    Sdp,
    ShortText,
    WireModel,
)


class Hello(ClientBase):
    """First message on every connection: the client's protocol version and resume token."""

    type: Literal["hello"] = "hello"
    protocol: Annotated[int, Field(ge=1, le=1000)]
    client: ShortText = "unknown"
    resume_token: Annotated[str, Field(max_length=200)] | None = None


class Ping(ClientBase):
    """Liveness probe; the server answers with ``pong`` carrying the same ``t``."""

    type: Literal["ping"] = "ping"
    t: float = Field(allow_inf_nan=False)


class Pong(ClientBase):
    """Answer to the server's heartbeat ``ping``."""

    type: Literal["pong"] = "pong"
    t: float = Field(allow_inf_nan=False)


class ServicesGet(ClientBase):
    """Ask for the service list with what is open and which languages are served now."""

    type: Literal["services_get"] = "services_get"


class QueueJoin(ClientBase):
    """A kiosk asks to queue for a service in a language."""

    type: Literal["queue_join"] = "queue_join"
    service: Ident
    language: Language


class QueueLeave(ClientBase):
    """A kiosk's citizen cancels waiting."""

    type: Literal["queue_leave"] = "queue_leave"


class SessionDescription(WireModel):
    """An SDP offer or answer as RTCSessionDescription carries it."""

    type: Literal["offer", "answer"]
    sdp: Sdp


class SdpMessage(ClientBase):
    """An SDP offer or answer for one peer-connection attempt of a call (relayed as is)."""

    type: Literal["sdp"] = "sdp"
    call_id: Ident
    attempt: Attempt = 0
    description: SessionDescription
    peer: Ident | None = None
    """Calls of more than two members: the other member of the pair (see
    :mod:`wire.member_messages`); absent for the kiosk ↔ answering clerk pair."""


class IceMessage(ClientBase):
    """A trickled ICE candidate (``candidate`` None marks the end of candidates)."""

    type: Literal["ice"] = "ice"
    call_id: Ident
    attempt: Attempt = 0
    candidate: Candidate | None = None
    sdp_mid: Annotated[str, Field(max_length=32)] | None = None
    sdp_mline_index: Annotated[int, Field(ge=0, le=64)] | None = None
    peer: Ident | None = None
    """Calls of more than two members: the other member of the pair (see
    :mod:`wire.member_messages`); absent for the kiosk ↔ answering clerk pair."""


class MediaRestart(ClientBase):
    """Ask the other side to build a new peer connection for the call (no ICE restart in aiortc)."""

    type: Literal["media_restart"] = "media_restart"
    call_id: Ident
    attempt: Attempt
    peer: Ident | None = None
    """Calls of more than two members: the other member of the pair (see
    :mod:`wire.member_messages`); absent for the kiosk ↔ answering clerk pair."""


class CallEnd(ClientBase):
    """Either member of a call hangs up."""

    type: Literal["call_end"] = "call_end"
    call_id: Ident
    reason: Literal["hangup", "media_failed", "device_failed"] = "hangup"


class CallStatsReport(ClientBase):
    """A member's periodic media statistics for its call."""

    type: Literal["call_stats"] = "call_stats"
    call_id: Ident
    stats: CallStats


class CallRating(ClientBase):
    """The citizen's 1-5 rating of a call that has ended, from the kiosk's end screen.

    Anonymous: it is stored on the call record, which holds no personal data."""

    type: Literal["call_rating"] = "call_rating"
    call_id: Ident
    rating: Annotated[int, Field(ge=1, le=5)]


class Health(ClientBase):
    """A kiosk's periodic health heartbeat."""

    type: Literal["health"] = "health"
    health: KioskHealth


class AgentStateSet(ClientBase):
    """An agent becomes ready or not ready (with a reason)."""

    type: Literal["agent_state"] = "agent_state"
    state: Literal["ready", "not_ready"]
    reason: Annotated[str, Field(max_length=40, pattern=r"^[a-z_]*$")] | None = None


class OfferAccept(ClientBase):
    """An agent accepts the offered citizen."""

    type: Literal["offer_accept"] = "offer_accept"
    offer_id: Ident


class OfferReject(ClientBase):
    """An agent declines the offered citizen; the citizen keeps their place."""

    type: Literal["offer_reject"] = "offer_reject"
    offer_id: Ident


class WrapUpDone(ClientBase):
    """An agent records the call's disposition and ends wrap-up early."""

    type: Literal["wrapup_done"] = "wrapup_done"
    call_id: Ident
    disposition: Annotated[str, Field(max_length=40)] | None = None
    note: Note | None = None


class CallTransfer(ClientBase):
    """An agent moves the citizen to another service's queue."""

    type: Literal["call_transfer"] = "call_transfer"
    call_id: Ident
    service: Ident


class HistoryGet(ClientBase):
    """An agent asks for its own calls of today."""

    type: Literal["history_get"] = "history_get"


class PhotosPurged(ClientBase):
    """An agent console deleted saved document photos older than the retention period (the
    server writes it to the audit log; no file names, only the count)."""

    type: Literal["photos_purged"] = "photos_purged"
    count: Annotated[int, Field(ge=1, le=1_000_000)]


class Logout(ClientBase):
    """An agent or operator ends the session; its token stops working."""

    type: Literal["logout"] = "logout"


ClientMessage = Annotated[
    Hello
    | Ping
    | Pong
    | ServicesGet
    | QueueJoin
    | QueueLeave
    | SdpMessage
    | IceMessage
    | MediaRestart
    | CallEnd
    | CallStatsReport
    | CallRating
    | Health
    | AgentStateSet
    | OfferAccept
    | OfferReject
    | WrapUpDone
    | CallTransfer
    | HistoryGet
    | PhotosPurged
    | Logout
    | BookingCheckIn
    | BookingSlotsGet
    | BookingMake
    | BookingCancel
    | BookingsGet
    | CallbackRequest
    | CallbackAccept
    | CallbackReject
    | CallbackResult
    | MemberInvite
    | MemberInviteCancel
    | SupervisorJoin
    | MemberOfferAccept
    | MemberOfferDecline
    | MemberRemove
    | MemberLeave
    | MemberChat
    | SupervisorModeSet
    | MemberDirectoryGet
    | MediaPrepare,
    Field(discriminator="type"),
]
"""Every message a client may send, discriminated on ``type``."""

KIOSK_TYPES = frozenset(
    {
        "hello",
        "ping",
        "pong",
        "services_get",
        "queue_join",
        "queue_leave",
        "sdp",
        "ice",
        "media_restart",
        "call_end",
        "call_stats",
        "call_rating",
        "health",
    }
) | BOOKING_KIOSK_TYPES | CALLBACK_KIOSK_TYPES | KIOSK_MEMBER_TYPES | MEDIA_KIOSK_TYPES
"""Message types a kiosk may send."""

AGENT_TYPES = frozenset(
    {
        "hello",
        "ping",
        "pong",
        "services_get",
        "sdp",
        "ice",
        "media_restart",
        "call_end",
        "call_stats",
        "agent_state",
        "offer_accept",
        "offer_reject",
        "wrapup_done",
        "call_transfer",
        "history_get",
        "photos_purged",
        "logout",
    }
) | BOOKING_AGENT_TYPES | CALLBACK_AGENT_TYPES | MEMBER_CLIENT_TYPES
"""Message types an agent may send."""

OPERATOR_TYPES = frozenset({"hello", "ping", "pong", "services_get", "logout"})
"""Message types an operator or admin may send over the socket (the dashboard uses HTTP for
the rest)."""
