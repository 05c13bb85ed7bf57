"""Ending calls, wrap-up, not-ready (including deferred not-ready), login and logout."""

from __future__ import annotations

from signaling.routing.actions import (
    AgentStateChanged,
    CallEnded,
    CallStarted,
    OfferRevoked,
    OfferSent,
    Rejected,
)
from signaling.routing.events import (
    AcceptOffer,
    AgentLogout,
    AgentNotReady,
    AgentReady,
    EndCall,
    EndWrapUp,
    JoinQueue,
    Tick,
)
from signaling.routing.model import AgentState, RouterConfig
from signaling.routing.router import Router

from .helpers import T0, agent_of, login, make_router, of, only_offer, states


def in_call(r: Router, agent_id: str = "a1", kiosk_id: str = "k1", now: float = T0) -> str:
    """Log in an agent, queue a kiosk, accept; returns the call id."""
    login(r, agent_id, now)
    offer = only_offer(r.handle(JoinQueue(kiosk_id, "kela", "fi"), now))
    return of(r.handle(AcceptOffer(agent_id, offer.offer_id), now + 1), CallStarted)[0].call_id


def test_end_call_starts_wrap_up_with_deadline() -> None:
    r = make_router(RouterConfig(wrapup_s=30))
    call_id = in_call(r)
    out = r.handle(EndCall(call_id, "kiosk", "bye"), T0 + 100)
    assert of(out, CallEnded) == [
        CallEnded(call_id, "entry-1", "k1", "a1", "bye", "kiosk", T0 + 100)
    ]
    assert states(out, "a1") == [
        AgentStateChanged("a1", AgentState.WRAP_UP, None, T0 + 100, T0 + 130, T0 + 100)
    ]
    assert r.call(call_id) is None
    assert r.next_deadline() == T0 + 130


def test_wrap_up_ends_by_itself_at_the_deadline() -> None:
    r = make_router(RouterConfig(wrapup_s=30))
    call_id = in_call(r)
    r.handle(EndCall(call_id, "agent", "done"), T0 + 100)
    assert states(r.handle(Tick(), T0 + 129.9), "a1") == []
    out = r.handle(Tick(), T0 + 130)
    assert [s.state for s in states(out, "a1")] == [AgentState.READY]
    assert agent_of(r, "a1").idle_since == T0 + 130


def test_wrap_up_end_offers_the_next_citizen() -> None:
    r = make_router()
    call_id = in_call(r)
    r.handle(JoinQueue("k2", "kela", "fi"), T0 + 50)
    r.handle(EndCall(call_id, "agent", "done"), T0 + 100)
    assert only_offer(r.handle(EndWrapUp("a1"), T0 + 105)).kiosk_id == "k2"


def test_end_wrap_up_early() -> None:
    r = make_router()
    call_id = in_call(r)
    r.handle(EndCall(call_id, "agent", "done"), T0 + 100)
    out = r.handle(EndWrapUp("a1"), T0 + 110)
    assert [(s.state, s.since) for s in states(out, "a1")] == [(AgentState.READY, T0 + 110)]
    assert r.next_deadline() is None


def test_end_wrap_up_outside_wrap_up_is_rejected() -> None:
    r = make_router()
    login(r, "a1", T0)
    out = r.handle(EndWrapUp("a1"), T0)
    assert [x.code for x in of(out, Rejected)] == ["bad_state"]
    assert agent_of(r, "a1").state is AgentState.READY


def test_not_ready_during_call_applies_after_wrap_up() -> None:
    r = make_router()
    call_id = in_call(r)
    assert r.handle(AgentNotReady("a1", "lunch"), T0 + 10) == []
    assert agent_of(r, "a1").state is AgentState.IN_CALL
    out = r.handle(EndCall(call_id, "agent", "done"), T0 + 100)
    assert [s.state for s in states(out, "a1")] == [AgentState.WRAP_UP]
    out = r.handle(Tick(), T0 + 130)
    assert [(s.state, s.reason) for s in states(out, "a1")] == [(AgentState.NOT_READY, "lunch")]


def test_not_ready_during_wrap_up_applies_when_it_ends_early() -> None:
    r = make_router()
    call_id = in_call(r)
    r.handle(EndCall(call_id, "agent", "done"), T0 + 100)
    r.handle(AgentNotReady("a1", "meeting"), T0 + 101)
    r.handle(JoinQueue("k2", "kela", "fi"), T0 + 102)
    out = r.handle(EndWrapUp("a1"), T0 + 103)
    assert [(s.state, s.reason) for s in states(out, "a1")] == [(AgentState.NOT_READY, "meeting")]
    assert of(out, OfferSent) == []


def test_ready_during_call_cancels_the_deferred_not_ready() -> None:
    r = make_router()
    call_id = in_call(r)
    r.handle(AgentNotReady("a1", "lunch"), T0 + 10)
    r.handle(AgentReady("a1"), T0 + 20)
    r.handle(EndCall(call_id, "agent", "done"), T0 + 100)
    out = r.handle(Tick(), T0 + 130)
    assert [s.state for s in states(out, "a1")] == [AgentState.READY]


def test_not_ready_while_offered_declines_the_offer() -> None:
    r = make_router()
    login(r, "a1", T0)
    offer = only_offer(r.handle(JoinQueue("k1", "kela", "fi"), T0))
    out = r.handle(AgentNotReady("a1", "break"), T0 + 2)
    assert of(out, OfferRevoked) == [OfferRevoked(offer.offer_id, "a1", "rejected")]
    assert [(s.state, s.reason) for s in states(out, "a1")] == [(AgentState.NOT_READY, "break")]
    assert r.entry_for_kiosk("k1") is not None


def test_login_starts_not_ready_and_ready_makes_available() -> None:
    r = make_router()
    out = login(r, "a1", T0, ready=False)
    assert [(s.state, s.reason) for s in states(out, "a1")] == [(AgentState.NOT_READY, "login")]
    out = r.handle(AgentReady("a1"), T0 + 5)
    assert [s.state for s in states(out, "a1")] == [AgentState.READY]
    assert agent_of(r, "a1").idle_since == T0 + 5


def test_unknown_agent_is_rejected() -> None:
    r = make_router()
    assert [x.code for x in of(r.handle(AgentReady("ghost"), T0), Rejected)] == ["not_allowed"]


def test_wrap_up_zero_goes_straight_to_ready() -> None:
    r = make_router(RouterConfig(wrapup_s=0))
    call_id = in_call(r)
    out = r.handle(EndCall(call_id, "agent", "done"), T0 + 100)
    assert [s.state for s in states(out, "a1")] == [AgentState.READY]


def test_end_unknown_call_is_rejected() -> None:
    r = make_router()
    out = r.handle(EndCall("call-x", "agent", "done"), T0)
    assert [(x.target_id, x.code) for x in of(out, Rejected)] == [("call-x", "unknown_call")]


def test_second_end_call_is_rejected() -> None:
    r = make_router()
    call_id = in_call(r)
    r.handle(EndCall(call_id, "agent", "done"), T0 + 100)
    out = r.handle(EndCall(call_id, "kiosk", "bye"), T0 + 100)
    assert [x.code for x in of(out, Rejected)] == ["unknown_call"]
    assert of(out, CallEnded) == []


def test_logout_in_call_is_refused() -> None:
    r = make_router()
    call_id = in_call(r)
    out = r.handle(AgentLogout("a1"), T0 + 10)
    assert [x.code for x in of(out, Rejected)] == ["bad_state"]
    assert r.call(call_id) is not None


def test_logout_removes_agent_and_its_languages() -> None:
    r = make_router()
    login(r, "a1", T0, languages=("fi", "sv"))
    assert r.languages_available("kela") == {"fi", "sv"}
    r.handle(AgentLogout("a1"), T0 + 1)
    assert r.agent_view("a1") is None
    assert r.languages_available("kela") == frozenset()


def test_logout_while_offered_revokes_the_offer() -> None:
    r = make_router()
    login(r, "a1", T0)
    offer = only_offer(r.handle(JoinQueue("k1", "kela", "fi"), T0))
    out = r.handle(AgentLogout("a1"), T0 + 1)
    assert of(out, OfferRevoked) == [OfferRevoked(offer.offer_id, "a1", "agent_lost")]
    entry = r.entry_for_kiosk("k1")
    assert entry is not None and entry.offer_id is None
