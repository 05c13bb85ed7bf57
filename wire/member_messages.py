"""Messages of calls with more than two members: invitations, membership, chat, supervisor modes.

A call starts as the kiosk and the clerk who answered (the *answering clerk*). Up to two more
members may join: an interpreter, a second clerk, or a supervisor of the answering clerk's team
(at most :data:`MAX_MEMBERS` in all). Media is a mesh: one peer connection per pair of members.

* The pair kiosk ↔ answering clerk keeps the two-member messages exactly as before (``sdp``,
  ``ice``, ``media_restart`` without ``peer``).
* Every other pair negotiates with the same messages carrying ``peer``: the sender puts the
  member id it sends *to*; the server relays it with ``peer`` replaced by the member id it
  comes *from*. Which side of a pair offers, and the TURN credentials minted for that pair,
  come in :class:`CallMembers` (:class:`MemberPair`).

Client → server: :class:`MemberInvite`, :class:`MemberInviteCancel`, :class:`SupervisorJoin`,
:class:`MemberOfferAccept`, :class:`MemberOfferDecline`, :class:`MemberRemove`,
:class:`MemberLeave`, :class:`MemberChat`, :class:`SupervisorModeSet`,
:class:`MemberDirectoryGet`.

Server → client: :class:`MemberOffer`, :class:`MemberOfferRevoked`, :class:`MemberInviteStatus`,
:class:`CallMembers`, :class:`MemberChatPosted`, :class:`MemberDirectory`.

Each model's docstring says who may send it and what follows.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from wire.types import IceServer, Ident, Language, NonNegative, Ref, ShortText, WireModel

__all__ = [
    "INTERPRETATION_LANGUAGES",
    "KIOSK_MEMBER_TYPES",
    "MAX_MEMBERS",
    "MEMBER_CLIENT_TYPES",
    "CallMember",
    "CallMembers",
    "ChatText",
    "DirectoryAgent",
    "DirectoryPool",
    "InterpretationLanguage",
    "InviteRole",
    "InviteState",
    "MemberChat",
    "MemberChatPosted",
    "MemberDirectory",
    "MemberDirectoryGet",
    "MemberEvent",
    "MemberInvite",
    "MemberInviteCancel",
    "MemberInviteStatus",
    "MemberLeave",
    "MemberOffer",
    "MemberOfferAccept",
    "MemberOfferDecline",
    "MemberOfferRevoked",
    "MemberPair",
    "MemberRemove",
    "MemberRole",
    "SupervisorJoin",
    "SupervisorMode",
    "SupervisorModeSet",
    "TeamCall",
]

MAX_MEMBERS = 4
"""Members of one call at most, the kiosk and the answering clerk included."""

MemberRole = Literal["kiosk", "clerk", "second_clerk", "interpreter", "supervisor"]
"""A member's part in a call: ``clerk`` is the one who answered the citizen."""

SupervisorMode = Literal["listen", "whisper", "barge"]
"""How a supervisor takes part: ``listen`` receives everyone and sends nothing; ``whisper``
sends audio to the answering clerk only; ``barge`` sends audio and video to everyone. The
kiosk is told the mode in every case (it shows a banner)."""

InterpretationLanguage = Literal[
    "ar", "so", "ru", "uk", "fa", "ku", "ti", "et", "en", "fi-sign", "sv-sign"
]
"""Languages an interpreter interprets (into the call's language); ``fi-sign`` and ``sv-sign``
are Finnish and Finland-Swedish sign language. Only ever extended."""

INTERPRETATION_LANGUAGES: tuple[InterpretationLanguage, ...] = (
    "ar", "so", "ru", "uk", "fa", "ku", "ti", "et", "en", "fi-sign", "sv-sign"
)

# As wire.types.Note: line breaks allowed, no other controls or bidirectional overrides.
_CHAT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]*$"
ChatText = Annotated[str, Field(min_length=1, max_length=1000, pattern=_CHAT_PATTERN)]
"""A chat line shared by all members: at most 1,000 characters, line breaks allowed."""

InviteRole = Literal["second_clerk", "interpreter", "supervisor"]
"""The part an invited party takes."""

InviteState = Literal[
    "waiting", "ringing", "accepted", "declined", "timeout", "cancelled", "unavailable",
    "call_ended",
]
"""Where an invitation stands, as its inviter sees it: ``waiting`` (a pool or queue has no one
free yet; the invitation waits like a citizen in a queue), ``ringing`` (offered to someone
now; may go back to ``waiting`` when they decline), ``accepted`` (they joined), ``declined``
(the one invited by name said no), ``timeout`` (they did not answer in time), ``cancelled``
(the inviter withdrew it), ``unavailable`` (no such person or queue, or nobody can take it),
``call_ended``. Every state but ``waiting`` and ``ringing`` is final."""


class _ClientBase(WireModel):
    ref: Ref | None = None


class _ServerBase(WireModel):
    ref: Ref | None = None


# --------------------------------------------------------------------------- client → server


class MemberInvite(_ClientBase):
    """The answering clerk asks someone to join the call.

    ``target`` says where the invitation goes:

    * ``agent``: one colleague by account id (``agent_id``, from :class:`MemberDirectory`),
      as ``role`` (``second_clerk``, ``interpreter`` or ``supervisor``; an interpreter asked
      by name should get ``interpretation_language`` too, or their minutes count under no
      language);
    * ``service``: the first free clerk of ``service`` who speaks the call's language (offered
      like a call: longest idle first, on to the next after a decline or timeout), as
      ``second_clerk``;
    * ``interpreters``: the interpreters' pool of ``interpretation_language``, as
      ``interpreter`` (waits for a free interpreter like a queue).

    The server answers with :class:`MemberInviteStatus` (carrying this ``ref``).
    """

    type: Literal["member_invite"] = "member_invite"
    call_id: Ident
    target: Literal["agent", "service", "interpreters"]
    role: Literal["second_clerk", "interpreter", "supervisor"] = "second_clerk"
    agent_id: Ident | None = None
    service: Ident | None = None
    interpretation_language: InterpretationLanguage | None = None
    note: ShortText | None = None
    """A short line for the invited party ("Kela housing benefit, needs tax office view")."""


class MemberInviteCancel(_ClientBase):
    """The inviter withdraws an invitation still ``waiting`` or ``ringing``."""

    type: Literal["member_invite_cancel"] = "member_invite_cancel"
    call_id: Ident
    invite_id: Ident


class SupervisorJoin(_ClientBase):
    """A supervisor joins a call of a clerk of their team (no invitation needed)."""

    type: Literal["supervisor_join"] = "supervisor_join"
    call_id: Ident
    mode: SupervisorMode = "listen"


class MemberOfferAccept(_ClientBase):
    """The invited party accepts; :class:`CallMembers` follows with their member id."""

    type: Literal["member_offer_accept"] = "member_offer_accept"
    invite_id: Ident


class MemberOfferDecline(_ClientBase):
    """The invited party declines."""

    type: Literal["member_offer_decline"] = "member_offer_decline"
    invite_id: Ident


class MemberRemove(_ClientBase):
    """The answering clerk removes another member (not the kiosk: that is ``call_end``)."""

    type: Literal["member_remove"] = "member_remove"
    call_id: Ident
    member_id: Ident


class MemberLeave(_ClientBase):
    """A member other than the kiosk and the answering clerk leaves; the call goes on.

    (``call_end`` from such a member means the same; from the kiosk or the answering clerk it
    ends the call for all.)"""

    type: Literal["member_leave"] = "member_leave"
    call_id: Ident


class MemberChat(_ClientBase):
    """A chat line to every member of the call (relayed by the server, never stored or
    logged)."""

    type: Literal["member_chat"] = "member_chat"
    call_id: Ident
    text: ChatText


class SupervisorModeSet(_ClientBase):
    """The supervisor in the call switches between listening, whispering and barging in."""

    type: Literal["supervisor_mode"] = "supervisor_mode"
    call_id: Ident
    mode: SupervisorMode


class MemberDirectoryGet(_ClientBase):
    """A clerk asks whom they could invite to a call (or, with no ``call_id``, a supervisor
    asks for the calls of their team they may join)."""

    type: Literal["member_directory_get"] = "member_directory_get"
    call_id: Ident | None = None


# --------------------------------------------------------------------------- server → client


class MemberOffer(_ServerBase):
    """An invitation to join a call, reserved for ``expires_in_s``: the context the invited
    party needs to decide (no citizen personal data exists to show)."""

    type: Literal["member_offer"] = "member_offer"
    invite_id: Ident
    call_id: Ident
    role: Literal["second_clerk", "interpreter", "supervisor"]
    service: Ident
    language: Language
    interpretation_language: InterpretationLanguage | None = None
    invited_by: ShortText
    """Display name of the answering clerk."""
    site: ShortText | None = None
    """The service point's name in the call's language."""
    members: Annotated[int, Field(ge=1, le=MAX_MEMBERS)]
    """Members in the call now."""
    note: ShortText | None = None
    expires_in_s: NonNegative


class MemberOfferRevoked(_ServerBase):
    """An invitation offered to this party is no longer valid."""

    type: Literal["member_offer_revoked"] = "member_offer_revoked"
    invite_id: Ident
    reason: Literal["timeout", "declined", "cancelled", "call_ended", "call_full", "agent_lost"]


class MemberInviteStatus(_ServerBase):
    """To the inviter: where an invitation stands (see :data:`InviteState`)."""

    type: Literal["member_invite_status"] = "member_invite_status"
    invite_id: Ident
    call_id: Ident
    state: InviteState
    role: Literal["second_clerk", "interpreter", "supervisor"]
    target: Literal["agent", "service", "interpreters"]
    name: ShortText | None = None
    """Who it rings (``ringing``) or who joined (``accepted``)."""
    member_id: Ident | None = None
    """Set with ``accepted``."""


class MemberPair(WireModel):
    """This recipient's peer connection with one other member."""

    offerer: bool
    """True if the recipient makes the SDP offer on this pair (the later joiner offers)."""
    ice_servers: list[IceServer]
    """ICE servers for this pair; TURN credentials minted for this pair alone."""
    send_audio: bool = True
    send_video: bool = True
    """What the recipient may send on this pair (a listening supervisor sends nothing; a
    whispering one sends audio to the answering clerk only). The server does not enforce it
    on media (which never passes through it); clients gate their tracks per pair."""


class CallMember(WireModel):
    """One member of a call as everyone in it sees them."""

    member_id: Ident
    role: MemberRole
    name: ShortText
    """Kiosks: the service point's name; staff: their display name."""
    joined_at: float
    supervisor_mode: SupervisorMode | None = None
    interpretation_language: InterpretationLanguage | None = None
    connected: bool = True
    """False while the member's signaling link is down (the member is still in the call)."""
    pair: MemberPair | None = None
    """Set for every member except the recipient themself and the kiosk ↔ answering clerk
    pair, which uses the two-member ``call_start`` negotiation."""


MemberEvent = Literal[
    "snapshot", "joined", "left", "removed", "dropped", "mode", "reconnecting", "reconnected"
]
"""What changed: ``snapshot`` (no change, e.g. after a reconnect or on joining), ``joined``,
``left`` (on purpose), ``removed`` (by the answering clerk), ``dropped`` (the link was lost
and did not come back in time), ``mode`` (a supervisor's mode), ``reconnecting`` /
``reconnected`` (signaling link of ``member_id``)."""


class CallMembers(_ServerBase):
    """Everyone in the call, sent to every member whenever it changes (and to a member who
    joins, as their start of the call). Each recipient gets its own copy (``you``, pairs)."""

    type: Literal["call_members"] = "call_members"
    call_id: Ident
    service: Ident
    language: Language
    you: Ident
    """The recipient's member id."""
    your_role: MemberRole
    members: list[CallMember] = Field(max_length=MAX_MEMBERS)
    """Current members, the recipient included, in joining order."""
    event: MemberEvent = "snapshot"
    member_id: Ident | None = None
    """Whom ``event`` is about."""
    ice_transport_policy: Literal["all", "relay"] = "all"


class MemberChatPosted(_ServerBase):
    """A chat line from a member, to every member (the sender too, as the server's stamp)."""

    type: Literal["member_chat"] = "member_chat"
    call_id: Ident
    member_id: Ident
    name: ShortText
    role: MemberRole
    text: ChatText
    at: float


class DirectoryAgent(WireModel):
    """A colleague who could be invited."""

    agent_id: Ident
    name: ShortText
    state: Literal["not_ready", "ready", "reserved", "in_call", "wrap_up"]
    skills: list[Ident] = Field(default_factory=list)
    interpretation_languages: list[InterpretationLanguage] = Field(default_factory=list)
    supervisor: bool = False


class DirectoryPool(WireModel):
    """An interpreters' pool: how many interpreters of a language are free now."""

    interpretation_language: InterpretationLanguage
    free: Annotated[int, Field(ge=0)]
    logged_in: Annotated[int, Field(ge=0)]
    waiting: Annotated[int, Field(ge=0)] = 0
    """Invitations waiting in the pool."""


class TeamCall(WireModel):
    """A call of a supervisor's team member that the supervisor may join."""

    call_id: Ident
    clerk: ShortText
    service: Ident
    language: Language
    members: Annotated[int, Field(ge=1, le=MAX_MEMBERS)]
    since: float


class MemberDirectory(_ServerBase):
    """Answer to :class:`MemberDirectoryGet`: logged-in colleagues (never oneself), the
    interpreters' pools, and, for a supervisor, the team's calls in progress."""

    type: Literal["member_directory"] = "member_directory"
    call_id: Ident | None = None
    agents: list[DirectoryAgent] = Field(default_factory=list)
    pools: list[DirectoryPool] = Field(default_factory=list)
    team_calls: list[TeamCall] = Field(default_factory=list)


MEMBER_CLIENT_TYPES = frozenset(
    {
        "member_invite",
        "member_invite_cancel",
        "supervisor_join",
        "member_offer_accept",
        "member_offer_decline",
        "member_remove",
        "member_leave",
        "member_chat",
        "supervisor_mode",
        "member_directory_get",
    }
)
"""Member message types an agent (clerk, interpreter, supervisor) may send."""

KIOSK_MEMBER_TYPES = frozenset({"member_chat"})
"""Member message types a kiosk may send."""
