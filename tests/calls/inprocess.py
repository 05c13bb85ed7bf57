"""Helpers for calls whose two clients run in the test's own event loop."""

from __future__ import annotations

import asyncio

from client_core.call import MediaSources
from client_core.media_synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from client_core.signaling_client import SignalingClient
from tests.server.harness import Harness
from wire import client_messages as C
from wire import server_messages as S


def sources() -> MediaSources:
    """Small synthetic video and a tone: enough to see media, cheap on a 2-core machine."""
    return MediaSources(video=SyntheticVideoTrack(320, 240, 30), audio=SyntheticAudioTrack())


async def accepted_call(
    h: Harness,
) -> tuple[SignalingClient, SignalingClient, S.CallStart, S.CallStart]:
    """A kiosk queues for Kela in Finnish and agent aino accepts: both clients and both
    ``call_start`` messages, before either side has any media."""
    kid = h.add_kiosk()
    h.add_agent("aino", ["kela.benefits"], ["fi"])
    kiosk, agent = await h.kiosk(kid), await h.agent("aino")
    starts = [asyncio.ensure_future(c.wait_for(S.CallStart)) for c in (kiosk, agent)]
    offer = asyncio.ensure_future(agent.wait_for(S.Offer))
    agent.send(C.AgentStateSet(state="ready"))
    await kiosk.request(C.QueueJoin(service="kela.benefits", language="fi"))
    agent.send(C.OfferAccept(offer_id=(await offer).offer_id))
    k_start, a_start = [await s for s in starts]
    return kiosk, agent, k_start, a_start
