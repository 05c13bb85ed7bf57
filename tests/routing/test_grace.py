"""Disconnects and grace periods, requeue after agent loss, crash-recovery restore."""

from __future__ import annotations

from signaling.routing.actions import (
    AgentStateChanged,
    CallEnded,
    CallStarted,
    EntryQueued,
    EntryRemoved,
    EntryRequeued,
    OfferRevoked,
    OfferSent,
    QueuePosition,
    Rejected,
)
from signaling.routing.events import (
    AcceptOffer,
    AgentDisconnected,
    AgentLogin,
    AgentReady,
    AgentReconnected,
    EndCall,
    JoinQueue,
    KioskDisconnected,
    KioskReconnected,
    LeaveQueue,
    Tick,
)
from signaling.routing.model import AgentState, RouterConfig
from signaling.routing.router import Router

from .helpers import T0, agent_of, entry_of, login, make_router, of, only_offer, states


def start_call(r: Router, agent_id: str, kiosk_id: str, now: float) -> CallStarted:
    offer = only_offer(r.handle(JoinQueue(kiosk_id, "kela", "fi"), now))
    return of(r.handle(AcceptOffer(agent_id, offer.offer_id), now), CallStarted)[0]


# --------------------------------------------------------------------------- kiosk, waiting


def test_disconnected_kiosk_keeps_place_but_is_not_offered() -> None:
    r = make_router()
    login(r, "a1", T0, ready=False)
    r.handle(JoinQueue("k1", "kela", "fi"), T0)
    r.handle(JoinQueue("k2", "kela", "fi"), T0 + 1)
    assert r.handle(KioskDisconnected("k1"), T0 + 2) == []
    assert [e.kiosk_id for e in r.queue("kela", "fi", T0 + 2)] == ["k1", "k2"]
    out = r.handle(AgentReady("a1"), T0 + 3)
    assert only_offer(out).kiosk_id == "k2"  # k1 skipped, not dropped
    # k2 is still second; it hears only that a clerk now has it (about a minute).
    assert [(p.kiosk_id, p.position, p.estimate_kind) for p in of(out, QueuePosition)] == [
        ("k2", 2, "minutes")
    ]


def test_reconnect_within_grace_resends_position_and_offers() -> None:
    r = make_router()
    login(r, "a1", T0, ready=False)
    r.handle(JoinQueue("k1", "kela", "fi"), T0)
    r.handle(KioskDisconnected("k1"), T0 + 1)
    r.handle(AgentReady("a1"), T0 + 2)
    out = r.handle(KioskReconnected("k1"), T0 + 30)
    assert [(p.kiosk_id, p.position) for p in of(out, QueuePosition)] == [("k1", 1)]
    assert only_offer(out).kiosk_id == "k1"
    assert entry_of(r, "k1").connected


def test_grace_expiry_abandons_and_moves_the_others_up() -> None:
    r = make_router(RouterConfig(kiosk_grace_s=60))
    login(r, "a1", T0, ready=False)
    r.handle(JoinQueue("k1", "kela", "fi"), T0)
    r.handle(JoinQueue("k2", "kela", "fi"), T0 + 1)
    r.handle(KioskDisconnected("k1"), T0 + 10)
    assert r.next_deadline() == T0 + 70
    assert of(r.handle(Tick(), T0 + 69), EntryRemoved) == []
    out = r.handle(Tick(), T0 + 70)
    assert of(out, EntryRemoved) == [EntryRemoved("entry-1", "k1", "abandoned", T0 + 70)]
    assert [(p.kiosk_id, p.position) for p in of(out, QueuePosition)] == [("k2", 1)]
    assert [x.code for x in of(r.handle(KioskReconnected("k1"), T0 + 71), Rejected)] == [
        "bad_state"
    ]


def test_disconnect_while_offered_revokes_with_kiosk_lost_and_agent_keeps_turn() -> None:
    r = make_router()
    login(r, "a1", T0)
    login(r, "a2", T0 + 5)
    r.handle(JoinQueue("k1", "kela", "fi"), T0 + 10)
    out = r.handle(KioskDisconnected("k1"), T0 + 12)
    assert of(out, OfferRevoked) == [OfferRevoked("offer-1", "a1", "kiosk_lost")]
    assert [s.state for s in states(out, "a1")] == [AgentState.READY]
    assert agent_of(r, "a1").idle_since == T0  # not pushed to the back
    assert only_offer(r.handle(JoinQueue("k2", "kela", "fi"), T0 + 13)).agent_id == "a1"


def test_leave_while_offered_revokes_with_cancelled() -> None:
    r = make_router()
    login(r, "a1", T0)
    offer = only_offer(r.handle(JoinQueue("k1", "kela", "fi"), T0))
    out = r.handle(LeaveQueue("k1"), T0 + 1)
    assert of(out, OfferRevoked) == [OfferRevoked(offer.offer_id, "a1", "cancelled")]
    assert of(out, EntryRemoved) == [EntryRemoved(offer.entry_id, "k1", "cancelled", T0 + 1)]
    assert agent_of(r, "a1").state is AgentState.READY


def test_leave_when_not_queued_is_rejected() -> None:
    r = make_router()
    assert [x.code for x in of(r.handle(LeaveQueue("k9"), T0), Rejected)] == ["bad_state"]


# --------------------------------------------------------------------------- agent


def test_agent_disconnect_during_offer_revokes_and_logs_out() -> None:
    r = make_router()
    login(r, "a1", T0)
    offer = only_offer(r.handle(JoinQueue("k1", "kela", "fi"), T0))
    out = r.handle(AgentDisconnected("a1"), T0 + 3)
    assert of(out, OfferRevoked) == [OfferRevoked(offer.offer_id, "a1", "agent_lost")]
    assert r.agent_view("a1") is None
    entry = entry_of(r, "k1")
    assert entry.offer_id is None and entry.entry_id == offer.entry_id


def test_idle_agent_disconnect_is_a_logout() -> None:
    r = make_router()
    login(r, "a1", T0)
    r.handle(AgentDisconnected("a1"), T0 + 1)
    assert r.agent_view("a1") is None
    assert [x.code for x in of(r.handle(AgentReconnected("a1"), T0 + 2), Rejected)] == [
        "not_allowed"
    ]


def test_agent_reconnect_within_call_grace_changes_nothing() -> None:
    r = make_router(RouterConfig(call_grace_s=20))
    login(r, "a1", T0)
    call = start_call(r, "a1", "k1", T0)
    assert r.handle(AgentDisconnected("a1"), T0 + 10) == []
    assert r.next_deadline() == T0 + 30
    assert r.handle(AgentReconnected("a1"), T0 + 25) == []
    assert r.handle(Tick(), T0 + 40) == []
    view = r.call(call.call_id)
    assert view is not None and view.agent_connected


def test_agent_lost_mid_call_puts_citizen_back_at_the_head() -> None:
    r = make_router(RouterConfig(call_grace_s=20, escalation_step_s=300))
    login(r, "a1", T0)
    login(r, "a2", T0, ready=False)
    call = start_call(r, "a1", "k1", T0)
    # Others join later, one of them with a higher priority.
    r.handle(JoinQueue("k2", "kela", "fi", priority=2), T0 + 5)
    r.handle(JoinQueue("k3", "kela", "fi"), T0 + 6)
    r.handle(AgentDisconnected("a1"), T0 + 100)
    out = r.handle(Tick(), T0 + 120)
    ended = of(out, CallEnded)
    assert ended == [
        CallEnded(call.call_id, call.entry_id, "k1", "a1", "agent_lost", "system", T0 + 120)
    ]
    requeued = of(out, EntryRequeued)
    queued = of(out, EntryQueued)
    assert len(requeued) == 1 and len(queued) == 1
    assert requeued[0].entry_id == queued[0].entry_id != call.entry_id
    assert queued[0].enqueued_at == T0  # original join time kept
    assert queued[0].priority > 2  # boosted past everyone in the queue
    pushed = {p.kiosk_id: p.position for p in of(out, QueuePosition)}
    assert pushed == {"k1": 1, "k2": 2, "k3": 3}
    assert r.agent_view("a1") is None
    # Still first long after, despite the others' escalation.
    assert r.queue("kela", "fi", T0 + 10_000)[0].kiosk_id == "k1"
    assert only_offer(r.handle(AgentReady("a2"), T0 + 121)).kiosk_id == "k1"


def test_requeue_while_kiosk_is_also_away_keeps_its_remaining_grace() -> None:
    r = make_router(RouterConfig(call_grace_s=20))
    login(r, "a1", T0)
    start_call(r, "a1", "k1", T0)
    r.handle(AgentDisconnected("a1"), T0 + 100)
    r.handle(KioskDisconnected("k1"), T0 + 105)
    out = r.handle(Tick(), T0 + 120)
    assert [c.reason for c in of(out, CallEnded)] == ["agent_lost"]
    entry = entry_of(r, "k1")
    assert not entry.connected and entry.grace_until == T0 + 125
    assert of(out, QueuePosition) == []


def test_kiosk_lost_mid_call_ends_call_and_agent_wraps_up() -> None:
    r = make_router(RouterConfig(call_grace_s=20))
    login(r, "a1", T0)
    call = start_call(r, "a1", "k1", T0)
    r.handle(KioskDisconnected("k1"), T0 + 50)
    assert r.next_deadline() == T0 + 70
    out = r.handle(Tick(), T0 + 70)
    assert [(c.reason, c.by) for c in of(out, CallEnded)] == [("kiosk_lost", "system")]
    assert [s.state for s in states(out, "a1")] == [AgentState.WRAP_UP]
    assert r.call(call.call_id) is None and r.entry_for_kiosk("k1") is None


def test_kiosk_reconnect_within_call_grace_keeps_call() -> None:
    r = make_router(RouterConfig(call_grace_s=20))
    login(r, "a1", T0)
    call = start_call(r, "a1", "k1", T0)
    r.handle(KioskDisconnected("k1"), T0 + 50)
    assert r.handle(KioskReconnected("k1"), T0 + 60) == []
    assert of(r.handle(Tick(), T0 + 80), CallEnded) == []
    assert r.call(call.call_id) is not None


def test_call_ended_while_agent_away_logs_agent_out() -> None:
    r = make_router()
    login(r, "a1", T0)
    call = start_call(r, "a1", "k1", T0)
    r.handle(AgentDisconnected("a1"), T0 + 10)
    out = r.handle(EndCall(call.call_id, "kiosk", "bye"), T0 + 12)
    assert of(out, CallEnded)[0].reason == "bye"
    assert of(out, AgentStateChanged) == []
    assert r.agent_view("a1") is None


# --------------------------------------------------------------------------- restore


def test_restored_entry_waits_disconnected_then_resumes() -> None:
    r = make_router(RouterConfig(kiosk_grace_s=60))
    login(r, "a1", T0 + 500)
    assert r.restore_entry("e-old", "k1", "kela", "fi", 0, T0, T0 + 500) == []
    entry = entry_of(r, "k1")
    assert not entry.connected and entry.grace_until == T0 + 560
    assert of(r.handle(Tick(), T0 + 501), OfferSent) == []
    out = r.handle(KioskReconnected("k1"), T0 + 510)
    assert [(p.entry_id, p.position) for p in of(out, QueuePosition)] == [("e-old", 1)]
    offer = only_offer(out)
    assert offer.entry_id == "e-old" and offer.waited_s == 510


def test_restored_entry_abandoned_without_reconnect() -> None:
    r = make_router(RouterConfig(kiosk_grace_s=60))
    r.restore_entry("e-old", "k1", "kela", "fi", 0, T0, T0 + 500)
    assert r.next_deadline() == T0 + 560
    out = r.handle(Tick(), T0 + 560)
    assert of(out, EntryRemoved) == [EntryRemoved("e-old", "k1", "abandoned", T0 + 560)]


def test_restore_conflicts_are_rejected() -> None:
    r = make_router()
    assert r.restore_entry("e1", "k1", "kela", "fi", 0, T0, T0) == []
    assert [x.code for x in r.restore_entry("e2", "k1", "kela", "fi", 0, T0, T0)] == ["bad_state"]
    assert [x.code for x in r.restore_entry("e1", "k2", "kela", "fi", 0, T0, T0)] == ["bad_state"]
    assert [x.code for x in r.restore_entry("e3", "k3", "nope", "fi", 0, T0, T0)] == [
        "unknown_service"
    ]
    bad = r.restore_call("c1", "e9", "k1", "a1", "kela", "fi", 0, T0, T0, T0, T0)
    assert [x.code for x in bad] == ["bad_state"]


def restored_call(r: Router, now: float) -> None:
    assert r.restore_call("c1", "e1", "k1", "a1", "kela", "fi", 0, T0, T0 + 10, T0 + 15, now) == []


def test_restored_call_resumes_when_both_sides_return() -> None:
    r = make_router(RouterConfig(call_grace_s=20, wrapup_s=30))
    restored_call(r, T0 + 100)
    view = r.call("c1")
    assert view is not None and not view.kiosk_connected and not view.agent_connected
    assert agent_of(r, "a1").state is AgentState.IN_CALL
    assert r.next_deadline() == T0 + 120
    out = r.handle(AgentLogin("a1", frozenset({"kela", "vero"}), frozenset({"fi"})), T0 + 105)
    assert [s.state for s in states(out, "a1")] == [AgentState.IN_CALL]  # folded, not reset
    assert agent_of(r, "a1").skills == {"kela", "vero"}
    r.handle(KioskReconnected("k1"), T0 + 106)
    assert r.handle(Tick(), T0 + 130) == []
    out = r.handle(EndCall("c1", "agent", "done"), T0 + 200)
    assert of(out, CallEnded) == [CallEnded("c1", "e1", "k1", "a1", "done", "agent", T0 + 200)]
    assert [s.state for s in states(out, "a1")] == [AgentState.WRAP_UP]


def test_restored_call_requeues_when_only_the_kiosk_returns() -> None:
    r = make_router(RouterConfig(call_grace_s=20))
    restored_call(r, T0 + 100)
    r.handle(KioskReconnected("k1"), T0 + 101)
    out = r.handle(Tick(), T0 + 120)
    assert [c.reason for c in of(out, CallEnded)] == ["agent_lost"]
    assert [q.enqueued_at for q in of(out, EntryQueued)] == [T0]
    assert [(p.kiosk_id, p.position) for p in of(out, QueuePosition)] == [("k1", 1)]


def test_restored_call_ends_when_nobody_returns() -> None:
    r = make_router(RouterConfig(call_grace_s=20))
    restored_call(r, T0 + 100)
    out = r.handle(Tick(), T0 + 120)
    assert [c.reason for c in of(out, CallEnded)] == ["kiosk_lost"]
    assert of(out, EntryQueued) == []
    assert r.agent_view("a1") is None and r.calls() == []


def test_actions_carry_the_routers_now_when_the_wall_clock_steps_back() -> None:
    # NTP may step the wall clock back between two events: the router keeps the latest time
    # seen, and the actions say so, since the server stores these times as they are.
    r = make_router()
    login(r, "a1", T0, ready=False)
    r.handle(JoinQueue("k1", "kela", "fi"), T0 + 10)
    out = r.handle(LeaveQueue("k1"), T0 + 5)
    assert [a.at for a in of(out, EntryRemoved)] == [T0 + 10]


def test_a_call_without_media_puts_the_citizen_back_at_the_head_once() -> None:
    r = make_router(RouterConfig(media_requeues=1))
    login(r, "a1", T0)
    login(r, "a2", T0, ready=False)
    call = start_call(r, "a1", "k1", T0)
    r.handle(JoinQueue("k2", "kela", "fi", priority=2), T0 + 5)
    # The kiosk's client gave up setting up a media path and ends the call.
    out = r.handle(EndCall(call.call_id, "kiosk", "media_failed"), T0 + 40)
    assert [(c.reason, c.by) for c in of(out, CallEnded)] == [("media_requeued", "kiosk")]
    assert [q.reason for q in of(out, EntryRequeued)] == ["media_requeued"]
    pushed = {p.kiosk_id: p.position for p in of(out, QueuePosition)}
    assert pushed == {"k1": 1, "k2": 2}
    # The next free clerk gets the citizen first.
    second = only_offer(r.handle(AgentReady("a2"), T0 + 41))
    assert second.kiosk_id == "k1"
    r.handle(AcceptOffer("a2", second.offer_id), T0 + 42)
    again = r.call_for_kiosk("k1")
    assert again is not None
    # Failing again ends the call: the kiosk tells the citizen what to do.
    out = r.handle(EndCall(again.call_id, "agent", "media_failed"), T0 + 80)
    assert [c.reason for c in of(out, CallEnded)] == ["media_failed"]
    assert of(out, EntryRequeued) == [] and r.entry_for_kiosk("k1") is None


def test_a_call_without_media_is_not_requeued_while_the_kiosk_is_away() -> None:
    r = make_router(RouterConfig(call_grace_s=20))
    login(r, "a1", T0)
    call = start_call(r, "a1", "k1", T0)
    r.handle(KioskDisconnected("k1"), T0 + 10)
    out = r.handle(EndCall(call.call_id, "agent", "media_failed"), T0 + 12)
    assert [c.reason for c in of(out, CallEnded)] == ["media_failed"]
    assert of(out, EntryRequeued) == []
