"""Playout delay and the audio jitter buffer, on a simulated clock (no network)."""

from __future__ import annotations

import asyncio
import time

from aiortc.rtp import RtpPacket
from av import VideoFrame

from client_core import opus_native
from client_core.audio_receive import AudioJitterBuffer
from client_core.media_tuning import MediaTuning
from client_core.playout import DelayConfig, PlayoutDelay, VideoPlayoutTrack


def test_delay_grows_at_once_to_cover_late_frames_and_decays_slowly() -> None:
    cfg = DelayConfig(window_s=10.0, quantile=97.0, margin_s=0.0, tolerance_s=0.1,
                      warmup_s=0.0, decay_s_per_s=0.03)
    delay = PlayoutDelay(cfg)
    t = 0.0
    for n in range(300):  # 10 s on time, 40 ms transit
        t = n / 30
        delay.observe(t, t + 0.04)
    assert delay.delay_s == 0.0
    assert abs(delay.due(10.0) - (10.0 + 0.04)) < 1e-9
    for n in range(300, 330):  # every other frame waits for a 250 ms retransmission
        t = n / 30
        delay.observe(t, t + 0.04 + (0.25 if n % 2 == 0 else 0.0))
    assert 0.14 < delay.delay_s < 0.16  # 250 ms late, 100 ms of it tolerated
    for n in range(330, 360):  # one quiet second: down by 30 ms at most
        t = n / 30
        delay.observe(t, t + 0.04)
    assert delay.delay_s > 0.11


def test_frames_a_retransmission_completed_raise_the_delay_to_cover_one_round_trip() -> None:
    # Loss at 150 ms RTT: one frame in fifty waits ~190 ms for its retransmission, too few
    # for the 97th percentile of all frames to see, each a freeze if not covered.
    cfg = DelayConfig(warmup_s=0.0)
    delay, quiet = PlayoutDelay(cfg), PlayoutDelay(cfg)
    for n in range(300):  # 10 s
        t = n / 30
        recovered = n % 50 == 10
        late = 0.19 if recovered else 0.005 * (n % 3)
        delay.observe(t, t + 0.04 + late, recovered=recovered)
        quiet.observe(t, t + 0.04 + late)  # the same lateness, not known as retransmissions
    assert quiet.delay_s < 0.02
    # Covered so that the gap it leaves (lateness - delay + a frame) stays under 150 ms more
    # than a frame's interval, the W3C rule's freeze.
    expected = 0.19 + cfg.margin_s - cfg.recovery_tolerance_s
    assert abs(delay.delay_s - expected) < 0.005
    assert 0.19 - delay.delay_s + 1 / 30 < 1 / 30 + 0.15
    for n in range(300, 300 + 30 * 30):  # 30 s without loss: back to nothing
        t = n / 30
        delay.observe(t, t + 0.04)
    assert delay.recovery_floor() == 0.0 and delay.delay_s < 0.01


def test_the_first_retransmission_on_a_long_round_trip_sets_the_floor_at_once() -> None:
    cfg = DelayConfig(warmup_s=0.0)
    delay = PlayoutDelay(cfg)
    for n in range(60):
        delay.observe(n / 30, n / 30 + 0.04)
    delay.observe(2.0, 2.0 + 0.04 + 0.2, recovered=True)
    assert abs(delay.delay_s - (0.2 + cfg.margin_s - cfg.recovery_tolerance_s)) < 0.005


def test_a_retransmission_in_the_first_seconds_sets_the_floor_too() -> None:
    cfg = DelayConfig(warmup_s=2.0)
    delay = PlayoutDelay(cfg)
    delay.observe(0.0, 0.5)  # the first keyframe: not counted
    for n in range(1, 30):
        delay.observe(n / 30, n / 30 + 0.04 + (0.1 if n == 5 else 0.0))  # jitter: not yet
    assert delay.delay_s == 0.0
    delay.observe(1.0, 1.0 + 0.04 + 0.2, recovered=True)
    assert abs(delay.delay_s - (0.2 + cfg.margin_s - cfg.recovery_tolerance_s)) < 0.005


def test_retransmissions_on_a_short_round_trip_cost_no_delay() -> None:
    delay = PlayoutDelay(DelayConfig(warmup_s=0.0))
    for n in range(300):  # a cell link: 40 ms round trip, one frame in ten retransmitted
        t = n / 30
        delay.observe(t, t + 0.04 + (0.05 if n % 10 == 0 else 0.0), recovered=n % 10 == 0)
    assert delay.recovery_floor() <= 0.0 and delay.delay_s < 0.01


def test_the_first_seconds_do_not_set_the_delay() -> None:
    delay = PlayoutDelay(DelayConfig(warmup_s=2.0, tolerance_s=0.0, margin_s=0.0))
    delay.observe(0.0, 0.5)  # a first keyframe that took its time
    for n in range(1, 120):
        delay.observe(n / 30, n / 30 + 0.02)
    assert delay.delay_s < 0.01


def test_rtp_timestamps_unwrap() -> None:
    delay = PlayoutDelay(clock_rate=90000)
    first = delay.media_time(0xFFFFFF00)
    assert abs(delay.media_time(0x100) - first - 0x200 / 90000) < 1e-9


async def test_video_playout_keeps_time_and_shows_the_newest_of_overdue_frames() -> None:
    track = VideoPlayoutTrack()
    frame = VideoFrame(width=16, height=16, format="yuv420p")
    now = time.monotonic()
    track.put(frame, now + 0.05)
    got = await asyncio.wait_for(track.recv(), 1)
    assert got is frame and time.monotonic() - now >= 0.045
    late = [VideoFrame(width=16, height=16, format="yuv420p") for _ in range(3)]
    for i, f in enumerate(late):
        track.put(f, time.monotonic() - 0.1 + i * 0.01)
    assert await asyncio.wait_for(track.recv(), 1) is late[-1]
    assert track.frames_skipped == 2
    track.end()


def _opus_stream(count: int) -> list[RtpPacket]:
    encoder = opus_native.OpusEncoder(1)
    from client_core.media_synthetic import voice_like

    pcm = (0.3 * 32767 * voice_like()).astype("<i2").tobytes()
    packets = []
    for n in range(count):
        packet = RtpPacket(payload_type=96, sequence_number=n, timestamp=n * 960, ssrc=9)
        packet._data = encoder.encode(pcm[n * 1920 : (n + 1) * 1920])
        packets.append(packet)
    return packets


def _play(buffer: AudioJitterBuffer, arrivals: dict[int, float], packets: list[RtpPacket],
          ticks: int, start: float = 0.0) -> list[str]:
    kinds = []
    pending = sorted((t, n) for n, t in arrivals.items())
    for k in range(ticks):
        now = start + k * 0.02
        while pending and pending[0][0] <= now:
            buffer.insert(packets[pending.pop(0)[1]], now)
        kinds.append(buffer.next(now).kind)
    return kinds


def test_audio_buffer_uses_fec_for_a_single_loss_and_conceals_a_burst() -> None:
    packets = _opus_stream(60)
    arrivals = {n: n * 0.02 for n in range(60) if n not in (20, 35, 36, 37)}
    buffer = AudioJitterBuffer(fec=True)
    kinds = _play(buffer, arrivals, packets, 70)
    played = [k for k in kinds if k != "wait"]
    assert played.count("fec") == 2  # packet 20 and the last of the burst
    assert played.count("conceal") >= 2
    c = buffer.counters
    assert c.fec_samples == 2 * 960 and c.concealed_samples == played.count("conceal") * 960
    no_fec = AudioJitterBuffer(fec=False)
    kinds = _play(no_fec, arrivals, packets, 70)
    assert "fec" not in kinds and no_fec.counters.concealed_samples >= 4 * 960


def test_audio_buffer_waits_for_a_late_packet_instead_of_dropping_it() -> None:
    packets = _opus_stream(40)
    arrivals = {n: n * 0.02 for n in range(40)}
    arrivals[20] = arrivals[21] = 20 * 0.02 + 0.15  # a 150 ms jitter spike
    for n in range(22, 40):
        arrivals[n] = max(arrivals[n], arrivals[20])
    buffer = AudioJitterBuffer()
    _play(buffer, arrivals, packets, 60)
    c = buffer.counters
    assert c.late_packets == 0  # all of them played
    assert c.concealed_samples > 0  # the spike itself was concealed (one frame a tick)
    assert c.total_samples - c.concealed_samples - c.accelerated_samples >= 39 * 960


def test_media_tuning_from_a_spec() -> None:
    assert MediaTuning.parse("all") == MediaTuning()
    stock = MediaTuning.parse("stock")
    assert not any(getattr(stock, n) for n in MediaTuning.names())
    mixed = MediaTuning.parse("stock,+audio_receive")
    assert mixed.audio_receive and not mixed.video_receive
    assert not MediaTuning.parse("-video_playout").video_playout
    try:
        MediaTuning.parse("fast")
    except ValueError as exc:
        assert "fast" in str(exc)
    else:
        raise AssertionError("a bad spec was accepted")
