"""Random event sequences on a random, bounded clock; invariants checked after every step.

Set ROUTING_FUZZ_EXAMPLES (default 200) to search longer, e.g. 20000 before a release.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signaling.routing.actions import (
    Action,
    CallEnded,
    CallStarted,
    EntryQueued,
    EntryRemoved,
    QueuePosition,
)
from signaling.routing.events import (
    AcceptOffer,
    AgentDisconnected,
    AgentLogin,
    AgentLogout,
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
from signaling.routing.hours import OpeningHours
from signaling.routing.model import AgentState, RouterConfig
from signaling.routing.router import Router
from signaling.routing.staff import works

from .helpers import T0, make_router, service

KIOSKS = ("k1", "k2", "k3", "k4", "k5")
AGENTS = ("a1", "a2", "a3")
SERVICES = ("kela", "vero", "dvv")
LANGS = ("fi", "sv")
# DVV opens and closes during a run (T0 is Tuesday 12:00 UTC).
DVV_HOURS = OpeningHours({"tue": [["12:00", "12:30"], ["13:00", "14:00"]]}, tz="UTC")


def new_router(estimator: str = "staffed") -> Router:
    return make_router(
        RouterConfig(
            offer_timeout_s=20,
            wrapup_s=30,
            kiosk_grace_s=60,
            call_grace_s=20,
            estimator=estimator,  # type: ignore[arg-type]
        ),
        {
            "kela": service("kela", max_queue=3),
            "vero": service("vero", max_queue=4, default_handle_s=200),
            "dvv": service("dvv", max_queue=5, hours=DVV_HOURS),
        },
    )


@dataclass
class Ledger:
    """What the actions told the outside world, to compare with the router's state."""

    live: dict[str, str] = field(default_factory=dict)  # entry id -> kiosk id
    calls: set[str] = field(default_factory=set)
    pushed: dict[str, tuple[str, int, float | None]] = field(default_factory=dict)

    def record(self, out: list[Action]) -> None:
        for action in out:
            if isinstance(action, EntryQueued):
                assert action.entry_id not in self.live
                self.live[action.entry_id] = action.kiosk_id
            elif isinstance(action, EntryRemoved):
                assert self.live.pop(action.entry_id) == action.kiosk_id
            elif isinstance(action, CallStarted):
                assert action.call_id not in self.calls
                self.calls.add(action.call_id)
            elif isinstance(action, CallEnded):
                self.calls.remove(action.call_id)
            elif isinstance(action, QueuePosition):
                self.pushed[action.kiosk_id] = (
                    action.entry_id,
                    action.position,
                    action.estimated_wait_s,
                )


def check(r: Router, ledger: Ledger, now: float) -> None:
    entries = r.entries()
    calls = r.calls()
    agents = {a.agent_id: a for a in r.agents()}

    # Entries only disappear with an EntryRemoved; calls only with a CallEnded.
    assert {e.entry_id: e.kiosk_id for e in entries} == ledger.live
    assert {c.call_id for c in calls} == ledger.calls

    # A kiosk is in at most one place.
    kiosks = [e.kiosk_id for e in entries] + [c.kiosk_id for c in calls]
    assert len(kiosks) == len(set(kiosks))

    # An agent has at most one offer or call, matching its state.
    for agent in agents.values():
        assert not (agent.offer_id and agent.call_id)
        assert (agent.state is AgentState.RESERVED) == (agent.offer_id is not None)
        assert (agent.state is AgentState.IN_CALL) == (agent.call_id is not None)
        assert agent.connected or agent.call_id is not None
    offered = {e.offer_id: e for e in entries if e.offer_id is not None}
    offers_of_agents = {a.offer_id: a for a in agents.values() if a.offer_id is not None}
    assert offered.keys() == offers_of_agents.keys()
    for offer_id, entry in offered.items():
        agent = offers_of_agents[offer_id]
        assert entry.connected
        assert entry.service_id in agent.skills and entry.language in agent.languages
    for call in calls:
        assert agents[call.agent_id].call_id == call.call_id

    # Positions are 1..n per queue; every connected kiosk was told its current position
    # and (with the earlier estimator, a function of the state) its estimate; with the
    # agent-state one, a "none" never while a clerk of the queue works.
    queues = sorted({(e.service_id, e.language) for e in entries})
    for service_id, language in queues:
        members = r.queue(service_id, language, now)
        assert len({m.entry_id for m in members}) == len(members)
        stats = {(s.service_id, s.language): s for s in r.queue_stats(now)}
        assert stats[(service_id, language)].waiting == len(members)
        # The index the wait estimates read instead of sorting each queue.
        unoffered = sorted(m.enqueued_at for m in members if m.offer_id is None)
        assert r._book.unoffered_joins((service_id, language)) == unoffered
        for position, entry in enumerate(members, start=1):
            if not entry.connected:
                continue
            told = ledger.pushed[entry.kiosk_id]
            if r._cfg.estimator == "staffed":
                estimate = r.estimate_wait(service_id, language, position)
                assert told == (entry.entry_id, position, estimate)
                continue
            assert told[:2] == (entry.entry_id, position)
            serving = [a for a in agents.values() if a.skills >= {service_id}]
            serving = [a for a in serving if language in a.languages]
            if any(
                a.state is not AgentState.NOT_READY and a.pending_not_ready is None
                for a in serving
            ):
                assert told[2] is not None

    # Who serves and who works, as the estimates read it, kept in step with every change.
    for service_id in SERVICES:
        for language in LANGS:
            staff = r._staff.of(service_id, language)
            serving = {a.agent_id: a for a in r._agents.values() if a.serves(service_id, language)}
            assert staff.agents == serving
            assert staff.resting == {i: a for i, a in serving.items() if not works(a)}
            assert staff.working == len(serving) - len(staff.resting)
    for agent in r._agents.values():
        serves = {(s, lang) for s in agent.skills for lang in agent.languages}
        assert set(r._staff.queues_of(agent.agent_id)) == serves

    deadline = r.next_deadline()
    assert deadline is None or deadline > now


@dataclass(frozen=True)
class Step:
    """A drawn step; ids of offers and calls are picked from the live ones at run time."""

    delta: float  # clock change before the event
    kind: int
    kiosk: str
    agent: str
    service: str
    language: str
    priority: int
    skills: frozenset[str]
    languages: frozenset[str]
    pick: int  # chooses among live offers / calls; BOGUS picks an unknown id
    by_owner: bool  # answer as the offer's / call's own agent


BOGUS = 7
# Event kinds are indexes into event_for's list, weighted so that joins, offers,
# calls and transfers actually happen rather than mostly rejections.
KIND_WEIGHTS = (4, 1, 1, 1, 2, 3, 1, 1, 3, 1, 5, 1, 1, 2, 2, 2)
ACCEPT = 10
# Mostly short steps, some around the timers, long jumps past all of them, and a
# step backwards (the router must treat it as "no time passed").
DELTAS = (1.0, 0.0, 0.5, 3.0, 7.0, 12.0, 19.9, 20.0, 25.0, 30.0, 59.0, 61.0, 300.0, 1800.0, -5.0)
# Hypothesis favours zero digits, so every table starts with a productive choice:
# a step of 1 s, accepting the first live offer as its owner.
KINDS = (
    ACCEPT,
    *(k for k, weight in enumerate(KIND_WEIGHTS) for _ in range(weight - (k == ACCEPT))),
)
SUBSETS = {
    n: [frozenset(x for i, x in enumerate(pool) if mask >> i & 1) for mask in range(1, 2**n)]
    for n, pool in ((len(SERVICES), SERVICES), (len(LANGS), LANGS))
}
RADICES = (
    len(DELTAS), len(KINDS), len(KIOSKS), len(AGENTS), len(SERVICES) + 1, len(LANGS), 3,
    len(SUBSETS[len(SERVICES)]), len(SUBSETS[len(LANGS)]), BOGUS + 1, 5,
)  # fmt: skip
SPAN = math.prod(RADICES)


def decode(code: int) -> Step:
    """Unpack one drawn integer into a step (one draw per step keeps generation fast)."""
    digits = []
    for radix in RADICES:
        code, digit = divmod(code, radix)
        digits.append(digit)
    delta, kind, kiosk, agent, svc, lang, prio, skills, langs, pick, owner = digits
    return Step(
        delta=DELTAS[delta],
        kind=KINDS[kind],
        kiosk=KIOSKS[kiosk],
        agent=AGENTS[agent],
        service=(*SERVICES, "nope")[svc],
        language=LANGS[lang],
        priority=prio,
        skills=SUBSETS[len(SERVICES)][skills],
        languages=SUBSETS[len(LANGS)][langs],
        pick=pick,
        by_owner=owner < 4,
    )


STEP = st.integers(0, SPAN - 1).map(decode)


def event_for(step: Step, r: Router) -> Event:
    offers = [(a.agent_id, a.offer_id) for a in r.agents() if a.offer_id is not None]
    calls = [(c.agent_id, c.call_id) for c in r.calls()]
    offer_agent, offer_id = (
        offers[step.pick % len(offers)]
        if offers and step.pick != BOGUS
        else (step.agent, "offer-x")
    )
    call_agent, call_id = (
        calls[step.pick % len(calls)] if calls and step.pick != BOGUS else (step.agent, "call-x")
    )
    if not step.by_owner:
        offer_agent = call_agent = step.agent
    events: list[Event] = [
        JoinQueue(step.kiosk, step.service, step.language, step.priority),
        LeaveQueue(step.kiosk),
        KioskDisconnected(step.kiosk),
        KioskReconnected(step.kiosk),
        AgentLogin(step.agent, step.skills, step.languages),
        AgentReady(step.agent),
        AgentNotReady(step.agent, "break"),
        AgentLogout(step.agent),
        AgentDisconnected(call_agent),  # often an agent in a call: exercises call grace
        AgentReconnected(step.agent),
        AcceptOffer(offer_agent, offer_id),
        RejectOffer(offer_agent, offer_id),
        EndCall(call_id, "kiosk" if step.by_owner else "agent", "done"),
        EndWrapUp(step.agent),
        Transfer(call_agent, call_id, step.service),
        Tick(),
    ]
    return events[step.kind]


@pytest.mark.parametrize("estimator", ["staffed", "agents"])
@settings(max_examples=int(os.environ.get("ROUTING_FUZZ_EXAMPLES", "200")), deadline=None)
@given(
    restore=st.booleans(),
    staff=st.lists(STEP, min_size=len(AGENTS), max_size=len(AGENTS)),
    steps=st.lists(STEP, min_size=20, max_size=60),
)
def test_random_sequences_keep_invariants(
    estimator: str, restore: bool, staff: list[Step], steps: list[Step]
) -> None:
    r = new_router(estimator)
    ledger = Ledger()
    now = T0
    if restore:
        assert r.restore_entry("e-r", "k5", "kela", "fi", 1, T0 - 100, now) == []
        ledger.live["e-r"] = "k5"
        restored = r.restore_call(
            "c-r", "e-c", "k4", "a3", "vero", "sv", 0, T0 - 50, T0 - 40, T0 - 30, now
        )
        assert restored == []
        ledger.calls.add("c-r")
    # Every agent logs in (skills drawn; a3 folds into a restored call), some get ready.
    for agent_id, drawn in zip(AGENTS, staff, strict=True):
        ledger.record(r.handle(AgentLogin(agent_id, drawn.skills, drawn.languages), now))
        if drawn.by_owner:
            ledger.record(r.handle(AgentReady(agent_id), now))
    clock = now
    for step in steps:
        now += step.delta
        clock = max(clock, now)
        out = r.handle(event_for(step, r), now)
        ledger.record(out)
        check(r, ledger, clock)
