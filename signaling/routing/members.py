"""Sans-I/O core of calls with three or four members: invitations, pools, membership.

:class:`MemberCore` takes :mod:`~signaling.routing.member_model` events with the current time
and returns actions; it reads agents' routing states through :class:`StaffLookup` (the
:class:`~signaling.routing.router.Router` is one) and never does I/O or reads a clock.

Rules:

* At most :data:`MAX_MEMBERS` members; pending invitations count against the room.
* An invitation by name rings that agent if they are logged in, connected and neither in a
  call nor holding an offer (ready or not ready both do: a colleague asked by name may be
  between tasks). To a service queue or an interpreters' pool it rings the longest idle
  *ready* agent who fits and has not declined it yet, one at a time, like a citizen's offer;
  when nobody fits it waits (``waiting``) and is matched again on every event and tick.
* An offer is reserved for ``offer_timeout_s`` (the ``member_offer_timeout_s`` setting). A
  decline or timeout of an invitation by name ends it; one to a queue or pool goes on to the
  next agent.
* Added members hold their routing (:class:`~signaling.routing.member_model.Busy`) while in
  the call, so they get no citizen offers; they do not go into wrap-up.
* An added member whose link drops has ``grace_s`` (``member_grace_s``) to come back, then is
  out (``dropped``); the call goes on. The kiosk and the answering clerk follow the router's
  rules: when the router ends the call, everyone is out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from signaling.routing.member_model import (
    AcceptInvite,
    Busy,
    CallClosed,
    CallOpened,
    CallRestored,
    CancelInvite,
    DeclineInvite,
    Invite,
    InviteChanged,
    InviteRecord,
    Leave,
    LinkChanged,
    Member,
    MemberAction,
    MemberEvent,
    MemberJoined,
    MemberLeft,
    MemberModeChanged,
    MemberOut,
    MembersChanged,
    Mode,
    OfferMember,
    Refused,
    Remove,
    RevokeMember,
    SetMode,
    StaffProfile,
    SupervisorJoin,
    Tick,
)
from signaling.routing.model import AgentState
from signaling.routing.views import AgentView

__all__ = ["MAX_MEMBERS", "CallMembership", "MemberCore", "StaffLookup", "pair_media"]

MAX_MEMBERS = 4
_FINAL = frozenset({"accepted", "declined", "timeout", "cancelled", "unavailable", "call_ended"})


class StaffLookup(Protocol):
    """The router's read-only view of agents."""

    def agent_view(self, agent_id: str) -> AgentView | None:
        """A logged-in agent, or None."""

    def agents(self) -> list[AgentView]:
        """Every logged-in agent."""


class CallMembership:
    """The members of one call and its pending invitations."""

    def __init__(self, call_id: str, service: str, language: str) -> None:
        self.call_id = call_id
        self.service = service
        self.language = language
        self.members: list[Member] = []
        self.invites: dict[str, InviteRecord] = {}
        self.next_index = 0

    def add(self, who: str, role: str, now: float, **extra: object) -> Member:
        """A new member with the next member id."""
        member = Member(f"m{self.next_index}", who, role, now, self.next_index, **extra)  # type: ignore[arg-type]
        self.next_index += 1
        self.members.append(member)
        return member

    @property
    def kiosk(self) -> Member:
        """The kiosk member (always the first)."""
        return self.members[0]

    @property
    def clerk(self) -> Member:
        """The answering clerk (always the second)."""
        return self.members[1]

    def member(self, member_id: str) -> Member | None:
        """A current member by member id."""
        return next((m for m in self.members if m.member_id == member_id), None)

    def member_of(self, who: str) -> Member | None:
        """A current member by kiosk or agent id."""
        return next((m for m in self.members if m.who == who), None)

    def room(self) -> int:
        """Places left, pending invitations counted as taken."""
        pending = sum(1 for i in self.invites.values() if i.state not in _FINAL)
        return MAX_MEMBERS - len(self.members) - pending


class MemberCore:
    """Decides invitations and membership of calls with more than two members."""

    def __init__(
        self,
        staff: StaffLookup,
        *,
        offer_timeout_s: float = 20.0,
        grace_s: float = 20.0,
        id_factory: Callable[[str], str],
    ) -> None:
        self._staff = staff
        self.offer_timeout_s = offer_timeout_s
        self.grace_s = grace_s
        self._ids = id_factory
        self.calls: dict[str, CallMembership] = {}
        self.profiles: dict[str, StaffProfile] = {}
        """Staff profiles by agent id, filled by the I/O layer as agents log in."""
        self._invites: dict[str, InviteRecord] = {}
        self._member_call: dict[str, str] = {}
        """Agent id → call id, for added members only."""

    # ------------------------------------------------------------------------- reading

    def call_of_member(self, who: str) -> CallMembership | None:
        """The call an added member (agent id) is in."""
        call_id = self._member_call.get(who)
        return self.calls.get(call_id) if call_id is not None else None

    def membership(self, call_id: str) -> CallMembership | None:
        """A call's membership, if the core follows it."""
        return self.calls.get(call_id)

    def invite(self, invite_id: str) -> InviteRecord | None:
        """An invitation, pending or final."""
        return self._invites.get(invite_id)

    def free(self, agent_id: str) -> bool:
        """Whether ``agent_id`` could be rung now for a queue or a pool."""
        return self._free(agent_id, True)

    def waiting_in_pool(self, language: str) -> int:
        """Invitations waiting or ringing in an interpreters' pool."""
        return sum(
            1 for i in self._invites.values()
            if i.target == "interpreters" and i.interpretation_language == language
            and i.state not in _FINAL
        )

    def next_deadline(self) -> float | None:
        """When the next offer times out or a dropped member's grace ends."""
        times = [i.expires_at for i in self._invites.values()
                 if i.state == "ringing" and i.expires_at is not None]
        times += [m.grace_until for c in self.calls.values() for m in c.members
                  if m.grace_until is not None]
        return min(times, default=None)

    # ------------------------------------------------------------------------- driving

    def handle(self, event: MemberEvent, now: float) -> list[MemberAction]:
        """Apply ``event`` at ``now``; expire what is due and match waiting invitations."""
        out: list[MemberAction] = []
        self._expire(now, out)
        match event:
            case CallOpened():
                call = CallMembership(event.call_id, event.service, event.language)
                for who, role in ((event.kiosk_id, "kiosk"), (event.clerk_id, "clerk")):
                    m = call.add(who, role, now)
                    out.append(MemberJoined(call.call_id, m.member_id, who, m.role, None, now))
                self.calls[event.call_id] = call
            case CallRestored():
                self._restore(event, now)
            case CallClosed():
                self._close(event, now, out)
            case Invite():
                self._invite(event, now, out)
            case CancelInvite():
                self._cancel(event, out)
            case AcceptInvite():
                self._accept(event, now, out)
            case DeclineInvite():
                self._decline(event, now, out)
            case SupervisorJoin():
                self._supervisor_join(event, now, out)
            case Remove():
                self._remove(event, now, out)
            case Leave():
                self._leave(event, now, out)
            case SetMode():
                self._set_mode(event, out)
            case LinkChanged():
                self._link(event, now, out)
            case Tick():
                pass
        self._match(now, out)
        return out

    # ---------------------------------------------------------------------- handlers

    def _clerk_call(self, agent_id: str, call_id: str, out: list[MemberAction]) -> (
            CallMembership | None):
        call = self.calls.get(call_id)
        if call is None or call.clerk.who != agent_id:
            out.append(Refused("not_allowed", "only the answering clerk may do that"))
            return None
        return call

    def _invite(self, event: Invite, now: float, out: list[MemberAction]) -> None:
        call = self._clerk_call(event.agent_id, event.call_id, out)
        if call is None:
            return
        needed = {"agent": event.invitee, "service": event.service,
                  "interpreters": event.interpretation_language}[event.target]
        if needed is None:
            out.append(Refused("bad_message", f"an invitation to {event.target} needs its target"))
            return
        if call.room() <= 0:
            out.append(Refused("call_full", "the call has four members"))
            return
        if event.target == "agent" and call.member_of(needed) is not None:
            out.append(Refused("bad_state", "already in the call"))
            return
        invite = InviteRecord(
            self._ids("invite"), call.call_id, event.agent_id, event.target,
            "interpreter" if event.target == "interpreters" else event.role,
            event.invitee, event.service, event.interpretation_language, event.note, now,
        )
        call.invites[invite.invite_id] = invite
        self._invites[invite.invite_id] = invite
        if event.target == "agent" and not self._free(event.invitee or "", ready_only=False):
            self._finish(invite, "unavailable", out)
            return
        if not self._ring_next(invite, now, out):
            self._status(invite, out)  # waiting: told now, rung when someone is free

    def _cancel(self, event: CancelInvite, out: list[MemberAction]) -> None:
        invite = self._invites.get(event.invite_id)
        if (invite is None or invite.call_id != event.call_id or invite.inviter != event.agent_id
                or invite.state in _FINAL):
            out.append(Refused("unknown_invite", "no such invitation pending"))
            return
        self._revoke_ringing(invite, "cancelled", out)
        self._finish(invite, "cancelled", out)

    def _accept(self, event: AcceptInvite, now: float, out: list[MemberAction]) -> None:
        invite = self._invites.get(event.invite_id)
        if invite is None or invite.state != "ringing" or invite.offered_to != event.agent_id:
            out.append(Refused("unknown_invite", "no such invitation for you"))
            return
        call = self.calls[invite.call_id]
        member = call.add(event.agent_id, invite.role, now,
                          interpretation_language=invite.interpretation_language,
                          mode="listen" if invite.role == "supervisor" else None)
        invite.state = "accepted"
        out.append(InviteChanged(invite.inviter, invite.invite_id, invite.call_id, "accepted",
                                 invite.role, invite.target, event.agent_id, member.member_id))
        self._joined(call, member, out)

    def _decline(self, event: DeclineInvite, now: float, out: list[MemberAction]) -> None:
        invite = self._invites.get(event.invite_id)
        if invite is None or invite.state != "ringing" or invite.offered_to != event.agent_id:
            out.append(Refused("unknown_invite", "no such invitation for you"))
            return
        self._move_on(invite, "declined", now, out)

    def _supervisor_join(self, event: SupervisorJoin, now: float, out: list[MemberAction]) -> None:
        call = self.calls.get(event.call_id)
        profile = self.profiles.get(event.agent_id)
        clerk = self.profiles.get(call.clerk.who) if call is not None else None
        if (call is None or profile is None or not profile.supervisor or profile.team is None
                or clerk is None or clerk.team != profile.team):
            out.append(Refused("not_allowed", "not a call of your team"))
            return
        if call.member_of(event.agent_id) is not None or not self._free(event.agent_id, False):
            out.append(Refused("bad_state", "you are in a call or have an offer"))
            return
        if call.room() <= 0:
            out.append(Refused("call_full", "the call has four members"))
            return
        self._joined(call, call.add(event.agent_id, "supervisor", now, mode=event.mode), out)

    def _remove(self, event: Remove, now: float, out: list[MemberAction]) -> None:
        call = self._clerk_call(event.agent_id, event.call_id, out)
        if call is None:
            return
        member = call.member(event.member_id)
        if member is None or member.role in ("kiosk", "clerk"):
            out.append(Refused("unknown_member", "no such added member"))
            return
        if member.role == "supervisor":
            # The supervisor oversees the clerk: the clerk may not send them away.
            out.append(Refused("not_allowed", "a supervisor leaves the call themselves"))
            return
        self._out(call, member, now, "removed", "agent", out)

    def _restore(self, event: CallRestored, now: float) -> None:
        call = CallMembership(event.call_id, event.service, event.language)
        for member_id, who, role, lang, joined_at, mode in event.members:
            index = int(member_id[1:]) if member_id[1:].isdigit() else call.next_index
            added = role not in ("kiosk", "clerk")
            call.members.append(Member(
                member_id, who, role, joined_at, index, interpretation_language=lang,
                mode=(mode or "listen") if role == "supervisor" else None, connected=not added,
                grace_until=now + self.grace_s if added else None))
            call.next_index = max(call.next_index, index + 1)
            if added:
                self._member_call[who] = call.call_id
        self.calls[event.call_id] = call

    def _leave(self, event: Leave, now: float, out: list[MemberAction]) -> None:
        left = self.call_of_member(event.agent_id)
        if left is None or left.call_id != event.call_id:
            out.append(Refused("not_allowed", "only added members leave; others end"))
            return
        self._out(left, left.member_of(event.agent_id), now, "left", "agent", out)

    def _set_mode(self, event: SetMode, out: list[MemberAction]) -> None:
        call = self.calls.get(event.call_id)
        member = call.member_of(event.agent_id) if call is not None else None
        if call is None or member is None or member.role != "supervisor":
            out.append(Refused("not_allowed", "only the supervisor in the call"))
            return
        if member.mode != event.mode:
            member.mode = event.mode
            out.append(MembersChanged(call.call_id, "mode", member.member_id))
            out.append(MemberModeChanged(call.call_id, member.member_id, event.mode))

    def _link(self, event: LinkChanged, now: float, out: list[MemberAction]) -> None:
        for call in self.calls.values():
            member = call.member_of(event.who)
            if member is None or len(call.members) <= 2 or member.connected == event.connected:
                if member is not None:
                    member.connected = event.connected
                continue
            member.connected = event.connected
            added = member.role not in ("kiosk", "clerk")
            member.grace_until = None if event.connected or not added else now + self.grace_s
            kind = "reconnected" if event.connected else "reconnecting"
            out.append(MembersChanged(call.call_id, kind, member.member_id))
        if not event.connected:
            for invite in self._invites.values():
                if invite.state == "ringing" and invite.offered_to == event.who:
                    self._move_on(invite, "agent_lost", now, out)

    def _close(self, event: CallClosed, now: float, out: list[MemberAction]) -> None:
        call = self.calls.pop(event.call_id, None)
        if call is None:
            return
        for invite in call.invites.values():
            if invite.state not in _FINAL:
                self._revoke_ringing(invite, "call_ended", out)
                self._finish(invite, "call_ended", out)
        for member in call.members:
            out.append(MemberLeft(call.call_id, member.member_id, now, event.reason))
            if member.role not in ("kiosk", "clerk"):
                self._member_call.pop(member.who, None)
                out.append(Busy(member.who, False))
                out.append(MemberOut(call.call_id, member.who, event.reason, event.by))
        for invite_id in call.invites:
            self._invites.pop(invite_id, None)

    # ----------------------------------------------------------------------- helpers

    def _joined(self, call: CallMembership, member: Member, out: list[MemberAction]) -> None:
        self._member_call[member.who] = call.call_id
        out.append(Busy(member.who, True))
        out.append(MemberJoined(call.call_id, member.member_id, member.who, member.role,
                                member.interpretation_language, member.joined_at, member.mode))
        out.append(MembersChanged(call.call_id, "joined", member.member_id))

    def _out(self, call: CallMembership, member: Member | None, now: float, reason: str,
             by: str, out: list[MemberAction]) -> None:
        if member is None:
            return
        call.members.remove(member)
        self._member_call.pop(member.who, None)
        out.append(Busy(member.who, False))
        out.append(MemberLeft(call.call_id, member.member_id, now, reason))
        out.append(MemberOut(call.call_id, member.who, reason, by))  # type: ignore[arg-type]
        out.append(MembersChanged(call.call_id, reason, member.member_id))

    def _free(self, agent_id: str, ready_only: bool) -> bool:
        view = self._staff.agent_view(agent_id)
        if view is None or not view.connected or view.offer_id is not None:
            return False
        if view.call_id is not None or agent_id in self._member_call:
            return False
        if any(i.state == "ringing" and i.offered_to == agent_id for i in self._invites.values()):
            return False
        allowed = (AgentState.READY,) if ready_only else (AgentState.READY, AgentState.NOT_READY)
        return view.state in allowed

    def _fits(self, invite: InviteRecord, view: AgentView, language: str) -> bool:
        if invite.target == "service":
            return view.agent_id != invite.inviter and invite.service in view.skills \
                and language in view.languages
        profile = self.profiles.get(view.agent_id)
        return profile is not None and invite.interpretation_language in \
            profile.interpretation_languages

    def _ring_next(self, invite: InviteRecord, now: float, out: list[MemberAction]) -> bool:
        """Ring the next agent for ``invite``; False if nobody fits now."""
        call = self.calls[invite.call_id]
        if invite.target == "agent":
            choice = invite.agent_id if invite.agent_id not in invite.tried else None
        else:
            candidates = [
                v for v in self._staff.agents()
                if v.agent_id not in invite.tried and call.member_of(v.agent_id) is None
                and self._fits(invite, v, call.language) and self._free(v.agent_id, True)
            ]
            candidates.sort(key=lambda v: (v.idle_since, v.agent_id))
            choice = candidates[0].agent_id if candidates else None
        if choice is None:
            return False
        invite.state, invite.offered_to = "ringing", choice
        invite.expires_at = now + self.offer_timeout_s
        out.append(OfferMember(choice, invite.invite_id, invite.expires_at))
        self._status(invite, out)
        return True

    def _move_on(self, invite: InviteRecord, reason: str, now: float,
                 out: list[MemberAction]) -> None:
        """The ringing agent declined, timed out or was lost: next one, or final."""
        agent = invite.offered_to
        if agent is not None:
            invite.tried.add(agent)
            out.append(RevokeMember(agent, invite.invite_id, reason))  # type: ignore[arg-type]
        invite.offered_to, invite.expires_at, invite.state = None, None, "waiting"
        if invite.target == "agent":
            self._finish(invite, "declined" if reason == "declined" else "timeout", out)
        elif not self._ring_next(invite, now, out):
            self._status(invite, out)

    def _revoke_ringing(self, invite: InviteRecord, reason: str, out: list[MemberAction]) -> None:
        if invite.state == "ringing" and invite.offered_to is not None:
            out.append(RevokeMember(invite.offered_to, invite.invite_id, reason))  # type: ignore[arg-type]
            invite.offered_to = None

    def _finish(self, invite: InviteRecord, state: str, out: list[MemberAction]) -> None:
        invite.state, invite.expires_at = state, None
        self._status(invite, out)

    def _status(self, invite: InviteRecord, out: list[MemberAction]) -> None:
        out.append(InviteChanged(invite.inviter, invite.invite_id, invite.call_id, invite.state,
                                 invite.role, invite.target, invite.offered_to))

    def _expire(self, now: float, out: list[MemberAction]) -> None:
        for invite in list(self._invites.values()):
            if invite.state == "ringing" and invite.expires_at is not None \
                    and invite.expires_at <= now:
                self._move_on(invite, "timeout", now, out)
        for call in list(self.calls.values()):
            for member in list(call.members):
                if member.grace_until is not None and member.grace_until <= now:
                    member.grace_until = None
                    self._out(call, member, now, "dropped", "system", out)

    def _match(self, now: float, out: list[MemberAction]) -> None:
        for invite in list(self._invites.values()):
            if invite.state == "waiting" and invite.target != "agent":
                self._ring_next(invite, now, out)


def pair_media(sender_role: str, sender_mode: Mode | None, receiver_role: str) -> tuple[bool, bool]:
    """What a member may send to another: (audio, video)."""
    if sender_role != "supervisor" or sender_mode == "barge":
        return True, True
    if sender_mode == "whisper":
        return receiver_role == "clerk", False
    return False, False
