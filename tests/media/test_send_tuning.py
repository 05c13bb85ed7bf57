"""The send side's tuning: the video ladder, Opus with FEC, and the aiortc hooks they use."""

from __future__ import annotations

import asyncio

import aiortc
import numpy as np
import pytest
from aiortc import RTCPeerConnection
from aiortc.rtp import RTCP_RTPFB_NACK, RtcpRtpfbPacket
from av import AudioFrame
from av.packet import Packet

from client_core import aiortc_hooks, opus_native
from client_core.audio_send import OpusSendTrack
from client_core.media_synthetic import SyntheticAudioTrack, SyntheticVideoTrack, voice_like
from client_core.retransmit_gate import RetransmitGate
from client_core.video_send import (
    AUDIO_BPS,
    LADDER,
    START_RUNG,
    LadderController,
    TunedVp8Encoder,
)


def test_ladder_probes_up_then_steps_down_at_once_on_overflow_and_holds() -> None:
    ladder = LadderController(probe_s=4.0, up_after_s=10.0, hold_s=30.0)  # slower than default
    assert ladder.rung_index == START_RUNG
    for t in range(12):  # no loss: room, one rung up every 4 s or so
        ladder.on_loss(0.0, now=float(t))
    assert ladder.rung_index < START_RUNG
    # A narrow uplink overflows: a quarter of the packets lost, report after report.
    wide = ladder.rung_index
    for t in range(12, 15):
        ladder.on_loss(0.25, now=float(t))
    assert ladder.ceiling is not None and ladder.rung.bitrate <= ladder.budget(15.0)
    narrow = ladder.rung_index
    assert narrow > wide and ladder.congestions == 1  # the late third report not counted
    for t in range(16, 45):  # quiet again, but the ceiling holds 30 s
        ladder.on_loss(0.0, now=float(t))
    assert ladder.rung_index == narrow
    for t in range(45, 80):  # then up again, slowly (10 s a rung after congestion)
        ladder.on_loss(0.0, now=float(t))
    assert ladder.rung_index < narrow


def test_a_packet_is_resent_once_per_round_trip_however_many_nacks_name_it() -> None:
    gate = RetransmitGate()
    assert gate.allow(100, 0.0, rtt_s=0.16)
    assert not gate.allow(100, 0.001, rtt_s=0.16)  # the NACK's second copy
    assert gate.allow(101, 0.001, rtt_s=0.16)  # another packet of the same NACK
    assert gate.allow(100, 0.19, rtt_s=0.16)  # the receiver's retry, a round trip later
    assert (gate.resent, gate.refused) == (3, 1)
    assert gate.interval(None) == gate.default_interval_s
    assert gate.interval(5.0) == gate.max_interval_s
    for seq in range(2000):  # bounded memory
        gate.allow(seq, 1.0)
    assert len(gate._last) <= 512


def weak_uplink(ladder: LadderController, seconds: float, start: float = 0.0,
                capacity_bps: float = 300_000) -> list[tuple[float, int, float]]:
    """A 300 kbit/s uplink with a 185 ms buffer: the queue grows by what the rung sends over
    the capacity; loss reports once a second, queue reports twice (what happened, per 0.5 s)."""
    queue, seen, t = 0.0, [], start
    while t < start + seconds:
        t += 0.5
        sending = (ladder.rung.bitrate * 1.12 + AUDIO_BPS) / capacity_bps
        queue = min(0.185, max(0.0, queue + 0.5 * (sending - 1.0)))
        ladder.on_queue(0.005 + queue, t)
        if t % 1.0 == 0:
            ladder.on_loss(0.0, t, sent_bps=float(ladder.rung.bitrate))
        seen.append((t, ladder.rung.bitrate, queue))
    return seen


def test_a_climb_that_fills_the_queue_goes_straight_back_and_is_not_retried_soon() -> None:
    ladder = LadderController()
    seen = weak_uplink(ladder, 60.0)
    # The first climb, to 240 kbit/s (more than 300 kbit/s with audio and headers), is
    # undone before the buffer is half full: no loss, no congestion cut to 110 kbit/s.
    assert max(q for _, _, q in seen) < 0.09
    # On a link that fills faster, one report twice the rise is enough.
    fast = LadderController()
    fast_seen = weak_uplink(fast, 20.0, capacity_bps=280_000)
    assert max(q for _, _, q in fast_seen) < 0.08 and fast.failed_probes >= 1
    assert fast.congestions == 0
    assert ladder.congestions == 0
    assert min(rate for _, rate, _ in seen) == LADDER[START_RUNG].bitrate
    assert ladder.rung_index == START_RUNG
    climbs = [t for (t, r, _), (_, r0, _) in zip(seen[1:], seen, strict=False) if r > r0]
    # Tried again after 15 s, then 30 s: three probes in a minute, not one every 2 s.
    assert ladder.failed_probes == len(climbs) == 3
    assert climbs[1] - climbs[0] >= 15 and climbs[2] - climbs[1] >= 30


def test_a_climb_the_link_carries_stays() -> None:
    ladder = LadderController()
    weak_uplink(ladder, 30.0, capacity_bps=2_000_000)
    assert ladder.failed_probes == 0 and ladder.rung_index < START_RUNG - 2


def test_retransmissions_go_twice_only_while_the_ladder_calls_the_link_calm() -> None:
    gate, ladder = RetransmitGate(), LadderController()
    for t in range(6):  # random loss, nothing queued
        ladder.on_queue(0.01, float(t))
        ladder.on_loss(0.03, float(t), sent_bps=180_000.0)
    assert ladder.calm(5.0)
    assert gate.copies(1, 5.0, 0.16, duplicate=ladder.calm(5.0)) == 2
    assert gate.copies(1, 5.01, 0.16, duplicate=True) == 0  # the NACK's second copy
    for t in range(6, 12):  # lasting heavy loss: congestion
        ladder.on_loss(0.3, float(t), sent_bps=180_000.0)
    assert ladder.congestions >= 1 and not ladder.calm(12.0)
    assert gate.copies(2, 12.0, 0.16, duplicate=ladder.calm(12.0)) == 1
    assert gate.duplicated == 1


def test_remb_is_recorded_but_does_not_move_the_ladder() -> None:
    ladder = LadderController()
    for t in range(20):  # aiortc's estimator on an idle link, under CPU load
        ladder.on_remb(55_000, now=float(t))
    assert ladder.remb == 55_000 and ladder.rung_index == START_RUNG


def test_random_loss_holds_the_rate_and_heavy_loss_cuts_it() -> None:
    ladder = LadderController()
    before = ladder.loss_estimate
    for t in range(10):
        ladder.on_loss(0.03, now=float(t))  # 3 % random loss is not congestion
    assert ladder.loss_estimate <= before and ladder.congestions == 0
    for t in range(10, 14):
        ladder.on_loss(0.3, now=float(t))  # a queue overflowing, second after second
    assert ladder.rung_index >= START_RUNG and ladder.congestions == 1


async def test_tuned_encoder_scales_drops_frames_and_keys_on_request() -> None:
    ladder = LadderController()
    ladder.rung_index = len(LADDER) - 1  # 320x240 at 10 fps
    encoder = TunedVp8Encoder(ladder)
    source = SyntheticVideoTrack(640, 480, 30.0)
    sent = []
    for _ in range(15):
        frame = await source.recv()
        payloads, _ = await asyncio.get_running_loop().run_in_executor(
            None, encoder.encode, frame, False)
        sent.append(payloads)
    source.stop()
    kept = [p for p in sent if p]
    assert 3 <= len(kept) <= 7  # ~10 of 30 fps over half a second
    assert encoder.codec is not None and (encoder.codec.width, encoder.codec.height) == (320, 240)
    assert encoder.keyframes == 1  # the new encoder's first frame
    # aiortc's sender hands REMB to target_bitrate: it reaches the ladder.
    encoder.target_bitrate = 123_000
    assert ladder.remb == 123_000


@pytest.mark.skipif(not opus_native.available(), reason="libopus missing")
async def test_opus_send_track_hands_the_sender_speech_packets() -> None:
    track = OpusSendTrack(SyntheticAudioTrack(voice=True))
    first = await track.recv()
    assert isinstance(first, AudioFrame)  # until told the call sends Opus: raw frames
    track.use_opus(True)
    packets = [await track.recv() for _ in range(50)]
    assert all(isinstance(p, Packet) for p in packets)
    assert [p.pts for p in packets[:3]] == [0, 960, 1920]
    rate = sum(p.size for p in packets) * 8 / 1.0  # 50 packets: one second
    assert 20_000 < rate < 45_000
    decoder = opus_native.OpusDecoder(2)
    pcm = np.frombuffer(decoder.decode(bytes(packets[10])), dtype="<i2")
    assert pcm.size == 960 * 2
    track.stop()


@pytest.mark.skipif(not opus_native.available(), reason="libopus missing")
def test_opus_fec_rebuilds_a_lost_speech_frame_better_than_concealment() -> None:
    encoder = opus_native.OpusEncoder(1)
    pcm = (0.3 * 32767 * voice_like()).astype("<i2")
    packets = [encoder.encode(pcm[i : i + 960].tobytes()) for i in range(0, 60 * 960, 960)]

    def error_of(lost: int, fec: bool) -> float:
        decoder = opus_native.OpusDecoder(1)
        out = b""
        for n, packet in enumerate(packets[: lost + 2]):
            if n == lost:
                out += decoder.decode_fec(packets[n + 1]) if fec else decoder.conceal()
            else:
                out += decoder.decode(packet)
        got = np.frombuffer(out, dtype="<i2").astype(float)[lost * 960 : (lost + 1) * 960]
        clean = opus_native.OpusDecoder(1)
        ref = b"".join(clean.decode(p) for p in packets[: lost + 1])
        want = np.frombuffer(ref, dtype="<i2").astype(float)[lost * 960 :]
        return float(np.mean((got - want) ** 2))

    lost_frames = range(20, 55, 5)
    with_fec = sum(error_of(n, True) for n in lost_frames)
    assert with_fec < sum(error_of(n, False) for n in lost_frames)


async def test_hooks_fit_the_installed_aiortc() -> None:
    """Fails when aiortc is upgraded past what client_core.aiortc_hooks was written for:
    read the hooks against the new release, then extend ``SUPPORTED``."""
    assert aiortc.__version__.startswith(aiortc_hooks.SUPPORTED), aiortc.__version__
    assert aiortc_hooks.supported()
    pc = RTCPeerConnection()
    try:
        transceiver = pc.addTransceiver("video")
        receiver, sender = transceiver.receiver, transceiver.sender
        taken: list[object] = []
        tap = aiortc_hooks.tap_receiver(receiver, taken.append)
        assert tap is not None
        assert receiver._RTCRtpReceiver__jitter_buffer is tap
        assert receiver._RTCRtpReceiver__nack_generator is None
        asked: list[int] = []
        assert aiortc_hooks.gate_retransmissions(sender, lambda seq: asked.append(seq) or 0)
        await sender._retransmit(7)  # refused: aiortc's resend is not reached
        resent: list[int] = []

        async def resend(seq: int) -> None:
            resent.append(seq)

        sender._retransmit = resend
        assert aiortc_hooks.gate_retransmissions(sender, lambda seq: {8: 0, 9: 1}.get(seq, 2))
        # A NACK as aiortc's RTCP handling delivers it goes through the gate.
        nack = RtcpRtpfbPacket(fmt=RTCP_RTPFB_NACK, ssrc=1, media_ssrc=sender._ssrc)
        nack.lost = [8, 9, 10]
        await sender._handle_rtcp_packet(nack)
        assert asked == [7] and resent == [9, 10, 10]
        marker = object()
        assert aiortc_hooks.use_encoder(sender, marker)
        assert sender._RTCRtpSender__encoder is marker
        assert not aiortc_hooks.use_encoder(sender, object())  # never swapped mid-stream
    finally:
        await pc.close()
