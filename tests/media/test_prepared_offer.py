"""The offer made before the call (prepared_offer, media_primer): a call starts on it, and an
unused one is closed when it grows old or the citizen goes away."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from client_core.errors import NotConnected, ServerRefused
from client_core.media_primer import MediaPrimer
from client_core.prepared_offer import Freshness, PreparedOffer
from tests.fake_clock import FakeClock
from tests.media.conftest import make_side, wait_until
from wire import media_messages as P
from wire.errors import ErrorCode


def servers(ttl_s: int = 3600, policy: str = "all") -> P.MediaServers:
    # No ICE servers: host candidates only, so gathering takes milliseconds here.
    return P.MediaServers(ice_servers=[], ice_transport_policy=policy, ttl_s=ttl_s)  # type: ignore[arg-type]


def fetcher(*replies: P.MediaServers | Exception) -> tuple[Callable[[], object], list[int]]:
    calls = [0]

    async def fetch() -> P.MediaServers:
        reply = replies[min(calls[0], len(replies) - 1)]
        calls[0] += 1
        if isinstance(reply, Exception):
            raise reply
        return reply

    return fetch, calls


def test_freshness_leaves_a_call_most_of_the_credentials_and_renews_in_time() -> None:
    fresh = Freshness(max_age_s=300)
    assert fresh.lifetime_s(3600) == 300  # the allocation's first refresh period bounds it
    assert fresh.lifetime_s(120) == 60  # short credentials: at most half spent before the call
    assert fresh.usable(1000.0, 3600, 1299.0) and not fresh.usable(1000.0, 3600, 1300.0)
    assert 1000.0 < fresh.renew_at(1000.0, 3600) < 1300.0  # a new one is ready before
    assert fresh.renew_at(1000.0, 120) < 1060.0


async def test_a_call_starts_on_the_prepared_connection_with_its_offer() -> None:
    prepared = PreparedOffer([], "all", name="prep")
    sdp = await asyncio.wait_for(prepared.prepare(), 5)
    assert "a=candidate:" in sdp and prepared.ready("all", ("VP8", "H264"))
    assert not prepared.ready("relay", ("VP8", "H264"))  # another policy: gather afresh
    a = make_side("a", prepared=prepared)
    b = make_side("b")
    try:
        assert a.peer.pc is prepared.pc and prepared.adopted
        offer = await a.peer.create_offer()
        assert offer == sdp  # no second gathering
        answer = await asyncio.wait_for(b.peer.accept_offer(offer), 5)
        # The offerer finishes ICE first and starts DTLS (tuning offerer_dtls_client).
        assert "a=setup:passive" in answer and "a=setup:active" not in answer
        await a.peer.accept_answer(answer)
        await asyncio.wait_for(asyncio.gather(a.peer.connected.wait(),
                                              b.peer.connected.wait()), 5)
        # Both ways: the tracks went on the prepared senders, the control channel opens.
        await wait_until(lambda: a.peer.video_sink.frames_received > 5
                         and b.peer.video_sink.frames_received > 5
                         and b.peer.audio_sink.frames_received > 5, 10)
        await asyncio.wait_for(b.peer.channel_open.wait(), 5)
        a.peer.send_json({"type": "chat", "text": "Hei"})
        await wait_until(lambda: bool(b.messages), 5)
        assert b.messages == [{"type": "chat", "text": "Hei"}]
        await prepared.close()  # the call owns it now: closing the prepared one does nothing
        assert a.peer.connection_state == "connected"
    finally:
        await a.peer.close()
        await b.peer.close()


async def test_a_prepared_connection_that_does_not_fit_is_refused() -> None:
    prepared = PreparedOffer([], "all")
    await prepared.prepare()
    try:
        with pytest.raises(ValueError):
            make_side("a", send_video=False, prepared=prepared)  # it offers to send video
        assert not prepared.adopted
    finally:
        await prepared.close()
    assert prepared.pc.connectionState == "closed"


async def test_the_primer_closes_the_offer_nobody_took() -> None:
    fetch, calls = fetcher(servers())
    primer = MediaPrimer(fetch)  # type: ignore[arg-type]
    primer.start()
    assert await primer.wait_ready(5)
    offer = primer.current()
    assert offer is not None and calls[0] == 1
    await primer.stop()  # the citizen left the queue
    assert primer.current() is None and not primer.running
    assert offer.pc.connectionState == "closed"
    assert await primer.take(0.1) is None


async def test_the_primer_renews_the_offer_before_it_grows_old() -> None:
    fetch, calls = fetcher(servers())
    primer = MediaPrimer(fetch, freshness=Freshness(max_age_s=1.0))  # type: ignore[arg-type]
    primer.start()
    try:
        assert await primer.wait_ready(5)
        first = primer.current()
        assert first is not None
        await wait_until(lambda: primer.prepared >= 2, 5)
        # A fresh one replaced it (new credentials asked for) and the old one is closed.
        second = primer.current()
        assert second is not None and second is not first and calls[0] >= 2
        await wait_until(lambda: first.pc.connectionState == "closed", 5)
        taken = await primer.take()
        assert taken is second and not primer.running
        assert taken.pc.connectionState == "new"  # the call's now, open
        await taken.close()
    finally:
        await primer.stop()


async def test_an_offer_whose_credentials_grew_old_is_never_used() -> None:
    clock = FakeClock()
    fetch, _ = fetcher(servers(ttl_s=120))
    primer = MediaPrimer(fetch, clock=clock)  # type: ignore[arg-type]
    primer.start()
    assert await primer.wait_ready(5)
    offer = primer.current()
    assert offer is not None
    clock.advance(61)  # past half of the 120 s credentials, before the renewal ran
    assert primer.current() is None
    assert await primer.take(0.05) is None  # the call gathers afresh with its own
    assert offer.pc.connectionState == "closed" and not primer.running


async def test_without_an_answer_the_primer_prepares_nothing_and_calls_gather() -> None:
    refused = ServerRefused(ErrorCode.BAD_MESSAGE, "unknown message type")
    fetch, calls = fetcher(refused)
    primer = MediaPrimer(fetch)  # type: ignore[arg-type]
    primer.start()
    assert not await primer.wait_ready(2)  # an older server: it stops asking at once
    assert not primer.running and calls[0] == 1
    assert await primer.take(0.05) is None

    fetch, calls = fetcher(NotConnected("down"))
    primer = MediaPrimer(fetch)  # type: ignore[arg-type]
    primer.start()
    assert await primer.take(0.1) is None  # signaling down: the call does not wait for it
    assert not primer.running
