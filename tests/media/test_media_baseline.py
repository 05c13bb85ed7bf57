"""The two-process baseline runs and reports sane figures."""

from __future__ import annotations

import asyncio

import pytest

from bench.media_baseline import run_baseline


@pytest.mark.slow
async def test_two_process_baseline() -> None:
    results = await asyncio.wait_for(asyncio.to_thread(run_baseline, 2.0, timeout_s=40), 45)
    assert set(results) == {"offerer", "answerer"}
    for side in results.values():
        assert "error" not in side, side
        assert 0 < side["connect_ms"] < 3000
        assert side["connect_ms"] <= side["setup_ms"] < 3000
        assert 0 < side["latency_p50_ms"] <= side["latency_p95_ms"] < 1000
        # Loose: other suites may share these two cores; the figures, not
        # this test, are what the benchmark compares.
        assert side["fps_decoded"] > 5
        assert side["frames_lost"] <= 2
        assert 0 < side["cpu_percent"] < 200
        assert side["audio_level_dbfs"] > -30
