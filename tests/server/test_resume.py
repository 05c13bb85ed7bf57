"""Resuming with a resume token: within the grace the place is kept; after it, the kiosk is told."""

from __future__ import annotations

import asyncio
import contextlib

import websockets

from tests.server.harness import running_server
from wire import client_messages as C
from wire import server_messages as S
from wire.codec import dump, parse_server


class Raw:
    """A bare kiosk socket, so the test decides exactly when it goes away and comes back."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token

    async def open(self, resume: str | None = None) -> tuple[object, S.Welcome]:
        ws = await websockets.connect(
            self.url, additional_headers={"Authorization": f"Bearer {self.token}"},
            subprotocols=["etapiste.v1"],  # type: ignore[list-item]
        )
        await ws.send(dump(C.Hello(protocol=1, resume_token=resume)))
        welcome = parse_server(await ws.recv())
        assert isinstance(welcome, S.Welcome)
        return ws, welcome

    @staticmethod
    async def next_of(ws, kind: type, timeout: float = 5.0):
        async with asyncio.timeout(timeout):
            while True:
                message = parse_server(await ws.recv())
                if isinstance(message, kind):
                    return message


async def test_place_kept_within_grace_and_expiry_told_after(tmp_path):
    async with running_server(tmp_path / "data", kiosk_grace_s=1.0) as h:
        k1, k2 = h.add_kiosk(name="one"), h.add_kiosk(name="two")
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        await h.agent("aino")  # logged in, not ready: places wait
        first, second = Raw(h.ws_url, h.kiosk_tokens[k1]), Raw(h.ws_url, h.kiosk_tokens[k2])
        ws1, w1 = await first.open()
        ws2, w2 = await second.open()
        for ws in (ws1, ws2):
            await ws.send(dump(C.QueueJoin(service="kela.benefits", language="fi")))
            await Raw.next_of(ws, S.QueuePosition)
        await ws1.close()
        await ws2.close()
        # The first comes back in time and keeps position 1.
        await asyncio.sleep(0.3)
        ws1, _ = await first.open(resume=w1.resume_token)
        assert (await Raw.next_of(ws1, S.QueuePosition)).position == 1
        # The second is too late: it is told its place was given up, not left hanging.
        await asyncio.sleep(1.5)
        ws2, _ = await second.open(resume=w2.resume_token)
        left = await Raw.next_of(ws2, S.QueueLeft)
        assert left.reason == "abandoned"
        await ws1.close()
        await ws2.close()


async def test_call_ended_while_away_is_told_on_resume(tmp_path):
    async with running_server(tmp_path / "data", call_grace_s=0.5) as h:
        kid = h.add_kiosk()
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        agent = await h.agent("aino")
        kiosk = Raw(h.ws_url, h.kiosk_tokens[kid])
        ws, welcome = await kiosk.open()
        offer = asyncio.ensure_future(agent.wait_for(S.Offer))
        agent.send(C.AgentStateSet(state="ready"))
        await ws.send(dump(C.QueueJoin(service="kela.benefits", language="fi")))
        agent.send(C.OfferAccept(offer_id=(await offer).offer_id))
        start = await Raw.next_of(ws, S.CallStart)
        ended = asyncio.ensure_future(agent.wait_for(S.CallEnded, timeout=10))
        await ws.close()
        assert (await ended).reason == "kiosk_lost"
        ws, _ = await kiosk.open(resume=welcome.resume_token)
        told = await Raw.next_of(ws, S.CallEnded)
        assert (told.call_id, told.reason) == (start.call_id, "kiosk_lost")
        await ws.close()


async def test_a_silent_peer_is_found_dead_within_15_s(tmp_path):
    """Default heartbeat settings: a kiosk that stops answering is dropped within 15 s."""
    async with running_server(tmp_path / "data") as h:
        kid = h.add_kiosk()
        ws, welcome = await Raw(h.ws_url, h.kiosk_tokens[kid]).open()
        assert welcome.heartbeat_interval_s <= 5 and welcome.heartbeat_timeout_s <= 15
        silent_since = asyncio.get_running_loop().time()
        # Read (so the socket stays open) but never answer a ping.
        goodbye = await Raw.next_of(ws, S.Goodbye, timeout=20)
        took = asyncio.get_running_loop().time() - silent_since
        assert goodbye.reason == "heartbeat_timeout"
        assert took <= 15.0, took
        assert kid not in h.ctx.live.connected_kiosks()


async def test_kiosks_answering_the_shared_ping_stay_and_a_silent_one_is_dropped(tmp_path):
    """The heartbeat round encodes one ping for every client due: each still gets its own
    ping, with the round's time, and an answer keeps it connected past the timeout."""
    async with running_server(tmp_path / "data", heartbeat_interval_s=0.3,
                              heartbeat_timeout_s=1.2) as h:
        ids = [h.add_kiosk(name=f"k{i}") for i in range(3)]
        sockets = [(await Raw(h.ws_url, h.kiosk_tokens[k]).open())[0] for k in ids]
        pings: dict[int, list[float]] = {0: [], 1: []}

        async def answer(i: int) -> None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(2.5):
                    while True:
                        message = parse_server(await sockets[i].recv())
                        if isinstance(message, S.ServerPing):
                            pings[i].append(message.t)
                            await sockets[i].send(dump(C.Pong(t=message.t)))

        silent = asyncio.ensure_future(Raw.next_of(sockets[2], S.Goodbye, timeout=5))
        await asyncio.gather(answer(0), answer(1))
        assert (await silent).reason == "heartbeat_timeout"
        for i in (0, 1):
            assert len(pings[i]) >= 4 and pings[i] == sorted(pings[i]), pings[i]
        assert set(ids[:2]) <= set(h.ctx.live.connected_kiosks())
        assert ids[2] not in h.ctx.live.connected_kiosks()
        for ws in sockets:
            await ws.close()


async def test_a_kiosk_given_several_servers_moves_past_a_dead_one(tmp_path):
    from client_core.signaling_client import SignalingClient
    from tests.calls.processes import free_port
    from tests.server.harness import FAST

    dead = f"ws://127.0.0.1:{free_port()}/ws"  # nothing listens there
    async with running_server(tmp_path / "data") as h:
        kiosk_id = h.add_kiosk()
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        await h.agent("aino")
        # As a kiosk's --server would say it: comma-separated, the dead node first.
        client = SignalingClient(f"{dead}, {h.ws_url}", h.kiosk_tokens[kiosk_id], backoff=FAST)
        h.clients.append(client)
        assert client.urls == (dead, h.ws_url)
        await client.connected(timeout=10)
        assert client.url == h.ws_url
        joined = await client.request(C.QueueJoin(service="kela.benefits", language="fi"))
        assert isinstance(joined, S.QueuePosition)
