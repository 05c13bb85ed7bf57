"""Calls of three or four in the console, without a screen: the server's member messages
(parsed from JSON as they arrive) through the presenter, and the commands it sends back."""

from __future__ import annotations

from typing import Any

from agent_console.clock import ManualClock
from agent_console.console_state import Phase
from agent_console.presenter import ConsolePresenter
from tests.agent_console.fakes import FakeBackend, login_info, status
from tests.agent_console.test_presenter import in_call
from wire import member_messages as M
from wire.codec import parse_server

NAMES = {"m0": "Lieksan yhteispalvelupiste", "m1": "Aino Virtanen", "m2": "Leila Ahmed",
         "m3": "Pirjo Mäkinen"}


def wire(message: Any) -> Any:
    """As it comes off the socket."""
    return parse_server(message.model_dump_json())


def members(you: str, *, supervisor: M.SupervisorMode | None = None,
            event: M.MemberEvent = "joined", interpreter_connected: bool = True) -> Any:
    roles: dict[str, M.MemberRole] = {"m0": "kiosk", "m1": "clerk", "m2": "interpreter",
                                      "m3": "supervisor"}
    listed = [
        M.CallMember(member_id="m0", role="kiosk", name=NAMES["m0"], joined_at=1.0),
        M.CallMember(member_id="m1", role="clerk", name=NAMES["m1"], joined_at=2.0),
        M.CallMember(member_id="m2", role="interpreter", name=NAMES["m2"], joined_at=3.0,
                     interpretation_language="ar", connected=interpreter_connected),
    ]
    if supervisor is not None:
        listed.append(M.CallMember(member_id="m3", role="supervisor", name=NAMES["m3"],
                                   joined_at=4.0, supervisor_mode=supervisor))
    return wire(M.CallMembers(call_id="c1", service="kela.benefits", language="fi", you=you,
                              your_role=roles[you], members=listed, event=event))


def sent(backend: FakeBackend) -> list[Any]:
    return [args[0] for name, args in backend.calls if name == "send_message"]


def test_the_answering_clerk_invites_an_interpreter_and_sees_the_invitation_through() -> None:
    p, backend, _ = in_call()
    call = p.call
    assert call is not None and not call.members.several and call.members.can_invite()
    call.members.invite_interpreter("ar", note="Asumistuki")
    invite = sent(backend)[-1]
    assert isinstance(invite, M.MemberInvite)
    assert (invite.target, invite.role, invite.interpretation_language, invite.call_id) == (
        "interpreters", "interpreter", "ar", "c1")
    p.on_message(wire(M.MemberInviteStatus(invite_id="i1", call_id="c1", state="ringing",
                                           role="interpreter", target="interpreters",
                                           name="Leila Ahmed")))
    assert [s.state for s in call.members.open_invites()] == ["ringing"]
    call.members.cancel_invite("i1")
    assert isinstance(sent(backend)[-1], M.MemberInviteCancel)
    p.on_message(wire(M.MemberInviteStatus(invite_id="i1", call_id="c1", state="accepted",
                                           role="interpreter", target="interpreters",
                                           name="Leila Ahmed", member_id="m2")))
    p.on_message(members("m1"))
    assert call.members.several and call.members.answering
    assert [m.name for m in call.members.others] == [NAMES["m0"], NAMES["m2"]]


def test_the_call_is_full_at_four_counting_open_invitations() -> None:
    p, backend, _ = in_call()
    call = p.call
    assert call is not None
    p.on_message(members("m1"))
    p.on_message(wire(M.MemberInviteStatus(invite_id="i2", call_id="c1", state="waiting",
                                           role="second_clerk", target="service")))
    assert not call.members.can_invite()
    before = len(sent(backend))
    call.members.invite_service("vero.tax")
    assert len(sent(backend)) == before  # refused locally: the server would say call_full


def test_remove_and_per_member_silence() -> None:
    p, backend, _ = in_call()
    call = p.call
    assert call is not None
    p.on_message(members("m1", supervisor="listen"))
    kiosk = next(m for m in call.members.members if m.role == "kiosk")
    assert not call.members.can_remove(kiosk)
    call.members.remove("m0")
    assert not any(isinstance(m, M.MemberRemove) for m in sent(backend))
    supervisor = next(m for m in call.members.members if m.role == "supervisor")
    assert not call.members.can_remove(supervisor)
    call.members.remove("m3")  # the supervisor: not the clerk's to send away
    assert not any(isinstance(m, M.MemberRemove) for m in sent(backend))
    call.members.remove("m2")
    assert sent(backend)[-1] == M.MemberRemove(call_id="c1", member_id="m2")
    call.members.toggle_mute("m2")
    assert ("set_member_muted", ("m2", True)) in backend.calls and "m2" in call.members.muted
    p.on_message(members("m1"))  # the supervisor left: their silence is forgotten too
    call.members.toggle_mute("m2")
    assert ("set_member_muted", ("m2", False)) in backend.calls


def test_shared_chat_goes_through_the_server_and_names_the_writer() -> None:
    p, backend, clock = in_call()
    call = p.call
    assert call is not None
    p.on_message(members("m1"))
    assert call.send_chat("Hei kaikki")
    assert sent(backend)[-1] == M.MemberChat(call_id="c1", text="Hei kaikki")
    assert backend.controls == [] or all(c.get("type") != "chat" for c in backend.controls)
    for member_id, role, text in (("m1", "clerk", "Hei kaikki"), ("m2", "interpreter", "Tulkkaan"),
                                  ("m0", "kiosk", "Kiitos")):
        p.on_message(wire(M.MemberChatPosted(call_id="c1", member_id=member_id,
                                             name=NAMES[member_id], role=role, text=text,
                                             at=clock.time())))
    assert [(line.sender, line.name) for line in call.chat] == [
        ("agent", ""), ("member", "Leila Ahmed"), ("citizen", "")]


def test_supervisor_banner_follows_the_mode_and_only_the_supervisor_switches() -> None:
    p, backend, _ = in_call()
    call = p.call
    assert call is not None
    p.on_message(members("m1", supervisor="whisper", event="mode"))
    boss = call.members.supervisor
    assert boss is not None and boss.supervisor_mode == "whisper"
    call.members.set_mode("barge")  # the clerk cannot
    assert not any(isinstance(m, M.SupervisorModeSet) for m in sent(backend))


def _console(**info: Any) -> tuple[ConsolePresenter, FakeBackend, ManualClock]:
    backend, clock = FakeBackend(), ManualClock()
    p = ConsolePresenter(backend, clock)
    p.login("leila", "secret")
    base = login_info(server_time=clock.time())
    p.on_logged_in(base.__class__(**{**base.__dict__, **info}))
    p.on_message(status("ready", since=clock.time()))
    return p, backend, clock


def test_an_interpreter_is_offered_the_call_with_context_joins_and_leaves() -> None:
    p, backend, clock = _console(name="Leila Ahmed", interpretation_languages=["ar"])
    p.on_message(wire(M.MemberOffer(invite_id="i1", call_id="c1", role="interpreter",
                                    service="kela.benefits", language="fi",
                                    interpretation_language="ar", invited_by="Aino Virtanen",
                                    site="Lieksan yhteispalvelupiste", members=2,
                                    note="Asumistuki", expires_in_s=20)))
    view = p.member_offer
    assert view is not None and view.offer.invited_by == "Aino Virtanen"
    assert p.alert_frame.active
    clock.advance(4)
    assert 15.9 < p.member_offer_remaining_s() <= 16.0
    p.accept_member_offer()
    assert sent(backend)[-1] == M.MemberOfferAccept(invite_id="i1")
    p.on_message(members("m2"))
    assert p.phase is Phase.IN_CALL and p.member_offer is None and not p.alert_frame.active
    call = p.call
    assert call is not None and call.members.your_role == "interpreter"
    assert call.peer_name == NAMES["m0"] and not call.members.can_invite()
    p.leave_call()
    assert sent(backend)[-1] == M.MemberLeave(call_id="c1")
    p.on_message(wire(M.CallMembers(call_id="c1", service="kela.benefits", language="fi",
                                    you="m2", your_role="interpreter", members=[])))  # noise
    from wire import server_messages as S
    p.on_message(S.CallEnded(call_id="c1", reason="left", by="agent"))
    assert p.call is None and p.wrapup is None and p.phase is Phase.READY


def test_an_invitation_withdrawn_before_the_answer_is_said_so() -> None:
    p, _, _ = _console(name="Mikko Lehtonen")
    p.on_message(wire(M.MemberOffer(invite_id="i9", call_id="c1", role="second_clerk",
                                    service="vero.tax", language="sv", invited_by="Aino",
                                    members=3, expires_in_s=20)))
    p.on_message(wire(M.MemberOfferRevoked(invite_id="i9", reason="cancelled")))
    assert p.member_offer is None and p.notice == "member_offer.withdrawn"


def test_a_removed_member_goes_back_without_wrap_up() -> None:
    p, _backend, _ = _console(name="Mikko Lehtonen")
    p.on_message(members("m2"))
    assert p.phase is Phase.IN_CALL
    from wire import server_messages as S
    p.on_message(S.CallEnded(call_id="c1", reason="removed", by="agent"))
    assert p.call is None and p.wrapup is None and p.notice == "call.removed"


def test_a_supervisor_joins_a_team_call_and_switches_modes() -> None:
    p, backend, _ = _console(name="Pirjo Mäkinen", supervisor=True)
    p.join_team_call("c1", "listen")
    assert sent(backend)[-1] == M.SupervisorJoin(call_id="c1", mode="listen")
    p.on_message(members("m3", supervisor="listen"))
    call = p.call
    assert call is not None and call.members.your_mode == "listen"
    call.members.set_mode("whisper")
    assert sent(backend)[-1] == M.SupervisorModeSet(call_id="c1", mode="whisper")
    call.members.set_mode("listen")  # already listening: nothing to send
    assert sent(backend)[-1] == M.SupervisorModeSet(call_id="c1", mode="whisper")
