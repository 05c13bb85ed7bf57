"""The members of a call of three or four as the console sees them: who is in, what this
console's user may do (invite, remove, the supervisor's modes), invitations under way, whom
the user has silenced on their own speaker.  No Qt; fed by the server's member messages.

The answering clerk invites (a colleague by name, a service's queue, an interpreters' pool,
a supervisor) and removes; an added member may leave; a supervisor switches between
listening, whispering to the clerk and speaking to all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from agent_console.ports import Backend
from wire import member_messages as M

FINAL_INVITE_STATES: Final = frozenset(
    {"accepted", "declined", "timeout", "cancelled", "unavailable", "call_ended"}
)
ADDED_ROLES: Final = frozenset({"second_clerk", "interpreter", "supervisor"})


class CallMembers:
    """Membership of the call in progress (empty in a call of two)."""

    def __init__(self, call_id: str, backend: Backend, notify: Callable[[str], None]) -> None:
        self.call_id = call_id
        self.you: str | None = None
        self.your_role: M.MemberRole = "clerk"
        self.members: list[M.CallMember] = []
        self.last_event: M.MemberEvent = "snapshot"
        self.invites: dict[str, M.MemberInviteStatus] = {}
        """Invitations by id; final ones stay until the next change, so the clerk sees why."""
        self.directory: M.MemberDirectory | None = None
        self.muted: set[str] = set()
        """Members this user silenced on their own speaker (nobody else is affected)."""
        self._backend = backend
        self._notify = notify

    # ---------------------------------------------------------------------------- reads

    @property
    def several(self) -> bool:
        """Whether this is a call of three or four."""
        return len(self.members) > 2

    @property
    def others(self) -> list[M.CallMember]:
        """Everyone but this console's user, in joining order."""
        return [m for m in self.members if m.member_id != self.you]

    @property
    def answering(self) -> bool:
        """Whether this user answered the call (invites and removes)."""
        return self.your_role == "clerk"

    @property
    def supervisor(self) -> M.CallMember | None:
        """The supervisor in the call, if any."""
        return next((m for m in self.members if m.role == "supervisor"), None)

    @property
    def your_mode(self) -> M.SupervisorMode | None:
        """This user's mode when they are the supervisor."""
        me = next((m for m in self.members if m.member_id == self.you), None)
        return me.supervisor_mode if me is not None else None

    def can_invite(self) -> bool:
        """Room for one more, counting invitations still open."""
        pending = sum(1 for s in self.invites.values() if s.state not in FINAL_INVITE_STATES)
        return self.answering and max(2, len(self.members)) + pending < M.MAX_MEMBERS

    def can_remove(self, member: M.CallMember) -> bool:
        """The answering clerk removes added members (never the kiosk, themself, or the
        supervisor who oversees them: the server refuses that too)."""
        return self.answering and member.role in ADDED_ROLES and member.role != "supervisor"

    def name_of(self, member_id: str) -> str:
        """A member's name ("" if unknown)."""
        return next((m.name for m in self.members if m.member_id == member_id), "")

    # ------------------------------------------------------------------------- commands

    def request_directory(self) -> None:
        """Ask whom this call could be joined by (colleagues, pools)."""
        self._backend.send_message(M.MemberDirectoryGet(call_id=self.call_id))

    def invite_agent(self, agent_id: str, role: str = "second_clerk", note: str = "") -> None:
        """Invite one colleague by account (a second clerk, an interpreter or a supervisor)."""
        self._invite(M.MemberInvite(call_id=self.call_id, target="agent", agent_id=agent_id,
                                    role=role, note=note or None))  # type: ignore[arg-type]

    def invite_service(self, service: str, note: str = "") -> None:
        """Invite the next free clerk of ``service`` who speaks the call's language."""
        self._invite(M.MemberInvite(call_id=self.call_id, target="service", service=service,
                                    note=note or None))

    def invite_interpreter(self, language: M.InterpretationLanguage, note: str = "") -> None:
        """Invite the next free interpreter of ``language`` from the pool."""
        self._invite(M.MemberInvite(call_id=self.call_id, target="interpreters",
                                    role="interpreter", interpretation_language=language,
                                    note=note or None))

    def _invite(self, message: M.MemberInvite) -> None:
        if self.can_invite():
            self._backend.send_message(message)

    def cancel_invite(self, invite_id: str) -> None:
        """Withdraw an invitation still waiting or ringing."""
        status = self.invites.get(invite_id)
        if status is not None and status.state not in FINAL_INVITE_STATES:
            self._backend.send_message(
                M.MemberInviteCancel(call_id=self.call_id, invite_id=invite_id)
            )

    def remove(self, member_id: str) -> None:
        """Remove an added member (answering clerk only)."""
        member = next((m for m in self.members if m.member_id == member_id), None)
        if member is not None and self.can_remove(member):
            self._backend.send_message(M.MemberRemove(call_id=self.call_id, member_id=member_id))

    def leave(self) -> None:
        """An added member leaves; the call goes on for the others."""
        if not self.answering:
            self._backend.send_message(M.MemberLeave(call_id=self.call_id))

    def set_mode(self, mode: M.SupervisorMode) -> None:
        """The supervisor listens, whispers to the clerk, or speaks to all."""
        if self.your_role == "supervisor" and mode != self.your_mode:
            self._backend.send_message(M.SupervisorModeSet(call_id=self.call_id, mode=mode))

    def toggle_mute(self, member_id: str) -> None:
        """Silence (or hear again) one member on this console's speaker only."""
        self.muted ^= {member_id}
        self._backend.set_member_muted(member_id, member_id in self.muted)
        self._notify("members")

    # --------------------------------------------------------------------------- events

    def on_members(self, message: M.CallMembers) -> None:
        """The server's list after any change."""
        self.you, self.your_role = message.you, message.your_role
        self.members = list(message.members)
        self.last_event = message.event
        present = {m.member_id for m in self.members}
        self.muted &= present
        self._notify("members")

    def on_invite_status(self, message: M.MemberInviteStatus) -> None:
        """Where an invitation of ours stands."""
        self.invites[message.invite_id] = message
        self._notify("members")

    def on_directory(self, message: M.MemberDirectory) -> None:
        """Whom we could invite."""
        self.directory = message
        self._notify("directory")

    def open_invites(self) -> list[M.MemberInviteStatus]:
        """Invitations still waiting or ringing, then the final ones (the latest outcome)."""
        items = list(self.invites.values())
        return sorted(items, key=lambda s: s.state in FINAL_INVITE_STATES)
