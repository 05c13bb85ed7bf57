#!/usr/bin/env python3
"""Per-event CPU cost of the sans-I/O router with many citizens waiting.

No sockets and no server: one :class:`~signaling.routing.router.Router` driven on a fake clock
by a simulated service point, so the figures are the router's alone.

* 23 queues: eight services × fi/sv/en, one service without English. ``--agents`` agents with
  three random skills, Finnish plus Swedish and/or English (every queue is staffed).
* Set-up (not measured): agents log in, ``--waiting`` citizens join (5 % with priority 1)
  over the previous minutes, agents go ready, then ``--warmup`` events run unmeasured.
* Measured: ``--events`` events of a realistic mix, each timed with the process CPU clock:

  - a citizen leaving the queue (answered, cancelled or abandoned) is replaced by a new
    ``JoinQueue`` 0-3 s later, so about ``--waiting`` citizens wait throughout;
  - an offer is accepted after 1-6 s (92 %), rejected (4 %) or left to time out (4 %);
    a call lasts 20-120 s and ends by either side (3 % are transferred instead); wrap-up
    is ended early after 3-25 s (70 %) or left to its 30 s timer;
  - agents take breaks (``AgentNotReady``, back ``AgentReady`` 30-120 s later);
  - waiting kiosks drop and mostly return (``KioskDisconnected``/``KioskReconnected``),
    citizens cancel (``LeaveQueue``), agents drop mid-call and reconnect;
  - ``Tick`` at :meth:`Router.next_deadline` and at least once a second, as the server does.

  After every event the driver calls ``next_deadline()`` (timed separately), as the server's
  timer loop does.

Figures: ``handle_ms`` p50/p99/max/mean of ``Router.handle`` CPU per event (also p50/p99 per
event type), ``events_per_s`` = events / total handle CPU, ``core_share`` = total handle CPU /
simulated seconds of the measured events, ``next_deadline_ms`` p50/p99/max, and
``queue_positions_per_event`` (QueuePosition actions emitted per event).

Run from the project root::

    .venv/bin/python bench/router_events.py [--waiting 2000] [--agents 100] [--json]

The table goes to stdout; ``--json`` prints one JSON object instead. Either way the JSON is
written to ``bench/results/router_events.json`` (not with ``--no-save``).
"""

from __future__ import annotations

import argparse
import gc
import heapq
import itertools
import json
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from signaling.routing.actions import (  # noqa: E402
    Action,
    AgentStateChanged,
    CallEnded,
    CallStarted,
    EntryQueued,
    EntryRemoved,
    OfferSent,
    QueuePosition,
)
from signaling.routing.events import (  # noqa: E402
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
from signaling.routing.hours import OpeningHours  # noqa: E402
from signaling.routing.model import AgentState, RouterConfig, ServiceRules  # noqa: E402
from signaling.routing.router import Router  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "router_events.json"
T0 = 1_718_107_200.0
SERVICES = ("kela", "vero", "migri", "dvv", "te", "traficom", "ely", "avi")
LANGS = ("fi", "sv", "en")
QUEUES = [(s, lang) for s in SERVICES for lang in LANGS if (s, lang) != ("avi", "en")]


@dataclass
class World:
    """What the actions told the outside world, plus the scheduled reactions to them."""

    rng: random.Random
    router: Router
    now: float = T0
    pending: list[tuple[float, int, Event]] = field(default_factory=list)
    seq: itertools.count[int] = field(default_factory=itertools.count)
    waiting: list[str] = field(default_factory=list)  # kiosks with an entry
    slot: dict[str, int] = field(default_factory=dict)  # kiosk -> index in waiting
    disconnected: set[str] = field(default_factory=set)
    calls: dict[str, str] = field(default_factory=dict)  # call id -> agent id
    agent_state: dict[str, AgentState] = field(default_factory=dict)
    kiosks: itertools.count[int] = field(default_factory=itertools.count)
    positions: int = 0

    def at(self, delay: float, event: Event) -> None:
        heapq.heappush(self.pending, (self.now + delay, next(self.seq), event))

    def join(self, delay: float) -> None:
        kiosk = f"k{next(self.kiosks)}"
        service, lang = self.rng.choice(QUEUES)
        priority = 1 if self.rng.random() < 0.05 else 0
        self.at(delay, JoinQueue(kiosk, service, lang, priority))

    def _add_waiting(self, kiosk: str) -> None:
        self.slot[kiosk] = len(self.waiting)
        self.waiting.append(kiosk)

    def _drop_waiting(self, kiosk: str) -> None:
        i = self.slot.pop(kiosk)
        last = self.waiting.pop()
        if last != kiosk:
            self.waiting[i] = last
            self.slot[last] = i
        self.disconnected.discard(kiosk)

    def react(self, out: list[Action]) -> None:
        rng = self.rng
        for a in out:
            if isinstance(a, QueuePosition):
                self.positions += 1
            elif isinstance(a, EntryQueued):
                self._add_waiting(a.kiosk_id)
            elif isinstance(a, EntryRemoved):
                self._drop_waiting(a.kiosk_id)
                if a.reason != "transferred":
                    self.join(rng.uniform(0.0, 3.0))
            elif isinstance(a, OfferSent):
                roll = rng.random()
                if roll < 0.92:
                    self.at(rng.uniform(1.0, 6.0), AcceptOffer(a.agent_id, a.offer_id))
                elif roll < 0.96:
                    self.at(rng.uniform(2.0, 8.0), RejectOffer(a.agent_id, a.offer_id))
            elif isinstance(a, CallStarted):
                self.calls[a.call_id] = a.agent_id
                length = rng.uniform(20.0, 120.0)
                if rng.random() < 0.03:
                    target = rng.choice(SERVICES)
                    self.at(length, Transfer(a.agent_id, a.call_id, target))
                else:
                    ender = EndCall(a.call_id, "kiosk", "done")
                    if rng.random() < 0.5:
                        ender = EndCall(a.call_id, "agent", "done")
                    self.at(length, ender)
                if rng.random() < 0.02:
                    self.at(rng.uniform(1.0, length), AgentDisconnected(a.agent_id))
                    self.at(length + 0.5, AgentReconnected(a.agent_id))
            elif isinstance(a, CallEnded):
                self.calls.pop(a.call_id, None)
            elif isinstance(a, AgentStateChanged):
                self.agent_state[a.agent_id] = a.state
                if a.state is AgentState.WRAP_UP and rng.random() < 0.7:
                    self.at(rng.uniform(3.0, 25.0), EndWrapUp(a.agent_id))

    def background(self, dt: float) -> list[Event]:
        """Events of citizens and agents that are not reactions, over ``dt`` seconds."""
        rng = self.rng
        events: list[Event] = []
        if self.waiting and rng.random() < 0.5 * dt:
            kiosk = rng.choice(self.waiting)
            if kiosk not in self.disconnected:
                self.disconnected.add(kiosk)
                events.append(KioskDisconnected(kiosk))
                if rng.random() < 0.85:
                    self.at(rng.uniform(2.0, 40.0), KioskReconnected(kiosk))
        if self.waiting and rng.random() < 0.2 * dt:
            events.append(LeaveQueue(rng.choice(self.waiting)))
        if rng.random() < 0.1 * dt:
            ready = [a for a, s in self.agent_state.items() if s is AgentState.READY]
            if ready:
                agent = rng.choice(ready)
                events.append(AgentNotReady(agent, "break"))
                self.at(rng.uniform(30.0, 120.0), AgentReady(agent))
        return events


def make_router(waiting: int, estimator: str) -> Router:
    hours = OpeningHours.always()
    rules = {s: ServiceRules(s, hours, max_queue=waiting * 2 + 100) for s in SERVICES}
    ids = itertools.count()
    config = RouterConfig(estimator=estimator)  # type: ignore[arg-type]
    return Router(config, rules, id_factory=lambda p: f"{p}-{next(ids)}")


def agent_logins(rng: random.Random, agents: int) -> list[AgentLogin]:
    skills = [set(rng.sample(SERVICES, 3)) for _ in range(agents)]
    langs = [{"fi", *rng.sample(("sv", "en"), rng.choice((1, 2)))} for _ in range(agents)]
    for i, (service, lang) in enumerate(QUEUES):  # every queue has someone
        skills[i % agents].add(service)
        langs[i % agents].add(lang)
    return [
        AgentLogin(f"a{i}", frozenset(s), frozenset(lang))
        for i, (s, lang) in enumerate(zip(skills, langs, strict=True))
    ]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(
    waiting: int, agents: int, events: int, warmup: int, seed: int, estimator: str
) -> dict[str, Any]:
    rng = random.Random(seed)
    world = World(rng, make_router(waiting, estimator))
    r = world.router

    def feed(event: Event) -> list[Action]:
        out = r.handle(event, world.now)
        world.react(out)
        return out

    logins = agent_logins(rng, agents)
    for login in logins:
        feed(login)
    for _ in range(waiting):  # citizens who joined over the last minutes
        world.join(0.0)
        _t, _s, ev = heapq.heappop(world.pending)
        feed(ev)
        world.now += 0.1
    for login in logins:
        feed(AgentReady(login.agent_id))

    handle_ns: list[int] = []
    by_kind: dict[str, list[int]] = defaultdict(list)
    deadline_ns: list[int] = []
    kinds: Counter[str] = Counter()
    waiting_seen: list[int] = []
    last_tick = world.now
    positions_at_start = 0
    measured_from = world.now
    gc.collect()
    for n in range(warmup + events):
        measured = n >= warmup
        if n == warmup:
            positions_at_start = world.positions
            measured_from = world.now
        deadline = r.next_deadline()
        next_at = world.pending[0][0] if world.pending else world.now + 1.0
        tick_at = min(last_tick + 1.0, deadline if deadline is not None else last_tick + 1.0)
        batch: list[Event]
        if tick_at <= next_at:
            world.now = max(world.now, tick_at)
            last_tick = world.now
            batch = [Tick()]
        else:
            dt = next_at - world.now
            world.now = next_at
            batch = [*world.background(dt), heapq.heappop(world.pending)[2]]
        for event in batch:
            c0 = time.process_time_ns()
            out = r.handle(event, world.now)
            c1 = time.process_time_ns()
            r.next_deadline()
            c2 = time.process_time_ns()
            world.react(out)
            if measured:
                kind = type(event).__name__
                kinds[kind] += 1
                handle_ns.append(c1 - c0)
                by_kind[kind].append(c1 - c0)
                deadline_ns.append(c2 - c1)
                waiting_seen.append(len(world.waiting))

    ms = [v / 1e6 for v in handle_ns]
    dms = [v / 1e6 for v in deadline_ns]
    return {
        "waiting": waiting,
        "agents": agents,
        "estimator": estimator,
        "queues": len(QUEUES),
        "events": len(ms),
        "seed": seed,
        "simulated_s": round(world.now - T0, 1),
        "waiting_min_max": [min(waiting_seen), max(waiting_seen)],
        "handle_ms": {
            "p50": round(percentile(ms, 0.5), 4),
            "p99": round(percentile(ms, 0.99), 4),
            "max": round(max(ms), 4),
            "mean": round(statistics.fmean(ms), 4),
        },
        "events_per_s": round(len(ms) / (sum(ms) / 1000), 1),
        # Router CPU over the simulated time it served: the share of one core it needs.
        "core_share": round(sum(ms) / 1000 / max(1e-9, world.now - measured_from), 5),
        "next_deadline_ms": {
            "p50": round(percentile(dms, 0.5), 4),
            "p99": round(percentile(dms, 0.99), 4),
            "max": round(max(dms), 4),
        },
        "queue_positions_per_event": round((world.positions - positions_at_start) / len(ms), 2),
        "by_event": {
            kind: {
                "count": kinds[kind],
                "p50_ms": round(percentile([v / 1e6 for v in vals], 0.5), 4),
                "p99_ms": round(percentile([v / 1e6 for v in vals], 0.99), 4),
            }
            for kind, vals in sorted(by_kind.items())
        },
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--waiting", type=int, default=2000, help="citizens kept waiting")
    p.add_argument("--agents", type=int, default=100)
    p.add_argument("--events", type=int, default=5000, help="measured events")
    p.add_argument("--warmup", type=int, default=1000, help="unmeasured events first")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--estimator", choices=("agents", "staffed"), default=RouterConfig().estimator,
        help="wait estimate pushed to kiosks (default: the router's)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--no-save", action="store_true", help=f"do not write {RESULTS.name}")
    args = p.parse_args()
    result = run(args.waiting, args.agents, args.events, args.warmup, args.seed, args.estimator)
    if not args.no_save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    h, d = result["handle_ms"], result["next_deadline_ms"]
    print(
        f"router events: {result['waiting']} waiting (seen {result['waiting_min_max']}), "
        f"{result['agents']} agents, {result['queues']} queues, {result['events']} events, "
        f"estimator {result['estimator']}, "
        f"over {result['simulated_s']} simulated s"
    )
    print(
        f"  handle CPU ms   p50 {h['p50']:.4f}  p99 {h['p99']:.4f}  max {h['max']:.4f}  "
        f"mean {h['mean']:.4f}"
    )
    print(
        f"  events/s        {result['events_per_s']:.0f}   "
        f"share of a core {100 * result['core_share']:.2f} %"
    )
    print(f"  next_deadline   p50 {d['p50']:.4f}  p99 {d['p99']:.4f}  max {d['max']:.4f} ms")
    print(f"  QueuePosition   {result['queue_positions_per_event']} per event")
    for kind, row in result["by_event"].items():
        print(f"  {kind:20} n={row['count']:5}  p50 {row['p50_ms']:.4f}  p99 {row['p99_ms']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
