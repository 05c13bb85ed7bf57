"""The server context: what every request handler shares, and the server's background tasks.

:class:`ServerContext` holds the store, the router, the hub, the authenticator and the operator
monitor of one server, and runs the loops that keep them moving: the routing timer, the
heartbeat sweep, the monitor, and the watcher that applies administrators' service edits. Route
modules (``web_*``) reach it through :data:`CTX` on the aiohttp application; this module
imports none of them.

With a PostgreSQL database the server is one node of several (:mod:`signaling.cluster`): the
router and hub are built when this node takes the routing lease, from the store, and dropped
when it loses it; meanwhile clients' messages go to the leading node.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from aiohttp import web

from jsonlog import fields
from signaling.admin import apply_rules, effective_rules
from signaling.auth import Authenticator
from signaling.booking.desk import BookingDesk, DeskConfig
from signaling.booking_office import BookingOffice
from signaling.catalogue import Catalogue, load_catalogue
from signaling.client_address import client_address, is_loopback_host, parse_networks
from signaling.cluster import BROADCAST_CHANNEL, LEADER_CHANNEL, Bus, BusDown, ClusterNode, Lease
from signaling.credentials import SessionSigner, load_or_create_key
from signaling.directory import Directory
from signaling.heartbeat import ConnectionRoster
from signaling.hub import Hub, LiveView
from signaling.identity import Principal
from signaling.login_limits import LoginLimits
from signaling.monitor import Monitor, run_monitor
from signaling.password_pool import PasswordPool
from signaling.retention import RetentionPolicy, purge
from signaling.revocation_watch import RevocationWatch
from signaling.routing.callbacks import CallbackConfig
from signaling.routing.model import RouterConfig
from signaling.routing.router import Router
from signaling.settings import Settings
from signaling.store import Store, open_store
from wire import client_messages as C
from wire import server_messages as S
from wire.codec import dump

__all__ = ["CTX", "ClientConnection", "ServerContext", "open_context"]

log = logging.getLogger("etapiste.server")

OVERRIDE_RELOAD_S = 15.0
SYSTEM_ACTOR = "system:server"


class ClientConnection(Protocol):
    """What the heartbeat sweep and the cluster need of an open WebSocket connection."""

    principal: Principal
    connection_id: str
    last_seen: float
    last_ping: float
    hello: C.Hello | None
    welcomed: bool

    def send(self, message: S.ServerMessage) -> None:
        """Queue a message for the client."""

    def send_text(self, text: str, *, error: bool = False, welcome: bool = False) -> None:
        """Queue an encoded message for the client."""

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
        self.key = load_or_create_key(
            settings.session_key_file or Path(settings.data_dir) / "session.key"
        )
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
        self.node_id = settings.node_id or f"{socket.gethostname()}-{settings.port}"
        self.config = RouterConfig(
            offer_timeout_s=settings.offer_timeout_s,
            wrapup_s=settings.wrapup_s,
            max_missed_offers=settings.max_missed_offers,
            kiosk_grace_s=settings.kiosk_grace_s,
            call_grace_s=settings.call_grace_s,
            escalation_step_s=settings.escalation_step_s,
            decline_cooloff_s=settings.decline_cooloff_s,
        )
        self.booking_office = BookingOffice(store, catalogue, settings.timezone,
                                            settings.public_url)
        self.booking_desk_config = DeskConfig(
            settings.booking_early_s, settings.booking_late_s, settings.booking_named_wait_s
        )
        self._base_rules = self.directory.service_rules()
        self.term: int | None = None
        self.router = Router(self.config, self._base_rules)
        self.hub = self._new_hub(None)
        self.live: LiveView = self.hub.view
        self.monitor = Monitor(
            settings, store, catalogue, self.router, self.directory, self.live, clock
        )
        self.connections: ConnectionRoster[ClientConnection] = ConnectionRoster(
            settings.heartbeat_interval_s
        )
        self.revocations = RevocationWatch(store, lambda: self.connections, self._wake_dashboards)
        self.draining = False
        self._overrides_seen: tuple[tuple[str, float], ...] | None = None
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.cluster: ClusterNode | None = None
        self.bus: Bus | None = None
        if settings.database and store.dialect == "postgresql":
            self.bus = Bus(settings.database, self.node_id, store, self._on_ops, clock)
            self.cluster = ClusterNode(self.node_id, self, self.bus.send)
        self.monitor.on_snapshot = self._publish_snapshot

    def _new_hub(self, term: int | None) -> Hub:
        s = self.settings
        return Hub(
            router=self.router, store=self.store, directory=self.directory, clock=self.clock,
            heartbeat_interval_s=s.heartbeat_interval_s,
            heartbeat_timeout_s=s.heartbeat_timeout_s,
            ice_servers=[(i.urls, i.turn_secret) for i in s.ice_servers],
            ice_transport_policy=s.ice_transport_policy, turn_ttl_s=s.turn_credential_ttl_s,
            dispositions=s.dispositions, timezone=s.timezone, term=term, on_lost=self._lost,
            agent_grace_s=s.kiosk_grace_s, photo_retention_days=s.retention_photos_days,
            office=self.booking_office, desk=BookingDesk(self.booking_desk_config),
            callback_config=CallbackConfig(
                offer_timeout_s=s.callback_offer_timeout_s, retry_after_s=s.callback_retry_after_s,
                max_attempts=s.callback_max_attempts,
            ),
            callback_min_left_s=s.callback_min_left_s,
            member_offer_timeout_s=s.member_offer_timeout_s, member_grace_s=s.member_grace_s,
        )

    # --------------------------------------------------------------------- routing

    @property
    def routing(self) -> bool:
        """Whether this server routes now (one node always; a cluster node while leading)."""
        return self.cluster is None or self.cluster.leading

    def start_routing(self, term: int) -> None:
        """Route under ``term``: a new router and hub, restored from the store."""
        self.term = term
        self.router = Router(self.config, self._base_rules)
        self.hub = self._new_hub(term)
        self.live = self.hub.view
        self.monitor.rebind(self.router, self.live, routing=True)
        self.apply_overrides(force=True)
        self.restore()

    def stop_routing(self) -> None:
        """Another node routes (or may): drop the router and hub."""
        self.term = None
        self.router = Router(self.config, self._base_rules)
        self.hub = self._new_hub(None)
        self.live = self.hub.view
        self.monitor.rebind(self.router, self.live, routing=False)

    def _lost(self, exc: Exception) -> bool:
        """A batch of routing writes failed: one node goes on; a cluster node steps down."""
        if self.cluster is None:
            log.error("routing writes failed", extra=fields(error=str(exc)))
            return True
        self.cluster.stepped_down(f"routing write failed: {str(exc)[:160]}")
        return False

    def _on_ops(self, ops: list[dict[str, object]]) -> None:
        if self.cluster is not None:
            self.cluster.on_ops(ops)

    def mirror_snapshot(self, snapshot: dict[str, object]) -> None:
        """The leader's dashboard, shown by this follower."""
        self.monitor.mirror(snapshot)

    def _publish_snapshot(self, snapshot: dict[str, object]) -> None:
        if self.bus is not None and self.routing:
            self.bus.send(BROADCAST_CHANNEL, {"op": "snapshot", "s": snapshot})

    @property
    def serving(self) -> bool:
        """Whether clients can be served here (a cluster node needs its database)."""
        return self.cluster is None or self.cluster.available

    # --------------------------------------------------------------- clients

    def attach(self, conn: ClientConnection, hello: C.Hello) -> None:
        """A client said hello: to the hub, or to the leading node."""
        conn.hello = hello
        if self.cluster is None:
            self.hub.attach(conn, hello)
        else:
            self.cluster.attach(conn, hello)

    def handle(self, conn: ClientConnection, msg: C.ClientMessage) -> None:
        """An authorised client message."""
        if self.cluster is None:
            self.hub.handle(conn, msg)
        else:
            self.cluster.handle(conn, msg)

    def detach(self, conn: ClientConnection) -> None:
        """A client's socket is gone."""
        if self.cluster is None:
            self.hub.detach(conn)
        else:
            self.cluster.detach(conn)

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
        revocation watch and the retention purge (which runs once now on one node; in a
        cluster, only on the routing node, at its interval); in a cluster, the bus and the
        lease."""
        self.apply_overrides(force=True)
        if self.cluster is None:
            purge(self.store, self.retention, SYSTEM_ACTOR, self.clock(), always_audit=True)
            self.hub.callbacks.purged(self.clock())
        self._tasks = [
            asyncio.create_task(self._timer_loop(), name="router-timer"),
            asyncio.create_task(self._heartbeat_loop(), name="heartbeat"),
            asyncio.create_task(run_monitor(self.monitor), name="monitor"),
            asyncio.create_task(self._overrides_loop(), name="service-overrides"),
            asyncio.create_task(self._revocation_loop(), name="revocations"),
            asyncio.create_task(self._retention_loop(), name="retention"),
        ]
        if self.bus is not None and self.cluster is not None and self.settings.database:
            lease = Lease(self.settings.database, self.cluster, self.store, self.clock)
            self._tasks += [
                asyncio.create_task(self.bus.run_sender(), name="bus-sender"),
                asyncio.create_task(self._bus_loop(), name="bus-listener"),
                asyncio.create_task(lease.run(), name="lease"),
                asyncio.create_task(self._payloads_loop(), name="bus-payloads"),
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
            if not self.routing:
                continue  # one node of a cluster purges: the one that routes
            try:
                purge(self.store, self.retention, SYSTEM_ACTOR, self.clock())
                self.hub.callbacks.purged(self.clock())
            except Exception:
                log.exception("retention purge failed")

    async def _bus_loop(self) -> None:
        assert self.bus is not None and self.cluster is not None
        bus, node = self.bus, self.cluster
        for channel in (LEADER_CHANNEL, BROADCAST_CHANNEL, node.channel):
            await bus.listen(channel)
        while True:
            listener = asyncio.create_task(bus.run_listener(), name="bus-listen")
            up = asyncio.create_task(bus.up.wait())
            await asyncio.wait({listener, up}, return_when=asyncio.FIRST_COMPLETED)
            up.cancel()
            if bus.up.is_set():
                term, holder = self.store.current_term()
                if holder is not None and not node.leading and node.leader is None:
                    node.leader, node.term = holder, term
                node.bus_up()
                log.info("database reachable", extra=fields(node=node.node_id))
            try:
                await listener
            except BusDown as exc:
                log.warning("database lost", extra=fields(node=node.node_id, error=str(exc)))
            except Exception:
                log.exception("bus listener failed")
            node.bus_down()
            await asyncio.sleep(1.0)

    async def _payloads_loop(self) -> None:
        while True:
            await asyncio.sleep(60.0)
            if self.routing:
                with contextlib.suppress(Exception):
                    self.store.purge_payloads(self.clock() - 300.0)

    async def _timer_loop(self) -> None:
        while True:
            deadline = self.router.next_deadline()
            delay = 1.0 if deadline is None else min(1.0, max(0.0, deadline - self.clock()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            self._wake.clear()
            if not self.routing:
                continue
            try:
                self.hub.tick()
                self.hub.flush_positions(self.settings.position_interval_s)
                self.hub.push_queue_stats()
            except Exception:
                log.exception("timer step failed")

    async def _heartbeat_loop(self) -> None:
        # Pings go out slot by slot (signaling.heartbeat), a few every 50 ms instead of a
        # thousand at once; silence is looked for twice a second, a walk that only compares.
        roster = self.connections
        interval = self.settings.heartbeat_interval_s
        timeout = self.settings.heartbeat_timeout_s
        sweep_s = min(0.5, interval / 2)
        next_sweep = self.clock() + sweep_s
        while True:
            await asyncio.sleep(roster.slot_s)
            now = self.clock()
            due = roster.due(now)
            if due:
                ping = dump(S.ServerPing(t=now))  # encoded once for every client of the slot
                for conn in due:
                    conn.last_ping = now
                    conn.send_text(ping)
            if now >= next_sweep:
                next_sweep = now + sweep_s
                for conn in roster.silent(now, timeout):
                    log.info("heartbeat timeout", extra=fields(who=conn.principal.label))
                    conn.close("heartbeat_timeout", 1001)

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
    """Open the store, seed the catalogue and restore state: everything before listening.

    One node takes a routing term at once (it is alone on its SQLite file); a cluster node
    waits for the lease (:mod:`signaling.cluster.lease`)."""
    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    catalogue = load_catalogue(settings.catalogue)
    node_id = settings.node_id or f"{socket.gethostname()}-{settings.port}"
    store = open_store(settings.database, data_dir, audit_key_file=settings.audit_key_file,
                       application_name=f"etapiste:{node_id}")
    store.seed_catalogue(catalogue, now=clock())
    ctx = ServerContext(settings, store, catalogue, clock)
    if ctx.cluster is None:
        ctx.start_routing(store.take_term(ctx.node_id, now=clock()))
    return ctx
