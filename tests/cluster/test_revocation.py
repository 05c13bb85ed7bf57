"""A revocation written anywhere closes the connection on whichever node holds it.

Each node polls the shared revocation feed in PostgreSQL; here the session and the kiosk are
revoked by a process that is no node at all (as the command line would), while the clerk and the
kiosk are connected to the node that does not route, so the leader's hub knows them only through
the bus."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
import websockets

from client_core.signaling_client import login
from signaling.store import PostgresStore
from signaling.web_ws import SUBPROTOCOL
from tests.cluster.harness import PASSWORD, running_cluster
from tests.server.test_revocation import goodbye
from tests.waiting import wait_until

pytestmark = pytest.mark.slow


async def _hello(ws: websockets.ClientConnection) -> None:
    await ws.send(json.dumps({"type": "hello", "protocol": 1}))
    while json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] != "welcome":
        pass


async def test_revoked_elsewhere_closes_the_follower_nodes_connections(pg_server, tmp_path):
    async with running_cluster(pg_server, tmp_path, ("n1", "n2"), kiosks=1, first="n1",
                               env={"ETAPISTE_KIOSK_GRACE_S": "0"}) as c:
        assert c.leader()[1] == "n1"
        (kiosk_id,) = c.kiosk_tokens
        follower = c.nodes["n2"]
        session = await login(follower.base_url, "aino", PASSWORD)
        headers = [{"Authorization": f"Bearer {session.token}"},
                   {"Authorization": f"Bearer {c.kiosk_tokens[kiosk_id]}"}]
        async with websockets.connect(follower.ws_url, additional_headers=headers[0],
                                      subprotocols=[SUBPROTOCOL]) as agent_ws, \
                websockets.connect(follower.ws_url, additional_headers=headers[1],
                                   subprotocols=[SUBPROTOCOL]) as kiosk_ws:  # type: ignore[list-item]
            await _hello(agent_ws)
            await _hello(kiosk_ws)
            await kiosk_ws.send(json.dumps({"type": "queue_join", "service": "kela.benefits",
                                            "language": "fi", "ref": "j"}))
            await wait_until(lambda: c.sql("SELECT 1 FROM queue_entries WHERE kiosk_id = %s "
                                           "AND state = 'waiting'", (kiosk_id,)),
                             10, "the kiosk's place, written by the leader")
            store = PostgresStore.open(c.db_url,
                                       audit_key=(c.work / "audit.key").read_bytes())
            try:
                (session_id,) = [str(r[0]) for r in c.sql(
                    "SELECT id FROM sessions WHERE account_id = %s AND revoked_at IS NULL",
                    (c.agents["aino"],))]
                store.revoke_session(session_id, now=time.time(), reason="revoked")
                store.revoke_kiosk(kiosk_id, now=time.time())
            finally:
                store.close()
            assert await goodbye(agent_ws) == ("revoked", 1008)
            assert await goodbye(kiosk_ws) == ("revoked", 1008)
        # The leader learnt of the kiosk's departure through the bus: its place goes.
        await wait_until(lambda: not c.sql("SELECT 1 FROM queue_entries WHERE kiosk_id = %s "
                                           "AND state = 'waiting'", (kiosk_id,)),
                         20, "the revoked kiosk's place removed")
