"""Wait estimates: formula, handle-time average, and when they are pushed."""

from __future__ import annotations

import pytest

from signaling.routing.actions import CallStarted, QueuePosition
from signaling.routing.estimate import HandleTimes, estimate_wait
from signaling.routing.events import AcceptOffer, AgentLogout, EndCall, JoinQueue
from signaling.routing.model import RouterConfig

from .helpers import T0, login, make_router, of, only_offer, service


def test_estimate_formula() -> None:
    assert estimate_wait(1, 300.0, 1) == 300.0
    assert estimate_wait(3, 300.0, 2) == 450.0
    assert estimate_wait(2, 120.0, 0) is None


def test_handle_time_ewma() -> None:
    times = HandleTimes({"kela": 300.0}, alpha=0.2)
    times.record("kela", 100.0)
    assert times.average("kela") == pytest.approx(260.0)
    times.record("kela", -5.0)  # clock skew counts as zero, never negative
    assert times.average("kela") == pytest.approx(208.0)
    with pytest.raises(ValueError):
        HandleTimes({}, alpha=0.0)


def positions(out: list[object]) -> dict[str, tuple[int, float | None]]:
    return {
        a.kiosk_id: (a.position, a.estimated_wait_s) for a in out if isinstance(a, QueuePosition)
    }


def test_estimate_uses_service_default_and_staffed_agents() -> None:
    r = make_router(services={"kela": service("kela", default_handle_s=240)})
    login(r, "a1", T0, ready=False)
    r.handle(JoinQueue("k1", "kela", "fi"), T0)
    out = r.handle(JoinQueue("k2", "kela", "fi"), T0 + 1)
    assert positions(out) == {"k2": (2, 480.0)}
    # A second staffed agent (even not ready) halves every estimate: pushed to all.
    out = login(r, "a2", T0 + 2, ready=False)
    assert positions(out) == {"k1": (1, 120.0), "k2": (2, 240.0)}


def test_agents_of_other_languages_do_not_count() -> None:
    r = make_router()
    login(r, "a1", T0, ready=False)
    r.handle(JoinQueue("k1", "kela", "fi"), T0)
    out = login(r, "a-sv", T0 + 1, languages=("sv",), ready=False)
    assert positions(out) == {}


def test_estimate_is_none_when_nobody_serves_the_queue() -> None:
    r = make_router()
    login(r, "a1", T0, ready=False)
    r.handle(JoinQueue("k1", "kela", "fi"), T0)
    out = r.handle(AgentLogout("a1"), T0 + 5)
    assert positions(out) == {"k1": (1, None)}


def test_finished_calls_update_the_estimate() -> None:
    r = make_router(RouterConfig(handle_time_alpha=0.2))
    login(r, "a1", T0)
    offer = only_offer(r.handle(JoinQueue("k1", "kela", "fi"), T0))
    call = of(r.handle(AcceptOffer("a1", offer.offer_id), T0), CallStarted)[0]
    r.handle(JoinQueue("k2", "kela", "fi"), T0 + 10)
    out = r.handle(EndCall(call.call_id, "agent", "done"), T0 + 100)
    # 0.2 * 100 + 0.8 * 300 = 260 s average handle time, shown rounded up to 270 s.
    assert positions(out) == {"k2": (1, 270.0)}


def test_unchanged_estimate_is_not_pushed_again() -> None:
    r = make_router()
    login(r, "a1", T0, ready=False)
    r.handle(JoinQueue("k1", "kela", "fi"), T0)
    out = r.handle(JoinQueue("k2", "vero", "fi"), T0 + 1)  # refused: nobody at vero
    assert positions(out) == {}
    assert positions(login(r, "b1", T0 + 2, skills=("vero",), ready=False)) == {}


def test_router_estimate_for_a_prospective_position() -> None:
    r = make_router(services={"kela": service("kela", default_handle_s=240)})
    assert r.estimate_wait("kela", "fi", 1) is None
    login(r, "a1", T0, ready=False)
    login(r, "a2", T0, ready=False)
    assert r.estimate_wait("kela", "fi", 3) == 360.0
    assert r.estimate_wait("nope", "fi", 1) is None
    assert set(r.services) == {"kela"}


def test_queue_stats_for_operators() -> None:
    r = make_router()
    login(r, "a1", T0, languages=("fi", "sv"))
    login(r, "a2", T0, ready=False)
    r.handle(JoinQueue("k1", "kela", "fi"), T0 + 10)  # offered to a1 at once
    r.handle(JoinQueue("k2", "kela", "fi"), T0 + 20)
    stats = {(s.service_id, s.language): s for s in r.queue_stats(T0 + 70)}
    fi = stats[("kela", "fi")]
    assert (fi.waiting, fi.longest_wait_s, fi.ready_agents, fi.staffed_agents) == (2, 60.0, 0, 2)
    sv = stats[("kela", "sv")]
    assert (sv.waiting, sv.longest_wait_s, sv.ready_agents, sv.staffed_agents) == (0, 0.0, 0, 1)
    assert set(stats) == {("kela", "fi"), ("kela", "sv")}
