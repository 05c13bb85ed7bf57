"""The server context: what every request handler shares, and the server's background tasks.

:class:`ServerContext` holds the store, the router, the hub, the authenticator and the operator
monitor of one server, and runs the loops that keep them moving: the routing timer, the
heartbeat sweep, the monitor, and the watcher that applies administrators' service edits. Route
modules (``web_*``) reach it through :data:`CTX` on the aiohttp application; this module
imports none of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from aiohttp import web

from jsonlog import fields
from signaling.admin import apply_rules, effective_rules
from signaling.auth import Authenticator
from signaling.catalogue import Catalogue, load_catalogue
from signaling.client_address import client_address, is_loopback_host, parse_networks
from signaling.credentials import SessionSigner, load_or_create_key
from signaling.directory import Directory
from signaling.hub import Hub, LiveView
from signaling.identity import Principal
from signaling.login_limits import LoginLimits
from signaling.monitor import Monitor, run_monitor
from signaling.password_pool import PasswordPool
from signaling.retention import RetentionPolicy, purge
from signaling.revocation_watch import RevocationWatch
from signaling.routing.model import RouterConfig
from signaling.routing.router import Router
from signaling.settings import Settings
from signaling.store import SqliteStore, Store
from wire import server_messages as S

__all__ = ["CTX", "ClientConnection", "ServerContext", "open_context"]

log = logging.getLogger("etapiste.server")

OVERRIDE_RELOAD_S = 15.0
SYSTEM_ACTOR = "system:server"


class ClientConnection(Protocol):
    """What the heartbeat sweep needs of an open WebSocket connection."""

    principal: Principal
    last_seen: float
    last_ping: float

    def send(self, message: S.ServerMessage) -> None:
        """Queue a message for the client."""

    def close(self, reason: str, code: int = 1000) -> None:
        """Say goodbye and close."""


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
        self.key = load_or_create_key(Path(settings.data_dir) / "session.key")
        self.passwords = PasswordPool(settings.password_workers, settings.password_queue)
        self.auth = Authenticator(
            store, SessionSigner(self.key, settings.session_ttl_s), pool=self.passwords
        )
        self.login_limits = LoginLimits(
            settings.login_rate_per_s, settings.login_burst, settings.login_failures_per_user,
            settings.login_failure_refill_s,
        )
        self.trusted_proxies = parse_networks(settings.trusted_proxies)
        self.retention = RetentionPolicy.from_settings(settings)
        self.directory = Directory(catalogue, store, always_open=settings.always_open)
        config = RouterConfig(
            offer_timeout_s=settings.offer_timeout_s,
            wrapup_s=settings.wrapup_s,
            max_missed_offers=settings.max_missed_offers,
            kiosk_grace_s=settings.kiosk_grace_s,
            call_grace_s=settings.call_grace_s,
            escalation_step_s=settings.escalation_step_s,
        )
        self._base_rules = self.directory.service_rules()
        self.router = Router(config, self._base_rules)
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
            photo_retention_days=settings.retention_photos_days,
        )
        self.live: LiveView = self.hub.view
        self.monitor = Monitor(
            settings, store, catalogue, self.router, self.directory, self.live, clock
        )
        self.connections: set[ClientConnection] = set()
        self.revocations = RevocationWatch(store, lambda: self.connections, self._wake_dashboards)
        self.draining = False
        self._overrides_seen: tuple[tuple[str, float], ...] | None = None
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    # ------------------------------------------------------------------ request helpers

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

    def secure_cookies(self, request: web.Request) -> bool:
        """Whether cookies set in reply to ``request`` are ``Secure``: over TLS, or whenever
        the settings say a TLS proxy stands in front (it talks plain HTTP to us)."""
        return request.secure or self.settings.secure_cookies

    def client(self, request: web.Request) -> str:
        """The client's address (what a trusted proxy vouches for, else the peer's)."""
        return client_address(
            request.remote, request.headers.get("X-Forwarded-For"), self.trusted_proxies
        )

    def metrics_open(self, request: web.Request) -> bool:
        """Whether ``/metrics`` may answer without its token: only when none is configured,
        the server listens on loopback only, and the request did not come through a proxy."""
        if self.settings.metrics_token:
            return False
        forwarded = "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
        return is_loopback_host(self.settings.host) and not forwarded

    def check_revocations(self) -> None:
        """Act on revocations now (after this process wrote one) rather than at the poll."""
        self.revocations.poll(self.clock())

    def _wake_dashboards(self) -> None:
        # The live channel re-checks its session when woken.
        for notify in list(self.monitor.subscribers):
            notify()

    # ---------------------------------------------------------------------- state

    def restore(self) -> None:
        """Rebuild queue places and calls in progress from the store after a restart."""
        report = self.hub.restore(self.clock())
        log.info("restored", extra=fields(
            entries=report.entries, calls=report.calls, refused=len(report.rejected)))

    def apply_overrides(self, force: bool = False) -> None:
        """Apply administrators' service edits to the router when they changed."""
        overrides = self.store.service_overrides()
        seen = tuple((o.service_id, o.updated_at) for o in overrides)
        if force or seen != self._overrides_seen:
            rules = effective_rules(
                self._base_rules, self.catalogue, overrides, always_open=self.settings.always_open
            )
            apply_rules(self.router, rules)
            self._overrides_seen = seen

    # ----------------------------------------------------------------- background

    async def start_background(self) -> None:
        """Start the routing timer, the heartbeat sweep, the monitor, the edit watcher, the
        revocation watch and the retention purge (which runs once now)."""
        self.apply_overrides(force=True)
        purge(self.store, self.retention, SYSTEM_ACTOR, self.clock(), always_audit=True)
        self._tasks = [
            asyncio.create_task(self._timer_loop(), name="router-timer"),
            asyncio.create_task(self._heartbeat_loop(), name="heartbeat"),
            asyncio.create_task(run_monitor(self.monitor), name="monitor"),
            asyncio.create_task(self._overrides_loop(), name="service-overrides"),
            asyncio.create_task(self._revocation_loop(), name="revocations"),
            asyncio.create_task(self._retention_loop(), name="retention"),
        ]

    async def stop_background(self) -> None:
        """Stop the loops started by :meth:`start_background`, and the password pool."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.passwords.close()

    async def _revocation_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.revocation_poll_s)
            try:
                self.revocations.poll(self.clock())
            except Exception:
                log.exception("revocation check failed")

    async def _retention_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.retention_interval_s)
            try:
                purge(self.store, self.retention, SYSTEM_ACTOR, self.clock())
            except Exception:
                log.exception("retention purge failed")

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
                    conn.send(S.ServerPing(t=now))

    async def _overrides_loop(self) -> None:
        while True:
            await asyncio.sleep(OVERRIDE_RELOAD_S)
            try:
                self.apply_overrides()
            except Exception:
                log.exception("service overrides not applied")

    async def drain(self) -> None:
        """Refuse new connections, end the dashboards' live streams, say goodbye to every
        client and wait (within the shutdown grace) for them to go."""
        self.draining = True
        for notify in list(self.monitor.subscribers):
            notify()
        for conn in list(self.connections):
            conn.close("server_shutdown", 1001)
        deadline = self.clock() + self.settings.shutdown_grace_s
        # Polling is fine here: it runs once, at shutdown, for a few seconds at most.
        while self.connections and self.clock() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)


CTX: web.AppKey[ServerContext] = web.AppKey("ctx")


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
