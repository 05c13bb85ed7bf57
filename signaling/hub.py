"""The hub: where connections, the routing core and the store meet.

The hub is deliberately free of sockets. It takes parsed client messages from connections
(anything with ``send`` and ``close``), turns them into router events, and carries out the
router's actions: a message to a kiosk or an agent, a row in the store, a line in the audit log.
The aiohttp layer (``web_ws``) only moves bytes in and out of it, so the whole server logic can
be driven by tests with fake connections and a fake clock.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from signaling.directory import Directory
from signaling.identity import Principal
from signaling.logs import fields
from signaling.routing import actions as A
from signaling.routing import events as E
from signaling.routing.model import AgentState
from signaling.routing.router import Router
from signaling.store import Store
from signaling.store_schema import CallOutcome
from signaling.turn import ice_servers_for_call
from wire import client_messages as C
from wire import server_messages as S
from wire.errors import ErrorCode
from wire.types import PROTOCOL_VERSION, CallStats, KioskHealth

log = logging.getLogger("etapiste.hub")

GoodbyeReason = str


class Connection(Protocol):
    """What the hub needs of a client connection."""

    principal: Principal
    connection_id: str

    def send(self, message: S.ServerMessage) -> None:
        """Queue a message for the client; never blocks."""

    def close(self, reason: GoodbyeReason, code: int = 1000) -> None:
        """Say goodbye with a reason and close."""


@dataclass
class KioskLive:
    """What the hub knows of a kiosk beyond the router's view."""

    resume_hash: str | None = None
    health: KioskHealth | None = None
    health_at: float | None = None
    last_quality: CallStats | None = None
    missed: S.ServerMessage | None = None
    """How the citizen's place or call ended while the kiosk was away, told on resume."""


@dataclass
class CallLive:
    """Per-call facts the relay needs."""

    call_id: str
    kiosk_id: str
    agent_id: str
    service_id: str
    language: str
    stats: dict[str, CallStats] = field(default_factory=dict)


_REJECT_CODES: dict[str, ErrorCode] = {
    "unknown_offer": ErrorCode.UNKNOWN_OFFER,
    "unknown_call": ErrorCode.UNKNOWN_CALL,
    "not_allowed": ErrorCode.NOT_ALLOWED,
    "bad_state": ErrorCode.BAD_STATE,
    "unknown_service": ErrorCode.UNKNOWN_SERVICE,
    "service_closed": ErrorCode.SERVICE_CLOSED,
    "queue_full": ErrorCode.QUEUE_FULL,
    "language_unavailable": ErrorCode.LANGUAGE_UNAVAILABLE,
    "already_queued": ErrorCode.ALREADY_QUEUED,
}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Hub:
    """Routes client messages through the ACD core and fans the results out."""

    def __init__(
        self,
        *,
        router: Router,
        store: Store,
        directory: Directory,
        clock: Callable[[], float],
        heartbeat_interval_s: float,
        heartbeat_timeout_s: float,
        ice_servers: list[tuple[list[str], str | None]],
        ice_transport_policy: str = "all",
        turn_ttl_s: int = 3600,
        dispositions: list[str] | None = None,
        timezone: str = "Europe/Helsinki",
    ) -> None:
        self.router = router
        self.store = store
        self.directory = directory
        self.clock = clock
        self.heartbeat_interval_s = heartbeat_interval_s
        self.heartbeat_timeout_s = heartbeat_timeout_s
        self.ice_servers = ice_servers
        self.ice_transport_policy = "relay" if ice_transport_policy == "relay" else "all"
        self.turn_ttl_s = turn_ttl_s
        self.dispositions = list(dispositions or [])
        self.timezone = ZoneInfo(timezone)
        self.kiosks: dict[str, Connection] = {}
        self.agents: dict[str, Connection] = {}
        self.operators: dict[str, Connection] = {}
        self.kiosk_live: dict[str, KioskLive] = {}
        self.calls: dict[str, CallLive] = {}
        self.agent_calls: dict[str, str] = {}
        self.queue_stats_dirty = True
        self.listeners: list[Callable[[str], None]] = []
        self._pending_ref: tuple[Connection, str] | None = None
        self._stats_pushed_at = float("-inf")

    # ----------------------------------------------------------------- connection lifecycle

    def attach(self, conn: Connection, hello: C.Hello) -> None:
        """Register a connection after its ``hello``; answers ``welcome`` or refuses."""
        now = self.clock()
        p = conn.principal
        if hello.protocol < 1:
            conn.send(S.Error(code=ErrorCode.UNSUPPORTED_VERSION, message="protocol too old"))
            conn.close("unsupported_version", 1002)
            return
        protocol = min(hello.protocol, PROTOCOL_VERSION)
        resume_token: str | None = None
        if p.role == "kiosk":
            resume_token = self._attach_kiosk(conn, hello.resume_token, now)
        elif p.role == "agent":
            self._attach_agent(conn, now)
        else:
            self._replace(self.operators, p.id, conn)
        site = self.directory.site_ref(p.site_id) if p.site_id else None
        conn.send(
            S.Welcome(
                ref=hello.ref,
                protocol=protocol,
                role=p.role,
                identity=S.Identity(
                    id=p.id,
                    name=p.name,
                    site=site.names if site else None,
                    skills=sorted(p.skills),
                    languages=sorted(p.languages),  # type: ignore[arg-type]
                ),
                connection_id=conn.connection_id,
                heartbeat_interval_s=self.heartbeat_interval_s,
                heartbeat_timeout_s=self.heartbeat_timeout_s,
                resume_token=resume_token,
                server_time=now,
                dispositions=self.dispositions if p.role == "agent" else [],
                services=sorted(p.skills) if p.role == "agent" else [],
            )
        )
        log.info("attached", extra=fields(who=p.label, conn=conn.connection_id))
        if p.role == "kiosk":
            self._after_kiosk_attach(conn, now)
        elif p.role == "agent":
            self._after_agent_attach(conn, now)

    def _replace(self, table: dict[str, Connection], key: str, conn: Connection) -> bool:
        old = table.get(key)
        table[key] = conn
        if old is not None and old is not conn:
            old.close("replaced", 1000)
            return True
        return False

    def _attach_kiosk(self, conn: Connection, token: str | None, now: float) -> str:
        kid = conn.principal.id
        live = self.kiosk_live.setdefault(kid, KioskLive())
        resumable = (
            token is not None
            and live.resume_hash is not None
            and secrets.compare_digest(_hash(token), live.resume_hash)
        )
        if resumable and token is not None:
            self._replace(self.kiosks, kid, conn)
            return token
        # A kiosk without the right token starts a new citizen session: the previous one's
        # place or call cannot be resumed by someone else. It is ended before the new
        # connection is registered, so the new citizen is not told about it.
        old = self.kiosks.pop(kid, None)
        if old is not None and old is not conn:
            old.close("replaced", 1000)
        if self.router.entry_for_kiosk(kid) is not None:
            self._apply(self.router.handle(E.LeaveQueue(kid), now))
        call_id = self._kiosk_call(kid)
        if call_id is not None:
            self._apply(self.router.handle(E.EndCall(call_id, "kiosk", "kiosk_restarted"), now))
        live.missed = None  # whatever ended belonged to the previous citizen
        self.kiosks[kid] = conn
        fresh = secrets.token_urlsafe(24)
        live.resume_hash = _hash(fresh)
        return fresh

    def _after_kiosk_attach(self, conn: Connection, now: float) -> None:
        kid = conn.principal.id
        live = self.kiosk_live.setdefault(kid, KioskLive())
        missed, live.missed = live.missed, None
        if self.router.entry_for_kiosk(kid) is not None or self._kiosk_call(kid) is not None:
            self._apply(self.router.handle(E.KioskReconnected(kid), now), conn)
            call_id = self._kiosk_call(kid)
            if call_id is not None:
                self._send_call_start(call_id, resumed=True, only=kid)
                self._peer_status(call_id, kid, "connected")
        elif missed is not None:
            # The place or call ran out while the kiosk was away (grace expired): say so,
            # or the kiosk would wait forever for something that no longer exists.
            conn.send(missed)

    def _attach_agent(self, conn: Connection, now: float) -> None:
        self._replace(self.agents, conn.principal.id, conn)

    def _after_agent_attach(self, conn: Connection, now: float) -> None:
        p = conn.principal
        view = self.router.agent_view(p.id)
        if view is None:
            self._apply(self.router.handle(E.AgentLogin(p.id, p.skills, p.languages), now), conn)
            self.store.audit(p.label, "agent_login", p.id, {})
        else:
            self._apply(self.router.handle(E.AgentReconnected(p.id), now), conn)
        view = self.router.agent_view(p.id)
        if view is not None:
            conn.send(self._agent_status(p.id, view.state, view.reason, view.since, view.until))
        call_id = self.agent_calls.get(p.id)
        if call_id is not None:
            self._send_call_start(call_id, resumed=True, only=p.id)
            self._peer_status(call_id, p.id, "connected")
        self.queue_stats_dirty = True

    def detach(self, conn: Connection) -> None:
        """The connection is gone (closed, timed out or replaced)."""
        now = self.clock()
        p = conn.principal
        if p.role == "kiosk":
            if self.kiosks.get(p.id) is conn:
                del self.kiosks[p.id]
                self._apply(self.router.handle(E.KioskDisconnected(p.id), now))
                call_id = self._kiosk_call(p.id)
                if call_id is not None:
                    self._peer_status(call_id, p.id, "reconnecting")
        elif p.role == "agent":
            if self.agents.get(p.id) is conn:
                del self.agents[p.id]
                call_id = self.agent_calls.get(p.id)
                self._apply(self.router.handle(E.AgentDisconnected(p.id), now))
                if call_id is not None and call_id in self.calls:
                    self._peer_status(call_id, p.id, "reconnecting")
                self.queue_stats_dirty = True
        elif self.operators.get(p.id) is conn:
            del self.operators[p.id]
        log.info("detached", extra=fields(who=p.label, conn=conn.connection_id))

    def restore(self, now: float) -> tuple[int, int]:
        """Adopt queue places and live calls from the store after a restart or crash.

        Restored kiosks and agents count as disconnected with a fresh grace period, so the
        clients that reconnect in time keep their place or call; order comes from the stored
        priority and join time, so it is the same as before the crash.
        """
        calls = self.store.open_calls()
        in_call = {c.entry_id for c in calls}
        entries = self.store.waiting_entries()
        for e in entries:
            self.router.restore_entry(
                e.id, e.kiosk_id, e.service_id, e.language, e.priority, e.enqueued_at, now
            )
            self.kiosk_live.setdefault(e.kiosk_id, KioskLive()).resume_hash = e.resume_token_hash
            self.store.set_entry_state(e.id, "waiting")
        for c in calls:
            entry = self.store.entry(c.entry_id) if c.entry_id else None
            if entry is None or c.agent_id is None or c.entry_id not in in_call:
                self.store.call_ended(c.id, now, "failed", "lost_in_restart")
                continue
            self.router.restore_call(
                c.id,
                entry.id,
                c.kiosk_id,
                c.agent_id,
                c.service_id,
                c.language,
                entry.priority,
                entry.enqueued_at,
                c.offered_at or now,
                c.answered_at or now,
                now,
            )
            self.kiosk_live.setdefault(
                c.kiosk_id, KioskLive()
            ).resume_hash = entry.resume_token_hash
            self.calls[c.id] = CallLive(c.id, c.kiosk_id, c.agent_id, c.service_id, c.language)
            self.agent_calls[c.agent_id] = c.id
        return len(entries), len(self.calls)

    # ----------------------------------------------------------------------------- messages

    def handle(self, conn: Connection, msg: C.ClientMessage) -> None:
        """Carry out one authorised client message (role checks are done by the caller)."""
        now = self.clock()
        p = conn.principal
        match msg:
            case C.Ping():
                conn.send(S.ServerPong(ref=msg.ref, t=msg.t))
            case C.Pong() | C.Hello():
                pass
            case C.ServicesGet():
                conn.send(
                    S.Services(ref=msg.ref, services=self.directory.services(now, self.router))
                )
            case C.QueueJoin():
                self._apply(
                    self.router.handle(E.JoinQueue(p.id, msg.service, msg.language), now),
                    conn,
                    msg.ref,
                )
            case C.QueueLeave():
                if self.router.entry_for_kiosk(p.id) is None:
                    self._error(conn, ErrorCode.NOT_QUEUED, "not waiting in any queue", msg.ref)
                else:
                    self._apply(self.router.handle(E.LeaveQueue(p.id), now), conn, msg.ref)
            case C.SdpMessage() | C.IceMessage() | C.MediaRestart():
                other = self._other_member(conn, msg.call_id, msg.ref)
                peer = self._connection(other) if other is not None else None
                if peer is not None:
                    peer.send(msg.model_copy(update={"ref": None}))
            case C.CallEnd():
                if self._other_member(conn, msg.call_id, msg.ref) is not None:
                    by: Literal["kiosk", "agent"] = "kiosk" if p.role == "kiosk" else "agent"
                    self._apply(
                        self.router.handle(E.EndCall(msg.call_id, by, msg.reason), now),
                        conn,
                        msg.ref,
                    )
            case C.CallStatsReport():
                if self._other_member(conn, msg.call_id, msg.ref) is not None:
                    self.calls[msg.call_id].stats[p.role] = msg.stats
                    if p.role == "kiosk":
                        self.kiosk_live.setdefault(p.id, KioskLive()).last_quality = msg.stats
            case C.CallRating():
                if not self.store.rate_call(msg.call_id, p.id, msg.rating):
                    # Another kiosk's call, one still going, or rated already: the same
                    # answer for each, as for other call ids that are not the sender's.
                    self._error(conn, ErrorCode.UNKNOWN_CALL, "no ended call of yours to rate",
                                msg.ref)
            case C.Health():
                live = self.kiosk_live.setdefault(p.id, KioskLive())
                live.health, live.health_at = msg.health, now
                self._notify("kiosk")
            case C.AgentStateSet():
                event: E.Event = (
                    E.AgentReady(p.id)
                    if msg.state == "ready"
                    else E.AgentNotReady(p.id, msg.reason or "unspecified")
                )
                self._apply(self.router.handle(event, now), conn, msg.ref)
            case C.OfferAccept():
                self._apply(
                    self.router.handle(E.AcceptOffer(p.id, msg.offer_id), now), conn, msg.ref
                )
            case C.OfferReject():
                self._apply(
                    self.router.handle(E.RejectOffer(p.id, msg.offer_id), now), conn, msg.ref
                )
            case C.WrapUpDone():
                record = self.store.call(msg.call_id)
                if record is None or record.agent_id != p.id:
                    self._error(conn, ErrorCode.UNKNOWN_CALL, "no such call of yours", msg.ref)
                    return
                if msg.disposition is not None or msg.note is not None:
                    self.store.call_wrapup(msg.call_id, msg.disposition or "", msg.note)
                self._apply(self.router.handle(E.EndWrapUp(p.id), now), conn, msg.ref)
            case C.CallTransfer():
                if self._other_member(conn, msg.call_id, msg.ref) is not None:
                    self._apply(
                        self.router.handle(E.Transfer(p.id, msg.call_id, msg.service), now),
                        conn,
                        msg.ref,
                    )
            case C.HistoryGet():
                conn.send(self._history(p.id, now, msg.ref))
            case C.Logout():
                if p.role == "agent":
                    self._apply(self.router.handle(E.AgentLogout(p.id), now), conn, msg.ref)
                    self.store.audit(p.label, "agent_logout", p.id, {})
                if p.session_id:
                    self.store.revoke_session(p.session_id)
                conn.close("logged_out", 1000)

    def _history(self, agent_id: str, now: float, ref: str | None) -> S.History:
        local = datetime.fromtimestamp(now, self.timezone)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
        items = [
            S.HistoryItem(
                call_id=c.id,
                service=c.service_id,
                language=c.language,  # type: ignore[arg-type]
                site=self.directory.site_ref(c.site_id),
                queued_at=c.queued_at,
                answered_at=c.answered_at,
                ended_at=c.ended_at,
                outcome=c.outcome,
                disposition=c.disposition,
            )
            for c in self.store.calls_between(midnight, now + 1)
            if c.agent_id == agent_id
        ]
        items.sort(key=lambda item: item.queued_at, reverse=True)
        return S.History(ref=ref, calls=items[:200])

    def tick(self) -> None:
        """Let the router act on timeouts (offers, grace periods, wrap-up)."""
        self._apply(self.router.handle(E.Tick(), self.clock()))

    # ------------------------------------------------------------------------------ helpers

    def _connection(self, member_id: str) -> Connection | None:
        # Kiosk and agent ids come from different tables but share one namespace of
        # principals; a lookup in each is cheaper than merging 2000 sockets per message.
        return self.kiosks.get(member_id) or self.agents.get(member_id)

    def _kiosk_call(self, kiosk_id: str) -> str | None:
        view = self.router.call_for_kiosk(kiosk_id)
        return view.call_id if view is not None else None

    def _other_member(self, conn: Connection, call_id: str, ref: str | None) -> str | None:
        """The other member's id if ``conn`` belongs to the call, else an error is sent."""
        call = self.calls.get(call_id)
        p = conn.principal
        if call is not None:
            if p.role == "kiosk" and call.kiosk_id == p.id:
                return call.agent_id
            if p.role == "agent" and call.agent_id == p.id:
                return call.kiosk_id
        # Same answer for "no such call" and "not yours": membership is not disclosed.
        self._error(conn, ErrorCode.UNKNOWN_CALL, "no such call of yours", ref)
        return None

    def _error(self, conn: Connection, code: ErrorCode, message: str, ref: str | None) -> None:
        conn.send(S.Error(ref=ref, code=code, message=message))

    def _peer_status(self, call_id: str, who: str, status: str) -> None:
        call = self.calls.get(call_id)
        if call is None:
            return
        other = call.agent_id if who == call.kiosk_id else call.kiosk_id
        conn = self._connection(other)
        if conn is not None:
            conn.send(S.PeerStatus(call_id=call_id, status=status))  # type: ignore[arg-type]

    def _agent_status(
        self,
        agent_id: str,
        state: AgentState,
        reason: str | None,
        since: float,
        until: float | None,
    ) -> S.AgentStatus:
        return S.AgentStatus(
            state=state.value,
            reason=reason,
            since=since,
            until=until,
            call_id=self.agent_calls.get(agent_id),
        )

    def _deliver(self, conn: Connection, message: S.ServerMessage) -> None:
        """Send, tagging the first message to the request's sender with its ``ref``."""
        pending = self._pending_ref
        if pending is not None and pending[0] is conn:
            message = message.model_copy(update={"ref": pending[1]})
            self._pending_ref = None
        conn.send(message)

    def _send_call_start(self, call_id: str, *, resumed: bool, only: str | None = None) -> None:
        call = self.calls[call_id]
        ice = ice_servers_for_call(self.ice_servers, call_id, self.clock(), self.turn_ttl_s)
        kiosk_name, site = self.directory.kiosk_label(call.kiosk_id)
        agent_name = self.directory.agent_name(call.agent_id)
        sides = (
            (call.kiosk_id, "offerer", S.Peer(kind="agent", name=agent_name)),
            (call.agent_id, "answerer", S.Peer(kind="kiosk", name=kiosk_name, site=site)),
        )
        for member, role, peer in sides:
            if only is not None and member != only:
                continue
            conn = self._connection(member)
            if conn is not None:
                self._deliver(
                    conn,
                    S.CallStart(
                        call_id=call_id,
                        role=role,  # type: ignore[arg-type]
                        ice_servers=ice,
                        ice_transport_policy=self.ice_transport_policy,  # type: ignore[arg-type]
                        peer=peer,
                        service=call.service_id,
                        language=call.language,  # type: ignore[arg-type]
                        resumed=resumed,
                    ),
                )

    def _notify(self, topic: str) -> None:
        for listener in self.listeners:
            listener(topic)

    # ------------------------------------------------------------------------------ actions

    def _apply(
        self, actions: list[A.Action], origin: Connection | None = None, ref: str | None = None
    ) -> None:
        self._pending_ref = (origin, ref) if origin is not None and ref is not None else None
        for action in actions:
            try:
                self._apply_one(action, origin, ref)
            except Exception:
                # One failed action (say a store error) must not stop the others: the rest
                # of the batch concerns other clients.
                log.exception("action failed", extra=fields(action=type(action).__name__))
        self._pending_ref = None
        if actions:
            self.queue_stats_dirty = True
            self._notify("queues")

    def _apply_one(self, action: A.Action, origin: Connection | None, ref: str | None) -> None:
        kiosks, agents = self.kiosks, self.agents
        match action:
            case A.QueuePosition():
                conn = kiosks.get(action.kiosk_id)
                if conn is not None:
                    self._deliver(
                        conn,
                        S.QueuePosition(
                            entry_id=action.entry_id,
                            service=action.service_id,
                            language=action.language,  # type: ignore[arg-type]
                            position=action.position,
                            estimated_wait_s=action.estimated_wait_s,
                        ),
                    )
            case A.JoinRefused():
                conn = kiosks.get(action.kiosk_id)
                if conn is not None:
                    self._deliver(
                        conn,
                        S.Error(
                            ref=ref,
                            code=_REJECT_CODES[action.code],
                            message=_refusal_text(action.code),
                            next_opening=action.next_opening,
                            languages_available=sorted(action.languages_available) or None,  # type: ignore[arg-type]
                        ),
                    )
            case A.Rejected():
                conn = origin if origin is not None else self._connection(action.target_id)
                if conn is not None:
                    code = _REJECT_CODES.get(action.code, ErrorCode.BAD_STATE)
                    self._deliver(conn, S.Error(ref=ref, code=code, message=action.detail))
            case A.EntryQueued():
                live = self.kiosk_live.setdefault(action.kiosk_id, KioskLive())
                self.store.insert_entry(
                    action.entry_id,
                    action.kiosk_id,
                    action.service_id,
                    action.language,
                    action.priority,
                    action.enqueued_at,
                )
                self.store.set_resume_token_hash(action.entry_id, live.resume_hash)
            case A.EntryRemoved():
                self._entry_removed(action)
            case A.OfferSent():
                self.store.set_entry_state(action.entry_id, "offered")
                conn = agents.get(action.agent_id)
                if conn is not None:
                    _, site = self.directory.kiosk_label(action.kiosk_id)
                    self._deliver(
                        conn,
                        S.Offer(
                            offer_id=action.offer_id,
                            service=action.service_id,
                            language=action.language,  # type: ignore[arg-type]
                            site=site,
                            kiosk=self.directory.kiosk_label(action.kiosk_id)[0],
                            waited_s=max(0.0, action.waited_s),
                            expires_in_s=max(0.0, action.expires_at - self.clock()),
                        ),
                    )
            case A.OfferRevoked():
                conn = agents.get(action.agent_id)
                if conn is not None:
                    self._deliver(
                        conn, S.OfferRevoked(offer_id=action.offer_id, reason=action.reason)
                    )
            case A.CallStarted():
                self._call_started(action)
            case A.CallEnded():
                self._call_ended(action)
            case A.EntryRequeued():
                log.info("requeued", extra=fields(kiosk=action.kiosk_id, reason=action.reason))
            case A.CallTransferred():
                conn = kiosks.get(action.kiosk_id)
                if conn is not None:
                    self._deliver(
                        conn, S.CallTransferred(call_id=action.call_id, service=action.to_service)
                    )
                self.store.audit(
                    f"agent:{action.agent_id}",
                    "call_transfer",
                    action.call_id,
                    {"from": action.from_service, "to": action.to_service},
                )
            case A.AgentStateChanged():
                conn = agents.get(action.agent_id)
                if conn is not None:
                    self._deliver(
                        conn,
                        self._agent_status(
                            action.agent_id,
                            action.state,
                            action.reason,
                            action.since,
                            action.until,
                        ),
                    )
                self.store.audit(
                    f"agent:{action.agent_id}",
                    "agent_state",
                    action.agent_id,
                    {"state": action.state.value, "reason": action.reason},
                )
                self._notify("agents")

    def _entry_removed(self, action: A.EntryRemoved) -> None:
        if action.reason == "answered":
            self.store.set_entry_state(action.entry_id, "in_call")
            return
        # One transaction: a crash cannot leave the entry both restored and counted.
        self.store.close_entry(action.entry_id, self.clock(), action.reason)
        conn = self.kiosks.get(action.kiosk_id)
        if action.reason in ("cancelled", "abandoned"):
            left = S.QueueLeft(reason=action.reason)
            if conn is not None:
                self._deliver(conn, left)
            else:
                self.kiosk_live.setdefault(action.kiosk_id, KioskLive()).missed = left

    def _call_started(self, action: A.CallStarted) -> None:
        self.calls[action.call_id] = CallLive(
            action.call_id, action.kiosk_id, action.agent_id, action.service_id, action.language
        )
        self.agent_calls[action.agent_id] = action.call_id
        entry = self.store.entry(action.entry_id)
        self.store.call_started(
            call_id=action.call_id,
            entry_id=action.entry_id,
            kiosk_id=action.kiosk_id,
            agent_id=action.agent_id,
            service_id=action.service_id,
            language=action.language,
            queued_at=entry.enqueued_at if entry else action.offered_at,
            offered_at=action.offered_at,
            answered_at=action.answered_at,
        )
        log.info(
            "call started",
            extra=fields(call=action.call_id, kiosk=action.kiosk_id, agent=action.agent_id),
        )
        self._send_call_start(action.call_id, resumed=False)

    def _call_ended(self, action: A.CallEnded) -> None:
        call = self.calls.pop(action.call_id, None)
        if self.agent_calls.get(action.agent_id) == action.call_id:
            del self.agent_calls[action.agent_id]
        outcome: CallOutcome = "transferred" if action.reason == "transferred" else "answered"
        self.store.call_ended(action.call_id, self.clock(), outcome, action.reason)
        self.store.close_entry(action.entry_id, self.clock(), None)
        message = S.CallEnded(call_id=action.call_id, reason=action.reason, by=action.by)
        for member in (action.kiosk_id, action.agent_id):
            conn = self._connection(member)
            if conn is not None:
                self._deliver(conn, message)
            elif member == action.kiosk_id:
                self.kiosk_live.setdefault(member, KioskLive()).missed = message
        if call is not None and call.stats:
            self.store.set_call_quality(
                action.call_id, {k: v.model_dump(mode="json") for k, v in call.stats.items()}
            )
        log.info(
            "call ended", extra=fields(call=action.call_id, reason=action.reason, by=action.by)
        )

    # ------------------------------------------------------------------------- queue stats

    def queue_stats_for(
        self, principal: Principal, rows: list[S.QueueStat] | None = None
    ) -> S.QueueStats:
        """The queues within an agent's skills and languages."""
        if rows is None:
            rows = self._queue_stat_rows()
        mine = [
            r for r in rows if r.service in principal.skills and r.language in principal.languages
        ]
        return S.QueueStats(queues=mine)

    def _queue_stat_rows(self) -> list[S.QueueStat]:
        return [
            S.QueueStat(
                service=q.service_id,
                language=q.language,  # type: ignore[arg-type]
                waiting=q.waiting,
                longest_wait_s=q.longest_wait_s,
                ready_agents=q.ready_agents,
            )
            for q in self.router.queue_stats(self.clock())
        ]

    def push_queue_stats(self, min_interval_s: float = 1.0) -> None:
        """Send queue figures to every agent, at most once per ``min_interval_s``.

        The figures are computed once per push, not per agent: with a hundred agents and
        thousands waiting, per-agent recomputation stalled the loop for hundreds of ms.
        """
        now = self.clock()
        if not self.queue_stats_dirty or now - self._stats_pushed_at < min_interval_s:
            return
        self.queue_stats_dirty = False
        self._stats_pushed_at = now
        if not self.agents:
            return
        rows = self._queue_stat_rows()
        for conn in list(self.agents.values()):
            conn.send(self.queue_stats_for(conn.principal, rows))


def _refusal_text(code: str) -> str:
    return {
        "service_closed": "the service is closed now",
        "queue_full": "the queue is full",
        "language_unavailable": "nobody serves this service in that language right now",
        "unknown_service": "no such service",
        "already_queued": "this kiosk is already waiting or in a call",
    }.get(code, code)
