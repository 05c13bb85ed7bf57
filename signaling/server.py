"""Assembling and running the signaling server: store, router, hub, HTTP app, timers, SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import ssl
import time
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from signaling.app_keys import CTX
from signaling.auth import Authenticator
from signaling.catalogue import Catalogue, load_catalogue
from signaling.credentials import SessionSigner, load_or_create_key
from signaling.directory import Directory
from signaling.hub import Hub, LiveView
from signaling.logs import fields
from signaling.routing.model import RouterConfig
from signaling.routing.router import Router
from signaling.settings import Settings
from signaling.store import SqliteStore, Store
from signaling.web_api import add_api_routes
from signaling.web_dashboard import add_dashboard
from signaling.web_ws import WsConnection, websocket_handler

log = logging.getLogger("etapiste.server")


class ServerContext:
    """Everything a request handler needs, kept on the aiohttp application."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        catalogue: Catalogue,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.store = store
        self.catalogue = catalogue
        self.clock = clock
        self.started_at = clock()
        key = load_or_create_key(Path(settings.data_dir) / "session.key")
        self.auth = Authenticator(store, SessionSigner(key, settings.session_ttl_s))
        self.directory = Directory(catalogue, store, always_open=settings.always_open)
        config = RouterConfig(
            offer_timeout_s=settings.offer_timeout_s,
            wrapup_s=settings.wrapup_s,
            max_missed_offers=settings.max_missed_offers,
            kiosk_grace_s=settings.kiosk_grace_s,
            call_grace_s=settings.call_grace_s,
            escalation_step_s=settings.escalation_step_s,
        )
        self.router = Router(config, self.directory.service_rules())
        self.hub = Hub(
            router=self.router,
            store=store,
            directory=self.directory,
            clock=clock,
            heartbeat_interval_s=settings.heartbeat_interval_s,
            heartbeat_timeout_s=settings.heartbeat_timeout_s,
            ice_servers=[(s.urls, s.turn_secret) for s in settings.ice_servers],
            ice_transport_policy=settings.ice_transport_policy,
            turn_ttl_s=settings.turn_credential_ttl_s,
            dispositions=settings.dispositions,
            timezone=settings.timezone,
        )
        self.live: LiveView = self.hub.view
        self.connections: set[WsConnection] = set()
        self.draining = False
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def wake(self) -> None:
        """Tell the timer loop that deadlines may have moved."""
        self._wake.set()

    def origin_allowed(self, request: web.Request) -> bool:
        """Same-origin browser requests, or an Origin on the configured allowlist."""
        origin = request.headers.get("Origin")
        if origin is None:
            return True
        if origin in self.settings.allowed_origins:
            return True
        return origin in (f"http://{request.host}", f"https://{request.host}")

    def restore(self) -> None:
        """Rebuild queue places and calls in progress from the store after a restart."""
        report = self.hub.restore(self.clock())
        log.info("restored", extra=fields(
            entries=report.entries, calls=report.calls, refused=len(report.rejected)))

    async def start_background(self) -> None:
        """Start the routing timer and the heartbeat sweeper."""
        self._tasks = [
            asyncio.create_task(self._timer_loop(), name="router-timer"),
            asyncio.create_task(self._heartbeat_loop(), name="heartbeat"),
        ]

    async def stop_background(self) -> None:
        """Stop the loops started by :meth:`start_background`."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _timer_loop(self) -> None:
        while True:
            deadline = self.router.next_deadline()
            delay = 1.0 if deadline is None else min(1.0, max(0.0, deadline - self.clock()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            self._wake.clear()
            try:
                self.hub.tick()
                self.hub.push_queue_stats()
            except Exception:
                log.exception("timer step failed")

    async def _heartbeat_loop(self) -> None:
        from wire.server_messages import ServerPing

        interval = self.settings.heartbeat_interval_s
        timeout = self.settings.heartbeat_timeout_s
        while True:
            await asyncio.sleep(min(0.5, interval / 2))
            now = self.clock()
            for conn in list(self.connections):
                if now - conn.last_seen > timeout:
                    log.info("heartbeat timeout", extra=fields(who=conn.principal.label))
                    conn.close("heartbeat_timeout", 1001)
                elif now - conn.last_ping >= interval:
                    conn.last_ping = now
                    conn.send(ServerPing(t=now))

    async def drain(self) -> None:
        """Refuse new connections and say goodbye to every client."""
        self.draining = True
        for conn in list(self.connections):
            conn.close("server_shutdown", 1001)
        deadline = self.clock() + self.settings.shutdown_grace_s
        # Polling is fine here: it runs once, at shutdown, for a few seconds at most.
        while self.connections and self.clock() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)


def build_app(ctx: ServerContext) -> web.Application:
    """The aiohttp application: WebSocket, login API, health endpoints."""
    app = web.Application(client_max_size=64 * 1024)
    app[CTX] = ctx
    app.router.add_get("/ws", websocket_handler)
    add_api_routes(app)
    add_dashboard(app, ctx)

    async def on_startup(_: web.Application) -> None:
        await ctx.start_background()

    async def on_shutdown(_: web.Application) -> None:
        await ctx.drain()

    async def on_cleanup(_: web.Application) -> None:
        await ctx.stop_background()

    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    return app


def open_context(settings: Settings, clock: Callable[[], float] = time.time) -> ServerContext:
    """Open the store, seed the catalogue and restore state: everything before listening."""
    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    catalogue = load_catalogue(settings.catalogue)
    store = SqliteStore.open(data_dir)
    store.seed_catalogue(catalogue, now=clock())
    ctx = ServerContext(settings, store, catalogue, clock)
    ctx.restore()
    return ctx


def _ssl_context(settings: Settings) -> ssl.SSLContext | None:
    if settings.tls_cert is None or settings.tls_key is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(settings.tls_cert), str(settings.tls_key))
    return context


def _bound_port(runner: web.AppRunner, default: int) -> int:
    """The port actually bound (the setting may be 0 for "any free port")."""
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return default


async def serve(settings: Settings, ready: Callable[[int], None] | None = None) -> None:
    """Run until SIGTERM or SIGINT, then drain clients and close the store."""
    ctx = open_context(settings)
    app = build_app(ctx)
    runner = web.AppRunner(
        app, access_log=None, handle_signals=False, shutdown_timeout=settings.shutdown_grace_s
    )
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port, ssl_context=_ssl_context(settings))
    await site.start()
    port = _bound_port(runner, settings.port)
    tls = settings.tls_cert is not None
    # Everything loaded so far (modules, schemas, the restored state) lives as long as the
    # process, so it is frozen out of the collector's walks; and the older generations are
    # collected less often. With the defaults, full collections held the event loop for
    # 100-190 ms several times a minute with 2000 clients connected: the whole tail of the
    # offer latency (bench/signaling_load.py). Our own code makes few reference cycles.
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)
    log.info("listening", extra=fields(host=settings.host, port=port, tls=tls))
    if ready is not None:
        ready(port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("stopping")
    await runner.cleanup()
    ctx.store.close()
    log.info("stopped")
