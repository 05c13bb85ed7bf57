"""The router's incremental indexes agree with a straightforward full recomputation.

The router caches queue orders, staffed counts and timers and rechecks positions only
where an event changed something (see signaling.routing.queues). These tests recompute
everything from the public views at every step and at random later times, so that a
missed invalidation (a join, a leave, an escalation step that reorders a queue, a
change of staffing or handle time) shows up as a stale push or a wrong order.

Estimates: the earlier estimator ("staffed") is a function of the state, so every push is
checked against a full recomputation. The agent-state estimator is recomputed at most
every few seconds by design (see signaling.routing.positions); for it the positions are
checked exactly and the estimates for what must never be stale: "no estimate" exactly
when no clerk of the queue is working, and a number whenever one is.
Set ROUTING_FUZZ_EXAMPLES to search longer.
"""

from __future__ import annotations

import copy
import math
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signaling.routing import ordering
from signaling.routing.actions import Action, CallStarted, QueuePosition
from signaling.routing.estimate import round_wait, shown_wait
from signaling.routing.events import (
    AcceptOffer,
    AgentDisconnected,
    AgentLogin,
    AgentNotReady,
    AgentReady,
    AgentReconnected,
    EndCall,
    EndWrapUp,
    Event,
    JoinQueue,
    KioskDisconnected,
    KioskReconnected,
    LeaveQueue,
    RejectOffer,
    Tick,
    Transfer,
)
from signaling.routing.model import AgentState, RouterConfig
from signaling.routing.records import Agent, Entry
from signaling.routing.router import Router
from signaling.routing.views import EntryView

from .helpers import T0, login, make_router, of, only_offer, service

STEP_S = 60.0
KIOSKS = tuple(f"k{i}" for i in range(14))
AGENTS = ("a1", "a2", "a3")
SERVICES = ("kela", "vero")
LANGS = ("fi", "sv")
DELTAS = (1.0, 0.0, 0.5, 7.0, 20.0, 29.9, 30.0, 45.0, 59.9, 60.0, 61.0, 90.0, 150.0, 400.0)
SKILLS = (frozenset({"kela"}), frozenset({"vero"}), frozenset(SERVICES))
LANG_SETS = (frozenset({"fi"}), frozenset({"sv"}), frozenset(LANGS))
FUZZ = int(os.environ.get("ROUTING_FUZZ_EXAMPLES", "200"))


def new_router(estimator: str = "staffed") -> Router:
    return make_router(
        RouterConfig(
            offer_timeout_s=20,
            wrapup_s=30,
            kiosk_grace_s=60,
            call_grace_s=20,
            escalation_step_s=STEP_S,
            handle_time_alpha=0.3,
            estimator=estimator,  # type: ignore[arg-type]
        ),
        {
            "kela": service("kela", max_queue=20, default_handle_s=100),
            "vero": service("vero", max_queue=20, default_handle_s=250),
        },
    )


def reference_order(entries: list[EntryView], now: float) -> dict[tuple[str, str], list[str]]:
    """Entry ids per queue in serving order, from scratch (DESIGN §3 / ordering docstring)."""
    grouped: dict[tuple[str, str], list[EntryView]] = {}
    for e in entries:
        grouped.setdefault((e.service_id, e.language), []).append(e)
    return {
        key: [
            e.entry_id
            for e in sorted(
                members,
                key=lambda e: (
                    -(e.priority + math.floor(max(0.0, now - e.enqueued_at) / STEP_S)),
                    e.enqueued_at,
                    e.entry_id,
                ),
            )
        ]
        for key, members in grouped.items()
    }


def check_against_reference(
    r: Router, pushed: dict[str, tuple[str, int, float | None]], now: float
) -> None:
    entries = r.entries()
    agents = r.agents()
    by_id = {e.entry_id: e for e in entries}
    # Matching left no pair behind: every ready agent is cooling off for every
    # offerable citizen it could serve.
    for agent in agents:
        if agent.state is AgentState.READY and agent.connected:
            for e in entries:
                offerable = e.connected and e.offer_id is None
                if offerable and e.service_id in agent.skills and e.language in agent.languages:
                    cooling = r._entries[e.entry_id].cooloff.get(agent.agent_id, -math.inf)
                    assert cooling > now, (agent.agent_id, e.kiosk_id)
    staffed_estimator = r._cfg.estimator == "staffed"
    for (service_id, language), ids in reference_order(entries, now).items():
        assert [e.entry_id for e in r.queue(service_id, language, now)] == ids
        serving = [a for a in agents if service_id in a.skills and language in a.languages]
        avg = r._handle_times.average(service_id)
        working = any(
            a.state is not AgentState.NOT_READY and a.pending_not_ready is None for a in serving
        )
        for position, entry_id in enumerate(ids, start=1):
            entry = by_id[entry_id]
            if not entry.connected:
                continue
            if staffed_estimator:
                expected = (entry_id, position, shown_wait(position, avg, len(serving)))
                assert pushed.get(entry.kiosk_id) == expected, (entry.kiosk_id, now)
                continue
            told_id, told_position, told_wait = pushed[entry.kiosk_id]
            assert (told_id, told_position) == (entry_id, position), (entry.kiosk_id, now)
            if working:
                assert told_wait is not None, (entry.kiosk_id, now)
            elif not r._observed._away:  # nobody came back from a break yet: none expected
                assert told_wait is None, (entry.kiosk_id, now)


def event_for(r: Router, code: tuple[int, int, int, int, int, int, int]) -> Event:
    kind, kiosk_i, agent_i, svc, lang, prio, pick = code
    kiosk, agent = KIOSKS[kiosk_i], AGENTS[agent_i]
    offers = [(a.agent_id, a.offer_id) for a in r.agents() if a.offer_id is not None]
    calls = [(c.agent_id, c.call_id) for c in r.calls()]
    offer = offers[pick % len(offers)] if offers else (agent, "offer-x")
    call = calls[pick % len(calls)] if calls else (agent, "call-x")
    events: list[Event] = [
        JoinQueue(kiosk, SERVICES[svc], LANGS[lang], prio + pick % 2),
        JoinQueue(kiosk, SERVICES[svc], LANGS[lang], 0),
        LeaveQueue(kiosk),
        KioskDisconnected(kiosk),
        KioskReconnected(kiosk),
        AgentLogin(agent, SKILLS[pick % 3], LANG_SETS[prio % 3]),
        AgentReady(agent),
        AgentNotReady(agent, "break"),
        AgentDisconnected(call[0]),
        AgentReconnected(agent),
        AcceptOffer(*offer),
        AcceptOffer(*offer),
        RejectOffer(*offer),
        EndCall(call[1], "agent", "done"),
        EndWrapUp(agent),
        Transfer(call[0], call[1], SERVICES[svc]),
        Tick(),
        Tick(),
    ]
    return events[kind]


CODE = st.tuples(
    st.integers(0, 17),
    st.integers(0, len(KIOSKS) - 1),
    st.integers(0, len(AGENTS) - 1),
    st.integers(0, 1),
    st.integers(0, 1),
    st.integers(0, 2),
    st.integers(0, 5),
)


@pytest.mark.parametrize("estimator", ["staffed", "agents"])
@settings(max_examples=FUZZ, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(DELTAS), CODE, st.floats(0.0, 1.0)), min_size=10, max_size=70
    )
)
def test_positions_orders_and_deadlines_match_full_recomputation(
    estimator: str,
    steps: list[tuple[float, tuple[int, int, int, int, int, int, int], float]],
) -> None:
    r = new_router(estimator)
    pushed: dict[str, tuple[str, int, float | None]] = {}
    now = T0

    def feed(event: Event, at: float) -> list[Action]:
        out = r.handle(event, at)
        for p in of(out, QueuePosition):
            pushed[p.kiosk_id] = (p.entry_id, p.position, p.estimated_wait_s)
        return out

    for agent_id, skills in zip(AGENTS, SKILLS, strict=True):  # logged in, not ready
        feed(AgentLogin(agent_id, skills, frozenset(LANGS)), now)
    for delta, code, frac in steps:
        now += delta
        feed(event_for(r, code), now)
        check_against_reference(r, pushed, now)
        # Nothing changes before next_deadline(): a Tick earlier does nothing, and the
        # order seen then is the reference order of that instant.
        deadline = r.next_deadline()
        assert deadline is None or deadline > now
        horizon = deadline if deadline is not None else now + 2000.0
        later = now + frac * (horizon - now)
        if now < later < horizon and estimator == "staffed":
            # (The agent-state estimate is also rechecked on ticks, as calls run on.)
            probe = copy.deepcopy(r)
            assert probe.handle(Tick(), later) == []
            check_against_reference(probe, pushed, later)


ENTRY = st.tuples(
    st.integers(0, 3),  # queue
    st.integers(0, 2),  # priority
    st.floats(0.0, 1000.0),  # enqueued before now
    st.booleans(),  # connected
    st.booleans(),  # offered
    st.lists(st.tuples(st.integers(0, 3), st.floats(-50.0, 50.0)), max_size=2),  # cool-offs
)
AGENT = st.tuples(
    st.sampled_from(SKILLS), st.sampled_from(LANG_SETS), st.floats(0.0, 100.0), st.booleans()
)


@settings(max_examples=FUZZ, deadline=None)
@given(entries=st.lists(ENTRY, max_size=25), agents=st.lists(AGENT, max_size=4))
def test_match_on_cached_orders_equals_the_plain_rule(
    entries: list[tuple[int, int, float, bool, bool, list[tuple[int, float]]]],
    agents: list[tuple[frozenset[str], frozenset[str], float, bool]],
) -> None:
    now = T0
    queues = [(s, lang) for s in SERVICES for lang in LANGS]
    records = []
    for i, (q, prio, ago, connected, offered, cooloffs) in enumerate(entries):
        entry = Entry(f"e{i}", f"k{i}", *queues[q], prio, now - ago)
        entry.connected, entry.offer_id = connected, ("o" if offered else None)
        entry.cooloff = {f"a{j}": now + dt for j, dt in cooloffs}
        records.append(entry)
    staff = [
        Agent(f"a{i}", skills, langs, AgentState.READY if ready else AgentState.IN_CALL, 0.0, idle)
        for i, (skills, langs, idle, ready) in enumerate(agents)
    ]
    expected = ordering.match(records, staff, now, STEP_S)
    free = sorted(
        (a for a in staff if a.state is AgentState.READY), key=lambda a: (a.idle_since, a.agent_id)
    )
    served = {(s, lang) for a in free for s in a.skills for lang in a.languages}
    grouped = ordering.queues(records, now, STEP_S)
    lists = [members for key, members in grouped.items() if key in served]
    got = ordering.match_ordered(lists, free, now, STEP_S) if lists else []
    assert [(e.entry_id, a.agent_id) for e, a in got] == [
        (e.entry_id, a.agent_id) for e, a in expected
    ]


# ----------------------------------------------------------------- examples


STAFFED = RouterConfig(estimator="staffed")  # these examples check the earlier estimate's pushes


def positions(out: list[Action]) -> dict[str, tuple[int, float | None]]:
    return {p.kiosk_id: (p.position, p.estimated_wait_s) for p in of(out, QueuePosition)}


def test_rounding_steps() -> None:
    assert [round_wait(s) for s in (0.0, 1.0, 30.0, 31.0, 260.0, 299.0, 300.0)] == [
        0.0, 30.0, 30.0, 60.0, 270.0, 300.0, 300.0,
    ]  # fmt: skip
    assert [round_wait(s) for s in (301.0, 360.0, 361.0, 3599.0)] == [360.0, 360.0, 420.0, 3600.0]
    assert round_wait(300.00000000000006) == 300.0  # float noise is not a new minute
    assert shown_wait(1, 100.0, 0) is None
    assert shown_wait(3, 100.0, 2) == 150.0


def in_kela_call(r: Router) -> str:
    """a1 answers k1 at T0 + 1; returns the call id."""
    login(r, "a1", T0)
    offer = only_offer(r.handle(JoinQueue("k1", "kela", "fi"), T0))
    return of(r.handle(AcceptOffer("a1", offer.offer_id), T0 + 1), CallStarted)[0].call_id


def test_call_end_pushes_only_to_its_own_service() -> None:
    r = make_router(STAFFED)
    login(r, "v1", T0, skills=("vero",), ready=False)
    call_id = in_kela_call(r)
    for i in range(3):
        r.handle(JoinQueue(f"kk{i}", "kela", "fi"), T0 + 2 + i)
        r.handle(JoinQueue(f"kv{i}", "vero", "fi"), T0 + 2 + i)
    out = r.handle(EndCall(call_id, "agent", "done"), T0 + 61)  # kela's average moves
    # 0.2 * 60 + 0.8 * 300 = 252 s: 252, 504, 756 s shown as 270 s, 9 min, 13 min.
    assert positions(out) == {"kk0": (1, 270.0), "kk1": (2, 540.0), "kk2": (3, 780.0)}


def test_tiny_average_moves_push_nothing() -> None:
    r = make_router(RouterConfig(handle_time_alpha=0.2, estimator="staffed"))
    login(r, "a2", T0, ready=False)
    call_id = in_kela_call(r)
    assert positions(r.handle(JoinQueue("k2", "kela", "fi"), T0 + 2)) == {"k2": (1, 150.0)}
    # 300 s / 2 agents = 150 s; a 290 s call moves the average to 298 s: 149 s, still 150 s.
    assert positions(r.handle(EndCall(call_id, "agent", "done"), T0 + 291)) == {}


def test_one_priority_queue_has_no_escalation_deadline() -> None:
    r = make_router(RouterConfig(escalation_step_s=300, estimator="staffed"))
    login(r, "a1", T0, ready=False)
    r.handle(JoinQueue("k1", "kela", "fi"), T0)
    r.handle(JoinQueue("k2", "kela", "fi"), T0 + 100)
    # Equal priorities never reorder, so escalation steps are not deadlines...
    assert r.next_deadline() is None
    # ...while a mixed queue has one at the first step that can reorder it.
    r.handle(JoinQueue("k3", "kela", "fi", priority=1), T0 + 200)
    assert r.next_deadline() == T0 + 300  # k1 catches up with k3 and wins on enqueued_at
    out = r.handle(Tick(), T0 + 300)
    assert positions(out) == {"k1": (1, 300.0), "k3": (2, 600.0)}
    assert [e.kiosk_id for e in r.queue("kela", "fi", T0 + 300)] == ["k1", "k3", "k2"]
    # k2 (joined at +100) catches up with k3 at +400.
    assert r.next_deadline() == T0 + 400
    assert positions(r.handle(Tick(), T0 + 400)) == {"k2": (2, 600.0), "k3": (3, 900.0)}
    # At +500 k3 reaches level 2 and passes both; k1 catches up again at +600.
    assert r.next_deadline() == T0 + 500
    out = r.handle(Tick(), T0 + 500)
    assert positions(out) == {"k3": (1, 300.0), "k1": (2, 600.0), "k2": (3, 900.0)}
    assert r.next_deadline() == T0 + 600


def test_transferred_citizen_overtakes_the_one_ahead_at_its_step() -> None:
    # A transfer keeps the original enqueued_at, so the citizen can land behind someone
    # and catch up at its own next escalation step.
    r = make_router(RouterConfig(escalation_step_s=60, wrapup_s=30, estimator="staffed"))
    login(r, "a1", T0)
    login(r, "v1", T0, skills=("vero",), ready=False)
    offer = only_offer(r.handle(JoinQueue("c", "kela", "fi"), T0 + 20))
    call = of(r.handle(AcceptOffer("a1", offer.offer_id), T0 + 21), CallStarted)[0]
    r.handle(JoinQueue("x", "vero", "fi", priority=2), T0 + 100)
    r.handle(Transfer("a1", call.call_id, "vero"), T0 + 130)
    # c: level floor(110/60) = 1 < x's 2, so behind; at +140 c reaches 2 and wins the tie.
    assert [e.kiosk_id for e in r.queue("vero", "fi", T0 + 130)] == ["x", "c"]
    assert r.next_deadline() == T0 + 140
    assert positions(r.handle(Tick(), T0 + 140)) == {"c": (1, 300.0), "x": (2, 600.0)}
    assert r.next_deadline() == T0 + 160  # x's step (and a1's wrap-up end)
