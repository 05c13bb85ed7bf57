"""The callback desk with a driven clock: offers, priority of live citizens, retries, expiry,
and the promised day from a service's hours."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from signaling.routing import callbacks as K
from signaling.routing.callback_promise import promise_for
from signaling.routing.events import AgentLogin, AgentReady, JoinQueue
from signaling.routing.hours import OpeningHours
from signaling.routing.model import RouterConfig
from signaling.routing.router import Router

from .helpers import T0, counter_ids, service

HKI = ZoneInfo("Europe/Helsinki")
KELA = "kela.benefits"
HOURS = OpeningHours(
    {d: [["08:00", "16:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    closed_dates=["2024-06-21"],  # midsummer eve, a Friday
)


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=HKI).timestamp()


def clerk(agent_id: str, idle: float = T0, langs: str = "fi") -> K.FreeAgent:
    return K.FreeAgent(agent_id, frozenset({KELA}), frozenset(langs.split(",")), idle)


def request(task_id: str, now: float, due: float, lang: str = "fi") -> K.RequestCallback:
    return K.RequestCallback(task_id, KELA, lang, "nurmes", now, due)


def kinds(actions: list[K.DeskAction]) -> list[str]:
    return [type(a).__name__ for a in actions]


def test_a_task_goes_to_the_longest_idle_clerk_with_the_skill_and_language() -> None:
    desk = K.CallbackDesk()
    due = T0 + 3 * 3600
    desk.handle(K.FreeAgents((clerk("a", T0 - 10), clerk("b", T0 - 500),
                              clerk("sv", T0 - 900, "sv"))), T0)
    out = desk.handle(request("t1", T0, due), T0)
    assert kinds(out) == ["TaskQueued", "TaskOffered"]
    offer = out[1]
    assert isinstance(offer, K.TaskOffered)
    assert (offer.agent_id, offer.expires_at) == ("b", T0 + 20)  # not "sv": Finnish task


def test_the_soonest_due_task_is_offered_first() -> None:
    desk = K.CallbackDesk()
    desk.handle(request("late", T0, T0 + 9000), T0)
    desk.handle(request("soon", T0 + 5, T0 + 4000), T0 + 5)
    out = desk.handle(K.FreeAgents((clerk("a"),)), T0 + 6)
    assert [(a.task_id, a.agent_id) for a in out if isinstance(a, K.TaskOffered)] == [
        ("soon", "a")
    ]


def test_an_unanswered_offer_times_out_and_the_next_clerk_gets_it_clerk_cools_off() -> None:
    desk = K.CallbackDesk(K.CallbackConfig(offer_timeout_s=20, cooloff_s=120))
    desk.handle(K.FreeAgents((clerk("a", T0 - 100), clerk("b", T0 - 50))), T0)
    desk.handle(request("t1", T0, T0 + 7200), T0)
    assert desk.next_deadline() == T0 + 20
    out = desk.handle(K.DeskTick(), T0 + 20)
    assert [type(a).__name__ for a in out] == ["TaskOfferRevoked", "TaskOffered"]
    assert isinstance(out[0], K.TaskOfferRevoked) and out[0].reason == "timeout"
    assert isinstance(out[1], K.TaskOffered) and out[1].agent_id == "b"
    # b declines too: a is still cooling off, b now too: nobody is offered it.
    out = desk.handle(K.RejectTask("b", "t1"), T0 + 25)
    assert kinds(out) == ["TaskOfferRevoked"]
    assert desk.next_deadline() == T0 + 140  # a's cool-off ends
    out = desk.handle(K.DeskTick(), T0 + 140)
    assert [(a.agent_id) for a in out if isinstance(a, K.TaskOffered)] == ["a"]


def test_a_live_citizen_goes_first_the_task_offer_is_revoked_without_an_attempt() -> None:
    # The real router decides who is free: a clerk with a citizen offered is not.
    router = Router(RouterConfig(), {KELA: service(KELA)}, id_factory=counter_ids())
    desk = K.CallbackDesk()
    router.handle(AgentLogin("a", frozenset({KELA}), frozenset({"fi"})), T0)
    router.handle(AgentReady("a"), T0)
    desk.handle(request("t1", T0, T0 + 7200), T0)
    out = desk.handle(K.free_agents(router.agents()), T0 + 1)
    assert kinds(out) == ["TaskOffered"]
    # A citizen joins at a kiosk while the task is offered: the router offers them to "a".
    actions = router.handle(JoinQueue("kiosk-1", KELA, "fi"), T0 + 2)
    assert any(type(a).__name__ == "OfferSent" for a in actions)
    out = desk.handle(K.ClerkBusy("a"), T0 + 2)
    assert kinds(out) == ["TaskOfferRevoked"]
    assert isinstance(out[0], K.TaskOfferRevoked) and out[0].reason == "call_first"
    assert K.free_agents(router.agents()).agents == ()  # reserved for the citizen
    out = desk.handle(K.free_agents(router.agents()), T0 + 3)
    assert out == []
    view = desk.task("t1")
    assert view is not None and (view.state, view.attempts) == ("waiting", 0)


def test_no_answer_retries_after_a_delay_and_ends_unreached_after_the_bound() -> None:
    desk = K.CallbackDesk(K.CallbackConfig(retry_after_s=900, max_attempts=2, cooloff_s=0))
    desk.handle(K.FreeAgents((clerk("a"),)), T0)
    desk.handle(request("t1", T0, T0 + 8 * 3600), T0)
    assert kinds(desk.handle(K.AcceptTask("a", "t1"), T0 + 5)) == ["TaskClaimed"]
    # Someone else cannot record it.
    out = desk.handle(K.RecordResult("b", "t1", "done"), T0 + 6)
    assert isinstance(out[0], K.DeskRejected) and out[0].code == "not_allowed"
    out = desk.handle(K.RecordResult("a", "t1", "no_answer"), T0 + 60)
    assert kinds(out) == ["TaskReturned"]
    assert isinstance(out[0], K.TaskReturned)
    assert (out[0].attempts, out[0].not_before) == (1, T0 + 960)
    # The clerk is free again but the task waits out its delay.
    assert desk.handle(K.FreeAgents((clerk("a"),)), T0 + 61) == []
    assert desk.next_deadline() == T0 + 960
    out = desk.handle(K.DeskTick(), T0 + 960)
    assert kinds(out) == ["TaskOffered"]
    desk.handle(K.AcceptTask("a", "t1"), T0 + 970)
    out = desk.handle(K.RecordResult("a", "t1", "retry"), T0 + 1000)
    assert kinds(out) == ["TaskEnded"]
    assert isinstance(out[0], K.TaskEnded) and (out[0].reason, out[0].attempts) == ("unreached", 2)
    assert desk.tasks() == []


def test_done_ends_the_task_and_an_untaken_task_expires_at_its_due_time() -> None:
    desk = K.CallbackDesk()
    desk.handle(K.FreeAgents((clerk("a"),)), T0)
    desk.handle(request("t2", T0, T0 + 1800), T0)  # the clerk is offered t2 at once
    desk.handle(request("t1", T0, T0 + 3600), T0)
    offered = desk.offered_to("a")
    assert offered is not None and offered.task_id == "t2"
    desk.handle(K.AcceptTask("a", "t2"), T0 + 1)
    out = desk.handle(K.RecordResult("a", "t2", "done"), T0 + 300)
    first = out[0]
    assert isinstance(first, K.TaskEnded) and first.reason == "done"
    # t1 is offered next only to a free clerk; nobody tells the desk "a" is free: it expires.
    desk.handle(K.FreeAgents(()), T0 + 301)
    assert desk.next_deadline() == T0 + 3600
    out = desk.handle(K.DeskTick(), T0 + 3600)
    assert kinds(out) == ["TaskEnded"]
    assert isinstance(out[0], K.TaskEnded) and out[0].reason == "expired"


def test_a_taken_task_is_left_to_its_clerk_past_due_and_returns_if_the_clerk_is_lost() -> None:
    desk = K.CallbackDesk()
    desk.handle(K.FreeAgents((clerk("a"),)), T0)
    desk.handle(request("t1", T0, T0 + 600), T0)
    desk.handle(request("t2", T0, T0 + 7200), T0)
    desk.handle(K.AcceptTask("a", "t1"), T0 + 1)
    assert desk.handle(K.DeskTick(), T0 + 700) == []  # past due, but taken: kept
    out = desk.handle(K.ClerkGone("a"), T0 + 800)
    # t1 is past due and nobody has it: it ends; t2 was never offered to a gone clerk.
    assert [(type(a).__name__, getattr(a, "reason", None)) for a in out] == [
        ("TaskEnded", "expired")
    ]
    desk.handle(K.FreeAgents((clerk("b"),)), T0 + 801)
    desk.handle(K.AcceptTask("b", "t2"), T0 + 802)
    out = desk.handle(K.ClerkGone("b"), T0 + 900)
    assert kinds(out) == ["TaskReturned"]  # nobody free is left to offer it to
    view = desk.task("t2")
    assert view is not None and view.attempts == 0


def test_the_same_working_day_is_promised_with_an_hour_left_else_the_next() -> None:
    # Tuesday 10:00: today, due 16:00.
    p = promise_for(HOURS, at("2024-06-18T10:00"))
    assert p is not None and (p.day, p.same_day, p.due_at) == ("2024-06-18", True,
                                                               at("2024-06-18T16:00"))
    # Tuesday 15:30, half an hour left: Wednesday.
    p = promise_for(HOURS, at("2024-06-18T15:30"))
    assert p is not None and (p.day, p.same_day) == ("2024-06-19", False)
    # Thursday evening: Friday is midsummer eve (closed), the weekend has no hours: Monday.
    p = promise_for(HOURS, at("2024-06-20T18:00"))
    assert p is not None and (p.day, p.due_at) == ("2024-06-24", at("2024-06-24T16:00"))
    # Saturday: Monday.
    p = promise_for(HOURS, at("2024-06-22T11:00"))
    assert p is not None and p.day == "2024-06-24"
