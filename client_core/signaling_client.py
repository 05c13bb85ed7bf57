"""The signaling client shared by the kiosk, the agent console and the headless tools.

It keeps one WebSocket to the server alive: the credential travels in the handshake header,
``hello`` carries the resume token so a reconnect keeps the citizen's place or call, the
server's heartbeat is answered (and its absence detected), and a lost connection is retried
with capped exponential backoff and full jitter (so a thousand kiosks do not reconnect in
lock-step after a server restart). Given several server URLs (the nodes of a cluster, when no
proxy stands in front), it moves to the next one whenever a connection fails or is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
import ssl
import time
from collections import deque
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import aiohttp
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from client_core.errors import AuthFailed, NotConnected, ServerRefused, SessionEnded
from client_core.servers import server_list
from client_core.tls import ConnectProblem, connect_problem
from wire import client_messages as C
from wire import server_messages as S
from wire.codec import dump, parse_server
from wire.errors import MessageError
from wire.types import MAX_MESSAGE_BYTES, PROTOCOL_VERSION, WireModel

log = logging.getLogger("etapiste.client")
_ws_log = logging.getLogger("etapiste.client.websocket")
# websockets logs the handshake headers, bearer token included, at DEBUG: never let it.
_ws_log.setLevel(logging.INFO)

State = Literal["idle", "connecting", "connected", "reconnecting", "closed"]
Listener = Callable[[S.ServerMessage], None]
M = TypeVar("M", bound=WireModel)

_TERMINAL_GOODBYES = frozenset({"replaced", "revoked", "logged_out", "session_expired", "abuse"})
_RELAYED = (C.SdpMessage, C.IceMessage, C.MediaRestart)
"""What the server relays from a call's other member (see SignalingClient.claim_call)."""
_CALLS_REMEMBERED = 16
_HELD_PER_CALL = 64


@dataclass(frozen=True)
class Backoff:
    """Capped exponential backoff with full jitter.

    The cap is 5 s: a kiosk is back within a few seconds of a server restart, and two
    thousand kiosks spread uniformly over 5 s reconnect at about 400 per second, which one
    server process takes without strain (see bench/signaling_load.py).
    """

    initial_s: float = 0.5
    maximum_s: float = 5.0
    factor: float = 2.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait before reconnect ``attempt`` (0-based)."""
        cap = min(self.maximum_s, self.initial_s * self.factor**attempt)
        return rng.uniform(0.0, cap)


@dataclass(frozen=True)
class LoginResult:
    """A session token and what the server said about us."""

    token: str
    expires_at: float
    role: str
    id: str
    name: str
    must_change_password: bool = False
    """The password was a temporary one: the token only allows :func:`change_password`."""


async def _session_call(
    url: str, body: dict[str, str], ssl_context: ssl.SSLContext | None, token: str | None = None
) -> LoginResult:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            url, json=body, headers=headers,
            ssl=ssl_context if ssl_context is not None else True,
        ) as response,
    ):
        answer = await response.json(content_type=None)
        if response.status == 401:
            raise AuthFailed("unknown user or wrong password")
        if response.status != 200:
            code = answer.get("error", response.status) if isinstance(answer, dict) else "?"
            raise AuthFailed(f"refused: {code}", code=str(code))
        return LoginResult(
            answer["token"], answer["expires_at"], answer["role"], answer["id"], answer["name"],
            bool(answer.get("must_change_password", False)),
        )


async def login(
    base_url: str, username: str, password: str, ssl_context: ssl.SSLContext | None = None
) -> LoginResult:
    """Exchange a username and password for a session token (``POST /api/login``)."""
    return await _session_call(
        f"{base_url.rstrip('/')}/api/login", {"username": username, "password": password},
        ssl_context,
    )


async def change_password(
    base_url: str, token: str, current: str, new: str, ssl_context: ssl.SSLContext | None = None
) -> LoginResult:
    """Set a new password (``POST /api/password``); the answer is a fresh session, as every
    other session of the account ends. :class:`AuthFailed` with ``code`` ``password_refused``
    when the new password breaks a rule."""
    return await _session_call(
        f"{base_url.rstrip('/')}/api/password",
        {"current_password": current, "new_password": new}, ssl_context, token,
    )


class SignalingClient:
    """A self-healing connection to the signaling server.

    Messages from the server reach every listener added with :meth:`add_listener`, in order.
    """

    def __init__(
        self,
        url: str | Sequence[str],
        token: str,
        *,
        client_name: str = "etapiste-client",
        ssl_context: ssl.SSLContext | None = None,
        backoff: Backoff | None = None,
        rng: random.Random | None = None,
    ) -> None:
        # A string may name several servers, comma-separated (client_core.servers).
        self.urls: tuple[str, ...] = server_list(url)
        self.url = self.urls[0]
        """The server URL in use (the next one of :attr:`urls` after each failure)."""
        self._token = token
        self.client_name = client_name
        self.ssl_context = ssl_context
        self.backoff = backoff or Backoff()
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self.state: State = "idle"
        self.welcome: S.Welcome | None = None
        self.resume_token: str | None = None
        self.connects = 0
        self.last_rtt_ms: float | None = None
        self.problem: ConnectProblem | None = None
        """Why the last attempt failed (``tls_untrusted``: retrying will not help), or None."""
        self._ws: ClientConnection | None = None
        self._listeners: list[Listener] = []
        self._state_listeners: list[Callable[[State], None]] = []
        self._connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._refs = itertools.count(1)
        self._pending: dict[str, asyncio.Future[S.ServerMessage]] = {}
        self._ended: BaseException | None = None
        self._background: set[asyncio.Future[None]] = set()
        self._unclaimed: dict[str, list[S.ServerMessage]] = {}
        self._claimed: deque[str] = deque(maxlen=_CALLS_REMEMBERED)

    # ------------------------------------------------------------------------- public API

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener`` with every server message."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        """Stop calling ``listener``."""
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def claim_call(self, call_id: str) -> list[S.ServerMessage]:
        """Relayed messages (SDP, ICE, media restarts) of ``call_id`` that arrived before any
        call session claimed the call, oldest first; later ones only reach the listeners.

        The answerer learns of a call from ``call_start`` and the offerer sends its offer at
        once: the offer can arrive while the answerer is still between ``call_start`` and
        creating its session, and a message nobody listened for was lost (in 3 of 12 calls
        on a busy machine). A session adds its listener and claims the call in one step,
        without awaiting in between, so it sees every message exactly once.
        """
        if call_id not in self._claimed:
            self._claimed.append(call_id)
        return self._unclaimed.pop(call_id, [])

    def add_state_listener(self, listener: Callable[[State], None]) -> None:
        """Call ``listener`` on every connection state change."""
        self._state_listeners.append(listener)

    def start(self) -> None:
        """Begin connecting in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="signaling-client")

    async def connected(self, timeout: float = 10.0) -> S.Welcome:
        """Wait until a session is established; raises what ended it, if anything did."""
        self.start()
        waiter = asyncio.ensure_future(self._connected.wait())
        try:
            await asyncio.wait(
                {waiter, self._task} if self._task else {waiter},
                timeout=timeout,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            waiter.cancel()
        if self._ended is not None:
            raise self._ended
        if not self._connected.is_set() or self.welcome is None:
            raise NotConnected(f"no session with {self.url} within {timeout} s")
        return self.welcome

    def send(self, message: C.ClientMessage) -> bool:
        """Send if connected; returns False (message dropped) otherwise."""
        ws = self._ws
        if ws is None or not self._connected.is_set():
            return False
        self._spawn(self._send_raw(ws, dump(message)))
        return True

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        # Keep a reference: the loop holds only weak ones to tasks.
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def request(self, message: C.ClientMessage, timeout: float = 10.0) -> S.ServerMessage:
        """Send with a fresh ``ref`` and wait for the reply that echoes it.

        A typed error reply is raised as :class:`ServerRefused`.
        """
        ref = f"r{next(self._refs)}"
        future: asyncio.Future[S.ServerMessage] = asyncio.get_running_loop().create_future()
        self._pending[ref] = future
        try:
            if not self.send(message.model_copy(update={"ref": ref})):
                raise NotConnected("not connected")
            reply = await asyncio.wait_for(future, timeout)
        finally:
            self._pending.pop(ref, None)
        if isinstance(reply, S.Error):
            raise ServerRefused(
                reply.code,
                reply.message,
                reply.next_opening,
                list(reply.languages_available or []),
                kiosk_reserved_at=reply.kiosk_reserved_at,
                kiosk_free_at=reply.kiosk_free_at,
            )
        return reply

    async def wait_for(
        self, kind: type[M], predicate: Callable[[M], bool] | None = None, timeout: float = 10.0
    ) -> M:
        """Wait for the next message of ``kind`` (optionally matching ``predicate``)."""
        future: asyncio.Future[M] = asyncio.get_running_loop().create_future()

        def listener(message: S.ServerMessage) -> None:
            if (
                isinstance(message, kind)
                and not future.done()
                and (predicate is None or predicate(message))
            ):
                future.set_result(message)

        self.add_listener(listener)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self.remove_listener(listener)

    def drop_connection(self) -> None:
        """Close the socket without ending the session (tests: simulate a network cut)."""
        if self._ws is not None:
            self._spawn(self._ws.close())

    async def close(self) -> None:
        """End the connection for good."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._set_state("closed")

    # ------------------------------------------------------------------------------ internals

    def _failed(self, exc: BaseException) -> None:
        problem, reason = connect_problem(exc)
        if problem == "unreachable":
            log.info("signaling connect failed: %s", reason)
        elif problem != self.problem:  # once per change: it repeats on every retry
            log.error("cannot connect to %s: %s", self.url, reason)
        self.problem = problem

    def _set_state(self, state: State) -> None:
        if state != self.state:
            log.info("signaling %s -> %s", self.state, state)
            self.state = state
            for listener in list(self._state_listeners):
                listener(state)

    async def _send_raw(self, ws: ClientConnection, text: str) -> None:
        with contextlib.suppress(ConnectionClosed):
            await ws.send(text)

    async def _run(self) -> None:
        attempt = 0
        try:
            while True:
                self._set_state("connecting" if self.connects == 0 else "reconnecting")
                try:
                    await self._session()
                    attempt = 0
                except (AuthFailed, SessionEnded) as exc:
                    self._ended = exc
                    log.warning("signaling session over: %s", exc)
                    self._set_state("closed")
                    return
                except (OSError, WebSocketException, TimeoutError) as exc:
                    self._failed(exc)
                self._next_url()
                delay = self.backoff.delay(attempt, self._rng)
                attempt += 1
                self._set_state("reconnecting")
                await asyncio.sleep(delay)
        finally:
            self._connected.clear()
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(NotConnected("client closed"))

    def _next_url(self) -> None:
        if len(self.urls) > 1:
            self.url = self.urls[(self.urls.index(self.url) + 1) % len(self.urls)]
            log.info("next signaling server: %s", self.url)

    async def _session(self) -> None:
        try:
            ws = await connect(
                self.url,
                additional_headers={"Authorization": f"Bearer {self._token}"},
                subprotocols=["etapiste.v1"],  # type: ignore[list-item]
                # Only for wss: (websockets refuses a context for ws:), a list may mix them.
                ssl=self.ssl_context if self.url.startswith("wss:") else None,
                max_size=4 * MAX_MESSAGE_BYTES,
                ping_interval=None,
                # Short: an attempt started while the network is down must not hold up the
                # next one for long once it is back.
                open_timeout=5,
                close_timeout=2,
                logger=_ws_log,
            )
        except InvalidStatus as exc:
            if exc.response.status_code == 401:
                raise AuthFailed("the server refused our credentials") from None
            raise
        self._ws = ws
        try:
            await ws.send(
                dump(
                    C.Hello(
                        protocol=PROTOCOL_VERSION,
                        client=self.client_name,
                        resume_token=self.resume_token,
                    )
                )
            )
            await self._receive_loop(ws)
        finally:
            self._ws = None
            self._connected.clear()
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(NotConnected("connection lost"))
            with contextlib.suppress(Exception):
                await ws.close()

    async def _receive_loop(self, ws: ClientConnection) -> None:
        timeout = 30.0  # until the welcome tells us the server's heartbeat
        while True:
            try:
                # asyncio.timeout, not wait_for: wait_for wraps recv() in a task whose
                # cancellation websockets does not complete while a close is pending.
                async with asyncio.timeout(timeout):
                    raw = await ws.recv()
            except TimeoutError:
                log.warning("no heartbeat from the server for %.0f s; reconnecting", timeout)
                return
            except ConnectionClosed:
                return
            try:
                message = parse_server(raw)
            except MessageError as exc:
                log.warning("bad server message: %s", exc.message)
                continue
            if isinstance(message, S.Welcome):
                self.welcome = message
                self.resume_token = message.resume_token or self.resume_token
                timeout = message.heartbeat_timeout_s
                self.connects += 1
                self.problem = None
                self._connected.set()
                self._set_state("connected")
            elif isinstance(message, S.ServerPing):
                await self._send_raw(ws, dump(C.Pong(t=message.t)))
            elif isinstance(message, S.ServerPong):
                self.last_rtt_ms = max(0.0, (time.monotonic() - message.t) * 1000)
            elif isinstance(message, S.Goodbye) and message.reason in _TERMINAL_GOODBYES:
                self._dispatch(message)
                raise SessionEnded(message.reason)
            self._dispatch(message)

    def _hold_unclaimed(self, message: S.ServerMessage) -> None:
        if not isinstance(message, _RELAYED) or message.call_id in self._claimed:
            return
        held = self._unclaimed.setdefault(message.call_id, [])
        if len(held) < _HELD_PER_CALL:
            held.append(message)
        while len(self._unclaimed) > _CALLS_REMEMBERED:
            del self._unclaimed[next(iter(self._unclaimed))]  # the oldest call first

    def _dispatch(self, message: S.ServerMessage) -> None:
        self._hold_unclaimed(message)
        if message.ref is not None:
            future = self._pending.get(message.ref)
            if future is not None and not future.done():
                future.set_result(message)
        for listener in list(self._listeners):
            try:
                listener(message)
            except Exception:
                log.exception("listener failed on %s", message.type)

    def measure_rtt(self) -> None:
        """Send a ping; the pong updates :attr:`last_rtt_ms`."""
        self.send(C.Ping(t=time.monotonic()))
