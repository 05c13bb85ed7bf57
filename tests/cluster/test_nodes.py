"""Three real node processes on one real PostgreSQL, behind real nginx: clients spread over
the nodes are served as by one server, and a call between nodes carries media both ways."""

from __future__ import annotations

import asyncio

import pytest

from client_core.call import CallSession
from tests.calls.inprocess import sources
from tests.cluster.harness import running_cluster
from tests.waiting import wait_until
from wire import client_messages as C
from wire import server_messages as S

pytestmark = pytest.mark.slow


async def test_a_call_between_a_kiosk_and_a_clerk_on_different_nodes(pg_server, tmp_path):
    async with running_cluster(pg_server, tmp_path, first="n1") as c:
        assert c.leader()[1] == "n1"
        (kiosk_id, *_rest) = c.kiosk_tokens
        agent = await c.agent("aino", via="n3")
        kiosk = await c.kiosk(kiosk_id, via="n2")
        offer = asyncio.ensure_future(agent.wait_for(S.Offer, timeout=15))
        starts = [asyncio.ensure_future(x.wait_for(S.CallStart, timeout=15))
                  for x in (kiosk, agent)]
        await agent.request(C.AgentStateSet(state="ready"))
        position = await kiosk.request(C.QueueJoin(service="kela.benefits", language="fi"))
        assert isinstance(position, S.QueuePosition | S.Offer) or position.type == "queue_position"
        agent.send(C.OfferAccept(offer_id=(await offer).offer_id))
        k_start, a_start = [await s for s in starts]
        assert k_start.call_id == a_start.call_id
        sessions = [CallSession(kiosk, k_start, sources()), CallSession(agent, a_start, sources())]
        try:
            for s in sessions:
                await s.begin()
            await wait_until(
                lambda: all(s.peer is not None and s.peer.video_sink.frames_received > 30
                            for s in sessions),
                30, "media both ways between nodes",
            )
        finally:
            await sessions[0].hangup()
            await sessions[1].close()
        # The call record was written once, by the routing node, under its term.
        rows = c.sql("SELECT agent_id, outcome FROM calls WHERE id = %s", (k_start.call_id,))
        assert rows and rows[0][0] == c.agents["aino"]
