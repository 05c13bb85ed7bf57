"""Offers: reservation, accept, reject, timeout, decline cool-off and missed offers."""

from __future__ import annotations

from signaling.routing.actions import (
    AgentStateChanged,
    CallStarted,
    EntryRemoved,
    OfferRevoked,
    OfferSent,
    QueuePosition,
    Rejected,
)
from signaling.routing.events import (
    AcceptOffer,
    AgentLogin,
    AgentReady,
    JoinQueue,
    RejectOffer,
    Tick,
)
from signaling.routing.model import AgentState, RouterConfig

from .helpers import T0, agent_of, login, make_router, of, only_offer, states


def test_offer_reserves_entry_and_agent_with_a_deadline() -> None:
    r = make_router()
    login(r, "a1", T0)
    out = r.handle(JoinQueue("k1", "kela", "fi"), T0 + 5)
    offer = only_offer(out)
    assert (offer.agent_id, offer.kiosk_id, offer.service_id, offer.language) == (
        "a1",
        "k1",
        "kela",
        "fi",
    )
    assert offer.expires_at == T0 + 5 + 20
    assert offer.waited_s == 0
    assert [s.state for s in states(out, "a1")] == [AgentState.RESERVED]
    assert r.next_deadline() == offer.expires_at
    entry = r.entry_for_kiosk("k1")
    assert entry is not None and entry.offer_id == offer.offer_id


def test_waited_s_counts_from_join() -> None:
    r = make_router()
    login(r, "a1", T0, ready=False)
    r.handle(JoinQueue("k1", "kela", "fi"), T0)
    assert only_offer(r.handle(AgentReady("a1"), T0 + 42)).waited_s == 42


def test_accept_starts_call_and_moves_the_others_up() -> None:
    r = make_router()
    login(r, "a1", T0, ready=False)
    r.handle(JoinQueue("k1", "kela", "fi"), T0)
    r.handle(JoinQueue("k2", "kela", "fi"), T0 + 1)
    offer = only_offer(r.handle(AgentReady("a1"), T0 + 2))
    out = r.handle(AcceptOffer("a1", offer.offer_id), T0 + 4)
    started = of(out, CallStarted)
    assert len(started) == 1
    call = started[0]
    assert (call.kiosk_id, call.agent_id, call.offered_at, call.answered_at) == (
        "k1",
        "a1",
        T0 + 2,
        T0 + 4,
    )
    assert of(out, EntryRemoved) == [EntryRemoved(offer.entry_id, "k1", "answered", T0 + 4)]
    assert [s.state for s in states(out, "a1")] == [AgentState.IN_CALL]
    assert [(p.kiosk_id, p.position) for p in of(out, QueuePosition)] == [("k2", 1)]
    assert r.entry_for_kiosk("k1") is None
    view = r.call(call.call_id)
    assert view is not None and view.kiosk_id == "k1"


def test_accepting_someone_elses_offer_is_rejected_and_changes_nothing() -> None:
    r = make_router()
    login(r, "a1", T0)
    login(r, "a2", T0 + 1, ready=False)
    offer = only_offer(r.handle(JoinQueue("k1", "kela", "fi"), T0 + 2))
    out = r.handle(AcceptOffer("a2", offer.offer_id), T0 + 3)
    assert out == [Rejected(offer.offer_id, "not_allowed", "the offer was made to another agent")]
    agent = r.agent_view("a1")
    assert agent is not None and agent.offer_id == offer.offer_id


def test_accepting_an_expired_offer_is_rejected() -> None:
    r = make_router()
    login(r, "a1", T0)
    offer = only_offer(r.handle(JoinQueue("k1", "kela", "fi"), T0))
    out = r.handle(AcceptOffer("a1", offer.offer_id), offer.expires_at + 1)
    assert of(out, OfferRevoked) == [OfferRevoked(offer.offer_id, "a1", "timeout")]
    rejected = of(out, Rejected)
    assert [x.code for x in rejected] == ["unknown_offer"]
    assert of(out, CallStarted) == []


def test_unknown_offer_is_rejected() -> None:
    r = make_router()
    login(r, "a1", T0)
    out = r.handle(RejectOffer("a1", "nope"), T0)
    assert [x.code for x in of(out, Rejected)] == ["unknown_offer"]


def test_reject_keeps_place_and_goes_to_another_ready_agent() -> None:
    r = make_router()
    login(r, "a1", T0)
    login(r, "a2", T0 + 1)
    r.handle(JoinQueue("k0", "kela", "fi"), T0 + 1.5)  # before k1 in the queue
    offer = only_offer(r.handle(JoinQueue("k1", "kela", "fi"), T0 + 2))
    assert offer.kiosk_id == "k1" and offer.agent_id == "a2"
    out = r.handle(RejectOffer("a2", offer.offer_id), T0 + 3)
    assert of(out, OfferRevoked) == [OfferRevoked(offer.offer_id, "a2", "rejected")]
    assert [s.state for s in states(out, "a2")] == [AgentState.READY]
    agent = r.agent_view("a2")
    assert agent is not None and agent.idle_since == T0 + 3
    assert of(out, QueuePosition) == []  # k1 kept its place behind k0
    assert [e.kiosk_id for e in r.queue("kela", "fi", T0 + 3)] == ["k0", "k1"]


def test_declined_entry_is_not_reoffered_to_that_agent_during_cooloff() -> None:
    r = make_router(RouterConfig(decline_cooloff_s=30))
    login(r, "a1", T0)
    offer = only_offer(r.handle(JoinQueue("k1", "kela", "fi"), T0))
    out = r.handle(RejectOffer("a1", offer.offer_id), T0 + 1)
    assert of(out, OfferSent) == []
    assert r.next_deadline() == T0 + 31
    assert of(r.handle(Tick(), T0 + 30.5), OfferSent) == []
    again = only_offer(r.handle(Tick(), T0 + 31))
    assert again.entry_id == offer.entry_id and again.offer_id != offer.offer_id


def test_cooled_off_agent_still_gets_other_entries() -> None:
    r = make_router()
    login(r, "a1", T0)
    offer = only_offer(r.handle(JoinQueue("k1", "kela", "fi"), T0))
    r.handle(RejectOffer("a1", offer.offer_id), T0 + 1)
    assert only_offer(r.handle(JoinQueue("k2", "kela", "fi"), T0 + 2)).kiosk_id == "k2"


def test_timeout_revokes_and_resets_idle_time() -> None:
    r = make_router()
    login(r, "a1", T0)
    login(r, "a2", T0 + 1, ready=False)
    offer = only_offer(r.handle(JoinQueue("k1", "kela", "fi"), T0 + 2))
    r.handle(AgentReady("a2"), T0 + 3)
    out = r.handle(Tick(), offer.expires_at)
    assert of(out, OfferRevoked) == [OfferRevoked(offer.offer_id, "a1", "timeout")]
    # a1 is ready again but now idle since the timeout, so a2 gets the citizen.
    assert only_offer(out).agent_id == "a2"
    a1 = r.agent_view("a1")
    assert a1 is not None and a1.state is AgentState.READY and a1.missed_offers == 1


def test_three_consecutive_timeouts_set_not_ready() -> None:
    r = make_router(RouterConfig(offer_timeout_s=20, decline_cooloff_s=0))
    login(r, "a1", T0)
    now = T0
    r.handle(JoinQueue("k1", "kela", "fi"), now)
    last: list[AgentStateChanged] = []
    for _ in range(3):
        deadline = r.next_deadline()
        assert deadline is not None
        now = deadline
        last = states(r.handle(Tick(), now), "a1")
    assert last[-1].state is AgentState.NOT_READY
    assert last[-1].reason == "missed_offers"
    agent = r.agent_view("a1")
    assert agent is not None and agent.state is AgentState.NOT_READY
    # The citizen is untouched and will wait for the next agent.
    entry = r.entry_for_kiosk("k1")
    assert entry is not None and entry.offer_id is None


def test_two_timeouts_do_not_set_not_ready() -> None:
    r = make_router(RouterConfig(decline_cooloff_s=0))
    login(r, "a1", T0)
    r.handle(JoinQueue("k1", "kela", "fi"), T0)
    r.handle(Tick(), T0 + 20)
    out = r.handle(Tick(), T0 + 40)
    assert states(out, "a1")[-1].state is AgentState.RESERVED
    assert agent_of(r, "a1").missed_offers == 2


def test_explicit_reject_resets_the_missed_count() -> None:
    r = make_router(RouterConfig(decline_cooloff_s=0))
    login(r, "a1", T0)
    r.handle(JoinQueue("k1", "kela", "fi"), T0)
    r.handle(Tick(), T0 + 20)  # missed 1, re-offered at once (no cool-off)
    out = r.handle(Tick(), T0 + 40)  # missed 2
    offer = only_offer(out)
    r.handle(RejectOffer("a1", offer.offer_id), T0 + 41)  # present: count back to 0
    r.handle(Tick(), T0 + 61)  # missed 1
    out = r.handle(Tick(), T0 + 81)  # missed 2
    agent = r.agent_view("a1")
    assert agent is not None
    assert agent.state is AgentState.RESERVED and agent.missed_offers == 2


def test_accept_resets_the_missed_count() -> None:
    r = make_router(RouterConfig(decline_cooloff_s=0))
    login(r, "a1", T0)
    r.handle(JoinQueue("k1", "kela", "fi"), T0)
    out = r.handle(Tick(), T0 + 20)
    r.handle(AcceptOffer("a1", only_offer(out).offer_id), T0 + 21)
    agent = r.agent_view("a1")
    assert agent is not None and agent.missed_offers == 0


def test_ready_after_missed_offers_starts_a_fresh_count() -> None:
    r = make_router(RouterConfig(decline_cooloff_s=0, max_missed_offers=1))
    login(r, "a1", T0)
    r.handle(JoinQueue("k1", "kela", "fi"), T0)
    r.handle(Tick(), T0 + 20)
    assert agent_of(r, "a1").state is AgentState.NOT_READY
    out = r.handle(AgentReady("a1"), T0 + 30)
    assert [s.state for s in states(out, "a1")] == [AgentState.READY, AgentState.RESERVED]
    assert agent_of(r, "a1").missed_offers == 0


def test_relogin_without_the_skill_cancels_the_pending_offer() -> None:
    r = make_router()
    login(r, "a1", T0, skills=("kela", "vero"))
    offer = only_offer(r.handle(JoinQueue("k1", "vero", "fi"), T0))
    out = r.handle(AgentLogin("a1", frozenset({"kela"}), frozenset({"fi"})), T0 + 1)
    assert of(out, OfferRevoked) == [OfferRevoked(offer.offer_id, "a1", "cancelled")]
    assert agent_of(r, "a1").state is AgentState.READY
    entry = r.entry_for_kiosk("k1")
    assert entry is not None and entry.offer_id is None


def test_relogin_keeps_a_still_valid_offer() -> None:
    r = make_router()
    login(r, "a1", T0)
    offer = only_offer(r.handle(JoinQueue("k1", "kela", "fi"), T0))
    out = r.handle(AgentLogin("a1", frozenset({"kela"}), frozenset({"fi", "sv"})), T0 + 1)
    assert of(out, OfferRevoked) == []
    assert [s.state for s in states(out, "a1")] == [AgentState.RESERVED]  # console resync
    assert agent_of(r, "a1").offer_id == offer.offer_id


def test_clock_going_backwards_counts_as_no_time_passing() -> None:
    r = make_router()
    login(r, "a1", T0)
    offer = only_offer(r.handle(JoinQueue("k1", "kela", "fi"), T0 + 10))
    # An NTP step back must neither extend nor revive anything.
    out = r.handle(Tick(), T0 + 5)
    assert out == []
    assert r.next_deadline() == offer.expires_at
    out = r.handle(AcceptOffer("a1", offer.offer_id), T0 + 1)
    assert of(out, CallStarted)[0].answered_at == T0 + 10
