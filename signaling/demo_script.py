"""The demo's scripted citizen and clerks: queue, offer, one reject, accept, SDP, hang up."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from client_core.signaling_client import SignalingClient, login
from wire import client_messages as C
from wire import server_messages as S

if TYPE_CHECKING:
    from signaling.demo import DemoSetup


def say(who: str, text: str) -> None:
    """One line of the demo's narration."""
    print(f"  [{who:>6}] {text}", flush=True)


async def run_script(base_url: str, setup: DemoSetup, seconds: float) -> int:
    """Run the scripted call; returns a process exit code."""
    ws_url = base_url.replace("http", "ws", 1) + "/ws"
    aino, erik = setup.agents
    agents: list[SignalingClient] = []
    for acc in (aino, erik):
        session = await login(base_url, acc.username, acc.password)
        client = SignalingClient(ws_url, session.token, client_name="demo-agent")
        await client.connected()
        client.send(C.AgentStateSet(state="ready"))
        agents.append(client)
        say(acc.username, f"logged in as {session.name}, ready")
    kiosk_id, token = next(iter(setup.kiosk_tokens.items()))
    kiosk = SignalingClient(ws_url, token, client_name="demo-kiosk")
    welcome = await kiosk.connected()
    say("kiosk", f"{kiosk_id} connected as {welcome.identity.name}")
    services = await kiosk.request(C.ServicesGet())
    assert isinstance(services, S.Services)
    open_names = [s.names.fi for s in services.services if s.open]
    say("kiosk", f"{len(open_names)} services open, e.g. {', '.join(open_names[:3])}")

    offers: asyncio.Queue[tuple[int, S.Offer]] = asyncio.Queue()
    for i, agent in enumerate(agents):
        agent.add_listener(
            lambda m, i=i: offers.put_nowait((i, m)) if isinstance(m, S.Offer) else None
        )
    position = await kiosk.request(C.QueueJoin(service="kela.benefits", language="fi"))
    assert isinstance(position, S.QueuePosition)
    say(
        "kiosk",
        f"queued for Kela in Finnish: position {position.position}, "
        f"estimate {position.estimated_wait_s or 0:.0f} s",
    )
    first, offer = await asyncio.wait_for(offers.get(), 30)
    say(agents_name(first, setup), f"offer {offer.offer_id} from {offer.kiosk} — rejecting")
    agents[first].send(C.OfferReject(offer_id=offer.offer_id))
    second, offer = await asyncio.wait_for(offers.get(), 30)
    say(agents_name(second, setup), f"offer {offer.offer_id} from {offer.kiosk} — accepting")
    kiosk_start = asyncio.ensure_future(kiosk.wait_for(S.CallStart, timeout=10))
    agent_start = asyncio.ensure_future(agents[second].wait_for(S.CallStart, timeout=10))
    agents[second].send(C.OfferAccept(offer_id=offer.offer_id))
    ks, ag = await kiosk_start, await agent_start
    say("kiosk", f"call {ks.call_id} started, I make the WebRTC offer")
    from signaling.demo_media import run_media_call

    code = await run_media_call(kiosk, agents[second], ks, ag, seconds, say)
    for client in (kiosk, *agents):
        await client.close()
    return code


def agents_name(index: int, setup: DemoSetup) -> str:
    """The demo agent's username by index."""
    return setup.agents[index].username
