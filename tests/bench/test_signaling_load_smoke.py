"""The signaling load benchmark runs end to end on a small scale."""

from __future__ import annotations

import json
import os
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


def test_pinning_binds_the_child_and_its_threads_to_the_cpus_given() -> None:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import signaling_load
    finally:
        sys.path.remove(str(SCRIPT.parent))
    assert signaling_load.pin_plan(False) is None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        pytest.skip("needs two CPUs")
    plan = signaling_load.pin_plan(True)
    assert plan == {"server": [cpus[0]], "loadgen": [cpus[1]]}
    probe = ("import os, threading; seen = []; "
             "t = threading.Thread(target=lambda: seen.append(os.sched_getaffinity(0))); "
             "t.start(); t.join(); print(sorted(os.sched_getaffinity(0)), sorted(seen[0]))")
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True,
        preexec_fn=signaling_load.pinned({cpus[1]}),
    ).stdout.split()
    assert out == [f"[{cpus[1]}]", f"[{cpus[1]}]"]
    unpinned = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True,
        preexec_fn=signaling_load.pinned(None),
    ).stdout
    assert str(cpus) in unpinned
