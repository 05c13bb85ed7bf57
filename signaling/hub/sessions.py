"""Connections coming and going: welcome, resume, and what a returning client gets back.

A kiosk that presents its resume token keeps its citizen's place or call; one that does not
starts a new citizen session, and the previous citizen's place or call ends before the new
connection is registered (so the new citizen is not told about it). A returning kiosk or agent
is told where it stands: its queue position, its agent state, the call it is in (``call_start``
with ``resumed``), or how its place or call ended while it was away.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from jsonlog import fields
from signaling.directory import Directory
from signaling.hub.connections import Connection, Connections, ResumeTokens
from signaling.hub.delivery import Dispatcher
from signaling.hub.inbound import Inbound
from signaling.hub.live import CallLive, LiveState, View
from signaling.hub.outbound import Greeting, Lookups, agent_status, call_start, welcome
from signaling.hub.persistence import Persistence
from signaling.hub.queries import Queries
from signaling.hub.relay import Relay
from signaling.identity import Principal
from signaling.routing import events as E
from signaling.routing.member_model import StaffProfile
from signaling.routing.router import Router
from wire import client_messages as C
from wire import server_messages as S
from wire.errors import ErrorCode

__all__ = ["Sessions"]

log = logging.getLogger("etapiste.hub")


class Sessions:
    """Attaches and detaches connections."""

    def __init__(
        self, router: Router, directory: Directory, connections: Connections,
        resume: ResumeTokens, live: LiveState, inbound: Inbound, dispatcher: Dispatcher,
        records: Persistence, relay: Relay, queries: Queries, look: Lookups, greeting: Greeting,
        view: View, profile: Callable[[str], StaffProfile | None] = lambda agent_id: None,
    ) -> None:
        self._router = router
        self._directory = directory
        self._connections = connections
        self._resume = resume
        self._live = live
        self._inbound = inbound
        self._dispatcher = dispatcher
        self._records = records
        self._relay = relay
        self._queries = queries
        self._look = look
        self._greeting = greeting
        self._view = view
        self._profile = profile

    def attach(self, conn: Connection, hello: C.Hello, now: float, *, quiet: bool = False) -> None:
        """Register a connection after its ``hello``; answers ``welcome`` or refuses.

        ``quiet``: the client was attached to the previous routing node and stays connected
        (its node re-registers it with a new one): no ``welcome``, and never a new citizen
        session, only where it stands."""
        p = conn.principal
        if quiet:
            held = self._connections.member(p.id) if p.role != "operator" else None
            if held is not None and held is not conn:
                # The client came back on another connection since: this one is stale.
                conn.close("replaced", 1000)
                return
            self._connections.register(conn)
            log.info("reattached", extra=fields(who=p.label, conn=conn.connection_id))
            self._back(conn, now)
            return
        if hello.protocol < 1:
            conn.send(S.Error(code=ErrorCode.UNSUPPORTED_VERSION, message="protocol too old"))
            conn.close("unsupported_version", 1002)
            return
        token: str | None = None
        if p.role == "kiosk" and self._resume.matches(p.id, hello.resume_token):
            token = hello.resume_token
        elif p.role == "kiosk":
            self._connections.evict_kiosk(p.id, conn)
            for event in self._inbound.fresh_session(p.id):
                self._dispatcher.run(event, now)
            self._live.kiosk(p.id).missed = None  # whatever ended was the previous citizen's
            token = self._resume.issue(p.id)
        self._connections.register(conn)
        site = self._directory.site_ref(p.site_id) if p.site_id else None
        loop = p.role == "kiosk" and self._directory.hearing_loop(p.site_id)
        profile = self._profile(p.id) if p.role == "agent" else None
        conn.send(welcome(p, conn.connection_id, hello.protocol, hello.ref, token, site, now,
                          self._greeting, hearing_loop=loop, profile=profile))
        log.info("attached", extra=fields(who=p.label, conn=conn.connection_id))
        self._back(conn, now)

    def _back(self, conn: Connection, now: float) -> None:
        """Tell a kiosk or agent that just attached where it stands."""
        p = conn.principal
        if p.role == "kiosk":
            self._view.notify_kiosk(p.id)
        missed = None
        if p.role == "kiosk":
            live = self._live.kiosk(p.id)
            missed, live.missed = live.missed, None
        if p.role == "agent":
            self._records.agent_back(self._router, p, now)
        event = self._inbound.attached(p)
        if event is None:
            if missed is not None:  # the place or call ran out while the kiosk was away
                conn.send(missed)
            return
        self._dispatcher.run(event, now, conn)
        if isinstance(event, E.AgentLogin):
            self._records.agent_login(p, now)
        view = self._router.agent_view(p.id) if p.role == "agent" else None
        if view is not None:
            conn.send(agent_status(view.state, view.reason, view.since, view.until,
                                   self._live.agent_calls.get(p.id)))
        call = self.call_of(p)
        if call is not None:
            for out in call_start(call.call_id, call.kiosk_id, call.agent_id, call.service_id,
                                  call.language, resumed=True, now=now, look=self._look,
                                  only=p.id):
                conn.send(out.message)
            self._relay.peer_status(call.call_id, p.id, "connected")
        self._queries.stats_dirty |= p.role == "agent"

    def detach(self, conn: Connection, now: float) -> None:
        """The connection is gone (closed, timed out or replaced)."""
        p = conn.principal
        event = self._inbound.detached(p)
        if self._connections.drop(conn) and event is not None:
            call = self.call_of(p)
            self._dispatcher.run(event, now)
            if call is not None and call.call_id in self._live.calls:
                self._relay.peer_status(call.call_id, p.id, "reconnecting")
            self._queries.stats_dirty |= p.role == "agent"
        if p.role == "kiosk":
            self._view.notify_kiosk(p.id)
        log.info("detached", extra=fields(who=p.label, conn=conn.connection_id))

    def call_of(self, p: Principal) -> CallLive | None:
        """The call a kiosk or agent is in, if any."""
        if p.role == "kiosk":
            view = self._router.call_for_kiosk(p.id)
            return self._live.calls.get(view.call_id) if view is not None else None
        return self._live.calls.get(self._live.agent_calls.get(p.id, ""))
