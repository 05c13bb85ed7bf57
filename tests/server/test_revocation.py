"""Revocation bites: logout, revoked or expired sessions, disabled accounts, password resets,
revoked kiosks and rotated kiosk tokens close the live connections concerned within 5 s, from
whichever path (the API, the command line, another process writing the database), with a
typed goodbye; and the kiosk's place or the agent's routing state go as on a disconnect.

Issue 12, finding 1: "Logout, session revocation and session expiry leave an agent's open
WebSocket working (it still gets history and can go ready). A kiosk revoked from the CLI
keeps its open socket and its queue place."
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import websockets
from argon2 import PasswordHasher
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidStatus

from signaling.__main__ import main as cli
from signaling.store import Store, open_store
from signaling.web_ws import SUBPROTOCOL
from tests.server.harness import PASSWORD, Harness, running_server
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
BITE_S = 5.0
"""The promise: a revoked credential's connections are gone within this."""


@contextlib.asynccontextmanager
async def connected(h: Harness, token: str) -> AsyncIterator[ClientConnection]:
    """A raw client after hello and welcome."""
    async with websockets.connect(
        h.ws_url, additional_headers={"Authorization": f"Bearer {token}"},
        subprotocols=[SUBPROTOCOL], open_timeout=5,  # type: ignore[list-item]
    ) as ws:
        await ws.send(json.dumps({"type": "hello", "protocol": 1}))
        while json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] != "welcome":
            pass
        yield ws


async def goodbye(ws: ClientConnection, timeout: float = BITE_S) -> tuple[str, int | None]:
    """The goodbye reason the server sends before it closes, and the close code."""
    reason = ""
    with contextlib.suppress(ConnectionClosed):
        async with asyncio.timeout(timeout):
            while True:
                message = json.loads(await ws.recv())
                if message["type"] == "goodbye":
                    reason = message["reason"]
    return reason, ws.close_code


async def api_login(h: Harness, username: str, password: str = PASSWORD) -> dict[str, object]:
    async with aiohttp.ClientSession() as http, http.post(
        f"{h.base_url}/api/login", json={"username": username, "password": password}
    ) as r:
        assert r.status == 200, await r.text()
        body: dict[str, object] = await r.json()
        return body


async def handshake_status(h: Harness, token: str) -> int:
    try:
        async with websockets.connect(
            h.ws_url, additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=5
        ):
            return 101
    except InvalidStatus as exc:
        return exc.response.status_code


def cheap(h: Harness) -> Harness:
    """Accounts made from now on check their password in a millisecond (argon2 at its
    cheapest); these tests are about what happens after the login."""
    h.ctx.auth.hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    return h


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str | None:
    """The server's database: SQLite in its data directory, or a fresh PostgreSQL database
    (a node of one; the cluster tests cover a revocation written on another node)."""
    if request.param == "sqlite":
        return None
    return str(request.getfixturevalue("pg_server").fresh_database())


@contextlib.asynccontextmanager
async def serving(data: Path, database: str | None, **overrides: object) -> AsyncIterator[Harness]:
    """A running server on ``database``; on PostgreSQL, once it holds the routing lease."""
    async with running_server(data, database=database, **overrides) as h:
        await wait_until(lambda: h.ctx.routing, 20, "the routing lease")
        yield h


def other_process(h: Harness) -> Store:
    """The same database as another process (the CLI, a second node) opens it."""
    s = h.ctx.settings
    return open_store(s.database, s.data_dir, audit_key_file=s.audit_key_file)


def cli_run(data: Path, *args: str, database: str | None = None) -> int:
    if database is None:
        return cli(["--data-dir", str(data), *args])
    os.environ["ETAPISTE_DATABASE"] = database
    try:
        return cli(["--data-dir", str(data), *args])
    finally:
        del os.environ["ETAPISTE_DATABASE"]


async def test_logout_through_the_api_closes_the_agents_socket(
    tmp_path: Path, database: str | None
) -> None:
    async with serving(tmp_path / "data", database) as h:
        cheap(h)
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        token = str((await api_login(h, "aino"))["token"])
        async with connected(h, token) as ws:
            async with aiohttp.ClientSession() as http, http.post(
                f"{h.base_url}/api/logout", headers={"Authorization": f"Bearer {token}"}
            ) as r:
                assert r.status == 200
            assert await goodbye(ws) == ("logged_out", 1008)


async def test_session_revoked_by_another_process_closes_the_socket(
    tmp_path: Path, database: str | None
) -> None:
    async with serving(tmp_path / "data", database) as h:
        cheap(h)
        agent_id = h.add_agent("aino", ["kela.benefits"], ["fi"])
        token = str((await api_login(h, "aino"))["token"])
        async with connected(h, token) as ws:
            await ws.send(json.dumps({"type": "agent_state", "state": "ready"}))
            # Another process (the CLI, a second server node) revokes it in the database.
            other = other_process(h)
            session_id = h.ctx.auth.principal_for_token(token, h.ctx.clock()).session_id  # type: ignore[union-attr]
            other.revoke_session(session_id, now=h.ctx.clock(), reason="revoked")  # type: ignore[arg-type]
            other.close()
            assert await goodbye(ws) == ("revoked", 1008)
        # Gone from routing as on a disconnect: an agent without a call is logged out.
        for _ in range(100):
            if h.ctx.router.agent_view(agent_id) is None:
                break
            await asyncio.sleep(0.05)
        assert h.ctx.router.agent_view(agent_id) is None


async def test_expired_session_closes_the_socket(tmp_path: Path) -> None:
    ttl = 5.0  # long enough to log in and connect on a busy machine
    async with running_server(tmp_path / "data", session_ttl_s=ttl) as h:
        cheap(h).add_agent("aino", ["kela.benefits"], ["fi"])
        token = str((await api_login(h, "aino"))["token"])
        async with connected(h, token) as ws:
            assert await goodbye(ws, timeout=ttl + BITE_S) == ("session_expired", 1008)


async def test_cli_disable_and_password_reset_close_the_agents_socket(
    tmp_path: Path, database: str | None
) -> None:
    data = tmp_path / "data"
    async with serving(data, database) as h:
        cheap(h)
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        token = str((await api_login(h, "aino"))["token"])
        async with connected(h, token) as ws:
            disable = ("disable-account", "aino")
            assert await asyncio.to_thread(cli_run, data, *disable, database=database) == 0
            assert await goodbye(ws) == ("revoked", 1008)
        assert await handshake_status(h, token) == 401
        enable = ("enable-account", "aino")
        assert await asyncio.to_thread(cli_run, data, *enable, database=database) == 0
        token = str((await api_login(h, "aino"))["token"])
        async with connected(h, token) as ws:
            os.environ["TEMP_PW"] = "temporary-secret-1"
            try:
                assert await asyncio.to_thread(
                    cli_run, data, "reset-password", "aino", "--password-env", "TEMP_PW",
                    database=database,
                ) == 0
            finally:
                del os.environ["TEMP_PW"]
            assert await goodbye(ws) == ("revoked", 1008)
        # The temporary password logs in, but opens nothing until it is changed.
        answer = await api_login(h, "aino", "temporary-secret-1")
        assert answer["must_change_password"] is True
        assert await handshake_status(h, str(answer["token"])) == 403
        async with aiohttp.ClientSession() as http, http.post(
            f"{h.base_url}/api/password",
            json={"current_password": "temporary-secret-1", "new_password": "my own secret 2"},
            headers={"Authorization": f"Bearer {answer['token']}"},
        ) as r:
            assert r.status == 200
            fresh = await r.json()
        assert fresh["must_change_password"] is False
        assert await handshake_status(h, str(answer["token"])) == 401  # the old session ended
        async with connected(h, str(fresh["token"])):
            pass
        actions = [a.action for a in h.ctx.store.audit_log()]
        for action in ("account_disable", "account_enable", "password_reset", "password_change"):
            assert action in actions


async def test_kiosk_revoked_by_the_cli_process_loses_socket_and_place(
    tmp_path: Path, database: str | None
) -> None:
    data = tmp_path / "data"
    async with serving(data, database, kiosk_grace_s=0.0) as h:
        cheap(h)
        kiosk_id = h.add_kiosk()
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        agent_token = str((await api_login(h, "aino"))["token"])
        async with connected(h, agent_token), connected(h, h.kiosk_tokens[kiosk_id]) as ws:
            await ws.send(json.dumps({"type": "queue_join", "service": "kela.benefits",
                                      "language": "fi"}))
            while json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] != "queue_position":
                pass
            assert h.ctx.router.entry_for_kiosk(kiosk_id) is not None
            # The real command line, in its own process, as an operator would run it.
            env = {**os.environ, "ETAPISTE_DATA_DIR": str(data),
                   **({"ETAPISTE_DATABASE": database} if database else {})}
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "signaling", "revoke-kiosk", kiosk_id, cwd=ROOT, env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            assert await proc.wait() == 0
            assert await goodbye(ws) == ("revoked", 1008)
        for _ in range(100):
            if h.ctx.router.entry_for_kiosk(kiosk_id) is None:
                break
            await asyncio.sleep(0.05)
        assert h.ctx.router.entry_for_kiosk(kiosk_id) is None
        assert await handshake_status(h, h.kiosk_tokens[kiosk_id]) == 401


async def test_rotating_a_kiosk_token_closes_only_the_old_tokens_connection(
    tmp_path: Path, database: str | None
) -> None:
    data = tmp_path / "data"
    async with serving(data, database) as h:
        kiosk_id = h.add_kiosk()
        old = h.kiosk_tokens[kiosk_id]
        async with connected(h, old) as ws:
            other = other_process(h)
            new = other.rotate_kiosk_token(kiosk_id, now=h.ctx.clock())
            other.close()
            assert await goodbye(ws) == ("revoked", 1008)
        assert await handshake_status(h, old) == 401
        async with connected(h, new) as ws:
            await asyncio.sleep(h.ctx.settings.revocation_poll_s * 2)
            await ws.send(json.dumps({"type": "ping", "t": 1, "ref": "still"}))
            reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
            while reply.get("ref") != "still":
                reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert reply["type"] == "pong"
