"""The server speaks HTTPS and WSS itself; clients verify it against the agency's own CA."""

from __future__ import annotations

import pytest

from client_core.errors import NotConnected
from client_core.signaling_client import SignalingClient, login
from client_core.tls import tls_context
from demo.process import start_server, wait_ready
from demo.seed import seed
from signaling.settings import Settings
from tests.calls.processes import free_port
from tests.deploy.pki import make_ca_and_cert
from tests.server.harness import FAST
from wire import client_messages as C
from wire import server_messages as S


async def test_wss_with_a_custom_ca_and_refusal_without_it(tmp_path):
    ca, cert, key = make_ca_and_cert(tmp_path)
    data = tmp_path / "data"
    setup = seed(data, Settings().catalogue)
    port = free_port()
    server = start_server(
        data, port, {"ETAPISTE_TLS_CERT": str(cert), "ETAPISTE_TLS_KEY": str(key)}
    )
    base, ws = f"https://127.0.0.1:{port}", f"wss://127.0.0.1:{port}/ws"
    clients: list[SignalingClient] = []
    try:
        await wait_ready(base, ssl_context=tls_context(str(ca)))
        trusted = tls_context(str(ca))
        session = await login(base, "aino", "demo-aino-2026", trusted)
        agent = SignalingClient(ws, session.token, ssl_context=trusted, backoff=FAST)
        clients.append(agent)
        await agent.connected()
        assert isinstance(await agent.request(C.ServicesGet()), S.Services)

        # The same server, not trusted: the kiosk refuses to talk to it.
        token = next(iter(setup.kiosk_tokens.values()))
        untrusting = SignalingClient(ws, token, ssl_context=tls_context(None), backoff=FAST)
        clients.append(untrusting)
        with pytest.raises(NotConnected):
            await untrusting.connected(timeout=3)
        # Plain HTTP to the TLS port gets nowhere either.
        plain = SignalingClient(f"ws://127.0.0.1:{port}/ws", token, backoff=FAST)
        clients.append(plain)
        with pytest.raises(NotConnected):
            await plain.connected(timeout=3)
    finally:
        for client in clients:
            await client.close()
        server.terminate()
        server.wait(15)
