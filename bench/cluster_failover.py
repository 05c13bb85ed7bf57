#!/usr/bin/env python3
"""Several signaling nodes: offer latency across nodes while healthy, and failover of the leader.

Three node processes (``python -m signaling serve``) on a throwaway PostgreSQL cluster (initdb
in a temporary directory, run as the ``postgres`` user) behind nginx with the shipped
``deploy/nginx/etapiste-cluster.conf``, as ``tests/cluster`` runs them. Clients run in this
process (the real signaling client; no media: calls are kept or lost by signaling alone, their
media is peer to peer and is tested in ``tests/cluster``).

1. **Healthy**: clerks on every node are ready and take every offer; kiosks on every node (and
   through nginx) join one after the other. ``offer_latency_ms``: a kiosk's ``queue_join`` sent
   → the offer naming it received by a clerk, typically on another node than the kiosk and the
   routing node. Each call is ended at once and the clerk wraps up.
2. **Failover**, ``--rounds`` times: ``--waiting`` citizens wait (on every node), two calls are in
   progress, and a ready clerk on each node holds an unanswered offer. The routing node's
   process gets SIGKILL. Figures per round:

   * ``kill_to_new_term_s``: until another node has taken the lease (the database says);
   * ``kill_to_offer_s``: until the first new offer reaches a clerk (offers resume);
   * ``kill_to_all_back_s``: until every waiting citizen's client is connected again (those
     of the dead node to their next server or through nginx; None: not within 20 s);
   * ``places_lost``: waiting citizens told their place ended, or missing from the database;
   * ``order_kept``: the stored order of the places is the same as before the kill;
   * ``calls_kept``: of the two calls, those still open in the database and never ended.

   The citizens then leave the queue (a closed kiosk would keep its place through its grace
   period) and the killed node is started again (as systemd would) and waited for before the
   next round.

Run from the project root, as root (PostgreSQL runs as ``postgres``)::

    .venv/bin/python bench/cluster_failover.py [--rounds 3] [--waiting 20] [--json]

The JSON result is also written to ``bench/results/cluster_failover.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from client_core.signaling_client import SignalingClient  # noqa: E402
from demo.process import wait_ready  # noqa: E402
from tests.cluster.harness import Cluster, running_cluster  # noqa: E402
from tests.pgserver import running_server  # noqa: E402
from wire import client_messages as C  # noqa: E402
from wire import server_messages as S  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "cluster_failover.json"
NODES = ("n1", "n2", "n3")
ORDER_SQL = ("SELECT kiosk_id FROM queue_entries WHERE state IN ('waiting', 'offered') "
             "ORDER BY priority DESC, enqueued_at, id")


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


class Inbox:
    """Everything one client received, stamped."""

    def __init__(self, client: SignalingClient) -> None:
        self.client = client
        self.got: list[tuple[float, S.ServerMessage]] = []
        client.add_listener(lambda m: self.got.append((time.monotonic(), m)))

    def since(self, t: float) -> list[tuple[float, S.ServerMessage]]:
        return [(at, m) for at, m in self.got if at >= t]


async def healthy(c: Cluster, joins: int) -> dict[str, Any]:
    """Offer latency across nodes: every offer accepted, every call ended at once."""
    clerks = [await c.agent(name, via=node) for name, node in (("aino", "n2"), ("erik", "n3"))]
    offered: dict[str, float] = {}

    def clerk_loop(clerk: SignalingClient) -> None:
        last_call: list[str] = []

        def on(m: S.ServerMessage) -> None:
            if isinstance(m, S.Offer):
                offered.setdefault(m.kiosk, time.monotonic())
                clerk.send(C.OfferAccept(offer_id=m.offer_id))
            elif isinstance(m, S.CallStart) and not m.resumed:
                last_call[:] = [m.call_id]
                clerk.send(C.CallEnd(call_id=m.call_id))
            elif isinstance(m, S.AgentStatus) and m.state == "wrap_up" and last_call:
                clerk.send(C.WrapUpDone(call_id=last_call[0], disposition="resolved"))
        clerk.add_listener(on)

    for clerk in clerks:
        clerk_loop(clerk)
        await clerk.request(C.AgentStateSet(state="ready"))
    kiosk_ids = list(c.kiosk_tokens)[:8]
    vias = ["n1", "n2", "n3", "proxy"]
    kiosks = [(kid, await c.kiosk(kid, via=vias[i % 4])) for i, kid in enumerate(kiosk_ids)]
    names = {kid: f"Lieksa {i}" for i, kid in enumerate(c.kiosk_tokens)}
    latencies: list[float] = []
    for n in range(joins):
        kid, kiosk = kiosks[n % len(kiosks)]
        offered.pop(names[kid], None)
        sent = time.monotonic()
        seen: list[str] = []
        kiosk.add_listener(lambda m, seen=seen: seen.append(m.type))
        ended = asyncio.ensure_future(kiosk.wait_for(S.CallEnded, timeout=15))
        await kiosk.request(C.QueueJoin(service="kela.benefits", language="fi"), timeout=15)
        try:
            await ended
        except TimeoutError:
            raise RuntimeError(f"kiosk {n}: {seen}") from None
        latencies.append((offered[names[kid]] - sent) * 1000)
        await asyncio.sleep(0.05)
    for clerk in clerks:
        await clerk.request(C.AgentStateSet(state="not_ready", reason="bench"))
    for _, kiosk in kiosks:
        await kiosk.close()
    for clerk in clerks:
        await clerk.close()
    return {
        "offers": len(latencies),
        "offer_latency_ms": {"p50": round(percentile(latencies, 50) or 0, 1),
                             "p90": round(percentile(latencies, 90) or 0, 1),
                             "p99": round(percentile(latencies, 99) or 0, 1),
                             "max": round(max(latencies), 1)},
    }


async def failover_round(c: Cluster, waiting: int, round_no: int) -> dict[str, Any]:
    """Citizens waiting, two calls, ready clerks holding offers; SIGKILL of the leader."""
    term, leader = c.leader()
    assert leader is not None
    survivors = [n for n in NODES if n != leader]
    kiosk_ids = list(c.kiosk_tokens)
    base = 10 + round_no * (waiting + 2)
    mine = kiosk_ids[base:base + waiting + 2]
    # Two calls, each kiosk on a node other than its clerk's.
    calls = []
    for i, (clerk_name, k_node, a_node) in enumerate(
        (("xena", survivors[0], survivors[1]), ("yrjo", leader, survivors[0]))
    ):
        clerk = await c.agent(clerk_name, via=a_node)
        kiosk = await c.kiosk(mine[i], via=k_node)
        offer = asyncio.ensure_future(clerk.wait_for(S.Offer, timeout=15))
        starts = [asyncio.ensure_future(x.wait_for(S.CallStart, timeout=15))
                  for x in (kiosk, clerk)]
        await clerk.request(C.AgentStateSet(state="ready"))
        await kiosk.request(C.QueueJoin(service="kela.benefits", language="fi"))
        clerk.send(C.OfferAccept(offer_id=(await offer).offer_id))
        k_start, _ = [await s for s in starts]
        calls.append((k_start.call_id, Inbox(kiosk), Inbox(clerk)))
    citizens = []
    vias = [leader, *survivors, "proxy"]
    for i, kid in enumerate(mine[2:]):
        kiosk = await c.kiosk(kid, via=vias[i % len(vias)])
        inbox = Inbox(kiosk)
        await kiosk.request(C.QueueJoin(service="kela.benefits", language="fi"))
        citizens.append((kid, inbox))
    # A ready clerk on each surviving node; the first is offered a citizen and does not answer.
    ready = [await c.agent(name, via=node)
             for name, node in zip(("wilma", "ville"), survivors, strict=True)]
    ready_inboxes = [Inbox(x) for x in ready]
    first = asyncio.ensure_future(ready[0].wait_for(S.Offer, timeout=15))
    await ready[0].request(C.AgentStateSet(state="ready"))
    await first
    await asyncio.sleep(0.5)
    before = [r[0] for r in c.sql(ORDER_SQL)]

    killed = time.monotonic()
    c.kill(leader)
    new_leader = await c.wait_leader(not_term=term, timeout=30)
    new_term_s = time.monotonic() - killed
    offer_at = None
    deadline = time.monotonic() + 30
    while offer_at is None and time.monotonic() < deadline:
        offers = [at for inbox in ready_inboxes for at, m in inbox.since(killed)
                  if isinstance(m, S.Offer)]
        offer_at = min(offers) if offers else None
        await asyncio.sleep(0.01)
    # Clients of the dead node come back (to their next server, or through nginx).
    back_at = None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if all(inbox.client.state == "connected" for _, inbox in citizens):
            back_at = time.monotonic()
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(1.0)
    after = [r[0] for r in c.sql(ORDER_SQL)]
    told_left = {kid for kid, inbox in citizens
                 if any(isinstance(m, S.QueueLeft) for _, m in inbox.since(killed))}
    lost = told_left | ({kid for kid, _ in citizens} - set(after))
    open_calls = {r[0] for r in c.sql(
        "SELECT id FROM calls WHERE answered_at IS NOT NULL AND ended_at IS NULL")}
    kept = [
        call_id for call_id, k, a in calls
        if call_id in open_calls and not any(
            isinstance(m, S.CallEnded) for inbox in (k, a) for _, m in inbox.since(killed))
    ]
    result = {
        "round": round_no, "killed": leader, "new_leader": new_leader,
        "kill_to_new_term_s": round(new_term_s, 3),
        "kill_to_offer_s": None if offer_at is None else round(offer_at - killed, 3),
        "kill_to_all_back_s": None if back_at is None else round(back_at - killed, 3),
        "places": len(citizens), "places_lost": len(lost),
        "order_kept": [k for k in after if k in before] == [k for k in before if k in after]
        and len(after) == len(before),
        "calls": len(calls), "calls_kept": len(kept),
    }
    # Clean up: end the calls, the citizens leave the queue (a closed kiosk keeps its place
    # through its grace period, and the next round's would not fit), start the killed node.
    for call_id, k, _a in calls:
        k.client.send(C.CallEnd(call_id=call_id))
    for kid, inbox in citizens:
        try:
            await inbox.client.request(C.QueueLeave(), timeout=10)
        except Exception as exc:  # a bench reports; the next round shows what it costs
            print(f"round {round_no}: {kid} could not leave: {exc!r}", file=sys.stderr)
    for client in [*(i.client for _, i in citizens), *(x for x in ready),
                   *(k.client for _, k, _a in calls), *(a.client for _, _k, a in calls)]:
        await client.close()
    c.start(leader)
    await wait_ready(c.nodes[leader].base_url, timeout=60)
    return result


async def run(args: argparse.Namespace) -> dict[str, Any]:
    agents = [(name, ["kela.benefits"], ["fi"])
              for name in ("aino", "erik", "xena", "yrjo", "wilma", "ville")]
    kiosks = 10 + (args.rounds + 1) * (args.waiting + 2)
    with tempfile.TemporaryDirectory(prefix="etapiste-cluster-bench-") as tmp, \
            running_server() as pg:
        async with running_cluster(pg, Path(tmp), NODES, kiosks=kiosks, agents=agents,
                                   first="n1") as c:
            load = os.getloadavg()
            result: dict[str, Any] = {
                "nodes": len(NODES), "load_1min_at_start": round(load[0], 2),
                "healthy": await healthy(c, args.joins),
                "failover": [await failover_round(c, args.waiting, r)
                             for r in range(args.rounds)],
            }
    rounds = result["failover"]
    to_offer = [r["kill_to_offer_s"] for r in rounds if r["kill_to_offer_s"] is not None]
    result["summary"] = {
        "kill_to_offer_s_max": max(to_offer) if to_offer else None,
        "kill_to_offer_s_median": statistics.median(to_offer) if to_offer else None,
        "kill_to_all_back_s_max": max((r["kill_to_all_back_s"] for r in rounds
                                       if r["kill_to_all_back_s"] is not None), default=None),
        "rounds_with_clients_not_back": sum(r["kill_to_all_back_s"] is None for r in rounds),
        "places_lost": sum(r["places_lost"] for r in rounds),
        "calls_kept": sum(r["calls_kept"] for r in rounds),
        "calls": sum(r["calls"] for r in rounds),
        "order_kept": all(r["order_kept"] for r in rounds),
    }
    return result


def table(r: dict[str, Any]) -> str:
    h = r["healthy"]
    lines = [
        f"cluster of {r['nodes']} nodes (1-min load at start {r['load_1min_at_start']})",
        f"healthy: {h['offers']} offers across nodes, latency ms p50 {h['offer_latency_ms']['p50']}"
        f" p90 {h['offer_latency_ms']['p90']} p99 {h['offer_latency_ms']['p99']}",
        "round  killed  new   new term s  next offer s  all back s  places lost  order kept"
        "  calls kept",
    ]
    for f in r["failover"]:
        lines.append(
            f"{f['round']:>5}  {f['killed']:>6}  {f['new_leader']:>4}"
            f"  {f['kill_to_new_term_s']:>10}"
            f"  {f['kill_to_offer_s']!s:>12}  {f['kill_to_all_back_s']!s:>10}"
            f"  {f['places_lost']:>3}/{f['places']:<7}"
            f"  {f['order_kept']!s:>10}  {f['calls_kept']}/{f['calls']}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="leader kills")
    parser.add_argument("--waiting", type=int, default=20, help="citizens waiting at each kill")
    parser.add_argument("--joins", type=int, default=60, help="offers measured while healthy")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--no-save", action="store_true",
                        help=f"do not write {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args))
    if not args.no_save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result) if args.json else table(result))
    s = result["summary"]
    ok = s["places_lost"] == 0 and s["calls_kept"] == s["calls"] and s["order_kept"]
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
