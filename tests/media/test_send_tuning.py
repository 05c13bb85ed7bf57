"""The send side's tuning: the video ladder, Opus with FEC, and the aiortc hooks they use."""

from __future__ import annotations

import asyncio

import aiortc
import numpy as np
import pytest
from aiortc import RTCPeerConnection
from av import AudioFrame
from av.packet import Packet

from client_core import aiortc_hooks, opus_native
from client_core.audio_send import OpusSendTrack
from client_core.media_synthetic import SyntheticAudioTrack, SyntheticVideoTrack, voice_like
from client_core.video_send import LADDER, START_RUNG, LadderController, TunedVp8Encoder


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
        marker = object()
        assert aiortc_hooks.use_encoder(sender, marker)
        assert sender._RTCRtpSender__encoder is marker
        assert not aiortc_hooks.use_encoder(sender, object())  # never swapped mid-stream
    finally:
        await pc.close()
