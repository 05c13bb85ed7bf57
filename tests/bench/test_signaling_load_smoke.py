"""The signaling load benchmark runs end to end on a small scale."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "signaling_load.py"


@pytest.mark.slow
@pytest.mark.timeout(90)
def test_small_storm_completes_without_errors() -> None:
    proc = subprocess.run(
        # --idle 1: the 6 s settling before the memory reading is for real measurements; the
        # smoke test asks only that a reading is made.
        [sys.executable, str(SCRIPT), "--kiosks", "40", "--agents", "4", "--json", "--no-save",
         "--duration", "30", "--idle", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=80, check=False,
    )
    assert proc.stdout.strip(), proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1, proc.stdout[-3000:]
    result = json.loads(lines[0])
    for key in (
        "connections", "rss_per_connection_kib", "offer_latency_ms", "errors",
        "server_cpu_percent", "calls_completed", "duration_s", "kiosks", "agents",
        "server_exit_clean",
    ):
        assert key in result, key
    assert set(result["offer_latency_ms"]) >= {"p50", "p99", "max"}
    assert result["kiosks"] == 40
    assert result["agents"] == 4
    assert result["connections"] == 44
    assert result["errors"] == 0, (result.get("error_detail"), result.get("error_codes"))
    assert result["calls_completed"] == 40
    assert result["offer_latency_ms"]["p50"] is not None
    assert 0 < result["offer_latency_ms"]["p50"] <= result["offer_latency_ms"]["p99"]
    assert result["offer_latency_ms"]["p99"] <= result["offer_latency_ms"]["max"]
    assert result["rss_per_connection_kib"] is not None
    assert result["server_exit_clean"] is True
    assert proc.returncode == 0, proc.stderr[-3000:]
