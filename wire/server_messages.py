"""Messages the signaling server sends to clients, discriminated on ``type``.

The relayed call messages (``sdp``, ``ice``, ``media_restart``) use the same models as the
client side: the server checks membership and passes them on unchanged.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from wire.bases import ServerBase as ServerBase  # re-exported: it was defined here first
from wire.booking_messages import (
    BookingCancelled,
    BookingCheckedIn,
    BookingMade,
    BookingRefused,
    Bookings,
    BookingSlots,
    BookingWait,
    KioskSchedule,
    OfferBooking,
)
from wire.callback_messages import (
    CallbackAccepted,
    CallbackOffer,
    CallbackOfferRevoked,
    CallbackResultSaved,
    CallbackTask,
    CallbackTasks,
)
from wire.client_messages import IceMessage, MediaRestart, SdpMessage
from wire.errors import ErrorCode
from wire.media_messages import MediaServers
from wire.member_messages import (
    CallMembers,
    InterpretationLanguage,
    MemberChatPosted,
    MemberDirectory,
    MemberInviteStatus,
    MemberOffer,
    MemberOfferRevoked,
)
from wire.types import (
    EstimateKind,
    IceServer,
    Ident,
    Language,
    Names,
    NonNegative,
    Role,
    ShortText,
    WireModel,
)
from wire.types import SiteRef as SiteRef  # re-exported: it was defined here first


class Identity(WireModel):
    """Who the server authenticated this connection as."""

    id: Ident
    name: ShortText
    site: Names | None = None
    skills: list[Ident] = Field(default_factory=list)
    languages: list[Language] = Field(default_factory=list)
    hearing_loop: bool = False
    """Kiosks: their service point has a hearing (induction) loop, so the kiosk shows the
    sign.  Optional (protocol 1 servers leave it out)."""
    interpretation_languages: list[InterpretationLanguage] = Field(default_factory=list)
    """Agents who interpret: the interpreters' pools they serve (empty for other staff)."""
    supervisor: bool = False
    """Agents: supervises their team (may join the team's calls)."""
    team: Ident | None = None
    """Agents: their team, if any."""


class Welcome(ServerBase):
    """Answer to ``hello``: agreed version, identity and the heartbeat the client must keep."""

    type: Literal["welcome"] = "welcome"
    protocol: int
    role: Role
    identity: Identity
    connection_id: Ident
    heartbeat_interval_s: NonNegative
    heartbeat_timeout_s: NonNegative
    resume_token: str | None = None
    server_time: float
    dispositions: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list)
    services: list[Ident] = Field(default_factory=list)
    photo_retention_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    """Agents: how long document photos saved on the console's computer may be kept; the
    console deletes older ones (at start, and whenever it saves one)."""


class ServerPing(ServerBase):
    """Server heartbeat; the client answers ``pong`` with the same ``t``."""

    type: Literal["ping"] = "ping"
    t: float


class ServerPong(ServerBase):
    """Answer to a client's ``ping``."""

    type: Literal["pong"] = "pong"
    t: float


class Error(ServerBase):
    """A typed refusal; the connection stays usable unless a ``goodbye`` follows."""

    type: Literal["error"] = "error"
    code: ErrorCode
    message: str
    next_opening: float | None = None
    languages_available: list[Language] | None = None
    kiosk_reserved_at: float | None = None
    """With ``kiosk_reserved``: when this kiosk's next booked meeting starts."""
    kiosk_free_at: float | None = None
    """With ``kiosk_reserved``: when that meeting's slot ends (a walk-in may join then)."""


class ServiceInfo(WireModel):
    """One service as a kiosk shows it."""

    id: Ident
    agency: Ident
    names: Names
    agency_names: Names
    languages: list[Language]
    open: bool
    next_opening: float | None = None
    languages_available: list[Language]
    estimated_wait_s: dict[Language, float | None] = Field(default_factory=dict)
    estimate_kind: dict[Language, EstimateKind] | None = None
    """How to read each language's ``estimated_wait_s`` for a citizen who joined now (see
    :data:`~wire.types.EstimateKind`); absent from servers that predate it."""
    language_expected_at: dict[Language, float] = Field(default_factory=dict)
    """For a language of ``languages`` that no clerk serves now: when service in it is
    expected (epoch seconds), from opening hours and recent staffing.  A language is left
    out when the server cannot say.  Optional (older servers send none)."""


class Services(ServerBase):
    """The service list."""

    type: Literal["services"] = "services"
    services: list[ServiceInfo]


class QueuePosition(ServerBase):
    """A waiting kiosk's place, sent on joining and whenever position or estimate change."""

    type: Literal["queue_position"] = "queue_position"
    entry_id: Ident
    service: Ident
    language: Language
    position: Annotated[int, Field(ge=1)]
    estimated_wait_s: NonNegative | None = None
    estimate_kind: EstimateKind | None = None
    """How to read ``estimated_wait_s`` (see :data:`~wire.types.EstimateKind`): ``soon``
    comes with seconds under a minute, ``none`` without seconds. Absent from servers that
    predate it: then the seconds alone (None for no estimate)."""
    kiosk_needed: bool = False
    """Someone else needs this kiosk (e.g. a booked meeting at the point is due): a kiosk
    whose citizen has waited past the estimate may then ask whether they are still there.
    Optional (older servers never set it, and the kiosk then never asks while queued)."""


class QueueLeft(ServerBase):
    """The kiosk is no longer waiting."""

    type: Literal["queue_left"] = "queue_left"
    reason: Literal["cancelled", "abandoned", "answered", "transferred"]


class Offer(ServerBase):
    """A citizen offered to an agent; reserved for ``expires_in_s``."""

    type: Literal["offer"] = "offer"
    offer_id: Ident
    service: Ident
    language: Language
    site: SiteRef | None
    kiosk: ShortText
    waited_s: NonNegative
    expires_in_s: NonNegative
    booking: OfferBooking | None = None
    """Set when the citizen has a booking (absent from older servers)."""


class OfferRevoked(ServerBase):
    """An offer is no longer valid."""

    type: Literal["offer_revoked"] = "offer_revoked"
    offer_id: Ident
    reason: Literal["timeout", "rejected", "cancelled", "kiosk_lost", "agent_lost"]


class Peer(WireModel):
    """The other member of a call."""

    kind: Literal["kiosk", "agent"]
    name: ShortText
    site: SiteRef | None = None


class CallStart(ServerBase):
    """A call begins (or is resumed after a reconnect); tells this side its WebRTC role."""

    type: Literal["call_start"] = "call_start"
    call_id: Ident
    role: Literal["offerer", "answerer"]
    ice_servers: list[IceServer]
    ice_transport_policy: Literal["all", "relay"] = "all"
    peer: Peer
    service: Ident
    language: Language
    resumed: bool = False


class CallEnded(ServerBase):
    """A call is over."""

    type: Literal["call_ended"] = "call_ended"
    call_id: Ident
    reason: str
    by: Literal["kiosk", "agent", "system"]


class PeerStatus(ServerBase):
    """The other member's signaling link dropped or came back (media may still flow)."""

    type: Literal["peer_status"] = "peer_status"
    call_id: Ident
    status: Literal["connected", "reconnecting"]


class CallTransferred(ServerBase):
    """The citizen was moved to another service's queue; a ``queue_position`` follows."""

    type: Literal["call_transferred"] = "call_transferred"
    call_id: Ident
    service: Ident


class AgentStatus(ServerBase):
    """An agent's state as the router sees it."""

    type: Literal["agent_status"] = "agent_status"
    state: Literal["not_ready", "ready", "reserved", "in_call", "wrap_up"]
    reason: str | None = None
    since: float
    until: float | None = None
    call_id: Ident | None = None


class QueueStat(WireModel):
    """One service × language queue as agents see it."""

    service: Ident
    language: Language
    waiting: Annotated[int, Field(ge=0)]
    longest_wait_s: NonNegative
    ready_agents: Annotated[int, Field(ge=0)]


class QueueStats(ServerBase):
    """The queues within an agent's skills."""

    type: Literal["queue_stats"] = "queue_stats"
    queues: list[QueueStat]


class HistoryItem(WireModel):
    """One of an agent's calls (no citizen personal data exists to show)."""

    call_id: Ident
    service: Ident
    language: Language
    site: SiteRef | None = None
    queued_at: float
    answered_at: float | None = None
    ended_at: float | None = None
    outcome: str | None = None
    disposition: str | None = None


class History(ServerBase):
    """An agent's calls of today, newest first."""

    type: Literal["history"] = "history"
    calls: list[HistoryItem]


class Goodbye(ServerBase):
    """Sent just before the server closes the connection, with a typed reason."""

    type: Literal["goodbye"] = "goodbye"
    reason: Literal[
        "server_shutdown",
        "abuse",
        "revoked",
        "replaced",
        "heartbeat_timeout",
        "logged_out",
        "session_expired",
        "unsupported_version",
        "protocol_error",
    ]


ServerMessage = Annotated[
    Welcome
    | ServerPing
    | ServerPong
    | Error
    | Services
    | QueuePosition
    | QueueLeft
    | Offer
    | OfferRevoked
    | CallStart
    | CallEnded
    | PeerStatus
    | CallTransferred
    | AgentStatus
    | QueueStats
    | History
    | Goodbye
    | SdpMessage
    | IceMessage
    | MediaRestart
    | BookingCheckedIn
    | BookingRefused
    | BookingWait
    | KioskSchedule
    | BookingSlots
    | BookingMade
    | BookingCancelled
    | Bookings
    | CallbackAccepted
    | CallbackTasks
    | CallbackOffer
    | CallbackOfferRevoked
    | CallbackTask
    | CallbackResultSaved
    | MemberOffer
    | MemberOfferRevoked
    | MemberInviteStatus
    | CallMembers
    | MemberChatPosted
    | MemberDirectory
    | MediaServers,
    Field(discriminator="type"),
]
"""Every message the server may send, discriminated on ``type``."""
