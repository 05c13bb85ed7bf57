"""An agent without a screen: logs in, goes ready, answers offers and reports as JSON lines."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from agent_console.headless_members import (
    MemberPlan,
    hold_as_member,
    invite,
    supervise,
    take_member_offer,
)
from client_core.call import CallSession, MediaSources
from client_core.call_events import CallEvent, FirstFrame
from client_core.headless import CallScript, StopSignal, emit, hold_call, report_event
from client_core.headless_mesh import MeshRunner
from client_core.media_synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from client_core.mesh import MediaFanout
from client_core.servers import first_answering, server_list, ws_urls
from client_core.signaling_client import SignalingClient, login
from client_core.tls import tls_context
from wire import client_messages as C
from wire import server_messages as S

_OFFER_FIELDS = {"offer_id", "service", "language", "kiosk", "waited_s"}
"""What an ``offer`` line reports of the offer."""


@dataclass
class AgentScript(CallScript):
    """What the headless agent does."""

    base_url: str
    username: str
    password: str
    reject_first: int = 0
    ca_file: str | None = None
    plan: MemberPlan | None = None
    """Calls of more than two members (with ``mesh``)."""


async def run_agent(script: AgentScript) -> int:
    """Answer ``calls`` calls (rejecting the first ``reject_first`` offers). Exit code."""
    bases = server_list(script.base_url)
    tls = tls_context(script.ca_file) if any(b.startswith("https") for b in bases) else None
    base, session = await first_answering(
        bases, lambda b: login(b, script.username, script.password, tls)
    )
    if session.must_change_password:
        emit("login", error="password_change_required")  # a person must set it in the app
        return 2
    client = SignalingClient(ws_urls(bases, first=base), session.token,
                             client_name="agent-headless", ssl_context=tls)
    client.add_state_listener(lambda state: emit("signaling", state=state))
    sources = MediaSources(
        video=SyntheticVideoTrack(*(script.video_size or (640, 480)), script.video_fps or 30.0,
                                  stamp_frames=script.stamp_frames),
        audio=SyntheticAudioTrack(script.tone_hz, voice=script.voice_audio),
    )
    plan = script.plan or MemberPlan()
    offers: asyncio.Queue[S.Offer] = asyncio.Queue()
    client.add_listener(lambda m: offers.put_nowait(m) if isinstance(m, S.Offer) else None)
    rejected = 0
    stop = StopSignal()
    try:
        await client.connected()
        emit("welcome", agent=session.id, name=session.name)
        if plan.member or plan.supervise is not None:
            await _added_member(client, sources, script, plan, stop)
            return 0
        client.send(C.AgentStateSet(state="ready"))
        for _ in range(script.calls):
            while True:
                offer = await _next_offer(offers, stop, script.wait_timeout_s)
                if offer is None:
                    return 0
                emit("offer", **offer.model_dump(mode="json", include=_OFFER_FIELDS))
                if rejected < script.reject_first:
                    rejected += 1
                    client.send(C.OfferReject(offer_id=offer.offer_id))
                    emit("rejected", offer_id=offer.offer_id)
                    continue
                break
            start_wait = asyncio.ensure_future(
                client.wait_for(S.CallStart, lambda m: not m.resumed, timeout=10)
            )
            emit("accepted", offer_id=offer.offer_id)
            client.send(C.OfferAccept(offer_id=offer.offer_id))
            start = await start_wait
            emit("call_start", call_id=start.call_id, peer=start.peer.name)
            await _answered_call(client, start, sources, script, plan, stop)
            client.send(C.WrapUpDone(call_id=start.call_id, disposition="resolved"))
    except TimeoutError:
        emit("timeout", waited_s=script.wait_timeout_s)
        return 1
    finally:
        await client.close()
    return 0


async def _answered_call(
    client: SignalingClient, start: S.CallStart, sources: MediaSources, script: AgentScript,
    plan: MemberPlan, stop: StopSignal,
) -> None:
    """The clerk's call: the pair with the kiosk, and with ``mesh`` the other members."""
    fanout = MediaFanout(sources.video, sources.audio) if script.mesh else None
    first = fanout.subscribe() if fanout is not None else None
    runner: MeshRunner | None = None
    pictured = asyncio.Event()

    def listener(event: CallEvent) -> None:
        report_event(event)
        if runner is not None:
            runner.on_original_event(event)
        if isinstance(event, FirstFrame):
            pictured.set()

    call = CallSession(
        client, start,
        sources if first is None else MediaSources(video=first.video, audio=first.audio),
        stats_interval_s=script.stats_interval_s, listener=listener,
    )
    inviting: asyncio.Task[None] | None = None
    if fanout is not None:
        runner = MeshRunner(client, start.call_id, fanout, original=call,
                            probe_interval_s=script.probe_interval_s,
                            stats_interval_s=script.stats_interval_s, name="clerk-mesh")
        if plan.invites:

            async def invite_later() -> None:
                await pictured.wait()
                await asyncio.sleep(plan.invite_after_s)
                await invite(client, start.call_id, plan.invites)

            inviting = asyncio.ensure_future(invite_later())
    try:
        await hold_call(call, stop, script.hold_s)
    finally:
        if inviting is not None:
            inviting.cancel()
        if runner is not None and first is not None:
            await runner.close()
            first.stop()


async def _added_member(
    client: SignalingClient, sources: MediaSources, script: AgentScript, plan: MemberPlan,
    stop: StopSignal,
) -> None:
    """An interpreter, second clerk or supervisor: join one call, hold it, leave."""
    if plan.supervise is not None:
        first = await supervise(client, plan, stop, script.wait_timeout_s)
    else:
        first = await take_member_offer(client, stop, script.wait_timeout_s)
    if first is None:
        emit("timeout", waited_s=script.wait_timeout_s)
        return
    emit("member_start", call_id=first.call_id, you=first.you, role=first.your_role)
    await hold_as_member(client, first, MediaFanout(sources.video, sources.audio), script,
                         plan, stop)


async def _next_offer(
    offers: asyncio.Queue[S.Offer], stop: StopSignal, timeout: float
) -> S.Offer | None:
    """The next offer, or None on a stop signal; TimeoutError after ``timeout``."""
    getter = asyncio.ensure_future(offers.get())
    stopper = asyncio.ensure_future(stop.event.wait())
    done, _ = await asyncio.wait(
        {getter, stopper}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    getter.cancel()
    stopper.cancel()
    if getter in done:
        return getter.result()
    if stopper in done:
        return None
    raise TimeoutError

