"""Wait estimates: the agent-state estimate (default), the earlier one, and when they are pushed."""

from __future__ import annotations

import math

import pytest

from signaling.routing.actions import CallStarted, QueuePosition
from signaling.routing.estimate import HandleTimes, estimate_wait
from signaling.routing.events import (
    AcceptOffer,
    AgentLogout,
    AgentNotReady,
    AgentReady,
    EndCall,
    JoinQueue,
    Tick,
)
from signaling.routing.model import RouterConfig
from signaling.routing.observed import Observed
from signaling.routing.positions import _Pass, _Profile
from signaling.routing.router import Router
from signaling.routing.waits import (
    EXACT_POSITIONS,
    Clerk,
    Predictions,
    WaitEstimate,
    Waiting,
    queue_waits,
    shown,
)

from .helpers import T0, login, make_router, of, only_offer, service

STAFFED = RouterConfig(estimator="staffed")


def told(out: list[object]) -> dict[str, tuple[int, float | None, str]]:
    return {
        a.kiosk_id: (a.position, a.estimated_wait_s, a.estimate_kind)
        for a in out
        if isinstance(a, QueuePosition)
    }


def in_call(r: Router, agent_id: str, kiosk_id: str, now: float) -> CallStarted:
    """``agent_id`` (logged in, ready, alone free) answers ``kiosk_id`` at ``now``."""
    offer = only_offer(r.handle(JoinQueue(kiosk_id, "kela", "fi"), now))
    assert offer.agent_id == agent_id
    return of(r.handle(AcceptOffer(agent_id, offer.offer_id), now), CallStarted)[0]


# --------------------------------------------------------------- agents: the cases of #16


def test_ready_clerks_answer_soon_not_in_five_minutes() -> None:
    # `make demo` used to tell "position 1, estimate 300 s" with two clerks ready.
    r = make_router()
    for agent_id in ("a1", "a2", "a3"):
        login(r, agent_id, T0)
    assert r.wait_estimate("kela", "fi", 1, T0 + 1).kind == "soon"  # for a newcomer, too
    out = r.handle(JoinQueue("k1", "kela", "fi"), T0 + 1)
    assert only_offer(out).agent_id == "a1"
    # Offered to a1, and a2 and a3 are there should a1 not answer: soon, under a minute.
    assert told(out) == {"k1": (1, 30.0, "soon")}


@pytest.mark.parametrize("clerks", [1, 2])
def test_one_or_two_ready_clerks_are_about_a_minute_not_a_promise(clerks: int) -> None:
    # A clerk may decline, miss the offer or leave for a break, and the spare too.
    r = make_router()
    for i in range(clerks):
        login(r, f"a{i}", T0)
    out = r.handle(JoinQueue("k1", "kela", "fi"), T0 + 1)
    assert told(out) == {"k1": (1, 60.0, "minutes")}


def test_nobody_logged_in_or_nobody_working_is_no_estimate() -> None:
    r = make_router()
    login(r, "a1", T0, ready=False)  # logged in, not ready: not known when they start
    out = r.handle(JoinQueue("k1", "kela", "fi"), T0 + 1)
    assert told(out) == {"k1": (1, None, "none")}
    out = r.handle(AgentReady("a1"), T0 + 2)
    assert told(out) == {"k1": (1, 60.0, "minutes")}  # offered to the one clerk
    assert r.wait_estimate("kela", "sv", 1).kind == "none"  # nobody speaks Swedish
    assert r.estimate_wait("nope", "fi", 1) is None


def test_clerk_on_a_break_counts_from_when_breaks_usually_end() -> None:
    r = make_router()
    login(r, "a1", T0)
    now = T0
    for _ in range(3):  # three 10-minute breaks teach the router how long they last
        r.handle(AgentNotReady("a1", "break"), now)
        now += 600
        r.handle(AgentReady("a1"), now)
        now += 60
    r.handle(AgentNotReady("a1", "break"), now)
    out = r.handle(JoinQueue("k1", "kela", "fi"), now + 100)
    # Expected back in 600 - 100 = 500 s, shown rounded up to whole minutes: 9 min.
    assert told(out) == {"k1": (1, 540.0, "minutes")}
    # A "lunch" was never seen: a clerk at lunch gives no estimate.
    r.handle(AgentReady("a1"), now + 200)
    r2 = make_router()
    login(r2, "b1", T0)
    r2.handle(AgentNotReady("b1", "lunch"), T0 + 1)
    assert told(r2.handle(JoinQueue("k1", "kela", "fi"), T0 + 2)) == {"k1": (1, None, "none")}


def test_a_call_in_progress_frees_its_clerk_after_its_remaining_time() -> None:
    r = make_router()
    login(r, "a1", T0)
    in_call(r, "a1", "k1", T0)
    out = r.handle(JoinQueue("k2", "kela", "fi"), T0 + 100)
    # No handle times seen yet: 300 s average - 100 s elapsed + 30 s wrap-up = 230 s -> 4 min.
    assert told(out) == {"k2": (1, 240.0, "minutes")}


def test_the_first_of_two_calls_ends_sooner_than_either() -> None:
    r = make_router()
    login(r, "a1", T0)
    in_call(r, "a1", "k1", T0)
    login(r, "a2", T0)
    in_call(r, "a2", "k2", T0)
    out = r.handle(JoinQueue("k3", "kela", "fi"), T0 + 100)
    # Each is free in 230 s on average; the first of the two in 115 s (shown 2 min).
    assert told(out) == {"k3": (1, 120.0, "minutes")}
    assert estimate_wait(1, 300.0, 2) == 150.0  # what the earlier estimate said


def test_citizens_of_other_queues_served_by_the_same_clerk_count() -> None:
    r = make_router()
    login(r, "a1", T0, languages=("fi", "sv"))
    in_call(r, "a1", "k0", T0)
    r.handle(JoinQueue("k1", "kela", "fi"), T0 + 10)
    r.handle(JoinQueue("k2", "kela", "fi"), T0 + 20)
    out = r.handle(JoinQueue("s1", "kela", "sv"), T0 + 30)
    # a1 is free in 300 - 30 + 30 = 300 s, then every 5 + 300 + 30 = 335 s; the two Finnish
    # citizens who came first take the first two turns: 300 + 335 + 335 = 970 s -> 17 min.
    assert told(out) == {"s1": (1, 1020.0, "minutes")}
    assert r.wait_estimate("kela", "fi", 1).shown_s == 300.0
    assert r.wait_estimate("kela", "fi", 2).shown_s == 660.0  # 635 s


def test_estimates_count_down_and_are_told_when_they_moved() -> None:
    r = make_router()
    login(r, "a1", T0)
    in_call(r, "a1", "k1", T0)
    assert told(r.handle(JoinQueue("k2", "kela", "fi"), T0 + 100)) == {"k2": (1, 240.0, "minutes")}
    # Rechecked after estimate_refresh_s: 199 s -> 210 s moved only 30 s, not told.
    assert told(r.handle(Tick(), T0 + 131)) == {}
    # 168 s -> 180 s: a minute less than the kiosk shows, told.
    assert told(r.handle(Tick(), T0 + 162)) == {"k2": (1, 180.0, "minutes")}


def test_a_break_is_told_at_once_only_where_nobody_else_works() -> None:
    r = make_router()
    login(r, "a1", T0)
    in_call(r, "a1", "k1", T0)
    login(r, "a2", T0)
    in_call(r, "a2", "k2", T0)
    assert told(r.handle(JoinQueue("k3", "kela", "fi"), T0 + 100)) == {"k3": (1, 120.0, "minutes")}
    # a2 takes a break after this call and a1 still works: nothing to tell in this event...
    assert told(r.handle(AgentNotReady("a2", "break"), T0 + 110)) == {}
    # ...the estimate is renewed on the next tick: a1 alone, free in 300 - 112 + 30 = 218 s.
    assert told(r.handle(Tick(), T0 + 112)) == {"k3": (1, 240.0, "minutes")}
    # The last working clerk stops: "no estimate" at once, in the same event.
    assert told(r.handle(AgentNotReady("a1", "break"), T0 + 113)) == {"k3": (1, None, "none")}


def test_far_back_citizens_are_rechecked_when_the_end_of_the_queue_moved() -> None:
    r = make_router(services={"kela": service("kela", max_queue=40)})
    login(r, "a1", T0)
    in_call(r, "a1", "k0", T0)
    for i in range(25):
        r.handle(JoinQueue(f"k{i + 1}", "kela", "fi"), T0 + 1 + i)
    key, now = ("kela", "fi"), T0 + 30
    order = r._book.ordered(key, now)
    old = r._profiles[key]
    # The one call runs as expected: the predictions stand, only the head is rechecked.
    assert r._renew(key, order, now, _Pass(r, now), old)[1] == EXACT_POSITIONS
    # Had the last place been predicted two minutes earlier, everyone is rechecked.
    earlier = _Profile(old.computed_at - 120, old.entry_ids, old.found)
    assert r._renew(key, order, now, _Pass(r, now), earlier)[1] == len(order) == 25


def test_the_earlier_estimate_is_still_available() -> None:
    r = make_router(STAFFED, {"kela": service("kela", default_handle_s=240)})
    login(r, "a1", T0, ready=False)
    r.handle(JoinQueue("k1", "kela", "fi"), T0)
    out = r.handle(JoinQueue("k2", "kela", "fi"), T0 + 1)
    assert told(out) == {"k2": (2, 480.0, "minutes")}
    # A second staffed agent (even not ready) halves every estimate: pushed to all.
    out = login(r, "a2", T0 + 2, ready=False)
    assert told(out) == {"k1": (1, 120.0, "minutes"), "k2": (2, 240.0, "minutes")}
    assert told(r.handle(AgentLogout("a1"), T0 + 3)) == {
        "k1": (1, 240.0, "minutes"),
        "k2": (2, 480.0, "minutes"),
    }
    assert r.estimate_wait("kela", "fi", 3) == 720.0


def test_finished_calls_update_the_earlier_estimate() -> None:
    r = make_router(RouterConfig(handle_time_alpha=0.2, estimator="staffed"))
    login(r, "a1", T0)
    call = in_call(r, "a1", "k1", T0)
    r.handle(JoinQueue("k2", "kela", "fi"), T0 + 10)
    out = r.handle(EndCall(call.call_id, "agent", "done"), T0 + 100)
    # 0.2 * 100 + 0.8 * 300 = 260 s average handle time, shown rounded up to 270 s.
    assert told(out) == {"k2": (1, 270.0, "minutes")}


# ------------------------------------------------------------------------ pure parts


def test_estimate_formula_of_the_earlier_estimate() -> None:
    assert estimate_wait(1, 300.0, 1) == 300.0
    assert estimate_wait(3, 300.0, 2) == 450.0
    assert estimate_wait(2, 120.0, 0) is None


def test_handle_time_ewma_and_remaining_time() -> None:
    times = HandleTimes({"kela": 300.0}, alpha=0.2)
    times.record("kela", 100.0)
    assert times.average("kela") == pytest.approx(260.0)
    times.record("kela", -5.0)  # clock skew counts as zero, never negative
    assert times.average("kela") == pytest.approx(208.0)
    with pytest.raises(ValueError):
        HandleTimes({}, alpha=0.0)
    long_tail = HandleTimes({"vero": 550.0}, alpha=0.2)
    for _ in range(10):
        long_tail.record("vero", 100.0)
        long_tail.record("vero", 1000.0)
    assert long_tail.remaining("vero", 0.0) == pytest.approx(550.0)
    # A call past the short ones is one of the long ones: 800 s more, not 350.
    assert long_tail.remaining("vero", 200.0) == pytest.approx(800.0)
    avg = long_tail.average("vero")
    assert long_tail.remaining("vero", 1500.0) == pytest.approx(avg / 4)  # beyond any seen


def test_observed_give_up_rate_and_time_away() -> None:
    seen = Observed(["kela"], wrapup_s=30.0, alpha=0.2)
    assert seen.hazard("kela") == 0.0
    seen.record_wait("kela", 300.0, gave_up=False)
    seen.record_wait("kela", 300.0, gave_up=True)
    # About one who gave up per 600 s waited (the newer weighs slightly more).
    assert seen.hazard("kela") == pytest.approx(1 / 600, rel=0.02)
    assert seen.away_left("break", 0.0) is None
    for spell in (600.0, 900.0, 1200.0):
        seen.record_away("break", spell)
    assert seen.away_left("break", 0.0) == pytest.approx(900.0)
    assert seen.away_left("break", 700.0) is None  # only two spells lasted longer
    seen.record_wrap(10.0)
    assert seen.wrap_s == pytest.approx(26.0)


def test_slots_take_the_first_of_several_calls() -> None:
    now = 1000.0
    busy = [Clerk(now + 600, False), Clerk(now + 600, False)]
    waits = queue_waits(
        now, [Waiting(now)] * 3, busy, cycle_s=600.0, hazard=0.0, answer_s=5.0
    )
    # Two calls with 600 s left each: the first ends in 300 s; then 2 clerks, one with a fresh
    # call (rate 1/600) and what is left of the other's (rate 1/600): 300 s later again.
    assert [w.seconds for w in waits] == pytest.approx([300.0, 600.0, 900.0])
    certain = queue_waits(
        now,
        [Waiting(now)] * 2,
        [Clerk(now + 20, True), Clerk(now + 10, True), Clerk(now + 30, True)],
        cycle_s=600.0,
        hazard=0.0,
        answer_s=5.0,
    )
    # Three clerks finishing wrap-ups: soon only while two more back the one who is next.
    assert [(w.kind, w.seconds) for w in certain] == [("soon", 10.0), ("minutes", 20.0)]


def test_citizens_who_give_up_ahead_shorten_the_wait() -> None:
    now = 0.0
    clerk = [Clerk(now + 600, False)]
    queue = [Waiting(now)] * 4
    patient = queue_waits(now, queue, clerk, cycle_s=600.0, hazard=0.0, answer_s=5.0)
    leaving = queue_waits(now, queue, clerk, cycle_s=600.0, hazard=1 / 900, answer_s=5.0)
    assert patient[0].seconds == leaving[0].seconds
    assert all(
        (b.seconds or 0) < (a.seconds or 0) for a, b in zip(patient[1:], leaving[1:], strict=True)
    )


def test_no_clerk_means_no_estimate_and_long_queues_are_extrapolated() -> None:
    assert queue_waits(0.0, [Waiting(0.0)], [], cycle_s=300, hazard=0, answer_s=5) == [
        WaitEstimate("none", None, None)
    ]
    long = queue_waits(
        0.0, [Waiting(0.0)] * 60, [Clerk(100.0, False)], cycle_s=300, hazard=0, answer_s=5
    )
    seconds = [w.seconds or 0.0 for w in long]
    assert seconds == sorted(seconds)
    assert seconds[59] - seconds[58] == pytest.approx(300.0)  # one clerk: a cycle per place


def test_shown_rounding_and_kinds() -> None:
    assert shown("soon", 12.0) == WaitEstimate("soon", 12.0, 30.0)
    assert shown("minutes", 12.0).shown_s == 60.0  # never reads as "less than a minute"
    assert shown("minutes", 301.0).shown_s == 360.0
    assert shown("none", 5.0) == WaitEstimate("none", None, None)


def test_soon_belongs_to_the_citizen_it_was_computed_for() -> None:
    profile = _Profile(100.0, ["e1", "e2"], Predictions([5.0, 200.0, 400.0], [True, False, False]))
    assert profile.estimate(0, "e1", 101.0).kind == "soon"
    # e2 moved up into e1's place before the queue was recomputed: minutes, not soon.
    assert profile.estimate(0, "e2", 101.0) == shown("minutes", 4.0)
    assert profile.estimate(1, "e2", 150.0) == shown("minutes", 150.0)
    # A newcomer's place, and further ones by the same spacing.
    assert profile.estimate(2, None, 100.0).seconds == 400.0
    assert profile.estimate(4, None, 100.0).seconds == 800.0


def test_queue_position_kind_and_seconds_agree() -> None:
    assert QueuePosition("k", "e", "kela", "fi", 1, None, "none", T0).estimate_kind == "none"
    with pytest.raises(ValueError):
        QueuePosition("k", "e", "kela", "fi", 1, 30.0, "none", T0)
    with pytest.raises(ValueError):
        QueuePosition("k", "e", "kela", "fi", 1, None, "minutes", T0)


def test_queue_stats_for_operators() -> None:
    r = make_router()
    login(r, "a1", T0, languages=("fi", "sv"))
    login(r, "a2", T0, ready=False)
    r.handle(JoinQueue("k1", "kela", "fi"), T0 + 10)  # offered to a1 at once
    r.handle(JoinQueue("k2", "kela", "fi"), T0 + 20)
    stats = {(s.service_id, s.language): s for s in r.queue_stats(T0 + 70)}
    fi = stats[("kela", "fi")]
    assert (fi.waiting, fi.longest_wait_s, fi.ready_agents, fi.staffed_agents) == (2, 60.0, 0, 2)
    assert fi.working_agents == 1  # a1 (offered k1); a2 logged in, not ready
    sv = stats[("kela", "sv")]
    assert (sv.waiting, sv.longest_wait_s, sv.ready_agents, sv.staffed_agents) == (0, 0.0, 0, 1)
    assert set(stats) == {("kela", "fi"), ("kela", "sv")}
    assert not math.isnan(fi.longest_wait_s)
