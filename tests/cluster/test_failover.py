"""kill -9 of a node: the leader (20 citizens waiting, two calls in progress) and a follower.

Nothing a citizen holds may be lost: every place comes back in the same order, both calls
keep their media (it is peer to peer) and their records, a clerk who was ready is offered the
next citizen again, and clients of the dead node resume on another one.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from client_core.call import CallSession
from client_core.signaling_client import SignalingClient
from tests.calls.inprocess import sources
from tests.cluster.harness import Cluster, running_cluster
from tests.waiting import wait_until
from wire import client_messages as C
from wire import server_messages as S

pytestmark = pytest.mark.slow

AGENTS = (
    ("xena", ["kela.benefits"], ["fi"]), ("yrjo", ["kela.benefits"], ["fi"]),
    ("wilma", ["kela.benefits"], ["fi"]),
)


class Seen:
    """Every message one client got, with when."""

    def __init__(self, client: SignalingClient) -> None:
        self.messages: list[tuple[float, S.ServerMessage]] = []
        client.add_listener(lambda m: self.messages.append((time.monotonic(), m)))

    def since(self, t: float) -> list[S.ServerMessage]:
        return [m for at, m in self.messages if at >= t]

    def last_position(self, t: float) -> int | None:
        positions = [m.position for m in self.since(t) if isinstance(m, S.QueuePosition)]
        return positions[-1] if positions else None


async def _call(c: Cluster, kiosk_id: str, k_via: str, agent: str, a_via: str
                ) -> tuple[SignalingClient, SignalingClient, list[CallSession]]:
    a = await c.agent(agent, via=a_via)
    k = await c.kiosk(kiosk_id, via=k_via)
    offer = asyncio.ensure_future(a.wait_for(S.Offer, timeout=15))
    starts = [asyncio.ensure_future(x.wait_for(S.CallStart, timeout=15)) for x in (k, a)]
    await a.request(C.AgentStateSet(state="ready"))
    await k.request(C.QueueJoin(service="kela.benefits", language="fi"))
    a.send(C.OfferAccept(offer_id=(await offer).offer_id))
    k_start, a_start = [await s for s in starts]
    sessions = [CallSession(k, k_start, sources()), CallSession(a, a_start, sources())]
    for s in sessions:
        await s.begin()
    return k, a, sessions


def _frames(sessions: list[CallSession]) -> list[int]:
    return [s.peer.video_sink.frames_received if s.peer else 0 for s in sessions]


async def test_kill_9_of_the_leader_loses_no_place_and_no_call(pg_server, tmp_path):
    async with running_cluster(pg_server, tmp_path, kiosks=22, agents=AGENTS, first="n1") as c:
        kiosk_ids = list(c.kiosk_tokens)
        # Two calls: kiosk on n2 with a clerk on n3; kiosk on the leader n1 with a clerk on n2.
        _k1, _a1, call1 = await _call(c, kiosk_ids[0], "n2", "xena", "n3")
        _k2, _a2, call2 = await _call(c, kiosk_ids[1], "n1", "yrjo", "n2")
        calls = call1 + call2
        await wait_until(lambda: min(_frames(calls)) > 20, 40, "media in both calls")
        # Twenty citizens join in a known order, on every node and through the proxy.
        vias = ["n1", "n2", "n3", "proxy"]
        waiting: list[tuple[str, SignalingClient, Seen]] = []
        for i, kiosk_id in enumerate(kiosk_ids[2:]):
            client = await c.kiosk(kiosk_id, via=vias[i % len(vias)])
            seen = Seen(client)
            await client.request(C.QueueJoin(service="kela.benefits", language="fi"))
            waiting.append((kiosk_id, client, seen))
        # A third clerk, on n3, is ready: she is offered the first citizen and does not answer.
        wilma = await c.agent("wilma", via="n3")
        wilma_seen = Seen(wilma)
        first_offer = asyncio.ensure_future(wilma.wait_for(S.Offer, timeout=15))
        await wilma.request(C.AgentStateSet(state="ready"))
        assert (await first_offer).kiosk == "Lieksa 2"
        stored_order = [r[0] for r in c.sql(
            "SELECT kiosk_id FROM queue_entries WHERE state IN ('waiting', 'offered') "
            "ORDER BY priority DESC, enqueued_at, id")]
        assert stored_order == [k for k, _, _ in waiting]
        term, _ = c.leader()
        frames_before = _frames(calls)

        killed_at = time.monotonic()
        c.kill("n1")
        new_leader = await c.wait_leader(not_term=term)
        assert new_leader in ("n2", "n3")

        # Offers resume: the clerk who was ready is offered a citizen again (the first one who
        # is back: a kiosk of the dead node is skipped until it reconnects, never dropped).
        await wait_until(
            lambda: any(isinstance(m, S.Offer) for m in wilma_seen.since(killed_at)), 15,
            "a new offer after the failover",
        )
        offer = next(m for m in wilma_seen.since(killed_at) if isinstance(m, S.Offer))
        assert offer.kiosk in {f"Lieksa {i}" for i in range(2, 22)}
        # Every place is back, in the same order; nobody was told their place ended.
        await wait_until(
            lambda: all(seen.last_position(killed_at) is not None for _, _, seen in waiting[1:]),
            20, "every waiting kiosk told its position after the failover",
        )
        positions = [seen.last_position(killed_at) for _, _, seen in waiting[1:]]
        assert positions == sorted(positions) and len(set(positions)) == len(positions), positions
        for kiosk_id, client, seen in waiting:
            assert not any(isinstance(m, S.QueueLeft) for m in seen.since(killed_at)), kiosk_id
            assert client.state == "connected"
        after = [r[0] for r in c.sql(
            "SELECT kiosk_id FROM queue_entries WHERE state IN ('waiting', 'offered') "
            "ORDER BY priority DESC, enqueued_at, id")]
        assert after == stored_order
        # Both calls keep their media and stay open, in the database too.
        await wait_until(
            lambda: all(now > before + 60 for now, before in zip(_frames(calls), frames_before,
                                                                  strict=True)),
            30, "media still flowing in both calls after the failover",
        )
        assert all(s.end_reason is None for s in calls)
        open_calls = c.sql(
            "SELECT id FROM calls WHERE answered_at IS NOT NULL AND ended_at IS NULL")
        assert {r[0] for r in open_calls} == {call1[0].call_id, call2[0].call_id}
        # No routing write under the old term once the new one was taken.
        terms = {r[0]: r for r in c.sql("SELECT term, taken_at, last_write_at FROM lease_terms")}
        new_term = max(terms)
        assert terms[term][2] is None or terms[term][2] <= terms[new_term][1]
        for s in calls:
            await s.close()


async def test_kill_9_of_a_follower_its_clients_resume_elsewhere(pg_server, tmp_path):
    async with running_cluster(pg_server, tmp_path, kiosks=3, agents=AGENTS, first="n1") as c:
        kiosk_ids = list(c.kiosk_tokens)
        clerk = await c.agent("xena", via="n2")
        waiting = []
        for kiosk_id in kiosk_ids:
            client = await c.kiosk(kiosk_id, via="n2")
            seen = Seen(client)
            await client.request(C.QueueJoin(service="kela.benefits", language="fi"))
            waiting.append((client, seen))
        resumes = {id(x): x.connects for x, _ in waiting}
        killed_at = time.monotonic()
        c.kill("n2")
        # The clients move on to their next server and resume: same places, same order.
        await wait_until(
            lambda: all(x.connects > resumes[id(x)] for x, _ in waiting) and clerk.connects > 1,
            20, "clients reconnected",
        )
        assert all(x.url != c.nodes["n2"].ws_url for x, _ in waiting)
        await wait_until(
            lambda: all(seen.last_position(killed_at) is not None for _, seen in waiting), 15,
            "positions after resuming",
        )
        assert [seen.last_position(killed_at) for _, seen in waiting] == [1, 2, 3]
        assert c.leader()[1] == "n1"  # the leader never changed
        offer = asyncio.ensure_future(clerk.wait_for(S.Offer, timeout=15))
        await clerk.request(C.AgentStateSet(state="ready"))
        assert (await offer).kiosk == "Lieksa 0"
