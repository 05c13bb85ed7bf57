"""Vocabulary of calls with more than two members: members, invitations, events and actions.

The decisions are in :mod:`signaling.routing.members`; this module only names things. A call's
first two members (the kiosk and the answering clerk) come from the router's ``CallStarted``;
everything after that is the member core's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "AcceptInvite",
    "Busy",
    "CallClosed",
    "CallOpened",
    "CallRestored",
    "CancelInvite",
    "DeclineInvite",
    "Invite",
    "InviteChanged",
    "InviteRecord",
    "Leave",
    "LinkChanged",
    "Member",
    "MemberAction",
    "MemberEvent",
    "MemberJoined",
    "MemberLeft",
    "MemberModeChanged",
    "MemberOut",
    "MembersChanged",
    "OfferMember",
    "Refused",
    "Remove",
    "RevokeMember",
    "SetMode",
    "StaffProfile",
    "SupervisorJoin",
    "Tick",
]

Role = Literal["kiosk", "clerk", "second_clerk", "interpreter", "supervisor"]
InviteRole = Literal["second_clerk", "interpreter", "supervisor"]
Target = Literal["agent", "service", "interpreters"]
Mode = Literal["listen", "whisper", "barge"]


@dataclass(frozen=True, slots=True)
class StaffProfile:
    """What the member core needs to know of a staff account beyond the router's view."""

    name: str
    team: str | None = None
    supervisor: bool = False
    interpretation_languages: frozenset[str] = frozenset()


@dataclass(slots=True)
class Member:
    """One member of a call (``who`` is the kiosk or agent id)."""

    member_id: str
    who: str
    role: Role
    joined_at: float
    index: int
    mode: Mode | None = None
    interpretation_language: str | None = None
    connected: bool = True
    grace_until: float | None = None
    left_at: float | None = None


@dataclass(slots=True)
class InviteRecord:
    """An invitation in progress."""

    invite_id: str
    call_id: str
    inviter: str
    target: Target
    role: InviteRole
    agent_id: str | None
    service: str | None
    interpretation_language: str | None
    note: str | None
    created_at: float
    state: str = "waiting"
    offered_to: str | None = None
    expires_at: float | None = None
    tried: set[str] = field(default_factory=set)


# ------------------------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class CallOpened:
    """The router started a call: its kiosk and answering clerk are its first members."""

    call_id: str
    kiosk_id: str
    clerk_id: str
    service: str
    language: str


@dataclass(frozen=True, slots=True)
class CallRestored:
    """After a restart: a call the router adopted, with the members the record lists as still
    in it (``(member_id, who, role, interpretation_language, joined_at, mode)``, in joining
    order; a supervisor's ``mode`` as last recorded: None, from a record older than the
    column, restores as ``listen``). Added members count as away until their link comes back
    (within the grace)."""

    call_id: str
    service: str
    language: str
    members: tuple[tuple[str, str, Role, str | None, float, Mode | None], ...]


@dataclass(frozen=True, slots=True)
class CallClosed:
    """The router ended the call (kiosk or answering clerk ended it, or it was lost)."""

    call_id: str
    reason: str
    by: Literal["kiosk", "agent", "system"]


@dataclass(frozen=True, slots=True)
class Invite:
    """The answering clerk invites someone."""

    agent_id: str
    call_id: str
    target: Target
    role: InviteRole
    invitee: str | None = None
    service: str | None = None
    interpretation_language: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class CancelInvite:
    """The inviter withdraws an invitation."""

    agent_id: str
    call_id: str
    invite_id: str


@dataclass(frozen=True, slots=True)
class AcceptInvite:
    """The offered agent accepts."""

    agent_id: str
    invite_id: str


@dataclass(frozen=True, slots=True)
class DeclineInvite:
    """The offered agent declines."""

    agent_id: str
    invite_id: str


@dataclass(frozen=True, slots=True)
class SupervisorJoin:
    """A supervisor joins a team member's call."""

    agent_id: str
    call_id: str
    mode: Mode


@dataclass(frozen=True, slots=True)
class Remove:
    """The answering clerk removes a member."""

    agent_id: str
    call_id: str
    member_id: str


@dataclass(frozen=True, slots=True)
class Leave:
    """An added member leaves."""

    agent_id: str
    call_id: str


@dataclass(frozen=True, slots=True)
class SetMode:
    """The supervisor changes mode."""

    agent_id: str
    call_id: str
    mode: Mode


@dataclass(frozen=True, slots=True)
class LinkChanged:
    """A member's signaling link dropped or came back (kiosk or agent id)."""

    who: str
    connected: bool


@dataclass(frozen=True, slots=True)
class Tick:
    """Time passed: offers time out, dropped members' grace ends, pools are matched."""


MemberEvent = (
    CallOpened | CallRestored | CallClosed | Invite | CancelInvite | AcceptInvite | DeclineInvite
    | SupervisorJoin | Remove | Leave | SetMode | LinkChanged | Tick
)


# ------------------------------------------------------------------------------- actions


@dataclass(frozen=True, slots=True)
class Refused:
    """The event's sender is told no (error ``code``)."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class OfferMember:
    """Offer ``invite_id`` to ``agent_id`` until ``expires_at``."""

    agent_id: str
    invite_id: str
    expires_at: float


@dataclass(frozen=True, slots=True)
class RevokeMember:
    """The offer of ``invite_id`` to ``agent_id`` is gone."""

    agent_id: str
    invite_id: str
    reason: Literal["timeout", "declined", "cancelled", "call_ended", "call_full", "agent_lost"]


@dataclass(frozen=True, slots=True)
class InviteChanged:
    """Tell the inviter where ``invite_id`` stands."""

    inviter: str
    invite_id: str
    call_id: str
    state: str
    role: InviteRole
    target: Target
    name_of: str | None = None
    """Agent id of whom it rings or who joined."""
    member_id: str | None = None


@dataclass(frozen=True, slots=True)
class MembersChanged:
    """The membership of ``call_id`` changed: tell every member."""

    call_id: str
    event: str
    member_id: str | None


@dataclass(frozen=True, slots=True)
class MemberOut:
    """``who`` is no longer a member (left, removed, dropped, or the call ended)."""

    call_id: str
    who: str
    reason: str
    by: Literal["kiosk", "agent", "system"]


@dataclass(frozen=True, slots=True)
class Busy:
    """An added member's routing must be held (``busy``) or given back."""

    agent_id: str
    busy: bool


@dataclass(frozen=True, slots=True)
class MemberJoined:
    """For the record: a member joined."""

    call_id: str
    member_id: str
    who: str
    role: Role
    interpretation_language: str | None
    at: float
    mode: Mode | None = None
    """A supervisor's mode as they joined."""


@dataclass(frozen=True, slots=True)
class MemberModeChanged:
    """For the record: a supervisor changed mode (restored with the call after a restart)."""

    call_id: str
    member_id: str
    mode: Mode


@dataclass(frozen=True, slots=True)
class MemberLeft:
    """For the record: a member left (``reason``)."""

    call_id: str
    member_id: str
    at: float
    reason: str


MemberAction = (
    Refused | OfferMember | RevokeMember | InviteChanged | MembersChanged | MemberOut | Busy
    | MemberJoined | MemberLeft | MemberModeChanged
)
