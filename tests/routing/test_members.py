"""The member core: invitations by name, to a service queue and to an interpreters' pool, the
room of four, supervisors of the team, removal, leaving, a dropped member, the call's end."""

from __future__ import annotations

from signaling.routing import events as E
from signaling.routing import member_model as MM
from signaling.routing.members import MemberCore, pair_media
from tests.routing.helpers import T0, counter_ids, login, make_router, of


def setup():
    router = make_router()
    core = MemberCore(router, id_factory=counter_ids(), offer_timeout_s=20, grace_s=20)
    login(router, "clerk", T0, skills=("kela",))
    router.handle(E.JoinQueue("k1", "kela", "fi"), T0)
    view = router.agent_view("clerk")
    assert view is not None and view.offer_id is not None
    started = router.handle(E.AcceptOffer("clerk", view.offer_id), T0 + 2)
    call_id = next(a.call_id for a in started if type(a).__name__ == "CallStarted")
    core.handle(MM.CallOpened(call_id, "k1", "clerk", "kela", "fi"), T0 + 2)
    core.profiles["clerk"] = MM.StaffProfile("Aino", team="kela-north")
    return router, core, call_id


def interpreter(router, core, agent_id, langs, now, ready=True):
    login(router, agent_id, now, skills=(), languages=("fi",), ready=ready)
    core.profiles[agent_id] = MM.StaffProfile(agent_id, interpretation_languages=frozenset(langs))


def test_pool_invitation_waits_then_rings_the_longest_idle_interpreter_who_fits():
    router, core, call_id = setup()
    out = core.handle(MM.Invite("clerk", call_id, "interpreters", "interpreter",
                                interpretation_language="so"), T0 + 3)
    (status,) = of(out, MM.InviteChanged)
    assert status.state == "waiting" and not of(out, MM.OfferMember)
    interpreter(router, core, "ru1", {"ru"}, T0 + 4)
    interpreter(router, core, "so2", {"so"}, T0 + 6)
    interpreter(router, core, "so1", {"so", "ar"}, T0 + 5)
    out = core.handle(MM.Tick(), T0 + 7)
    (offer,) = of(out, MM.OfferMember)
    assert offer.agent_id == "so1"  # idle longest among those who interpret Somali
    # so1 declines: it goes on to so2, and the inviter sees it ring again.
    out = core.handle(MM.DeclineInvite("so1", offer.invite_id), T0 + 8)
    assert [a.agent_id for a in of(out, MM.OfferMember)] == ["so2"]
    assert of(out, MM.RevokeMember)[0].reason == "declined"
    # so2 lets it time out; nobody else fits: waiting again, not lost.
    out = core.handle(MM.Tick(), T0 + 8 + 21)
    assert of(out, MM.RevokeMember)[0].reason == "timeout"
    assert [s.state for s in of(out, MM.InviteChanged)] == ["waiting"]


def test_accepting_joins_holds_routing_and_the_later_joiner_offers():
    router, core, call_id = setup()
    interpreter(router, core, "so1", {"so"}, T0)
    out = core.handle(MM.Invite("clerk", call_id, "interpreters", "interpreter",
                                interpretation_language="so"), T0 + 3)
    (offer,) = of(out, MM.OfferMember)
    out = core.handle(MM.AcceptInvite("so1", offer.invite_id), T0 + 4)
    assert MM.Busy("so1", True) in out
    (joined,) = of(out, MM.MemberJoined)
    assert (joined.role, joined.interpretation_language, joined.member_id) == \
        ("interpreter", "so", "m2")
    assert of(out, MM.InviteChanged)[0].state == "accepted"
    call = core.membership(call_id)
    assert [m.role for m in call.members] == ["kiosk", "clerk", "interpreter"]


def test_only_the_answering_clerk_invites_and_a_call_holds_four():
    _router, core, call_id = setup()
    out = core.handle(MM.Invite("someone", call_id, "interpreters", "interpreter",
                                interpretation_language="ar"), T0 + 3)
    assert of(out, MM.Refused)[0].code == "not_allowed"
    for lang in ("ar", "ru"):
        out = core.handle(MM.Invite("clerk", call_id, "interpreters", "interpreter",
                                    interpretation_language=lang), T0 + 3)
        assert not of(out, MM.Refused)
    out = core.handle(MM.Invite("clerk", call_id, "interpreters", "interpreter",
                                interpretation_language="uk"), T0 + 3)
    assert of(out, MM.Refused)[0].code == "call_full"  # two pending count against four


def test_by_name_a_busy_colleague_is_unavailable_and_a_decline_is_final():
    router, core, call_id = setup()
    login(router, "expert", T0, skills=("vero",), ready=False)  # not ready is fine by name
    out = core.handle(MM.Invite("clerk", call_id, "agent", "second_clerk", invitee="expert"),
                      T0 + 3)
    (offer,) = of(out, MM.OfferMember)
    out = core.handle(MM.DeclineInvite("expert", offer.invite_id), T0 + 4)
    assert [s.state for s in of(out, MM.InviteChanged)] == ["declined"]
    out = core.handle(MM.Invite("clerk", call_id, "agent", "second_clerk", invitee="nobody"),
                      T0 + 5)
    assert [s.state for s in of(out, MM.InviteChanged)] == ["unavailable"]


def test_service_queue_rings_a_ready_clerk_of_that_service_in_the_call_language():
    router, core, call_id = setup()
    login(router, "vero_sv", T0, skills=("vero",), languages=("sv",))
    login(router, "vero_fi", T0 + 1, skills=("vero",), languages=("fi",))
    out = core.handle(MM.Invite("clerk", call_id, "service", "second_clerk", service="vero"),
                      T0 + 3)
    assert [o.agent_id for o in of(out, MM.OfferMember)] == ["vero_fi"]


def test_supervisor_joins_only_calls_of_their_team_and_whisper_reaches_only_the_clerk():
    router, core, call_id = setup()
    login(router, "boss", T0, skills=(), ready=False)
    login(router, "other_boss", T0, skills=(), ready=False)
    core.profiles["boss"] = MM.StaffProfile("Eeva", team="kela-north", supervisor=True)
    core.profiles["other_boss"] = MM.StaffProfile("Olli", team="vero", supervisor=True)
    out = core.handle(MM.SupervisorJoin("other_boss", call_id, "listen"), T0 + 3)
    assert of(out, MM.Refused)[0].code == "not_allowed"
    out = core.handle(MM.SupervisorJoin("boss", call_id, "listen"), T0 + 3)
    assert of(out, MM.MembersChanged)[0].event == "joined"
    out = core.handle(MM.SetMode("boss", call_id, "whisper"), T0 + 4)
    assert of(out, MM.MembersChanged)[0].event == "mode"
    assert pair_media("supervisor", "whisper", "clerk") == (True, False)
    assert pair_media("supervisor", "whisper", "kiosk") == (False, False)
    assert pair_media("supervisor", "listen", "clerk") == (False, False)
    supervisor = next(m for m in core.membership(call_id).members if m.role == "supervisor")
    out = core.handle(MM.Remove("clerk", call_id, supervisor.member_id), T0 + 5)
    assert of(out, MM.Refused)[0].code == "not_allowed" and not of(out, MM.MemberOut)
    assert supervisor in core.membership(call_id).members
    assert pair_media("supervisor", "barge", "kiosk") == (True, True)
    assert pair_media("interpreter", None, "kiosk") == (True, True)


def test_a_dropped_member_is_out_after_the_grace_and_the_call_goes_on():
    router, core, call_id = setup()
    interpreter(router, core, "so1", {"so"}, T0)
    out = core.handle(MM.Invite("clerk", call_id, "interpreters", "interpreter",
                                interpretation_language="so"), T0 + 3)
    core.handle(MM.AcceptInvite("so1", of(out, MM.OfferMember)[0].invite_id), T0 + 4)
    out = core.handle(MM.LinkChanged("so1", False), T0 + 10)
    assert of(out, MM.MembersChanged)[0].event == "reconnecting"
    assert not of(core.handle(MM.Tick(), T0 + 29), MM.MemberOut)
    out = core.handle(MM.Tick(), T0 + 31)
    (gone,) = of(out, MM.MemberOut)
    assert (gone.who, gone.reason) == ("so1", "dropped")
    assert [m.role for m in core.membership(call_id).members] == ["kiosk", "clerk"]


def test_the_clerk_removes_a_member_and_the_end_of_the_call_takes_everyone_out():
    router, core, call_id = setup()
    interpreter(router, core, "so1", {"so"}, T0)
    interpreter(router, core, "ar1", {"ar"}, T0)
    for lang, who in (("so", "so1"), ("ar", "ar1")):
        out = core.handle(MM.Invite("clerk", call_id, "interpreters", "interpreter",
                                    interpretation_language=lang), T0 + 3)
        core.handle(MM.AcceptInvite(who, of(out, MM.OfferMember)[0].invite_id), T0 + 4)
    out = core.handle(MM.Remove("so1", call_id, "m3"), T0 + 5)
    assert of(out, MM.Refused)[0].code == "not_allowed"
    out = core.handle(MM.Remove("clerk", call_id, "m0"), T0 + 5)
    assert of(out, MM.Refused)[0].code == "unknown_member"  # the kiosk: call_end instead
    out = core.handle(MM.Remove("clerk", call_id, "m2"), T0 + 5)
    assert [(o.who, o.reason) for o in of(out, MM.MemberOut)] == [("so1", "removed")]
    out = core.handle(MM.CallClosed(call_id, "hangup", "kiosk"), T0 + 9)
    assert [(o.who, o.reason, o.by) for o in of(out, MM.MemberOut)] == [
        ("ar1", "hangup", "kiosk")]
    assert len(of(out, MM.MemberLeft)) == 3 and MM.Busy("ar1", False) in out
    assert core.membership(call_id) is None


def test_a_supervisors_mode_is_recorded_and_comes_back_with_a_restored_call():
    router, core, call_id = setup()
    login(router, "boss", T0, skills=(), ready=False)
    core.profiles["boss"] = MM.StaffProfile("Eeva", team="kela-north", supervisor=True)
    out = core.handle(MM.SupervisorJoin("boss", call_id, "whisper"), T0 + 3)
    (joined,) = [j for j in of(out, MM.MemberJoined) if j.who == "boss"]
    assert joined.mode == "whisper"
    out = core.handle(MM.SetMode("boss", call_id, "barge"), T0 + 4)
    assert of(out, MM.MemberModeChanged) == [MM.MemberModeChanged(call_id, joined.member_id,
                                                                  "barge")]
    assert of(core.handle(MM.SetMode("boss", call_id, "barge"), T0 + 5), MM.MemberModeChanged) \
        == []  # no change, nothing to record
    # A new core after a restart, from the record: the supervisor is back barging in.
    fresh = MemberCore(router, id_factory=counter_ids())
    fresh.handle(MM.CallRestored(call_id, "kela", "fi", (
        ("m0", "k1", "kiosk", None, T0 + 2, None),
        ("m1", "clerk", "clerk", None, T0 + 2, None),
        (joined.member_id, "boss", "supervisor", None, T0 + 3, "barge"),
    )), T0 + 10)
    modes = {m.who: m.mode for m in fresh.membership(call_id).members}
    assert modes == {"k1": None, "clerk": None, "boss": "barge"}
    # A record from before modes were kept (mode NULL): listening, as before.
    older = MemberCore(router, id_factory=counter_ids())
    older.handle(MM.CallRestored(call_id, "kela", "fi", (
        ("m0", "k1", "kiosk", None, T0 + 2, None),
        ("m2", "boss", "supervisor", None, T0 + 3, None),
    )), T0 + 10)
    assert [m.mode for m in older.membership(call_id).members] == [None, "listen"]
