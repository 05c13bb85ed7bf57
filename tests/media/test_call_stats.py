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
    a, _ = pair
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
    assert sample.loss_in == 0 and sample.frames_missing == 0
    assert sample.jitter_ms is not None and sample.jitter_ms >= 0
    assert sample.bitrate_out_kbps > 100 and sample.bitrate_in_kbps > 100
    assert sample.latency_p50_ms is not None and 0 < sample.latency_p50_ms < 1000
    assert sample.latency_p95_ms is not None and sample.latency_p95_ms >= sample.latency_p50_ms
    assert sample.audio_level_dbfs is not None and sample.audio_level_dbfs > -30
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
