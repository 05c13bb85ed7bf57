"""Call stats: grading rules and a live sample from a real call."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from client_core.call_stats import CallStatsCollector, StatsSample, grade
from tests.media.conftest import Side, wait_until

GOOD: dict[str, Any] = {
    "rtt_ms": 20.0,
    "loss": 0.0,
    "fps": 30.0,
    "expected_fps": 30.0,
    "freeze_ms": 0.0,
    "interval_s": 5.0,
    "jitter_ms": 5.0,
}


def test_grade_thresholds() -> None:
    assert grade(**GOOD) == "good"
    assert grade(**{**GOOD, "rtt_ms": None, "loss": None, "jitter_ms": None}) == "good"
    assert grade(**{**GOOD, "rtt_ms": 200.0}) == "fair"
    assert grade(**{**GOOD, "loss": 0.05}) == "fair"
    assert grade(**{**GOOD, "freeze_ms": 300.0}) == "fair"
    assert grade(**{**GOOD, "fps": 20.0}) == "fair"
    assert grade(**{**GOOD, "rtt_ms": 450.0}) == "poor"
    assert grade(**{**GOOD, "loss": 0.1}) == "poor"
    assert grade(**{**GOOD, "fps": 10.0}) == "poor"
    assert grade(**{**GOOD, "freeze_ms": 1500.0}) == "poor"
    assert grade(**{**GOOD, "jitter_ms": 50.0}) == "fair"
    assert grade(**{**GOOD, "jitter_ms": 150.0}) == "poor"


@pytest.mark.slow
async def test_live_sample(pair: tuple[Side, Side]) -> None:
    a, b = pair
    collector = CallStatsCollector.for_peer(a.peer, interval_s=0.5)
    await collector.start()
    await asyncio.sleep(2.5)
    sample = await asyncio.wait_for(collector.sample(), 2)
    assert isinstance(sample, StatsSample)
    assert 2.3 < sample.interval_s < 3.5
    # Loose upper bounds: other test suites may share these two cores.
    assert sample.rtt_ms is not None and 0 <= sample.rtt_ms < 1000
    assert sample.fps_decoded > 20
    assert sample.fps_sent is not None and sample.fps_sent > 20
    # Frames may be left out on purpose: the sender's video ladder starts at 24 fps, and the
    # playout shows only the newest of frames that are overdue at once. None is lost.
    encoder, path = b.peer.send.encoder, a.peer.remote.video_path
    on_purpose = (encoder.frames_dropped if encoder else 0) + (
        path.track.frames_skipped if path else 0)
    assert sample.loss_in == 0 and sample.frames_missing <= on_purpose
    assert sample.jitter_ms is not None and sample.jitter_ms >= 0
    assert sample.bitrate_out_kbps > 100 and sample.bitrate_in_kbps > 100
    assert sample.latency_p50_ms is not None and 0 < sample.latency_p50_ms < 1000
    assert sample.latency_p95_ms is not None and sample.latency_p95_ms >= sample.latency_p50_ms
    # The level is the last frame's; on a busy machine that frame may be one the jitter buffer
    # concealed (fading), so ask for sound rather than the tone's full level, and for audio
    # that is mostly received, not synthesised.
    assert sample.audio_level_dbfs is not None and sample.audio_level_dbfs > -60
    assert sample.audio_samples > 0
    assert sample.audio_concealed_samples < sample.audio_samples / 2
    expected = grade(
        rtt_ms=sample.rtt_ms,
        loss=sample.loss_in,
        fps=sample.fps_decoded,
        expected_fps=30.0,
        freeze_ms=sample.freeze_ms,
        interval_s=sample.interval_s,
        jitter_ms=sample.jitter_ms,
    )
    assert sample.grade == expected
    as_dict = sample.as_dict()
    assert as_dict["grade"] == expected and set(as_dict) >= {"rtt_ms", "loss_in", "fps_decoded"}

    # Periodic sampling.
    samples: list[StatsSample] = []
    collector.run(samples.append)
    await wait_until(lambda: len(samples) >= 2, 3)
    await collector.stop()
    assert all(0.3 < s.interval_s < 1.5 and s.fps_decoded > 0 for s in samples)
