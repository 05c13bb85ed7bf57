"""The leading node is cut from the database (network namespace, nftables): it stops routing,
another node takes the lease under a new term, and the old leader never writes under its old
term, not during the cut and not after it heals.

Topology: the database listens on loopback and on one end of a veth pair; node ``a`` runs in
its own namespace at the other end (10.77.9.2) and reaches the database only over that link;
nodes ``b`` and ``c`` run beside the database. The cut drops ``a``'s packets to and from the
database's port, and nothing else: its clients still reach it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator

import aiohttp
import pytest

from tests.cluster.harness import running_cluster
from tests.netkit.netns import namespace, netns_unavailable_reason, nft, run, run_in
from tests.pgserver import running_server
from tests.waiting import wait_until
from wire import client_messages as C
from wire import server_messages as S

pytestmark = [pytest.mark.slow, pytest.mark.netns]

DB_IP, NODE_IP = "10.77.9.1", "10.77.9.2"


@contextlib.contextmanager
def node_namespace(tag: str) -> Iterator[tuple[str, str]]:
    """A namespace for node ``a`` linked to the root namespace by a /30 veth pair."""
    ns, host_if = f"etp-{tag}-a", f"etpa{tag}"[:15]
    with namespace(ns):
        run(["ip", "link", "add", host_if, "type", "veth", "peer", "name", "a0", "netns", ns])
        try:
            run(["ip", "addr", "add", f"{DB_IP}/30", "dev", host_if])
            run(["ip", "link", "set", host_if, "up"])
            run(["ip", "-n", ns, "addr", "add", f"{NODE_IP}/30", "dev", "a0"])
            run(["ip", "-n", ns, "link", "set", "a0", "up"])
            yield ns, host_if
        finally:
            run(["ip", "link", "del", host_if], check=False)


def cut(ns: str, port: int) -> None:
    """Drop everything between node ``a`` and the database, both ways."""
    nft(ns, f"""
table inet etp_cut {{
    chain out {{
        type filter hook output priority filter; policy accept;
        ip daddr {DB_IP} tcp dport {port} drop
    }}
    chain in {{
        type filter hook input priority filter; policy accept;
        ip saddr {DB_IP} tcp sport {port} drop
    }}
}}
""")


def heal(ns: str) -> None:
    run_in(ns, ["nft", "delete", "table", "inet", "etp_cut"])


async def ready(url: str) -> dict[str, object] | None:
    async with aiohttp.ClientSession() as http:
        try:
            async with http.get(f"{url}/readyz", timeout=aiohttp.ClientTimeout(total=3)) as r:
                return await r.json() if r.status == 200 else None
        except (aiohttp.ClientError, TimeoutError):
            return None


async def test_a_leader_cut_from_the_database_stops_and_never_writes_under_its_term(tmp_path):
    reason = netns_unavailable_reason()
    if reason:
        pytest.skip(reason)
    tag = f"{time.monotonic_ns() % 0xFFFF:x}"
    with node_namespace(tag) as (ns, _), running_server(listen=f"127.0.0.1,{DB_IP}") as pg:
        async with running_cluster(
            pg, tmp_path, ("a", "b", "c"), kiosks=3, first="a",
            placed={"a": (ns, NODE_IP, DB_IP)},
        ) as c:
            assert c.leader() == (1, "a")
            kiosks = list(c.kiosk_tokens)
            # A clerk on a (the leader), on a break; one on b, ready.
            clerk_a = await c.agent("aino", via="a")
            clerk_b = await c.agent("erik", via="b")
            await clerk_a.request(C.AgentStateSet(state="not_ready", reason="break"))
            await clerk_b.request(C.AgentStateSet(state="ready"))

            cut(ns, pg.port)
            cut_at = time.time()
            # a notices within seconds, stops routing and lets its clients go elsewhere.
            await wait_until(lambda: "stepped down" in c.nodes["a"].log(), 15, "a steps down")
            new_leader = await c.wait_leader(not_term=1, timeout=30)
            assert new_leader in ("b", "c")
            assert await ready(c.nodes["a"].base_url) is None  # not ready without its database
            # Routing goes on at the new leader: a citizen on c is offered to a clerk.
            citizen = await c.kiosk(kiosks[0], via="c")
            offered = asyncio.ensure_future(clerk_b.wait_for(S.Offer, timeout=15))
            joined = await citizen.request(C.QueueJoin(service="kela.benefits", language="fi"))
            assert isinstance(joined, S.QueuePosition), joined
            offer_b = await offered
            assert offer_b.kiosk == "Lieksa 0"
            # The clerk who was on a reconnected elsewhere, still on her break.
            await wait_until(lambda: clerk_a.url != c.nodes["a"].ws_url and
                             clerk_a.state == "connected", 20, "a's clerk elsewhere")

            heal(ns)
            state_a = None
            for _ in range(100):  # a reconnects to the database within seconds
                state_a = await ready(c.nodes["a"].base_url)
                if state_a is not None:
                    break
                await asyncio.sleep(0.2)
            assert state_a is not None and state_a["routing"] is False  # a follower now
            # A client of a (after the heal) is served by the new leader through a.
            late = await c.kiosk(kiosks[1], via="a")
            position = await late.request(C.QueueJoin(service="kela.benefits", language="fi"))
            assert isinstance(position, S.QueuePosition)

            # The fence, as the database saw it: one holder per term, and nothing written
            # under term 1 after term 2 was taken.
            terms = {int(r[0]): r for r in c.sql(
                "SELECT term, holder, taken_at, writes, last_write_at FROM lease_terms")}
            assert terms[1][1] == "a" and terms[2][1] == new_leader
            assert max(terms) == 2, terms  # a never took the lease back
            last_write_1, taken_2 = terms[1][4], terms[2][2]
            assert last_write_1 is None or last_write_1 <= taken_2
            assert taken_2 >= cut_at - 1
