"""Citizen order, agent choice, fairness across queues and position pushes."""

from __future__ import annotations

from signaling.routing.actions import CallStarted, OfferSent, QueuePosition
from signaling.routing.events import (
    AcceptOffer,
    AgentReady,
    EndCall,
    EndWrapUp,
    JoinQueue,
    LeaveQueue,
    Tick,
)
from signaling.routing.model import RouterConfig
from signaling.routing.ordering import effective_priority, head_priority
from signaling.routing.records import Entry
from signaling.routing.router import Router

from .helpers import T0, login, make_router, of, only_offer


def queue_kiosks(router: Router, service_id: str, language: str, now: float) -> list[str]:
    return [e.kiosk_id for e in router.queue(service_id, language, now)]


def test_higher_priority_is_offered_first() -> None:
    r = make_router()
    login(r, "a1", T0, ready=False)
    r.handle(JoinQueue("k1", "kela", "fi"), T0)
    r.handle(JoinQueue("k2", "kela", "fi", priority=1), T0 + 10)
    offer = only_offer(r.handle(AgentReady("a1"), T0 + 20))
    assert offer.kiosk_id == "k2"


def test_equal_priority_is_first_come_first_served() -> None:
    r = make_router()
    login(r, "a1", T0, ready=False)
    r.handle(JoinQueue("k2", "kela", "fi"), T0 + 1)
    r.handle(JoinQueue("k1", "kela", "fi"), T0 + 2)
    assert queue_kiosks(r, "kela", "fi", T0 + 3) == ["k2", "k1"]
    assert only_offer(r.handle(AgentReady("a1"), T0 + 3)).kiosk_id == "k2"


def test_waiting_escalates_priority_one_level_per_step() -> None:
    r = make_router(RouterConfig(escalation_step_s=300))
    login(r, "a1", T0, ready=False)
    r.handle(JoinQueue("old", "kela", "fi", priority=0), T0)
    r.handle(JoinQueue("urgent", "kela", "fi", priority=1), T0 + 200)
    # Before 300 s the old entry is still a level below.
    assert queue_kiosks(r, "kela", "fi", T0 + 299) == ["urgent", "old"]
    # At 300 s it reaches level 1, ties, and wins on enqueued_at.
    assert queue_kiosks(r, "kela", "fi", T0 + 300) == ["old", "urgent"]
    assert only_offer(r.handle(AgentReady("a1"), T0 + 301)).kiosk_id == "old"


def test_escalation_change_is_pushed_on_tick_and_has_a_deadline() -> None:
    r = make_router(RouterConfig(escalation_step_s=300))
    login(r, "a1", T0, ready=False)
    r.handle(JoinQueue("old", "kela", "fi"), T0)
    r.handle(JoinQueue("urgent", "kela", "fi", priority=1), T0 + 200)
    assert r.next_deadline() == T0 + 300
    pushed = of(r.handle(Tick(), T0 + 300), QueuePosition)
    assert {(p.kiosk_id, p.position) for p in pushed} == {("old", 1), ("urgent", 2)}


def test_effective_priority_formula() -> None:
    assert effective_priority(2, 1000.0, 1000.0 + 599, 300) == 3
    assert effective_priority(2, 1000.0, 1000.0 + 600, 300) == 4
    assert effective_priority(2, 1000.0, 1000.0 + 10_000, 0) == 2


def test_head_priority_stays_ahead_forever() -> None:
    step = 300.0
    others = [
        Entry("e1", "k1", "kela", "fi", 0, 1000.0),
        Entry("e2", "k2", "kela", "fi", 2, 1400.0),
        Entry("e3", "k3", "kela", "fi", 0, 900.0),  # waited longer than the requeued one
    ]
    prio = head_priority(0, 1100.0, others, step)
    for t in range(1500, 20_000, 37):
        mine = effective_priority(prio, 1100.0, float(t), step)
        assert all(mine > effective_priority(o.priority, o.enqueued_at, t, step) for o in others)


def test_longest_idle_agent_gets_the_offer() -> None:
    r = make_router()
    login(r, "b", T0)  # ready first: idle longest
    login(r, "a", T0 + 5)
    offer = only_offer(r.handle(JoinQueue("k1", "kela", "fi"), T0 + 10))
    assert offer.agent_id == "b"


def test_idle_tie_is_broken_by_agent_id() -> None:
    r = make_router()
    login(r, "b", T0)
    login(r, "a", T0)
    assert only_offer(r.handle(JoinQueue("k1", "kela", "fi"), T0 + 10)).agent_id == "a"


def test_agent_without_the_language_is_not_offered() -> None:
    r = make_router()
    login(r, "sv-only", T0, languages=("sv",))
    login(r, "fi-late", T0 + 50, ready=False)
    out = r.handle(JoinQueue("k1", "kela", "fi"), T0 + 60)
    assert of(out, OfferSent) == []
    entry = r.entry_for_kiosk("k1")
    assert entry is not None and entry.offer_id is None


def test_agent_serving_two_queues_gets_the_longest_waiting_across_them() -> None:
    r = make_router()
    login(r, "a1", T0, skills=("kela", "vero"), languages=("fi", "sv"), ready=False)
    r.handle(JoinQueue("k-vero", "vero", "sv"), T0 + 1)
    r.handle(JoinQueue("k-kela", "kela", "fi"), T0 + 2)
    assert only_offer(r.handle(AgentReady("a1"), T0 + 3)).kiosk_id == "k-vero"


def test_agent_finishing_wrap_up_later_is_preferred_less() -> None:
    r = make_router()
    login(r, "a1", T0)
    offer = only_offer(r.handle(JoinQueue("k1", "kela", "fi"), T0 + 1))
    call = of(r.handle(AcceptOffer("a1", offer.offer_id), T0 + 2), CallStarted)[0]
    login(r, "a2", T0 + 50)
    r.handle(EndCall(call.call_id, "agent", "done"), T0 + 100)
    r.handle(EndWrapUp("a1"), T0 + 110)  # a1 idle since T0+110, a2 since T0+50
    assert only_offer(r.handle(JoinQueue("k2", "kela", "fi"), T0 + 120)).agent_id == "a2"


def test_offer_reserves_without_moving_anyone() -> None:
    r = make_router()
    login(r, "a1", T0, ready=False)
    r.handle(JoinQueue("k1", "kela", "fi"), T0)
    r.handle(JoinQueue("k2", "kela", "fi"), T0 + 1)
    out = r.handle(AgentReady("a1"), T0 + 2)
    assert only_offer(out).kiosk_id == "k1"
    # Nobody moves; both now hear an estimate (a clerk is working) at their old places.
    assert {(p.kiosk_id, p.position) for p in of(out, QueuePosition)} == {("k1", 1), ("k2", 2)}
    assert queue_kiosks(r, "kela", "fi", T0 + 2) == ["k1", "k2"]


def test_positions_are_pushed_only_to_kiosks_that_moved() -> None:
    r = make_router()
    login(r, "a1", T0, ready=False)
    for i, k in enumerate(["k1", "k2", "k3"]):
        r.handle(JoinQueue(k, "kela", "fi"), T0 + i)
    out = r.handle(LeaveQueue("k2"), T0 + 10)
    assert [(p.kiosk_id, p.position) for p in of(out, QueuePosition)] == [("k3", 2)]
    out = r.handle(LeaveQueue("k3"), T0 + 11)
    assert of(out, QueuePosition) == []


def test_join_pushes_to_newcomer_and_to_those_it_overtakes() -> None:
    r = make_router()
    login(r, "a1", T0, ready=False)
    r.handle(JoinQueue("k1", "kela", "fi"), T0)
    r.handle(JoinQueue("k2", "kela", "fi", priority=2), T0 + 1)
    r.handle(JoinQueue("k3", "kela", "fi"), T0 + 2)
    out = r.handle(JoinQueue("k4", "kela", "fi", priority=1), T0 + 3)
    pushed = [(p.kiosk_id, p.position) for p in of(out, QueuePosition)]
    assert sorted(pushed) == [("k1", 3), ("k3", 4), ("k4", 2)]


def test_queues_are_per_language() -> None:
    r = make_router()
    login(r, "a1", T0, languages=("fi", "sv"), ready=False)
    out_fi = r.handle(JoinQueue("k1", "kela", "fi"), T0)
    out_sv = r.handle(JoinQueue("k2", "kela", "sv"), T0 + 1)
    assert of(out_fi, QueuePosition)[0].position == 1
    assert of(out_sv, QueuePosition)[0].position == 1
    assert queue_kiosks(r, "kela", "sv", T0 + 2) == ["k2"]
