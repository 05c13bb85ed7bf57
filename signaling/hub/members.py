"""The hub's side of calls with three or four members: messages in, the member core's actions out.

Decisions are the sans-I/O :class:`~signaling.routing.members.MemberCore`'s; this module turns
client messages and connection changes into its events, follows the router's calls (a call the
router starts gets its first two members; one it ends takes everybody out), relays SDP and ICE
between members by ``peer``, and carries the core's actions out: messages, records, and holding
an added member's routing (a ready clerk is set not ready with reason ``member_call`` while in
the call and ready again after).

Chat lines pass through and are never stored or logged, like SDP bodies.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from jsonlog import fields
from signaling.errors import StoreError
from signaling.hub.connections import Connection, Connections
from signaling.hub.member_render import MemberLook, call_members, directory, is_original_pair
from signaling.identity import Principal
from signaling.routing import actions as A
from signaling.routing import events as E
from signaling.routing import member_model as MM
from signaling.routing.members import MemberCore
from signaling.routing.model import AgentState
from signaling.routing.router import Router
from signaling.store import Store
from wire import client_messages as C
from wire import member_messages as M
from wire import server_messages as S
from wire.errors import ErrorCode

__all__ = ["HELD_REASON", "MemberHub", "MemberMessage"]

log = logging.getLogger("etapiste.members")

HELD_REASON = "member_call"
"""The not-ready reason of a clerk held while an added member of a call."""

MemberMessage = (
    M.MemberInvite | M.MemberInviteCancel | M.SupervisorJoin | M.MemberOfferAccept
    | M.MemberOfferDecline | M.MemberRemove | M.MemberLeave | M.MemberChat
    | M.SupervisorModeSet | M.MemberDirectoryGet
)

RunRouter = Callable[[E.Event, float], object]


class MemberHub:
    """Feeds the member core and delivers what it decides."""

    def __init__(
        self, core: MemberCore, router: Router, connections: Connections, store: Store,
        look: MemberLook, run_router: RunRouter,
    ) -> None:
        self.core = core
        self._router = router
        self._connections = connections
        self._store = store
        self._look = look
        self._run_router = run_router
        self._held: set[str] = set()
        self._offers: dict[str, M.MemberOffer] = {}

    # --------------------------------------------------------------------- following

    def login(self, p: Principal) -> None:
        """Load an agent's team and interpretation languages for the core."""
        try:
            profile = self._store.staff_profile(p.id)
        except StoreError:
            log.exception("staff profile unreadable", extra=fields(who=p.label))
            return
        self.core.profiles[p.id] = MM.StaffProfile(
            p.name, profile.team, profile.supervisor, profile.interpretation_languages
        )

    def follow(self, actions: list[A.Action], now: float) -> None:
        """Follow the router's calls: started ones get members, ended ones lose them."""
        for action in actions:
            if isinstance(action, A.CallStarted):
                self.run(MM.CallOpened(action.call_id, action.kiosk_id, action.agent_id,
                                       action.service_id, action.language), now)
            elif isinstance(action, A.CallEnded):
                by = action.by if action.by in ("kiosk", "agent") else "system"
                self.run(MM.CallClosed(action.call_id, action.reason, by), now)

    def restore(self, call_id: str, kiosk_id: str, clerk_id: str, service: str, language: str,
                now: float) -> None:
        """After a restart: the call's members as its record lists them (a supervisor comes
        back in the mode last recorded; a held clerk is given back when it leaves)."""
        try:
            rows = [r for r in self._store.call_members(call_id) if r.left_at is None]
        except StoreError:
            log.exception("call members unreadable", extra=fields(call=call_id))
            rows = []
        if not rows:
            self.run(MM.CallOpened(call_id, kiosk_id, clerk_id, service, language), now)
            return
        members = tuple((r.member_id, r.member_ref, r.role, r.interpretation_language,
                         r.joined_at, r.mode) for r in rows)
        self.run(MM.CallRestored(call_id, service, language, members), now)  # type: ignore[arg-type]
        for r in rows:
            view = self._router.agent_view(r.member_ref)
            if view is not None and view.reason == HELD_REASON:
                self._held.add(r.member_ref)

    def link(self, who: str, connected: bool, now: float) -> None:
        """A kiosk's or agent's signaling link dropped or came back."""
        self.run(MM.LinkChanged(who, connected), now)
        if connected:
            self._resend(who, now)

    def tick(self, now: float) -> None:
        """Let offers time out, graces end and pools match."""
        self.run(MM.Tick(), now)

    def next_deadline(self) -> float | None:
        """When :meth:`tick` is next due."""
        return self.core.next_deadline()

    # ---------------------------------------------------------------------- messages

    def handle(self, conn: Connection, msg: MemberMessage, now: float) -> None:
        """Carry out one member message from ``conn``."""
        who = conn.principal.id
        match msg:
            case M.MemberInvite():
                event: MM.MemberEvent = MM.Invite(
                    who, msg.call_id, msg.target,
                    "interpreter" if msg.target == "interpreters" else msg.role,
                    msg.agent_id, msg.service, msg.interpretation_language, msg.note,
                )
                if msg.target == "service" and msg.service not in self._router.services:
                    self._error(conn, ErrorCode.UNKNOWN_SERVICE, "no such service", msg.ref)
                    return
            case M.MemberInviteCancel():
                event = MM.CancelInvite(who, msg.call_id, msg.invite_id)
            case M.SupervisorJoin():
                event = MM.SupervisorJoin(who, msg.call_id, msg.mode)
            case M.MemberOfferAccept():
                event = MM.AcceptInvite(who, msg.invite_id)
            case M.MemberOfferDecline():
                event = MM.DeclineInvite(who, msg.invite_id)
            case M.MemberRemove():
                event = MM.Remove(who, msg.call_id, msg.member_id)
            case M.MemberLeave():
                event = MM.Leave(who, msg.call_id)
            case M.SupervisorModeSet():
                event = MM.SetMode(who, msg.call_id, msg.mode)
            case M.MemberChat():
                self._chat(conn, msg, now)
                return
            case M.MemberDirectoryGet():
                conn.send(self._directory(who, msg.call_id, msg.ref))
                return
        self.run(event, now, conn, msg.ref)

    def added_call_end(self, conn: Connection, msg: C.CallEnd, now: float) -> bool:
        """``call_end`` from an added member means leaving; True if it was one."""
        call = self.core.call_of_member(conn.principal.id)
        if call is None or call.call_id != msg.call_id:
            return False
        self.run(MM.Leave(conn.principal.id, msg.call_id), now, conn, msg.ref)
        return True

    def relay(
        self, conn: Connection, msg: C.SdpMessage | C.IceMessage | C.MediaRestart
        | C.CallStatsReport,
    ) -> bool:
        """Relay negotiation between a pair named by ``peer``; True if handled here (False:
        the two-member relay takes it)."""
        call = self.core.membership(msg.call_id)
        me = call.member_of(conn.principal.id) if call is not None else None
        peer = getattr(msg, "peer", None)
        if call is None or me is None:
            return False
        if peer is None:
            if me.role in ("kiosk", "clerk"):
                return False
            if not isinstance(msg, C.CallStatsReport):  # an added member's stats: not kept
                self._error(conn, ErrorCode.UNKNOWN_MEMBER, "name the peer member", msg.ref)
            return True
        target = call.member(peer)
        if target is None or target is me:
            self._error(conn, ErrorCode.UNKNOWN_MEMBER, "no such member in the call", msg.ref)
            return True
        other = self._connections.member(target.who)
        if other is not None and not isinstance(msg, C.CallStatsReport):
            from_peer = None if is_original_pair(me, target) else me.member_id
            other.send(msg.model_copy(update={"ref": None, "peer": from_peer}))
        return True

    # ---------------------------------------------------------------------- carrying

    def run(self, event: MM.MemberEvent, now: float, origin: Connection | None = None,
            ref: str | None = None) -> None:
        """Hand ``event`` to the core and carry out its actions."""
        for action in self.core.handle(event, now):
            try:
                self._carry(action, now, origin, ref)
            except Exception:
                log.exception("member action failed", extra=fields(action=type(action).__name__))

    def _carry(self, action: MM.MemberAction, now: float, origin: Connection | None,
               ref: str | None) -> None:
        match action:
            case MM.Refused():
                if origin is not None:
                    self._error(origin, ErrorCode(action.code), action.message, ref)
            case MM.OfferMember():
                self._offer(action, now)
            case MM.RevokeMember():
                self._offers.pop(action.invite_id, None)
                self._send(action.agent_id, M.MemberOfferRevoked(
                    invite_id=action.invite_id, reason=action.reason))
            case MM.InviteChanged():
                status = M.MemberInviteStatus(
                    invite_id=action.invite_id, call_id=action.call_id,
                    state=action.state,  # type: ignore[arg-type]
                    role=action.role, target=action.target,
                    name=self._look.agent_name(action.name_of) if action.name_of else None,
                    member_id=action.member_id,
                )
                if origin is not None and origin.principal.id == action.inviter and ref:
                    status = status.model_copy(update={"ref": ref})
                self._send(action.inviter, status)
            case MM.MembersChanged():
                self._members_changed(action, now)
            case MM.MemberOut():
                self._send(action.who, S.CallEnded(call_id=action.call_id, reason=action.reason,
                                                   by=action.by))
            case MM.Busy():
                self._hold(action, now)
            case MM.MemberJoined():
                self._record(lambda: self._store.member_joined(
                    action.call_id, action.member_id, action.who, action.role,
                    action.interpretation_language, action.at, mode=action.mode))
            case MM.MemberModeChanged():
                self._record(lambda: self._store.set_member_mode(
                    action.call_id, action.member_id, action.mode))
            case MM.MemberLeft():
                self._record(lambda: self._store.member_left(
                    action.call_id, action.member_id, action.at, action.reason))

    def _offer(self, action: MM.OfferMember, now: float) -> None:
        invite = self.core.invite(action.invite_id)
        call = self.core.membership(invite.call_id) if invite is not None else None
        if invite is None or call is None:
            return
        offer = M.MemberOffer(
            invite_id=invite.invite_id, call_id=call.call_id, role=invite.role,
            service=call.service, language=call.language,  # type: ignore[arg-type]
            interpretation_language=invite.interpretation_language,  # type: ignore[arg-type]
            invited_by=self._look.agent_name(call.clerk.who),
            site=self._look.site_name(call.kiosk.who, call.language),
            members=len(call.members), note=invite.note,
            expires_in_s=max(0.0, action.expires_at - now),
        )
        self._offers[invite.invite_id] = offer
        self._send(action.agent_id, offer)

    def _members_changed(self, action: MM.MembersChanged, now: float) -> None:
        call = self.core.membership(action.call_id)
        if call is None:
            return
        for member in call.members:
            conn = self._connections.member(member.who)
            if conn is not None:
                conn.send(call_members(call, member, action.event, action.member_id, now,
                                       self._look))

    def _resend(self, who: str, now: float) -> None:
        """A member that came back gets the membership again (and a pending offer)."""
        conn = self._connections.member(who)
        if conn is None:
            return
        for call in self.core.calls.values():
            me = call.member_of(who)
            if me is not None and len(call.members) > 2:
                conn.send(call_members(call, me, "snapshot", None, now, self._look))

    def _hold(self, action: MM.Busy, now: float) -> None:
        view = self._router.agent_view(action.agent_id)
        if view is None:
            self._held.discard(action.agent_id)
            return
        if action.busy and view.state is AgentState.READY:
            self._held.add(action.agent_id)
            self._run_router(E.AgentNotReady(action.agent_id, HELD_REASON), now)
        elif not action.busy and action.agent_id in self._held:
            self._held.discard(action.agent_id)
            if view.state is AgentState.NOT_READY and view.reason == HELD_REASON:
                self._run_router(E.AgentReady(action.agent_id), now)

    def _chat(self, conn: Connection, msg: M.MemberChat, now: float) -> None:
        call = self.core.membership(msg.call_id)
        me = call.member_of(conn.principal.id) if call is not None else None
        if call is None or me is None:
            self._error(conn, ErrorCode.UNKNOWN_CALL, "no such call of yours", msg.ref)
            return
        posted = M.MemberChatPosted(call_id=call.call_id, member_id=me.member_id,
                                    name=self._look.name_of(me, call.language), role=me.role,
                                    text=msg.text, at=now)
        for member in call.members:
            other = self._connections.member(member.who)
            if other is not None:
                other.send(posted.model_copy(update={"ref": msg.ref}) if other is conn
                           else posted)

    def _directory(self, who: str, call_id: str | None, ref: str | None) -> M.MemberDirectory:
        profile = self.core.profiles.get(who)
        team_calls = []
        if profile is not None and profile.supervisor and profile.team is not None:
            for call in self.core.calls.values():
                clerk = self.core.profiles.get(call.clerk.who)
                if clerk is not None and clerk.team == profile.team:
                    team_calls.append(M.TeamCall(
                        call_id=call.call_id, clerk=self._look.agent_name(call.clerk.who),
                        service=call.service, language=call.language,  # type: ignore[arg-type]
                        members=len(call.members), since=call.clerk.joined_at))
        agents = [v for v in self._router.agents() if v.connected]
        found = directory(who, call_id, agents, self.core.profiles,
                          lambda a: self.core.free(a), self.core.waiting_in_pool, team_calls,
                          self._look)
        return found.model_copy(update={"ref": ref})

    def _send(self, who: str, message: S.ServerMessage) -> None:
        conn = self._connections.member(who)
        if conn is not None:
            conn.send(message)

    @staticmethod
    def _error(conn: Connection, code: ErrorCode, message: str, ref: str | None) -> None:
        conn.send(S.Error(ref=ref, code=code, message=message))

    @staticmethod
    def _record(write: Callable[[], None]) -> None:
        try:
            write()
        except StoreError:
            # A lost record never loses the members' messages.
            log.exception("member record failed")
