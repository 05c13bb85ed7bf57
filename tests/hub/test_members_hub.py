"""Calls of three or four members through the hub: invitation, per-pair relay and TURN, who may
do what, chat, a member leaving, and the end for all."""

from __future__ import annotations

from wire import client_messages as C
from wire import member_messages as M
from wire import server_messages as S
from wire.errors import ErrorCode

from .conftest import T0, FakeConn, Scene, add_agent, add_kiosk


def _three(scene: Scene) -> tuple[str, FakeConn, FakeConn, FakeConn]:
    kiosk_id = add_kiosk(scene.store, "nurmes", "Nurmes 1")
    clerk = scene.agent(add_agent(scene.store, "aino"))
    hodan_id = add_agent(scene.store, "hodan", skills=())
    scene.store.set_staff_profile(hodan_id, team=None, interpretation_languages=["so"])
    interp = scene.agent(hodan_id)
    kiosk = scene.kiosk(kiosk_id)
    call_id = scene.call(kiosk, clerk)
    scene.hub.handle(clerk, M.MemberInvite(call_id=call_id, target="interpreters",
                                           role="interpreter", interpretation_language="so",
                                           ref="inv"))
    status = clerk.last(M.MemberInviteStatus)
    assert (status.state, status.ref, status.name) == ("ringing", "inv", "Hodan")
    offer = interp.last(M.MemberOffer)
    assert (offer.call_id, offer.role, offer.invited_by, offer.members) == (
        call_id, "interpreter", "Aino", 2)
    scene.hub.handle(interp, M.MemberOfferAccept(invite_id=offer.invite_id))
    assert clerk.last(M.MemberInviteStatus).state == "accepted"
    return call_id, kiosk, clerk, interp


def test_everyone_gets_their_own_membership_with_pairs_and_turn_per_pair(scene: Scene) -> None:
    call_id, kiosk, _clerk, interp = _three(scene)
    mine = interp.last(M.CallMembers)
    assert (mine.you, mine.your_role, mine.event) == ("m2", "interpreter", "joined")
    assert [m.role for m in mine.members] == ["kiosk", "clerk", "interpreter"]
    assert mine.members[0].name == "Nurmeksen yhteispalvelupiste"  # the point, in Finnish
    pairs = {m.member_id: m.pair for m in mine.members}
    assert pairs["m2"] is None and pairs["m0"].offerer and pairs["m1"].offerer
    (turn,) = pairs["m0"].ice_servers
    assert turn.username == f"{int(T0) + 3600}:{call_id}.m0-m2"
    kiosk_view = kiosk.last(M.CallMembers)
    assert kiosk_view.you == "m0"
    by_id = {m.member_id: m for m in kiosk_view.members}
    assert by_id["m1"].pair is None  # the kiosk ↔ clerk pair keeps call_start
    assert by_id["m2"].pair is not None and not by_id["m2"].pair.offerer
    assert by_id["m2"].pair.ice_servers[0].username.endswith(f"{call_id}.m0-m2")
    # The interpreter is held: no citizen offers while in the call.
    assert interp.last(S.AgentStatus).state == "not_ready"
    scene.hub.handle(interp, C.AgentStateSet(state="ready", ref="r"))
    assert (interp.last(S.Error).code, interp.last(S.Error).ref) == (ErrorCode.BAD_STATE, "r")


def test_negotiation_by_peer_reaches_that_member_only_and_names_the_sender(scene: Scene) -> None:
    call_id, kiosk, clerk, interp = _three(scene)
    for conn in (kiosk, clerk, interp):
        conn.take()
    offer = C.SessionDescription(type="offer", sdp="v=0\r\n")
    scene.hub.handle(interp, C.SdpMessage(call_id=call_id, description=offer, peer="m0"))
    (got,) = kiosk.take()
    assert isinstance(got, C.SdpMessage) and got.peer == "m2"
    assert not clerk.sent
    scene.hub.handle(kiosk, C.IceMessage(call_id=call_id, peer="m2", candidate="candidate:1"))
    (ice,) = interp.take()
    assert isinstance(ice, C.IceMessage) and ice.peer == "m0"
    # The old pair still talks without peer; an added member must name one; no such member.
    scene.hub.handle(kiosk, C.SdpMessage(call_id=call_id, description=offer))
    assert isinstance(clerk.take()[0], C.SdpMessage)
    scene.hub.handle(interp, C.SdpMessage(call_id=call_id, description=offer, ref="a"))
    scene.hub.handle(interp, C.SdpMessage(call_id=call_id, description=offer, peer="m9", ref="b"))
    assert [(e.code, e.ref) for e in interp.of(S.Error)] == [
        (ErrorCode.UNKNOWN_MEMBER, "a"), (ErrorCode.UNKNOWN_MEMBER, "b")]
    outsider = scene.agent(add_agent(scene.store, "erik"), ready=False)
    scene.hub.handle(outsider, C.SdpMessage(call_id=call_id, description=offer, peer="m0",
                                            ref="c"))
    assert outsider.last(S.Error).code == ErrorCode.UNKNOWN_CALL
    assert not kiosk.sent


def test_only_the_answering_clerk_invites_and_removes(scene: Scene) -> None:
    call_id, kiosk, clerk, interp = _three(scene)
    scene.hub.handle(interp, M.MemberInvite(call_id=call_id, target="service",
                                            service="vero.tax", ref="x"))
    assert interp.last(S.Error).code == ErrorCode.NOT_ALLOWED
    scene.hub.handle(interp, M.MemberRemove(call_id=call_id, member_id="m0", ref="y"))
    assert interp.last(S.Error).code == ErrorCode.NOT_ALLOWED
    scene.hub.handle(clerk, M.MemberRemove(call_id=call_id, member_id="m2"))
    assert interp.last(S.CallEnded).reason == "removed"
    assert kiosk.last(M.CallMembers).event == "removed"
    assert [m.role for m in kiosk.last(M.CallMembers).members] == ["kiosk", "clerk"]
    assert interp.last(S.AgentStatus).state == "ready"  # given back as it was
    assert scene.hub.router.call(call_id) is not None


def test_chat_goes_to_all_members_and_an_added_member_hanging_up_only_leaves(
    scene: Scene,
) -> None:
    call_id, kiosk, clerk, interp = _three(scene)
    scene.hub.handle(kiosk, M.MemberChat(call_id=call_id, text="Kiitos!", ref="k"))
    for conn in (kiosk, clerk, interp):
        line = conn.last(M.MemberChatPosted)
        assert (line.member_id, line.role, line.text) == ("m0", "kiosk", "Kiitos!")
    assert kiosk.last(M.MemberChatPosted).ref == "k"
    scene.hub.handle(interp, C.CallEnd(call_id=call_id))
    assert interp.last(S.CallEnded).reason == "left"
    assert kiosk.last(M.CallMembers).event == "left"
    assert scene.hub.router.call(call_id) is not None  # the call goes on
    rows = scene.store.call_members(call_id)
    assert [(r.role, r.leave_reason) for r in rows] == [
        ("kiosk", None), ("clerk", None), ("interpreter", "left")]


def test_the_kiosk_ending_ends_it_for_every_member(scene: Scene) -> None:
    call_id, kiosk, clerk, interp = _three(scene)
    scene.hub.handle(kiosk, C.CallEnd(call_id=call_id))
    for conn in (clerk, interp):
        ended = conn.last(S.CallEnded)
        assert (ended.call_id, ended.by) == (call_id, "kiosk")
    assert scene.hub.router.call(call_id) is None
    assert all(r.left_at is not None for r in scene.store.call_members(call_id))


def test_a_member_whose_link_drops_is_out_after_the_grace(scene: Scene) -> None:
    call_id, kiosk, _clerk, interp = _three(scene)
    scene.hub.detach(interp)
    assert kiosk.last(M.CallMembers).event == "reconnecting"
    scene.clock.advance(21)
    scene.hub.tick()
    assert kiosk.last(M.CallMembers).event == "dropped"
    assert scene.hub.router.call(call_id) is not None


def test_a_restart_keeps_the_members_of_a_call(scene: Scene) -> None:
    from .conftest import make_hub

    call_id, kiosk, _clerk, interp = _three(scene)
    token = kiosk.last(S.Welcome).resume_token
    scene.clock.advance(5)  # the server died; a new one starts over the same database
    scene.hub = make_hub(scene.store, scene.catalogue, scene.clock)
    scene.hub.restore(scene.clock())
    back = scene.kiosk(kiosk.principal.id, resume=token)
    view = back.last(M.CallMembers)
    assert [(m.member_id, m.role, m.connected) for m in view.members] == [
        ("m0", "kiosk", True), ("m1", "clerk", True), ("m2", "interpreter", False)]
    hodan = scene.agent(interp.principal.id, ready=False)
    assert hodan.last(M.CallMembers).you == "m2"
    offer = C.SessionDescription(type="offer", sdp="v=0\r\n")
    scene.hub.handle(hodan, C.SdpMessage(call_id=call_id, description=offer, peer="m0"))
    assert back.last(C.SdpMessage).peer == "m2"  # the relay knows them again
    # The kiosk ending the restored call ends it for the restored member too.
    scene.hub.handle(back, C.CallEnd(call_id=call_id))
    assert hodan.last(S.CallEnded).by == "kiosk"
    assert all(r.left_at is not None for r in scene.store.call_members(call_id))


def test_after_a_restart_a_member_who_does_not_return_drops(scene: Scene) -> None:
    from .conftest import make_hub

    call_id, kiosk, clerk, _interp = _three(scene)
    token = kiosk.last(S.Welcome).resume_token
    scene.hub = make_hub(scene.store, scene.catalogue, scene.clock)
    scene.hub.restore(scene.clock())
    back = scene.kiosk(kiosk.principal.id, resume=token)
    scene.agent(clerk.principal.id, ready=False)  # the clerk returns, the interpreter not
    scene.clock.advance(21)
    scene.hub.tick()
    assert (back.last(M.CallMembers).event, back.last(M.CallMembers).member_id) == (
        "dropped", "m2")
    (row,) = [r for r in scene.store.call_members(call_id) if r.role == "interpreter"]
    assert row.leave_reason == "dropped"


def test_a_restart_keeps_a_supervisors_mode(scene: Scene) -> None:
    from .conftest import make_hub

    kiosk_id = add_kiosk(scene.store, "nurmes", "Nurmes 1")
    aino_id, eeva_id = add_agent(scene.store, "aino"), add_agent(scene.store, "eeva", skills=())
    scene.store.set_staff_profile(aino_id, team="kela-north")
    scene.store.set_staff_profile(eeva_id, team="kela-north", supervisor=True)
    clerk, eeva = scene.agent(aino_id), scene.agent(eeva_id, ready=False)
    kiosk = scene.kiosk(kiosk_id)
    call_id = scene.call(kiosk, clerk)
    scene.hub.handle(eeva, M.SupervisorJoin(call_id=call_id, mode="listen"))
    scene.hub.handle(eeva, M.SupervisorModeSet(call_id=call_id, mode="whisper"))
    (boss,) = [m for m in clerk.last(M.CallMembers).members if m.role == "supervisor"]
    assert boss.supervisor_mode == "whisper"
    token = kiosk.last(S.Welcome).resume_token

    scene.clock.advance(5)  # kill -9; a new process over the same database
    scene.hub = make_hub(scene.store, scene.catalogue, scene.clock)
    scene.hub.restore(scene.clock())
    scene.kiosk(kiosk_id, resume=token)
    back = scene.agent(eeva_id, ready=False)
    view = back.last(M.CallMembers)
    (me,) = [m for m in view.members if m.member_id == view.you]
    assert (me.role, me.supervisor_mode) == ("supervisor", "whisper")  # not back to listening
    clerk_back = scene.agent(aino_id, ready=False)
    (her,) = [m for m in clerk_back.last(M.CallMembers).members if m.role == "supervisor"]
    assert her.supervisor_mode == "whisper"


def test_the_member_grace_and_invitation_timeout_are_the_hubs_settings(scene: Scene) -> None:
    from .conftest import make_hub

    scene.hub = make_hub(scene.store, scene.catalogue, scene.clock,
                         member_grace_s=5.0, member_offer_timeout_s=8.0)
    call_id, kiosk, clerk, interp = _three(scene)
    scene.hub.detach(interp)
    scene.clock.advance(5.5)  # past 5 s, well within the 20 s default
    scene.hub.tick()
    assert (kiosk.last(M.CallMembers).event, kiosk.last(M.CallMembers).member_id) == (
        "dropped", "m2")
    # An invitation by name rings for 8 s, not 20.
    bo = scene.agent(add_agent(scene.store, "bo"), ready=False)
    scene.hub.handle(clerk, M.MemberInvite(call_id=call_id, target="agent", role="second_clerk",
                                           agent_id=bo.principal.id))
    assert bo.last(M.MemberOffer).expires_in_s == 8.0
    scene.clock.advance(8)
    scene.hub.tick()
    assert bo.last(M.MemberOfferRevoked).reason == "timeout"
