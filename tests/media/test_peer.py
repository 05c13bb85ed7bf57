"""CallPeer: two peers in one process over the host's own interfaces."""

from __future__ import annotations

import asyncio
import time
import wave
from collections.abc import Callable
from pathlib import Path

import pytest
from aiortc.contrib.media import MediaRecorder
from aiortc.rtcconfiguration import RTCIceTransportPolicy
from aiortc.rtcicetransport import RTCIceGatherer

from client_core.peer import MAX_MESSAGE_BYTES, CallPeer, ControlChannelClosed
from client_core.rtc_config import IceServerConfig, rtc_configuration
from tests.media.conftest import make_side, negotiate, other_tasks, wait_until


def test_ice_configuration_is_explicit() -> None:
    empty = rtc_configuration([], "all")
    assert empty.iceServers == []
    # aiortc substitutes its public STUN server only for None, never for [].
    assert RTCIceGatherer(iceServers=empty.iceServers)._connection.stun_server is None
    assert RTCIceGatherer(iceServers=None)._connection.stun_server is not None

    turn = IceServerConfig(("turn:127.0.0.1:3478?transport=udp",), "user", "secret")
    assert turn.urls == ("turn:127.0.0.1:3478?transport=udp",)
    relay = rtc_configuration([turn], "relay")
    assert relay.iceTransportPolicy is RTCIceTransportPolicy.RELAY
    assert relay.iceServers is not None
    server = relay.iceServers[0]
    assert (server.urls, server.username, server.credential) == (list(turn.urls), "user", "secret")
    # JSON config gives a bare string or a list; both are normalised.
    assert IceServerConfig("stun:a").urls == ("stun:a",)
    assert IceServerConfig(["stun:a", "stun:b"]).urls == ("stun:a", "stun:b")


async def test_control_channel_needs_negotiation() -> None:
    peer = CallPeer([])
    assert peer.media_timeout_s == 4.0
    with pytest.raises(ValueError, match="AV1"):
        CallPeer([], video_codecs=("VP8", "AV1"))
    with pytest.raises(ControlChannelClosed):
        peer.send_json({"type": "chat"})
    await peer.close()


@pytest.mark.slow
async def test_call_both_ways(asyncio_errors: Callable[[], list[str]]) -> None:
    a, b = make_side("a"), make_side("b")
    try:
        start = time.monotonic()
        offer = await asyncio.wait_for(a.peer.create_offer(), 3)
        gathered = time.monotonic() - start
        answer = await asyncio.wait_for(b.peer.accept_offer(offer), 3)
        await asyncio.wait_for(a.peer.accept_answer(answer), 3)
        await asyncio.wait_for(asyncio.gather(a.peer.connected.wait(), b.peer.connected.wait()), 3)
        connect = time.monotonic() - start
        assert gathered < 1.0, "ICE gathering stalled (default STUN server?)"
        assert connect < 3.0
        assert a.peer.connect_ms is not None and a.peer.connect_ms < 3000
        assert a.peer.video_codec == b.peer.video_codec == "video/VP8"

        sinks = (a.peer.video_sink, b.peer.video_sink)
        await wait_until(lambda: min(s.frames_received for s in sinks) >= 30, 5)
        for side in (a, b):
            sink = side.peer.video_sink
            assert sink.out_of_order == 0 and sink.unstamped == 0
            # The sender's ladder starts at 24 fps: the frames it leaves out are not lost.
            sender = b if side is a else a
            encoder = sender.peer.send.encoder
            assert sink.missing <= 2 + (encoder.frames_dropped if encoder else 0)
            assert sink.last_stamp is not None and sink.last_stamp.counter >= 29
            assert side.peer.first_frame_ms is not None and side.peer.first_frame_ms < 2000
            lat = sorted(sink.latency_ms())
            assert 0 < lat[len(lat) // 2] < 500
            audio = side.peer.audio_sink
            assert audio.frames_received > 10
            assert audio.level_dbfs > -30, "the remote tone did not arrive"
            assert side.peer.sent_video is not None and side.peer.sent_video.frames >= 30

        await asyncio.wait_for(
            asyncio.gather(a.peer.channel_open.wait(), b.peer.channel_open.wait()), 3
        )
        a.peer.send_json({"type": "chat", "text": "Hei, miten voin auttaa?"})
        b.peer.send_json({"type": "chat", "text": "Hej!"})
        b.peer.send_bytes(b"\x00photo-chunk\xff")
        a.peer.control.channel.send("not json")  # type: ignore[union-attr]
        await wait_until(lambda: bool(a.messages and b.messages and a.blobs), 3)
        assert b.messages == [{"type": "chat", "text": "Hei, miten voin auttaa?"}]
        assert a.messages == [{"type": "chat", "text": "Hej!"}]
        assert a.blobs == [b"\x00photo-chunk\xff"]
        with pytest.raises(ValueError):
            a.peer.send_bytes(bytes(MAX_MESSAGE_BYTES + 1))
        a.peer.send_bytes(bytes(MAX_MESSAGE_BYTES))
        await wait_until(lambda: len(b.blobs) == 1, 3)
        assert not a.peer.media_failed.is_set() and not b.peer.media_failed.is_set()
    finally:
        await asyncio.wait_for(a.peer.close(), 5)
        await asyncio.wait_for(b.peer.close(), 5)
    assert a.peer.connection_state == b.peer.connection_state == "closed"
    await asyncio.sleep(0.1)
    assert other_tasks() == set()
    assert asyncio_errors() == []
    # The sources outlive the connection: a new CallPeer can take them.
    assert a.video.readyState == "live" and a.audio.readyState == "live"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("watcher", "stops", "a_sends_video"),
    [("a", "video", True), ("b", "video", True), ("b", "audio", False)],
    ids=["offerer-sees-video-stop", "answerer-sees-video-stop", "audio-only-remote"],
)
async def test_media_failed_when_remote_stops_sending(
    watcher: str, stops: str, a_sends_video: bool
) -> None:
    failures: list[str] = []
    a = make_side("a", 320, 240, media_timeout_s=1.0, send_video=a_sends_video)
    b = make_side("b", 320, 240, media_timeout_s=1.0)
    watching, sender = (a, b) if watcher == "a" else (b, a)
    watching.peer.on_media_failed = failures.append
    try:
        await negotiate(a.peer, b.peer)
        sink = watching.peer.video_sink if stops == "video" else watching.peer.audio_sink
        await wait_until(lambda: sink.frames_received >= 5, 3)
        stopped = time.monotonic()
        # The remote's source ends, so its sender goes quiet (audio too: a video freeze
        # alone is not a dead path, see the next test).
        sender.audio.stop()
        if stops == "video":
            sender.video.stop()
        await asyncio.wait_for(watching.peer.media_failed.wait(), 4)
        elapsed = time.monotonic() - stopped
        assert 0.9 < elapsed < 3.0
        assert failures == [watching.peer.failure_reason]
        assert watching.peer.failure_reason and f"no {stops}" in watching.peer.failure_reason
        if stops == "video":
            # The other direction still flows: that side's path is fine.
            assert not sender.peer.media_failed.is_set()
    finally:
        await a.peer.close()
        await b.peer.close()


@pytest.mark.slow
async def test_a_video_freeze_with_the_voice_still_coming_is_not_a_dead_path() -> None:
    a = make_side("a", 320, 240, media_timeout_s=1.0)
    b = make_side("b", 320, 240, media_timeout_s=1.0)
    try:
        await negotiate(a.peer, b.peer)
        await wait_until(lambda: a.peer.video_sink.frames_received >= 5, 3)
        b.video.stop()  # the clerk's camera source ends; the voice goes on
        await asyncio.sleep(2.5)
        assert not a.peer.media_failed.is_set(), a.peer.failure_reason
        b.audio.stop()
        await asyncio.wait_for(a.peer.media_failed.wait(), 4)
        assert a.peer.failure_reason and "no video" in a.peer.failure_reason
        assert "no audio" in a.peer.failure_reason
    finally:
        await a.peer.close()
        await b.peer.close()


async def test_media_failed_when_never_connected() -> None:
    """No usable candidate ever arrives: fail after connect_timeout_s."""
    a = make_side("a", 320, 240)
    b = make_side("b", 320, 240, connect_timeout_s=0.5)
    try:
        offer = await a.peer.create_offer()
        bare = "\r\n".join(
            line for line in offer.splitlines() if not line.startswith("a=candidate:")
        )
        await b.peer.accept_offer(bare + "\r\n")
        await asyncio.wait_for(b.peer.media_failed.wait(), 2)
        assert b.peer.failure_reason and "not connected" in b.peer.failure_reason
    finally:
        await a.peer.close()
        await b.peer.close()


@pytest.mark.slow
async def test_h264_when_the_offerer_asks_for_it() -> None:
    a = make_side("a", 320, 240, video_codecs=("H264",))
    b = make_side("b", 320, 240)
    try:
        await negotiate(a.peer, b.peer)
        assert a.peer.video_codec == b.peer.video_codec == "video/H264"
        sinks = (a.peer.video_sink, b.peer.video_sink)
        await wait_until(lambda: min(s.frames_received for s in sinks) >= 10, 5)
        assert all(s.unstamped == 0 and s.out_of_order == 0 for s in sinks)
    finally:
        await a.peer.close()
        await b.peer.close()


@pytest.mark.slow
async def test_trickled_candidates() -> None:
    """A browser sends its candidates one by one after the SDP."""
    a, b = make_side("a", 320, 240), make_side("b", 320, 240)
    try:
        offer = await a.peer.create_offer()
        lines = offer.splitlines()
        mid = next(line.split(":", 1)[1] for line in lines if line.startswith("a=mid:"))
        first_media = next(i for i, line in enumerate(lines) if line.startswith("m="))
        second_media = next(
            i for i, line in enumerate(lines) if line.startswith("m=") and i > first_media
        )
        candidates = [
            line[2:] for line in lines[first_media:second_media] if line.startswith("a=candidate:")
        ]
        assert candidates
        bare = "\r\n".join(
            line for line in lines if not line.startswith(("a=candidate:", "a=end-of-candidates"))
        )
        answer = await b.peer.accept_offer(bare + "\r\n")
        await a.peer.accept_answer(answer)
        for candidate in candidates:
            # The browser's form: "candidate:..." without the "a=".
            await b.peer.add_remote_candidate(candidate, sdp_mid=mid, sdp_mline_index=0)
        await b.peer.add_remote_candidate(None, sdp_mid=mid)
        await asyncio.wait_for(asyncio.gather(a.peer.connected.wait(), b.peer.connected.wait()), 3)
        await wait_until(lambda: b.peer.video_sink.frames_received >= 5, 3)
    finally:
        await a.peer.close()
        await b.peer.close()


@pytest.mark.slow
async def test_remote_audio_to_an_output(tmp_path: Path) -> None:
    """Remote audio goes to the speaker (a WAV file here) and the sink both."""
    path = tmp_path / "speaker.wav"
    a = make_side("a", 320, 240)
    b = make_side("b", 320, 240, audio_output=MediaRecorder(str(path)))
    try:
        await negotiate(a.peer, b.peer)
        await wait_until(lambda: b.peer.audio_sink.frames_received >= 40, 4)
        assert b.peer.audio_sink.level_dbfs > -30
    finally:
        await a.peer.close()
        await b.peer.close()
    with wave.open(str(path)) as wav:
        assert wav.getnframes() / wav.getframerate() > 0.5
