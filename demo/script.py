"""The demo's scripted citizen and clerks: queue, offer, one reject, accept, a real call."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from client_core.call import CallSession, MediaSources
from client_core.call_events import CallEvent, CallListener, MediaConnected, StatsSampled
from client_core.media_synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from client_core.signaling_client import SignalingClient, login
from demo.seed import DemoSetup
from wire import client_messages as C
from wire import server_messages as S

if TYPE_CHECKING:
    from client_core.call_stats import StatsSample


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
        agent.add_listener(_offer_collector(offers, i))
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
    say("kiosk", f"call {ks.call_id} started; the kiosk makes the WebRTC offer")
    code = await _media_call(kiosk, agents[second], ks, ag, seconds)
    for client in (kiosk, *agents):
        await client.close()
    return code


def _offer_collector(
    offers: asyncio.Queue[tuple[int, S.Offer]], index: int
) -> Callable[[S.ServerMessage], None]:
    def collect(message: S.ServerMessage) -> None:
        if isinstance(message, S.Offer):
            offers.put_nowait((index, message))

    return collect


async def _media_call(
    kiosk: SignalingClient,
    agent: SignalingClient,
    kiosk_start: S.CallStart,
    agent_start: S.CallStart,
    seconds: float,
) -> int:
    """Real audio and video both ways (synthetic sources), with live statistics."""

    def printer(who: str) -> CallListener:
        def on_event(event: CallEvent) -> None:
            if isinstance(event, StatsSampled):
                say(who, _stats_line(event.sample))
            elif isinstance(event, MediaConnected):
                say(who, f"media connected (attempt {event.attempt})")

        return on_event

    sessions = [
        CallSession(
            kiosk, kiosk_start, _synthetic(), listener=printer("kiosk"), stats_interval_s=2.0
        ),
        CallSession(
            agent, agent_start, _synthetic(), listener=printer("agent"), stats_interval_s=2.0
        ),
    ]
    for session in sessions:
        await session.begin()
    await asyncio.sleep(seconds)
    peers = [s.last_peer for s in sessions]
    frames = [p.video_sink.frames_received if p else 0 for p in peers]
    codec = peers[0].video_codec if peers[0] else None
    say("kiosk", "hanging up")
    await sessions[0].hangup()
    await sessions[1].ended.wait()
    await sessions[1].close()
    say("agent", "call ended; wrap-up done with disposition 'resolved'")
    agent.send(C.WrapUpDone(call_id=agent_start.call_id, disposition="resolved"))
    print(
        f"Call {kiosk_start.call_id}: {codec}, video frames decoded kiosk={frames[0]}, "
        f"agent={frames[1]}"
    )
    return 0 if min(frames) > 0 else 1


def _synthetic() -> MediaSources:
    return MediaSources(video=SyntheticVideoTrack(), audio=SyntheticAudioTrack())


def _stats_line(s: StatsSample) -> str:
    rtt = f"{s.rtt_ms:.0f} ms" if s.rtt_ms is not None else "-"
    jitter = f"{s.jitter_ms:.0f} ms" if s.jitter_ms is not None else "-"
    return (
        f"{s.fps_decoded:4.1f} fps in, {s.bitrate_in_kbps:5.0f} kbit/s in, "
        f"{s.bitrate_out_kbps:5.0f} kbit/s out, rtt {rtt}, jitter {jitter}, "
        f"freezes {s.freezes}, quality {s.grade}"
    )


def agents_name(index: int, setup: DemoSetup) -> str:
    """The demo agent's username by index."""
    return setup.agents[index].username
