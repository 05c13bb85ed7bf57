"""The WebSocket endpoint: authentication in the handshake, limits, and byte moving.

Everything a message means is decided by :class:`signaling.hub.Hub`; this module authenticates
the upgrade request, reads frames, enforces size, rate and abuse limits, checks the sender's
role, and writes the hub's replies from a per-connection outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import deque
from collections.abc import Callable

from aiohttp import WSMsgType, web

from jsonlog import fields
from signaling.context import CTX, ServerContext
from signaling.identity import Principal
from signaling.ratelimit import AbuseCounter, TokenBucket
from wire import client_messages as C
from wire import server_messages as S
from wire.codec import dump, parse_client, ref_of
from wire.errors import ErrorCode, MessageError
from wire.types import MAX_MESSAGE_BYTES

__all__ = ["SUBPROTOCOL", "WsConnection", "add_routes"]

log = logging.getLogger("etapiste.ws")

SUBPROTOCOL = "etapiste.v1"
BEARER_PROTOCOL = "bearer."
FLUSH_TIMEOUT_S = 2.0
"""How long a closing connection may take to flush its goodbye."""
OUTBOX_LIMIT = 512
"""Messages queued for one client before it counts as too slow and is dropped."""

_ALLOWED: dict[str, frozenset[str]] = {
    "kiosk": C.KIOSK_TYPES,
    "agent": C.AGENT_TYPES,
    "operator": C.OPERATOR_TYPES,
    "admin": C.OPERATOR_TYPES,
}
AUDITED_REFUSALS = frozenset({ErrorCode.NOT_ALLOWED, ErrorCode.UNKNOWN_OFFER, ErrorCode.BAD_STATE})
"""Refusals that say a client tried what its role does not allow, or acted out of turn (a
wrap-up after it ended, another agent's offer): written to the audit log, at most
:data:`REFUSALS_AUDITED` per connection (the abuse limit closes a connection that keeps
trying). ``unknown_call`` is left out: late ICE candidates and statistics of a call that just
ended get it in every normal call."""
REFUSALS_AUDITED = 10


class _LastEncoded:
    """The JSON of the last message sent, kept with the (frozen) message itself: the hub
    sends one message object to many clients (queue figures to every clerk), and it is
    encoded once for all of them instead of once per client."""

    __slots__ = ("message", "text")

    def __init__(self) -> None:
        self.message: S.ServerMessage | None = None
        self.text = ""

    def text_of(self, message: S.ServerMessage) -> str:
        if message is not self.message:
            self.message, self.text = message, dump(message)
        return self.text


_LAST = _LastEncoded()


class WsConnection:
    """One client's socket: an outbox drained by a writer task, and liveness bookkeeping."""

    def __init__(
        self,
        ws: web.WebSocketResponse,
        principal: Principal,
        now: float,
        audit: Callable[[S.Error], None] | None = None,
    ) -> None:
        self.ws = ws
        self.principal = principal
        self._audit = audit
        self.connection_id = "c" + secrets.token_hex(6)
        self.last_seen = now
        self.last_ping = now
        self._outbox: deque[str | tuple[int, str]] = deque()
        self._wake = asyncio.Event()
        self.closing = False
        self.attached = False
        self.hello: C.Hello | None = None
        self.welcomed = False
        """Whether the hub (here or on the routing node) has welcomed this client."""
        self.errors_sent = 0
        """Error replies queued so far: the hub's refusals count towards abuse too."""

    def send(self, message: S.ServerMessage) -> None:
        """Queue a message; a client that lets the outbox overflow is disconnected."""
        if self.closing:
            return
        error = isinstance(message, S.Error)
        self.send_text(_LAST.text_of(message), error=error,
                       welcome=isinstance(message, S.Welcome))
        # Refusals relayed from the routing node arrive as text (send_text): counted, not
        # audited; those of this node's own hub are audited here.
        if (isinstance(message, S.Error) and self._audit is not None
                and message.code in AUDITED_REFUSALS and self.errors_sent <= REFUSALS_AUDITED):
            self._audit(message)

    def send_text(self, text: str, *, error: bool = False, welcome: bool = False) -> None:
        """Queue an encoded message (from this node's hub, or the routing node's)."""
        if self.closing:
            return
        if len(self._outbox) >= OUTBOX_LIMIT:
            log.warning("slow client dropped", extra=fields(who=self.principal.label))
            self.close("protocol_error", 1008)
            return
        self.errors_sent += error
        self.welcomed |= welcome
        self._outbox.append(text)
        self._wake.set()

    def close(self, reason: str, code: int = 1000) -> None:
        """Send a goodbye with ``reason`` after what is queued, then close."""
        if self.closing:
            return
        self.closing = True
        goodbye = dump(S.Goodbye(reason=reason))  # type: ignore[arg-type]
        self._outbox.append((code, goodbye))
        self._wake.set()

    async def writer(self) -> None:
        """Drain the outbox into the socket until closed."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._outbox:
                item = self._outbox.popleft()
                try:
                    if isinstance(item, tuple):
                        code, goodbye = item
                        await self.ws.send_str(goodbye)
                        await self.ws.close(code=code)
                        return
                    await self.ws.send_str(item)
                except (ConnectionError, RuntimeError):
                    return


async def authenticate(request: web.Request, ctx: ServerContext) -> Principal | None:
    """The principal named by the handshake's bearer token or session cookie, or None."""
    header = request.headers.get("Authorization", "")
    token: str | None = None
    from_browser = False
    offered = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")]
    bearer = [p[len(BEARER_PROTOCOL) :] for p in offered if p.startswith(BEARER_PROTOCOL)]
    if header.startswith("Bearer "):
        token = header[7:].strip()
    elif bearer:
        # Browsers cannot set headers on a WebSocket; the token rides in the subprotocol
        # list of the handshake instead (never in the URL, which ends up in logs).
        token, from_browser = bearer[0], True
    elif ctx.auth.cookie_name in request.cookies:
        token = request.cookies[ctx.auth.cookie_name]
        from_browser = True
    if not token:
        return None
    if from_browser and not ctx.origin_allowed(request):
        # Browser credentials must come from our own pages or an allowed origin.
        return None
    return ctx.auth.principal_for_token(token, ctx.clock())


def _refusal_auditor(ctx: ServerContext, principal: Principal) -> Callable[[S.Error], None]:
    def audit(error: S.Error) -> None:
        detail = {"code": str(error.code), "message": error.message[:200]}
        try:
            ctx.store.audit(principal.label, "refused", principal.id, detail, now=ctx.clock())
        except Exception:
            log.exception("refusal not audited")

    return audit


async def websocket_handler(request: web.Request) -> web.StreamResponse:
    """Upgrade, authenticate, then pump messages between the client and the hub."""
    ctx: ServerContext = request.app[CTX]
    feed_position = ctx.revocations.position()
    principal = await authenticate(request, ctx)
    if principal is None:
        return web.json_response({"error": "unauthenticated"}, status=401)
    if principal.must_change_password:
        # A temporary password set by an administrator opens nothing but its own change.
        return web.json_response({"error": "password_change_required"}, status=403)
    if ctx.draining:
        return web.json_response({"error": "shutting_down"}, status=503)
    if not ctx.serving:
        # A cluster node without its database: the proxy tries the next node.
        return web.json_response({"error": "unavailable"}, status=503)
    ws = web.WebSocketResponse(
        protocols=(SUBPROTOCOL,),
        max_msg_size=4 * MAX_MESSAGE_BYTES,
        autoping=True,
        heartbeat=None,
        compress=False,
    )
    try:
        await ws.prepare(request)
    except ConnectionResetError:
        # The client hung up during the upgrade (a kiosk losing its link, a proxy's probe):
        # nothing to serve and nothing wrong here, so no traceback in the log.
        log.info("client left during the handshake", extra=fields(role=principal.role))
        # A plain response: aiohttp finds the transport closed and drops it quietly (the
        # half-made WebSocket response would fail again in aiohttp's own finish).
        return web.Response(status=499, text="")
    conn = WsConnection(ws, principal, ctx.clock(), _refusal_auditor(ctx, principal))
    writer = asyncio.create_task(conn.writer())
    ctx.connections.add(conn)
    # Revoked between the check above and now? The watch may have read it before this
    # connection was registered, so look again from where the feed stood before the check.
    gone = ctx.revocations.revoked_since(principal, feed_position)
    if gone is not None:
        conn.close(gone, 1008)
    try:
        await _pump(ws, conn, ctx)
    finally:
        ctx.connections.discard(conn)
        if conn.attached:
            ctx.detach(conn)
        if conn.closing and not ws.closed:
            # We decided to close (abuse, timeout, shutdown): let the writer deliver what is
            # queued, the goodbye and the close code, before giving up on the peer.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(writer), FLUSH_TIMEOUT_S)
        conn.closing = True
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writer
        if not ws.closed:
            await ws.close()
    return ws


async def _pump(ws: web.WebSocketResponse, conn: WsConnection, ctx: ServerContext) -> None:
    settings = ctx.settings
    bucket = TokenBucket(settings.rate_limit_per_s, settings.rate_limit_burst, ctx.clock())
    abuse = AbuseCounter(settings.abuse_errors, settings.abuse_window_s)
    hello_deadline = ctx.clock() + settings.handshake_timeout_s
    allowed = _ALLOWED[conn.principal.role]
    while not conn.closing:
        timeout = max(0.1, hello_deadline - ctx.clock()) if not conn.attached else None
        try:
            frame = await ws.receive(timeout=timeout)
        except TimeoutError:
            conn.close("protocol_error", 1008)
            return
        if frame.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
            return
        now = ctx.clock()
        conn.last_seen = now
        # Every error reply counts towards the abuse limit, the hub's refusals (unknown call
        # or offer, bad state, closed service) as much as malformed frames: otherwise a
        # client could probe other people's call and offer ids forever at the rate limit.
        errors_before = conn.errors_sent
        error: MessageError | None = None
        if frame.type != WSMsgType.TEXT:
            error = MessageError(ErrorCode.BAD_MESSAGE, "only JSON text frames are accepted")
        elif not bucket.allow(now):
            error = MessageError(
                ErrorCode.RATE_LIMITED, "too many messages; slow down", ref_of(frame.data)
            )
        else:
            try:
                msg = parse_client(frame.data)
            except MessageError as exc:
                error = exc
            else:
                error = _dispatch(msg, conn, ctx, allowed)
        if error is not None:
            conn.send(S.Error(ref=error.ref, code=error.code, message=error.message))
        if conn.errors_sent > errors_before and abuse.record(now):
            log.warning("abusive client closed", extra=fields(who=conn.principal.label))
            conn.close("abuse", 1008)
            return


def _dispatch(
    msg: C.ClientMessage, conn: WsConnection, ctx: ServerContext, allowed: frozenset[str]
) -> MessageError | None:
    if msg.type not in allowed:
        return MessageError(
            ErrorCode.NOT_ALLOWED, f"a {conn.principal.role} may not send {msg.type}", msg.ref
        )
    if not conn.attached:
        if not isinstance(msg, C.Hello):
            return MessageError(ErrorCode.BAD_MESSAGE, "the first message must be hello", msg.ref)
        conn.attached = True
        ctx.attach(conn, msg)
        ctx.wake()
        return None
    if isinstance(msg, C.Hello):
        return MessageError(ErrorCode.BAD_STATE, "hello was already received", msg.ref)
    if isinstance(msg, C.Ping | C.Pong):
        # Liveness only: answered here, and no routing timer needs waking for it.
        if isinstance(msg, C.Ping):
            conn.send(S.ServerPong(ref=msg.ref, t=msg.t))
        return None
    try:
        ctx.handle(conn, msg)
    except Exception:
        # Never let one message take the connection, or the server, down; and never show
        # the client a stack trace.
        log.exception("message failed", extra=fields(type=msg.type, who=conn.principal.label))
        return MessageError(ErrorCode.INTERNAL_ERROR, "the server could not process this", msg.ref)
    ctx.wake()
    return None


def add_routes(app: web.Application) -> None:
    """Register the WebSocket endpoint."""
    app.router.add_get("/ws", websocket_handler)
