"""The console's part in calls of three or four: being invited (an offer with its context),
joining as an added member, the membership of the call in progress, a supervisor's team.

Mixed into :class:`~agent_console.presenter.ConsolePresenter`, whose state it changes.
No Qt, no I/O.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from agent_console.alert import AlertFrame, OfferAlert
from agent_console.call_presenter import CallPresenter
from agent_console.clock import Clock
from agent_console.console_state import Phase, Status
from agent_console.ports import Backend
from wire import member_messages as M
from wire import server_messages as S

log = logging.getLogger("etapiste.console.members")


@dataclass
class MemberOfferView:
    """An invitation on screen and when it runs out (monotonic)."""

    offer: M.MemberOffer
    deadline: float
    responded: bool = False


class MemberFlow:
    """Member messages and commands; the presenter provides the state and the plumbing."""

    backend: Backend
    clock: Clock
    call: CallPresenter | None
    alert: OfferAlert
    alert_frame: AlertFrame
    phase: Phase
    status: Status
    photo_folder: Path | None
    member_offer: MemberOfferView | None
    team: M.MemberDirectory | None

    def _notify(self, topic: str) -> None:
        raise NotImplementedError

    def _set_phase(self, phase: Phase) -> None:
        raise NotImplementedError

    def _set_notice(self, key: str | None) -> None:
        raise NotImplementedError

    def tick(self) -> None:
        """Advance countdowns (the presenter's)."""
        raise NotImplementedError

    # ----------------------------------------------------------------------------- reads

    def member_offer_remaining_s(self) -> float:
        """Seconds left to answer an invitation (0 without one)."""
        if self.member_offer is None:
            return 0.0
        return max(0.0, self.member_offer.deadline - self.clock.monotonic())

    # -------------------------------------------------------------------------- commands

    def accept_member_offer(self) -> None:
        """Join the call we are invited to."""
        view = self.member_offer
        if view is not None and not view.responded:
            view.responded = True
            self.alert.stop()
            self.backend.send_message(M.MemberOfferAccept(invite_id=view.offer.invite_id))
            self._notify("member_offer")

    def decline_member_offer(self) -> None:
        """Say no; a pool or queue invitation goes on to the next colleague."""
        view = self.member_offer
        if view is not None and not view.responded:
            view.responded = True
            self.alert.stop()
            self.backend.send_message(M.MemberOfferDecline(invite_id=view.offer.invite_id))
            self._drop_member_offer()

    def request_team_calls(self) -> None:
        """A supervisor asks for the calls of their team."""
        self.backend.send_message(M.MemberDirectoryGet())

    def join_team_call(self, call_id: str, mode: M.SupervisorMode = "listen") -> None:
        """A supervisor joins a call of their team (the kiosk shows a banner at once)."""
        if self.call is None:
            self.backend.send_message(M.SupervisorJoin(call_id=call_id, mode=mode))

    def leave_call(self) -> None:
        """An added member leaves; the call goes on for the others."""
        if self.call is not None and not self.call.members.answering:
            self.call.ending = True
            self.call.members.leave()
            self._notify("call")

    # ---------------------------------------------------------------------------- events

    def on_pairs_changed(self) -> None:
        """The mesh opened or closed a pair: the pictures move to their new slots."""
        self._notify("members")

    def _on_member_message(self, message: S.ServerMessage) -> None:
        match message:
            case M.MemberOffer():
                now = self.clock.monotonic()
                self.member_offer = MemberOfferView(message, now + message.expires_in_s)
                self.alert.start(now, self.member_offer.deadline)
                self._notify("member_offer")
                self.tick()
            case M.MemberOfferRevoked():
                view = self.member_offer
                if view is not None and view.offer.invite_id == message.invite_id:
                    if message.reason in ("cancelled", "call_ended", "call_full"):
                        self._set_notice("member_offer.withdrawn")
                    self._drop_member_offer()
            case M.CallMembers():
                self._on_call_members(message)
            case M.MemberInviteStatus() if self._this_call(message.call_id):
                assert self.call is not None
                self.call.members.on_invite_status(message)
            case M.MemberChatPosted() if self._this_call(message.call_id):
                assert self.call is not None
                self.call.on_member_chat(message)
            case M.MemberDirectory():
                self.team = message
                if self.call is not None and message.call_id == self.call.call_id:
                    self.call.members.on_directory(message)
                self._notify("directory")
            case _:
                pass

    def _this_call(self, call_id: str) -> bool:
        return self.call is not None and self.call.call_id == call_id

    def _on_call_members(self, message: M.CallMembers) -> None:
        if self._this_call(message.call_id):
            assert self.call is not None
            self.call.members.on_members(message)
            self._notify("call")
            return
        if self.call is not None or message.your_role == "clerk":
            log.warning("membership of a call we are not in; ignored")
            return
        # We joined as an added member: the list is our start of the call.
        self._drop_member_offer()
        self.call = CallPresenter(
            message, self.backend, self.clock, self._notify, photo_folder=self.photo_folder
        )
        self._notify("call")
        self._set_phase(Phase.IN_CALL)

    def _drop_member_offer(self) -> None:
        if self.member_offer is not None:
            self.member_offer = None
            self.alert.stop()
            self.alert_frame = self.alert.tick(self.clock.monotonic())
            self._notify("member_offer")
            self._notify("alert")

    def _ended_as_added_member(self, message: S.CallEnded) -> bool:
        """An added member's part is over (left, removed, or the call ended): no wrap-up,
        back to the state they had before."""
        call = self.call
        if call is None or call.call_id != message.call_id or call.members.answering:
            return False
        self.call = None
        if message.reason == "removed":
            self._set_notice("call.removed")
        self._notify("call")
        if self.phase is Phase.IN_CALL:
            self._set_phase(Phase.READY if self.status.state == "ready" else Phase.NOT_READY)
        return True

