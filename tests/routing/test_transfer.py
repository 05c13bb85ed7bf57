"""Transfers between services."""

from __future__ import annotations

from signaling.routing.actions import (
    CallEnded,
    CallStarted,
    CallTransferred,
    EntryQueued,
    QueuePosition,
    Rejected,
)
from signaling.routing.events import AcceptOffer, AgentReady, JoinQueue, Transfer
from signaling.routing.hours import OpeningHours
from signaling.routing.model import AgentState, RouterConfig
from signaling.routing.router import Router

from .helpers import T0, agent_of, login, make_router, of, only_offer, service, states


def call_in_kela(r: Router, priority: int = 0) -> CallStarted:
    login(r, "a1", T0, skills=("kela",), languages=("fi", "sv"))
    offer = only_offer(r.handle(JoinQueue("k1", "kela", "sv", priority=priority), T0))
    return of(r.handle(AcceptOffer("a1", offer.offer_id), T0 + 5), CallStarted)[0]


def test_transfer_requeues_in_the_new_service_near_the_front() -> None:
    r = make_router()
    login(r, "v1", T0, skills=("vero",), languages=("sv",), ready=False)
    call = call_in_kela(r, priority=1)
    r.handle(JoinQueue("k2", "vero", "sv", priority=1), T0 + 10)  # joined vero after k1
    out = r.handle(Transfer("a1", call.call_id, "vero"), T0 + 100)
    assert of(out, CallEnded) == [
        CallEnded(call.call_id, call.entry_id, "k1", "a1", "transferred", "agent", T0 + 100)
    ]
    queued = of(out, EntryQueued)
    assert queued == [EntryQueued("entry-3", "k1", "vero", "sv", 1, T0, T0 + 100)]
    assert of(out, CallTransferred) == [
        CallTransferred(call.call_id, "k1", "a1", "kela", "vero", "entry-3", T0 + 100)
    ]
    assert [s.state for s in states(out, "a1")] == [AgentState.WRAP_UP]
    assert {(p.kiosk_id, p.position) for p in of(out, QueuePosition)} == {("k1", 1), ("k2", 2)}
    assert r.call(call.call_id) is None
    assert only_offer(r.handle(AgentReady("v1"), T0 + 101)).kiosk_id == "k1"


def test_transfer_is_offered_at_once_to_a_ready_agent() -> None:
    r = make_router()
    login(r, "v1", T0, skills=("vero",), languages=("sv",))
    call = call_in_kela(r)
    offer = only_offer(r.handle(Transfer("a1", call.call_id, "vero"), T0 + 100))
    assert (offer.agent_id, offer.kiosk_id, offer.service_id) == ("v1", "k1", "vero")
    assert offer.waited_s == 100  # counted from the first join


def test_transfer_feeds_handle_time_of_the_old_service() -> None:
    # The earlier estimate shows the average directly.
    r = make_router(RouterConfig(handle_time_alpha=0.5, estimator="staffed"))
    login(r, "a2", T0, skills=("kela",), languages=("sv",), ready=False)
    call = call_in_kela(r)
    r.handle(JoinQueue("k9", "kela", "sv"), T0 + 6)
    login(r, "v1", T0, skills=("vero",), languages=("sv",), ready=False)
    out = r.handle(Transfer("a1", call.call_id, "vero"), T0 + 105)  # handled 100 s
    # kela avg 0.5*100 + 0.5*300 = 200; k9 at position 1 with 2 kela/sv agents: 100 s,
    # shown rounded up to 120 s (it was 150 s before the transfer).
    assert [
        (p.kiosk_id, p.estimated_wait_s) for p in of(out, QueuePosition) if p.kiosk_id == "k9"
    ] == [("k9", 120.0)]


def rejected_transfer(r: Router, call: CallStarted, service_id: str) -> Rejected:
    out = r.handle(Transfer("a1", call.call_id, service_id), T0 + 50)
    assert of(out, CallEnded) == [] and of(out, EntryQueued) == []
    assert r.call(call.call_id) is not None  # the call continues
    assert agent_of(r, "a1").state is AgentState.IN_CALL
    (rejected,) = of(out, Rejected)
    return rejected


def test_transfer_to_unknown_service_is_rejected() -> None:
    r = make_router()
    call = call_in_kela(r)
    got = rejected_transfer(r, call, "poliisi")
    assert (got.target_id, got.code) == (call.call_id, "unknown_service")


def test_transfer_without_agents_for_the_language_is_rejected() -> None:
    r = make_router()
    login(r, "v1", T0, skills=("vero",), languages=("fi",))  # no Swedish at vero
    call = call_in_kela(r)
    got = rejected_transfer(r, call, "vero")
    assert got.code == "not_allowed" and "language_unavailable" in got.detail


def test_transfer_to_closed_service_is_rejected() -> None:
    r = make_router(
        services={
            "kela": service("kela"),
            "vero": service("vero", hours=OpeningHours({})),
        }
    )
    login(r, "v1", T0, skills=("vero",), languages=("sv",))
    call = call_in_kela(r)
    got = rejected_transfer(r, call, "vero")
    assert got.code == "not_allowed" and "service_closed" in got.detail


def test_transfer_to_full_service_is_rejected() -> None:
    r = make_router(services={"kela": service("kela"), "vero": service("vero", max_queue=1)})
    login(r, "v1", T0, skills=("vero",), languages=("sv",), ready=False)
    r.handle(JoinQueue("k2", "vero", "sv"), T0)
    call = call_in_kela(r)
    got = rejected_transfer(r, call, "vero")
    assert got.code == "not_allowed" and "queue_full" in got.detail


def test_transfer_by_another_agent_or_of_unknown_call_is_rejected() -> None:
    r = make_router()
    login(r, "v1", T0, skills=("vero",), languages=("sv",))
    call = call_in_kela(r)
    out = r.handle(Transfer("v1", call.call_id, "vero"), T0 + 50)
    assert [x.code for x in of(out, Rejected)] == ["not_allowed"]
    out = r.handle(Transfer("a1", "call-x", "vero"), T0 + 50)
    assert [x.code for x in of(out, Rejected)] == ["unknown_call"]
    assert r.call(call.call_id) is not None
