"""A real signaling server on loopback for tests, with seeded kiosks and agents."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from argon2 import PasswordHasher

from client_core.signaling_client import Backoff, SignalingClient, login
from signaling.context import ServerContext, open_context
from signaling.credentials import hash_password
from signaling.server import build_app
from signaling.settings import Settings

PASSWORD = "correct horse battery"
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
"""Real argon2id at its lowest cost: the production cost (about 0.2 s a hash or a login here)
is paid by the tests about passwords (they set their own hasher), not by every seeded clerk."""
FAST = Backoff(initial_s=0.05, maximum_s=0.3)


@dataclass
class Harness:
    """A running server plus the credentials seeded into it."""

    ctx: ServerContext
    base_url: str
    ws_url: str
    app: web.Application | None = None
    kiosk_tokens: dict[str, str] = field(default_factory=dict)
    clients: list[SignalingClient] = field(default_factory=list)

    def add_kiosk(self, site: str = "nurmes", name: str = "kiosk") -> str:
        kiosk_id, token = self.ctx.store.create_kiosk(site, name, now=self.ctx.clock())
        self.kiosk_tokens[kiosk_id] = token
        return kiosk_id

    def add_agent(
        self, username: str, skills: list[str], languages: list[str], role: str = "agent"
    ) -> str:
        return self.ctx.store.create_account(
            username, username.title(), role, hash_password(PASSWORD, self.ctx.auth.hasher),
            skills, languages, now=self.ctx.clock(),
        )

    async def kiosk(self, kiosk_id: str) -> SignalingClient:
        client = SignalingClient(self.ws_url, self.kiosk_tokens[kiosk_id], backoff=FAST)
        self.clients.append(client)
        await client.connected()
        return client

    async def agent(self, username: str) -> SignalingClient:
        session = await login(self.base_url, username, PASSWORD)
        client = SignalingClient(self.ws_url, session.token, backoff=FAST)
        self.clients.append(client)
        await client.connected()
        return client


@contextlib.asynccontextmanager
async def running_server(
    data_dir: Path, clock: Callable[[], float] = time.time, **overrides: Any
) -> AsyncIterator[Harness]:
    """Start a server on an ephemeral loopback port; stop it and close every client after.

    Passwords are hashed at :data:`CHEAP_HASHER`'s cost; a test may set ``ctx.auth.hasher``.
    """
    settings = Settings(data_dir=data_dir, port=0, always_open=True, **overrides)
    ctx = open_context(settings, clock)
    ctx.auth.hasher = CHEAP_HASHER
    app = build_app(ctx)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{port}"
    harness = Harness(ctx, base, f"ws://127.0.0.1:{port}/ws", app)
    try:
        yield harness
    finally:
        for client in harness.clients:
            await client.close()
        await runner.cleanup()
        ctx.store.close()
