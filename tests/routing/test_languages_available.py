"""Which languages a service is given in: clerks at work count, a clerk long away does not."""

from __future__ import annotations

from signaling.routing.actions import EntryQueued, JoinRefused
from signaling.routing.events import (
    AcceptOffer,
    AgentNotReady,
    AgentReady,
    EndCall,
    JoinQueue,
)
from signaling.routing.model import AgentState, RouterConfig

from .helpers import T0, login, make_router, of, only_offer

GRACE = RouterConfig().not_ready_grace_s


def test_a_clerk_not_ready_for_hours_does_not_open_the_language() -> None:
    r = make_router()
    login(r, "fi-1", T0, languages=("fi",))
    login(r, "sv-1", T0, languages=("sv",), ready=False)
    assert r.languages_available("kela", T0 + 60) == {"fi", "sv"}  # just logged in
    later = T0 + 3 * 3600
    assert r.languages_available("kela", later) == {"fi"}
    refused = of(r.handle(JoinQueue("k1", "kela", "sv"), later), JoinRefused)
    assert [(x.code, x.languages_available) for x in refused] == [
        ("language_unavailable", ("fi",))
    ]


def test_a_short_break_keeps_the_language_then_it_runs_out() -> None:
    r = make_router()
    login(r, "sv-1", T0, languages=("sv",))
    r.handle(AgentNotReady("sv-1", "break"), T0 + 100)
    assert r.languages_available("kela", T0 + 100 + GRACE - 1) == {"sv"}
    assert r.languages_available("kela", T0 + 100 + GRACE) == frozenset()
    # Without ``now`` the router's own latest time answers.
    assert r.languages_available("kela") == {"sv"}
    r.handle(AgentReady("sv-1"), T0 + 100 + GRACE + 5)
    assert r.languages_available("kela") == {"sv"}


def test_clerks_in_a_call_or_wrap_up_count_whatever_the_time() -> None:
    r = make_router(RouterConfig(wrapup_s=3600.0))
    login(r, "sv-1", T0, languages=("sv",))
    offer = only_offer(r.handle(JoinQueue("k1", "kela", "sv"), T0 + 1))
    r.handle(AcceptOffer("sv-1", offer.offer_id), T0 + 2)
    (call,) = r.calls()
    assert r.languages_available("kela", T0 + 2 * 3600) == {"sv"}  # a long call
    r.handle(EndCall(call.call_id, "agent", "done"), T0 + 2 * 3600)
    assert r.agent_view("sv-1").state is AgentState.WRAP_UP  # type: ignore[union-attr]
    assert r.languages_available("kela", T0 + 2 * 3600 + 1800) == {"sv"}


def test_someone_already_waiting_keeps_the_place_when_the_clerk_steps_away() -> None:
    r = make_router()
    login(r, "sv-1", T0, languages=("sv",), ready=False)
    assert of(r.handle(JoinQueue("k1", "kela", "sv"), T0 + 5), EntryQueued) != []
    # Long after, the clerk is still away: new Swedish joins are refused, the waiting
    # citizen keeps the place and is offered the call when the clerk comes back.
    late = T0 + 2 * GRACE
    refused = of(r.handle(JoinQueue("k2", "kela", "sv"), late), JoinRefused)
    assert [x.code for x in refused] == ["language_unavailable"]
    offer = only_offer(r.handle(AgentReady("sv-1"), late + 1))
    assert offer.kiosk_id == "k1"


def test_only_the_skill_counts() -> None:
    r = make_router()
    login(r, "vero-sv", T0, skills=("vero",), languages=("sv",))
    assert r.languages_available("kela", T0) == frozenset()
    assert r.languages_available("vero", T0) == {"sv"}
