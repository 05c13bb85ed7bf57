"""Hostile clients against a real signaling server on loopback.

The property test keeps one server running with a scene worth disturbing: kiosk A and agent
X in a call whose SDP exchange is under way, kiosk D offered to agent Z (offer pending), and
kiosk B waiting behind D. A raw ``websockets`` connection, authenticated as a third kiosk C
or as agent Y (skilled only for another service), then sends a generated sequence of bad,
oversized, out-of-order and other-role frames aimed at the real call and offer ids. After
every example the server must still answer ``/healthz``, the attacker must have received only
typed protocol messages about itself, and A, X, B, D and Z must not have noticed anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from client_core.signaling_client import SignalingClient
from signaling.routing.model import AgentState
from signaling.web_ws import SUBPROTOCOL
from tests.server.abuse_strategies import (
    FRAME_LIMIT,
    Attack,
    WireFrame,
    attacks,
    wire_frames,
)
from tests.server.harness import FAST, Harness, running_server
from wire import client_messages as C
from wire import server_messages as S
from wire.codec import parse_server
from wire.errors import ErrorCode, MessageError
from wire.types import MAX_MESSAGE_BYTES

SERVICE = "kela.benefits"
OTHER_SERVICE = "vero.tax"
SDP_OFFER = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
HELLO = json.dumps({"type": "hello", "protocol": 1, "client": "attacker"})
MAX_EXAMPLES = int(os.environ.get("ABUSE_EXAMPLES", "250"))

# --------------------------------------------------------------------------- raw clients


class RawClient:
    """A bare WebSocket that records every frame the server sends, for hostile traffic."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.aborting = False  # set when a frame that makes aiohttp drop us was sent
        self.received: list[str | bytes] = []
        self._new = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, url: str, token: str) -> RawClient:
        ws = await connect(
            url,
            additional_headers={"Authorization": f"Bearer {token}"},
            subprotocols=[SUBPROTOCOL],  # type: ignore[list-item]
            max_size=None,
            ping_interval=None,
            open_timeout=5,
            close_timeout=5,
        )
        return cls(ws)

    async def _read(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for frame in self.ws:
                self.received.append(frame)
                self._new.set()
        self._new.set()

    @property
    def is_closed(self) -> bool:
        return self._reader.done()

    def messages(self) -> list[S.ServerMessage]:
        """Every server message so far, parsed (a frame that does not parse fails the test)."""
        out = []
        for raw in self.received:
            assert isinstance(raw, str), f"server sent a binary frame: {raw[:80]!r}"
            out.append(parse_server(raw))
        return out

    async def send(self, text: str) -> bool:
        """Send a text frame; False if the connection is already closed."""
        try:
            await self.ws.send(text)
        except ConnectionClosed:
            return False
        return True

    async def wait_for(
        self, predicate: Callable[[S.ServerMessage], bool], timeout: float = 5.0
    ) -> S.ServerMessage:
        """The first message (already received or arriving) that matches ``predicate``."""
        message = await self.wait_for_or_close(predicate, timeout)
        if message is None:
            raise AssertionError(f"closed ({self.ws.close_code}) before the message came")
        return message

    async def wait_for_or_close(
        self, predicate: Callable[[S.ServerMessage], bool], timeout: float = 5.0, start: int = 0
    ) -> S.ServerMessage | None:
        """Like :meth:`wait_for` (from frame ``start`` on), but None if the connection closes
        first."""
        seen = start
        async with asyncio.timeout(timeout):
            while True:
                for message in self.messages()[seen:]:
                    if predicate(message):
                        return message
                seen = len(self.received)
                if self.is_closed:
                    return None
                self._new.clear()
                await self._new.wait()

    async def wait_closed(self, timeout: float = 5.0) -> int | None:
        """Wait for the server to close the connection; the close code it sent."""
        await asyncio.wait_for(asyncio.shield(self._reader), timeout)
        return self.ws.close_code

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._reader, 5)


async def send_frame(ws: ClientConnection, frame: WireFrame) -> bool:
    """Put one generated frame on the socket; False once the server has closed it."""
    kind, payload = frame
    try:
        if kind == "text_bytes":
            await ws.send(payload, text=True)  # raw bytes in a text frame, maybe not UTF-8
        elif kind == "fragments":
            await ws.send(iter(payload))
        elif kind == "ping":
            await ws.ping(payload)
        else:
            await ws.send(payload)
    except ConnectionClosed:
        return False
    return True


async def settle(client: RawClient) -> None:
    """Wait until the server has answered every frame sent so far, or closed.

    A last ping's reply (pong, or bad_message before hello) echoes its ref and follows every
    earlier reply. If the attack used up the rate-limit bucket, the ping gets a ref-less
    ``rate_limited`` instead: wait for the bucket and ask again (these refusals count towards
    the abuse limit, so this ends either way).
    """
    for _ in range(40):
        sentinel = f"sentinel-{secrets.token_hex(4)}"
        start = len(client.received)
        if not await client.send(json.dumps({"type": "ping", "t": 0, "ref": sentinel})):
            return
        reply = await client.wait_for_or_close(
            lambda m, s=sentinel: m.ref == s or getattr(m, "code", None) == ErrorCode.RATE_LIMITED,  # type: ignore[misc]
            start=start,
        )
        if reply is None or reply.ref == sentinel:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the server neither answered nor closed the attacker's connection")


def aborts_connection(frame: WireFrame) -> bool:
    """Whether aiohttp itself ends the connection on this frame: too big (1009) or a text
    frame that is not UTF-8 (1007). aiohttp then closes the socket with the frames that
    followed still unread, so the kernel may answer with a TCP reset that destroys the close
    frame and replies not yet read by the client: the client may see 1006 instead."""
    kind, payload = frame
    if kind == "text_bytes":
        try:
            payload.decode("utf-8")  # type: ignore[union-attr]
        except UnicodeDecodeError:
            return True
        return len(payload) > FRAME_LIMIT
    if kind == "text":
        return len(payload.encode()) > FRAME_LIMIT  # type: ignore[union-attr]
    if kind == "fragments":
        return sum(len(p.encode()) for p in payload) > FRAME_LIMIT  # type: ignore[union-attr]
    return kind == "binary" and len(payload) > FRAME_LIMIT


def kinds(messages: list[S.ServerMessage]) -> list[str]:
    return [m.type for m in messages]


class ErrorLog(logging.Handler):
    """Collects ERROR records (``log.exception`` in the hub, aiohttp's unhandled errors)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> ErrorLog:
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger().removeHandler(self)


def cheap_passwords(h: Harness) -> None:
    """Hash new passwords with minimal argon2 cost: each account would take ~1 s otherwise,
    and the property test rebuilds its scene after every failing example while shrinking."""
    h.ctx.auth.hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)


def mint_agent_token(h: Harness, account_id: str) -> str:
    """A fresh session token for an agent (the attacker may log Y out in any example)."""
    now = h.ctx.clock()
    session_id = h.ctx.store.create_session(account_id, 3600, now=now)
    return h.ctx.auth.signer.issue(session_id, account_id, "agent", now)


async def agent_client(h: Harness, account_id: str) -> SignalingClient:
    """A connected agent without a password login (argon2 makes each login cost ~1 s)."""
    client = SignalingClient(h.ws_url, mint_agent_token(h, account_id), backoff=FAST)
    h.clients.append(client)
    await client.connected()
    return client


async def join(kiosk: SignalingClient, service: str = SERVICE) -> S.QueuePosition:
    position = asyncio.ensure_future(kiosk.wait_for(S.QueuePosition, timeout=5))
    kiosk.send(C.QueueJoin(service=service, language="fi"))
    return await position


async def detached(h: Harness, principal_id: str, timeout: float = 5.0) -> None:
    """Wait until the server has finished with every connection of ``principal_id``."""
    for _ in range(int(timeout / 0.01)):
        if not any(c.principal.id == principal_id for c in h.ctx.connections):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the server still holds a connection of {principal_id}")


# ------------------------------------------------------------------------------ scenario


@dataclass
class Scenario:
    """One server with a call in progress, a pending offer and a waiting kiosk."""

    h: Harness
    stack: contextlib.AsyncExitStack
    http: aiohttp.ClientSession
    errors: ErrorLog
    clients: dict[str, SignalingClient]
    logs: dict[str, list[S.ServerMessage]]
    ids: dict[str, str]
    kiosk_c: str
    kiosk_c_name: str
    agent_y: str
    position_b: int
    seen: dict[str, int] = field(default_factory=dict)
    sdp_sent: set[str] = field(default_factory=set)
    rounds: int = 0
    last_probe: float = 0.0
    broken: bool = False

    @classmethod
    async def build(cls, data_dir: Path) -> Scenario:
        stack = contextlib.AsyncExitStack()
        errors = stack.enter_context(ErrorLog())
        h = await stack.enter_async_context(running_server(data_dir, offer_timeout_s=3600))
        http = await stack.enter_async_context(aiohttp.ClientSession())
        cheap_passwords(h)
        ids: dict[str, str] = {}
        ka, kb = h.add_kiosk("nurmes", "Nurmes A"), h.add_kiosk("lieksa", "Lieksa B")
        kd, kc = h.add_kiosk("kitee", "Kitee D"), h.add_kiosk("nurmes", "Nurmes C")
        ids["agent_x"] = h.add_agent("xenia", [SERVICE], ["fi"])
        agent_z = h.add_agent("zeno", [SERVICE], ["fi"])
        agent_y = h.add_agent("yrjo", [OTHER_SERVICE], ["fi"])
        x, z = await agent_client(h, ids["agent_x"]), await agent_client(h, agent_z)
        a, b, d = await h.kiosk(ka), await h.kiosk(kb), await h.kiosk(kd)
        clients = {"a": a, "b": b, "d": d, "x": x, "z": z}
        logs: dict[str, list[S.ServerMessage]] = {}
        for name, client in clients.items():
            logs[name] = []
            client.add_listener(logs[name].append)

        # A, D and B queue in that order; X takes A, Z is offered D and sits on it.
        ids["kiosk_a"] = ka
        await join(a)
        ids["entry_d"] = (await join(d)).entry_id
        ids["entry_b"] = (await join(b)).entry_id
        offer_x = asyncio.ensure_future(x.wait_for(S.Offer, timeout=5))
        x.send(C.AgentStateSet(state="ready"))
        offer = await offer_x
        assert offer.kiosk == "Nurmes A"
        ids["offer_accepted"] = offer.offer_id
        a_start = asyncio.ensure_future(a.wait_for(S.CallStart, timeout=5))
        x_start = asyncio.ensure_future(x.wait_for(S.CallStart, timeout=5))
        x.send(C.OfferAccept(offer_id=offer.offer_id))
        call_id = (await a_start).call_id
        assert (await x_start).call_id == call_id
        ids["call"] = call_id
        # The SDP exchange is under way: A's offer reached X, X has not answered yet.
        got = asyncio.ensure_future(x.wait_for(C.SdpMessage, timeout=5))
        a.send(C.SdpMessage(call_id=call_id,
                            description=C.SessionDescription(type="offer", sdp=SDP_OFFER)))
        assert (await got).description.sdp == SDP_OFFER
        offer_z = asyncio.ensure_future(z.wait_for(S.Offer, timeout=5))
        z.send(C.AgentStateSet(state="ready"))
        pending = await offer_z
        assert pending.kiosk == "Kitee D"
        ids["offer_pending"] = pending.offer_id
        assert a.resume_token and b.resume_token
        ids["resume_a"], ids["resume_b"] = a.resume_token, b.resume_token

        sc = cls(h, stack, http, errors, clients, logs, ids, kc, "Nurmes C", agent_y, 0)
        for client in (b, d, z):  # flush whatever the set-up still has in flight
            await client.request(C.Ping(t=0.0), timeout=5)
        sc.position_b = sc.router_position(kb)
        assert sc.position_b == 2
        # Positions of those who move up are coalesced (position_interval_s): B hears its new
        # place within a flush, not necessarily before the pings above came back.
        for _ in range(60):
            positions = [m for m in logs["b"] if isinstance(m, S.QueuePosition)]
            if positions[-1].position == sc.position_b:
                break
            await asyncio.sleep(0.05)
        assert positions[-1].position == sc.position_b
        sc.seen = {name: len(log) for name, log in logs.items()}
        assert not errors.records, errors.records
        return sc

    async def close(self) -> None:
        await self.stack.aclose()

    def router_position(self, kiosk_id: str) -> int:
        queue = self.h.ctx.router.queue(SERVICE, "fi", self.h.ctx.clock())
        return [e.kiosk_id for e in queue].index(kiosk_id) + 1

    # ------------------------------------------------------------------------ one example

    async def attack(self, attack: Attack) -> RawClient:
        if attack.role == "kiosk":
            me, token = self.kiosk_c, self.h.kiosk_tokens[self.kiosk_c]
        else:
            me, token = self.agent_y, mint_agent_token(self.h, self.agent_y)
        client = await RawClient.open(self.h.ws_url, token)
        client.aborting = False
        if attack.hello_first:
            await client.send(HELLO)
        wires = [w for frame in attack.frames for w in wire_frames(frame, self.ids)]
        for n, wire in enumerate(wires):
            if wire[0] == "ping":  # websockets refuses two pings with the same payload
                wire = ("ping", wire[1][:120] + n.to_bytes(2, "big"))
            client.aborting |= aborts_connection(wire)
            if not await send_frame(client.ws, wire):
                break
        await settle(client)
        await client.close()
        await detached(self.h, me)
        return client

    async def check(self, attack: Attack, attacker: RawClient) -> None:
        async with self.http.get(f"{self.h.base_url}/healthz") as response:
            assert response.status == 200
        self.check_attacker(attack, attacker)
        self.check_routing_state()
        # Each check below costs every victim one message. Keep them under the server's rate
        # limit (20/s per connection), or the test's own probes get ``rate_limited``.
        loop = asyncio.get_running_loop()
        pace = 1.5 / self.h.ctx.settings.rate_limit_per_s
        await asyncio.sleep(max(0.0, self.last_probe + pace - loop.time()))
        self.last_probe = loop.time()
        await self.check_call()
        await self.check_queue()
        assert not self.errors.records, [r.getMessage() for r in self.errors.records]
        for name, client in self.clients.items():
            assert (client.state, client.connects) == ("connected", 1), name
        self.seen = {name: len(log) for name, log in self.logs.items()}

    def check_attacker(self, attack: Attack, attacker: RawClient) -> None:
        for raw in attacker.received:
            assert isinstance(raw, str), f"binary frame to the attacker: {raw[:80]!r}"
            assert "Traceback" not in raw and 'File "' not in raw, raw[:500]
        try:
            messages = attacker.messages()
        except MessageError as exc:
            raise AssertionError(f"the attacker got a message that does not parse: {exc}") from None
        allowed = {"welcome", "ping", "pong", "error", "services", "goodbye"} | (
            {"queue_position", "queue_left"} if attack.role == "kiosk"
            else {"agent_status", "queue_stats", "offer", "offer_revoked", "history"}
        )
        victims = {self.ids[k] for k in ("call", "offer_pending", "offer_accepted", "entry_b",
                                         "entry_d")}
        me = self.kiosk_c if attack.role == "kiosk" else self.agent_y
        for m in messages:
            assert m.type in allowed, f"attacker ({attack.role}) got {m!r}"
            for attr in ("call_id", "offer_id", "entry_id"):
                assert getattr(m, attr, None) not in victims, f"attacker got {m!r}"
            if isinstance(m, S.Error):
                assert m.code != ErrorCode.INTERNAL_ERROR, m
            if isinstance(m, S.Goodbye):
                assert m.reason in ("abuse", "protocol_error", "logged_out"), m
            if isinstance(m, S.Welcome):
                assert m.identity.id == me
                assert m.resume_token not in (self.ids["resume_a"], self.ids["resume_b"])
            if isinstance(m, S.Offer):
                assert m.kiosk == self.kiosk_c_name, m
            if isinstance(m, S.History):
                assert not {item.call_id for item in m.calls} & victims, m
        codes = {1000, 1007, 1008, 1009} | ({1006} if attacker.aborting else set())
        assert attacker.ws.close_code in codes, attacker.ws.close_code

    def check_routing_state(self) -> None:
        """The router's view, which already reflects every frame the attacker got through."""
        router, ids = self.h.ctx.router, self.ids
        call = router.call(ids["call"])
        assert call is not None, "A and X's call is gone"
        assert (call.kiosk_id, call.agent_id) == (ids["kiosk_a"], ids["agent_x"]), call
        assert call.kiosk_connected and call.agent_connected, call
        agent_x = router.agent_view(ids["agent_x"])
        assert agent_x is not None and agent_x.state is AgentState.IN_CALL, agent_x
        kb, kd, z = (self.clients[n].welcome.identity.id for n in "bdz")  # type: ignore[union-attr]
        entry_b = router.entry_for_kiosk(kb)
        assert entry_b is not None and entry_b.entry_id == ids["entry_b"], entry_b
        assert entry_b.offer_id is None and entry_b.connected, entry_b
        assert self.router_position(kb) == self.position_b, "B moved"
        entry_d = router.entry_for_kiosk(kd)
        assert entry_d is not None and entry_d.entry_id == ids["entry_d"], entry_d
        assert entry_d.offer_id == ids["offer_pending"], f"D's offer is gone: {entry_d}"
        agent_z = router.agent_view(z)
        assert agent_z is not None and agent_z.state is AgentState.RESERVED, agent_z
        assert agent_z.offer_id == ids["offer_pending"], agent_z

    async def barrier(self, name: str, reply: Awaitable[S.ServerMessage]) -> S.ServerMessage:
        """A victim's request round trip; a timeout names what the victim got instead."""
        try:
            return await reply
        except TimeoutError:
            client = self.clients[name]
            raise AssertionError(
                f"{name.upper()} had no reply within 5 s ({client.state}, "
                f"{client.connects} connects); it got {self.new(name)[-5:]}"
            ) from None

    def new(self, name: str) -> list[S.ServerMessage]:
        return self.logs[name][self.seen[name]:]

    async def check_call(self) -> None:
        """A and X still have their call: SDP goes both ways and nothing else reached them."""
        a, x = self.clients["a"], self.clients["x"]
        call_id = self.ids["call"]
        self.rounds += 1
        for sender, receiver, kind in ((a, x, "offer"), (x, a, "answer")):
            sdp = SDP_OFFER.replace("o=- 1 1", f"o=- {self.rounds} 2").replace("s=-", f"s={kind}")
            self.sdp_sent.add(sdp)
            got = asyncio.ensure_future(receiver.wait_for(
                C.SdpMessage, lambda m, sdp=sdp: m.description.sdp == sdp, timeout=5
            ))
            sender.send(C.SdpMessage(call_id=call_id, attempt=1,
                                     description=C.SessionDescription(type=kind, sdp=sdp)))  # type: ignore[arg-type]
            try:
                await got
            except TimeoutError:
                raise AssertionError(
                    f"SDP {kind} not relayed within 5 s; call: "
                    f"{self.h.ctx.router.call(call_id)}; A: {a.state}/{a.connects}, "
                    f"X: {x.state}/{x.connects}; A got {self.new('a')[-5:]}, "
                    f"X got {self.new('x')[-5:]}"
                ) from None
        for name, extra in (("a", set()), ("x", {"queue_stats"})):
            for m in self.new(name):
                if isinstance(m, C.SdpMessage):
                    assert m.description.sdp in self.sdp_sent, f"relayed into the call: {m!r}"
                else:
                    assert m.type in {"ping"} | extra, f"{name.upper()} got {m!r}"

    async def check_queue(self) -> None:
        """B keeps its place, D keeps its offer, Z keeps it pending."""
        b, d, z = self.clients["b"], self.clients["d"], self.clients["z"]
        services = await self.barrier("b", b.request(C.ServicesGet(), timeout=5))
        assert isinstance(services, S.Services)
        kela = next(s for s in services.services if s.id == SERVICE)
        assert kela.open and "fi" in kela.languages_available
        for name, client in (("d", d), ("z", z)):
            pong = await self.barrier(name, client.request(C.Ping(t=1.0), timeout=5))
            assert isinstance(pong, S.ServerPong)
        for m in self.new("b"):
            if isinstance(m, S.QueuePosition):
                expected = (self.ids["entry_b"], self.position_b)
                assert (m.entry_id, m.position) == expected, f"B's place changed: {m!r}"
            else:
                assert m.type in ("ping", "services"), f"B got {m!r}"
        for m in self.new("d"):
            if isinstance(m, S.QueuePosition):
                assert (m.entry_id, m.position) == (self.ids["entry_d"], 1), f"D moved: {m!r}"
            else:
                assert m.type in ("ping", "pong"), f"D got {m!r}"
        for m in self.new("z"):
            assert m.type in ("ping", "pong", "queue_stats"), f"Z got {m!r}"


class AbuseRig:
    """Drives hypothesis examples through one scenario, rebuilt only after a failure."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.scenario: Scenario | None = None
        self.builds = 0
        self.examples = 0

    async def run(self, attack: Attack) -> None:
        if self.scenario is None or self.scenario.broken:
            if self.scenario is not None:
                await self.scenario.close()
            self.builds += 1
            self.scenario = await Scenario.build(self.tmp_path / f"data{self.builds}")
        sc = self.scenario
        self.examples += 1
        try:
            attacker = await sc.attack(attack)
            await sc.check(attack, attacker)
        except BaseException:
            sc.broken = True  # the next example starts from an undisturbed scene
            raise

    async def close(self) -> None:
        if self.scenario is not None:
            await self.scenario.close()


@pytest.mark.slow
@pytest.mark.timeout(600)  # room for hypothesis to shrink a failure (scene rebuilt each time)
def test_attacker_cannot_disturb_other_clients(tmp_path: Path) -> None:
    """No frame sequence from kiosk C or agent Y ends, joins or relays into A and X's call,
    moves B, revokes Z's offer, crashes the server or shows the attacker a stack trace.

    One event loop and one server serve every example; a failing example marks the scene
    broken so the next one (and hypothesis' shrinking) starts from a fresh server.
    """
    rig = AbuseRig(tmp_path)
    with asyncio.Runner() as runner:

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(attack=attacks)
        def run(attack: Attack) -> None:
            runner.run(rig.run(attack))

        try:
            run()
        finally:
            runner.run(rig.close())
    assert rig.examples >= MAX_EXAMPLES // 2


# ---------------------------------------------------------------------------- plain tests


@dataclass
class Bystanders:
    """A kiosk waiting in the queue and an agent serving it (not ready): clients an abuser
    must not disturb."""

    kiosk: SignalingClient
    kiosk_id: str
    entry_id: str
    agent: SignalingClient
    log: list[Any]

    async def assert_undisturbed(self, h: Harness) -> None:
        services = await self.kiosk.request(C.ServicesGet(), timeout=5)
        assert isinstance(services, S.Services)
        assert isinstance(await self.agent.request(C.Ping(t=1.0), timeout=5), S.ServerPong)
        entry = h.ctx.router.entry_for_kiosk(self.kiosk_id)
        assert entry is not None and entry.entry_id == self.entry_id and entry.connected
        assert not [m for m in self.log if m.type in ("queue_left", "goodbye", "call_ended")]
        for client in (self.kiosk, self.agent):
            assert (client.state, client.connects) == ("connected", 1)


async def bystanders(h: Harness) -> Bystanders:
    cheap_passwords(h)
    kiosk_id = h.add_kiosk("lieksa", "Lieksa B")
    # Logged in but not ready: the language is served, so B can queue, and nobody is offered.
    agent = await agent_client(h, h.add_agent("aino", [SERVICE], ["fi"]))
    kiosk = await h.kiosk(kiosk_id)
    log: list[Any] = []
    kiosk.add_listener(log.append)
    agent.add_listener(log.append)
    position = await join(kiosk)
    return Bystanders(kiosk, kiosk_id, position.entry_id, agent, log)


async def attacker(h: Harness, *, hello: bool = True) -> tuple[str, RawClient]:
    kiosk_id = h.add_kiosk("nurmes", f"Nurmes {secrets.token_hex(2)}")
    client = await RawClient.open(h.ws_url, h.kiosk_tokens[kiosk_id])
    if hello:
        await client.send(HELLO)
        await client.wait_for(lambda m: m.type == "welcome")
    return kiosk_id, client


async def test_message_before_hello_is_bad_message(tmp_path):
    async with running_server(tmp_path / "data") as h:
        _, client = await attacker(h, hello=False)
        await client.send(json.dumps({"type": "ping", "t": 1, "ref": "early"}))
        error = await client.wait_for(lambda m: m.type == "error")
        assert isinstance(error, S.Error)
        assert (error.code, error.ref) == (ErrorCode.BAD_MESSAGE, "early")
        # The connection stays open and a proper hello still works.
        await client.send(HELLO)
        assert isinstance(await client.wait_for(lambda m: m.type == "welcome"), S.Welcome)
        await client.send(json.dumps({"type": "ping", "t": 2, "ref": "late"}))
        pong = await client.wait_for(lambda m: m.type == "pong")
        assert pong.ref == "late"
        await client.close()


async def test_abuse_threshold_closes_with_1008_and_others_continue(tmp_path):
    """More than ``abuse_errors`` errors within the window: goodbye ``abuse``, close 1008."""
    async with running_server(tmp_path / "data") as h:
        others = await bystanders(h)
        limit = h.ctx.settings.abuse_errors
        _, client = await attacker(h)
        for n in range(limit + 1):
            if not await client.send('{"type": "ping", "t": ' + str(n)):  # malformed JSON
                break
        code = await client.wait_closed()
        await others.assert_undisturbed(h)
        messages = client.messages()
        errors = [m for m in messages if isinstance(m, S.Error)]
        assert all(e.code == ErrorCode.BAD_MESSAGE for e in errors)
        goodbyes = [m.reason for m in messages if isinstance(m, S.Goodbye)]
        assert (goodbyes, code) == (["abuse"], 1008), (
            f"expected goodbye 'abuse' + close 1008; got goodbyes {goodbyes}, close {code}, "
            f"{len(errors)} of {limit + 1} error replies"
        )


@pytest.mark.parametrize(
    ("role", "template"),
    [
        ("kiosk", '{"type": "call_end", "call_id": "call-%d"}'),
        ("kiosk", '{"type": "sdp", "call_id": "call-%d", "description": {"type": "offer", '
                  '"sdp": "v=0"}}'),
        ("agent", '{"type": "offer_accept", "offer_id": "offer-%d"}'),
        ("agent", '{"type": "wrapup_done", "call_id": "call-%d"}'),
    ],
    ids=["kiosk-call_end", "kiosk-sdp", "agent-offer_accept", "agent-wrapup_done"],
)
async def test_probing_for_other_calls_and_offers_counts_as_abuse(tmp_path, role, template):
    """Guessing call or offer ids is refused with ``unknown_call``/``unknown_offer``, and those
    refusals are errors like any other: more than ``abuse_errors`` of them within the window
    must end the connection with goodbye ``abuse`` and 1008, as malformed frames do. (If the
    hub's own refusals did not count, a client could probe ids forever at the rate limit.)"""
    async with running_server(tmp_path / "data") as h:
        cheap_passwords(h)
        others = await bystanders(h)
        limit = h.ctx.settings.abuse_errors
        if role == "kiosk":
            kiosk_id = h.add_kiosk("nurmes", "Nurmes C")
            client = await RawClient.open(h.ws_url, h.kiosk_tokens[kiosk_id])
        else:
            account = h.add_agent("yrjo", [OTHER_SERVICE], ["fi"])
            client = await RawClient.open(h.ws_url, mint_agent_token(h, account))
        await client.send(HELLO)
        await client.wait_for(lambda m: m.type == "welcome")
        for n in range(limit + 5):  # well under the rate limit's burst
            if not await client.send(template % n):
                break
        await settle(client)
        refusals = [m for m in client.messages() if isinstance(m, S.Error)]
        assert refusals and {e.code for e in refusals} <= {
            ErrorCode.UNKNOWN_CALL, ErrorCode.UNKNOWN_OFFER
        }
        await others.assert_undisturbed(h)
        goodbyes = [m.reason for m in client.messages() if isinstance(m, S.Goodbye)]
        assert client.is_closed and goodbyes == ["abuse"], (
            f"{len(refusals)} refusals ({refusals[0].code}) in one burst, yet the connection "
            f"is {'closed' if client.is_closed else 'still open'} with goodbyes {goodbyes}"
        )
        assert client.ws.close_code == 1008
        await client.close()


async def test_oversized_frame_closes_only_that_connection(tmp_path):
    """A frame over aiohttp's 256 KiB ``max_msg_size`` is closed with 1009 by aiohttp."""
    async with running_server(tmp_path / "data") as h:
        others = await bystanders(h)
        _, bystander = await attacker(h)
        _, client = await attacker(h)
        big = json.dumps({"type": "ping", "t": 1, "ref": "x" * (300 * 1024)})
        await client.send(big)
        assert await client.wait_closed() == 1009
        assert not [m for m in client.messages() if m.type not in ("welcome", "ping")]
        await others.assert_undisturbed(h)
        await bystander.send(json.dumps({"type": "ping", "t": 3, "ref": "still"}))
        assert (await bystander.wait_for(lambda m: m.type == "pong")).ref == "still"
        await bystander.close()


async def test_message_over_64k_is_refused_and_connection_stays_usable(tmp_path):
    async with running_server(tmp_path / "data") as h:
        _, client = await attacker(h)
        pad = "ä" * (50 * 1024)  # 100 KiB of UTF-8 in 50 Ki characters
        big = json.dumps({"type": "ping", "t": 1, "ref": "r", "pad": pad}, ensure_ascii=False)
        assert MAX_MESSAGE_BYTES < len(big.encode()) < 4 * MAX_MESSAGE_BYTES
        await client.send(big)
        error = await client.wait_for(lambda m: m.type == "error")
        assert isinstance(error, S.Error) and error.code == ErrorCode.MESSAGE_TOO_LARGE
        await client.send(json.dumps({"type": "ping", "t": 2, "ref": "after"}))
        assert (await client.wait_for(lambda m: m.type == "pong")).ref == "after"
        assert not client.is_closed
        await client.close()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer etk_not_a_real_device_token"},
        {"Authorization": "Bearer not.a.session"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic eGVuaWE6cGFzc3dvcmQ="},
        {"Cookie": "etapiste_session=forged"},
    ],
    ids=["none", "unknown-device", "forged-session", "empty", "basic", "cookie"],
)
async def test_wrong_credentials_are_refused_with_401_before_upgrade(tmp_path, headers):
    async with running_server(tmp_path / "data") as h:
        with pytest.raises(InvalidStatus) as refused:
            await connect(h.ws_url, additional_headers=headers, subprotocols=[SUBPROTOCOL],  # type: ignore[list-item]
                          open_timeout=5)
        assert refused.value.response.status_code == 401
        assert b"Traceback" not in refused.value.response.body
        assert not h.ctx.connections


async def test_burst_just_over_the_bucket_is_rate_limited_but_survives(tmp_path):
    """The bucket allows ``rate_limit_burst`` messages at once; a few more than that get
    ``rate_limited`` errors, which stay under the abuse limit, so the connection survives."""
    async with running_server(tmp_path / "data") as h:
        burst, limit = h.ctx.settings.rate_limit_burst, h.ctx.settings.abuse_errors
        _, client = await attacker(h)
        sent = burst + 15
        for n in range(sent):
            assert await client.send(json.dumps({"type": "ping", "t": n, "ref": f"p{n}"}))

        def answered() -> int:
            return sum(1 for m in client.messages() if m.type in ("pong", "error"))

        await client.wait_for(lambda _: answered() >= sent)
        limited = [m for m in client.messages() if isinstance(m, S.Error)]
        assert all(e.code == ErrorCode.RATE_LIMITED for e in limited)
        assert 1 <= len(limited) <= limit
        # Each refusal names the message it refuses, so a client knows which to resend.
        assert all(e.ref is not None and e.ref.startswith("p") for e in limited), limited
        await asyncio.sleep(0.2)  # let the bucket refill a few tokens
        await client.send(json.dumps({"type": "ping", "t": 1, "ref": "after"}))
        assert (await client.wait_for(lambda m: m.ref == "after")).type == "pong"
        assert not client.is_closed
        await client.close()


async def test_ping_flood_is_abuse_and_ends_in_1008(tmp_path):
    """Rate-limit refusals count as errors for the abuse limit too. 200 pings in one burst:
    the bucket passes ``rate_limit_burst`` (60) of them, the rest are ``rate_limited``, and
    the 21st refusal within ``abuse_window_s`` makes the flood abuse: the server must say
    goodbye ``abuse`` and close with 1008. Other clients carry on."""
    async with running_server(tmp_path / "data") as h:
        others = await bystanders(h)
        _, client = await attacker(h)
        for n in range(200):
            if not await client.send(json.dumps({"type": "ping", "t": n})):
                break
        code = await client.wait_closed()
        await others.assert_undisturbed(h)
        messages = client.messages()
        assert {m.code for m in messages if isinstance(m, S.Error)} <= {ErrorCode.RATE_LIMITED}
        goodbyes = [m.reason for m in messages if isinstance(m, S.Goodbye)]
        assert (goodbyes, code) == (["abuse"], 1008), (
            f"expected goodbye 'abuse' + close 1008; got goodbyes {goodbyes}, close {code}, "
            f"replies: {kinds(messages).count('pong')} pongs, "
            f"{kinds(messages).count('error')} errors"
        )


@pytest.mark.parametrize("carrier", ["subprotocol", "cookie"])
async def test_browser_credentials_from_a_foreign_origin_are_refused(tmp_path, carrier):
    """A valid token that rides along as a browser credential (``bearer.`` subprotocol or the
    session cookie) is refused for a page on another origin: cross-site WebSocket hijacking."""
    async with running_server(tmp_path / "data") as h:
        kiosk_id = h.add_kiosk("nurmes", "Nurmes C")
        token = h.kiosk_tokens[kiosk_id]
        if carrier == "subprotocol":
            protocols, headers = [SUBPROTOCOL, f"bearer.{token}"], {}
        else:
            protocols, headers = [SUBPROTOCOL], {"Cookie": f"etapiste_session={token}"}
        with pytest.raises(InvalidStatus) as refused:
            await connect(h.ws_url, subprotocols=protocols,  # type: ignore[arg-type]
                          origin="https://evil.example", additional_headers=headers,  # type: ignore[arg-type]
                          open_timeout=5)
        assert refused.value.response.status_code == 401
        # The same credential from our own origin is accepted.
        ws = await connect(h.ws_url, subprotocols=protocols,  # type: ignore[arg-type]
                           origin=h.base_url, additional_headers=headers,  # type: ignore[arg-type]
                           open_timeout=5)
        await ws.close()
