"""A real server process: killed with SIGKILL and restarted, and stopped with SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import socket
import time
from pathlib import Path

from client_core.signaling_client import SignalingClient, login
from demo.process import start_server, wait_ready
from demo.seed import seed
from signaling.settings import Settings
from signaling.store import SqliteStore
from tests.server.harness import CHEAP_HASHER, FAST
from wire import client_messages as C
from wire import server_messages as S


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def add_kiosks(data_dir: Path, n: int) -> list[str]:
    store = SqliteStore.open(data_dir)
    try:
        now = time.time()
        return [store.create_kiosk("kitee", f"Kitee {i}", now=now)[1] for i in range(n)]
    finally:
        store.close()


async def test_sigkill_restart_keeps_queue_order_and_resumed_places(tmp_path):
    data = tmp_path / "data"
    seed(data, Settings().catalogue, CHEAP_HASHER)
    tokens = add_kiosks(data, 3)
    port = free_port()
    base, ws = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/ws"
    server = start_server(data, port)
    clients: list[SignalingClient] = []
    try:
        await wait_ready(base)
        session = await login(base, "aino", "demo-aino-2026")  # logged in, never ready
        agent = SignalingClient(ws, session.token, backoff=FAST)
        clients.append(agent)
        await agent.connected()
        for token in tokens:
            kiosk = SignalingClient(ws, token, backoff=FAST)
            clients.append(kiosk)
            await kiosk.connected()
            await kiosk.request(C.QueueJoin(service="kela.benefits", language="fi"))
        kiosks = clients[1:]
        assert all(k.resume_token for k in kiosks)
        seen: dict[int, list[S.ServerMessage]] = {i: [] for i in range(len(kiosks))}
        for i, kiosk in enumerate(kiosks):
            kiosk.add_listener(seen[i].append)

        server.send_signal(signal.SIGKILL)
        assert server.wait(timeout=10) == -signal.SIGKILL
        # The first kiosk's app restarts meanwhile: a fresh citizen session, no resume token.
        kiosks[0].resume_token = None
        for messages in seen.values():
            messages.clear()
        server = start_server(data, port)
        await wait_ready(base)
        for client in clients:
            await client.connected(timeout=15)

        # The kiosks that resumed keep their order; the one that did not lost its place.
        async def settled() -> dict[int, int | str]:
            while True:
                last: dict[int, int | str] = {}
                for i, messages in seen.items():
                    for m in messages:
                        if isinstance(m, S.QueuePosition):
                            last[i] = m.position
                        elif isinstance(m, S.QueueLeft):
                            last[i] = m.reason
                if last.get(1) == 1 and last.get(2) == 2:
                    return last
                await asyncio.sleep(0.05)

        try:
            last = await asyncio.wait_for(settled(), 10)
        except TimeoutError:
            raise AssertionError(f"positions after restart: {seen}") from None
        assert last == {1: 1, 2: 2}  # kiosk 0 started afresh: no place, and no stale message
        # The agent resumed its session too: ready now, it is offered the first in line.
        offer = asyncio.ensure_future(agent.wait_for(S.Offer, timeout=10))
        agent.send(C.AgentStateSet(state="ready"))
        assert (await offer).kiosk == "Kitee 1"
    finally:
        for client in clients:
            await client.close()
        if server.poll() is None:
            server.kill()
            server.wait()


async def test_sigterm_says_goodbye_and_exits_cleanly(tmp_path):
    data = tmp_path / "data"
    setup = seed(data, Settings().catalogue, CHEAP_HASHER)
    port = free_port()
    server = start_server(data, port)
    client = SignalingClient(f"ws://127.0.0.1:{port}/ws", next(iter(setup.kiosk_tokens.values())))
    try:
        await wait_ready(f"http://127.0.0.1:{port}")
        await client.connected()
        goodbye = asyncio.ensure_future(client.wait_for(S.Goodbye, timeout=10))
        server.send_signal(signal.SIGTERM)
        assert (await goodbye).reason == "server_shutdown"
        assert await asyncio.to_thread(server.wait, 15) == 0
        log = (data / "server.log").read_text()
        assert '"msg": "stopped"' in log
        assert "Traceback" not in log
    finally:
        await client.close()
        if server.poll() is None:
            server.kill()
            server.wait()
    assert (data / "etapiste.db").stat().st_size > 0
