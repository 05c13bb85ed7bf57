"""Calls through the whole system against bare aiortc, measured in the same run.

    python bench/call_media.py [--calls 20] [--hold 8] [--baseline-calls 3] [--json]
    python bench/call_media.py --members 2,3,4 [--hold 20] [--video-size 640x480]

With ``--members``: kiosk CPU and bandwidth in calls of that many members instead (see
``bench/call_members.py``).

The system: a signaling server, a headless kiosk and a headless agent, three processes on
loopback; the kiosk queues, the agent accepts, the call holds ``--hold`` seconds with 640x480
VP8 at 30 fps and audio both ways, the kiosk hangs up, ``--calls`` times in a row.
The baseline (``bench/media_baseline.py``): two bare aiortc peers in two processes with the same
synthetic sources, sinks and stats code, no signaling server. Every figure comes with its ratio
to the baseline measured moments before on this machine.

Definitions:
- ``setup_ms``: system, the agent's accept → first decoded frame, the later of the two sides;
  baseline, the offerer's start → first decoded frame, the later side.
- ``latency_ms``: capture stamp embedded in the frame → decoded; per call p50 and p95 of every
  frame's latency, then the median over calls.
- ``cpu_percent``: process CPU time per wall second over the calls (one core = 100).
- ``rss_growth_mib``: the rise of the kiosk's RSS from the first five calls to the last five,
  each sampled at the call's first stats report (5 s in): the larger of the rise of the
  minimum and of the maximum (see ``_growth``). ``rss_in_each_call_mib`` has every sample.
- ``frames_lost``: gaps in the embedded frame counters, both directions, all calls.
Results go to ``bench/results/call_media.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.media_baseline import run_baseline  # noqa: E402
from demo.process import start_server, wait_ready  # noqa: E402
from demo.seed import seed  # noqa: E402
from signaling.settings import Settings  # noqa: E402
from tests.calls.processes import Headless, free_port, kill_all, spawn  # noqa: E402


def _median(values: list[float]) -> float | None:
    clean = [v for v in values if v is not None]
    return statistics.median(clean) if clean else None


def _pct(values: list[float], q: float) -> float | None:
    clean = sorted(v for v in values if v is not None)
    if not clean:
        return None
    k = (len(clean) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(clean) - 1)
    return clean[lo] + (clean[hi] - clean[lo]) * (k - lo)


def _per_call(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any] | None]:
    """For each ``call_start`` event, the first ``kind`` event before the next one."""
    out: list[dict[str, Any] | None] = []
    for event in events:
        if event.get("event") == "call_start":
            out.append(None)
        elif event.get("event") == kind and out and out[-1] is None:
            out[-1] = event
    return out


def _setups(
    kiosk: list[dict[str, Any]], agent: list[dict[str, Any]]
) -> tuple[list[float], int]:
    """Per call: the agent's accept (its last ``offer`` event before ``call_start``) to the later
    of the two sides' first decoded frame; and how many calls lacked a first frame. Calls are
    matched by order of ``call_start`` within each process, never across a missing event."""
    accepts: list[float] = []
    last_offer: float | None = None
    for event in agent:
        if event.get("event") == "offer":
            last_offer = event["t"]
        elif event.get("event") == "call_start" and last_offer is not None:
            accepts.append(last_offer)
    k_first, a_first = _per_call(kiosk, "first_frame"), _per_call(agent, "first_frame")
    setups, missing = [], 0
    for accepted, kf, af in zip(accepts, k_first, a_first, strict=False):
        if kf is None or af is None:
            missing += 1
            continue
        setups.append((max(kf["t"], af["t"]) - accepted) * 1000)
    return setups, missing


def _stats_in_current_call(events: list[dict[str, Any]]) -> bool:
    """Whether a ``stats`` event has come since the latest ``call_start``."""
    for event in reversed(events):
        if event.get("event") == "stats":
            return True
        if event.get("event") == "call_start":
            return False
    return False


def _growth(rss: list[float]) -> float:
    """How much the kiosk's memory rose from the first calls to the last: the larger of the
    rise of the floor (minimum of five samples at each end) and of the peak (maximum).

    Samples taken at the same point of each call are bimodal, ~143 or ~159 MiB in one run,
    as glibc does or does not hold one more arena: a median would report the mix of modes
    as growth. A leak lifts both floor and peak; the mix of modes moves neither.
    With fewer than ten calls, last minus first."""
    if len(rss) < 2:
        return 0.0
    if len(rss) < 10:
        return rss[-1] - rss[0]
    first, last = rss[:5], rss[-5:]
    return max(min(last) - min(first), max(last) - max(first))


def _cpu(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return float(times.user + times.system + times.children_user + times.children_system)


async def run_system(calls: int, hold_s: float) -> dict[str, Any]:
    """``calls`` calls back to back through server, headless kiosk and headless agent."""
    tmp = Path(tempfile.mkdtemp(prefix="etapiste-bench-"))
    setup = seed(tmp / "data", Settings().catalogue)
    token = next(iter(setup.kiosk_tokens.values()))
    port = free_port()
    server = start_server(tmp / "data", port, {"ETAPISTE_WRAPUP_S": "0"})
    agent: Headless | None = None
    kiosk: Headless | None = None
    try:
        await wait_ready(f"http://127.0.0.1:{port}")
        agent = await spawn(
            "agent_console",
            ["--server", f"http://127.0.0.1:{port}", "--username", "aino", "--calls",
             str(calls), "--hold", "600", "--stats-interval", "5"],
            {"ETAPISTE_PASSWORD": "demo-aino-2026"},
        )
        await agent.wait_event("welcome", 30)
        kiosk = await spawn(
            "kiosk",
            ["--server", f"ws://127.0.0.1:{port}/ws", "--calls", str(calls), "--hold",
             str(hold_s), "--stats-interval", "5"],
            {"ETAPISTE_KIOSK_TOKEN": token},
        )
        kp, ap = psutil.Process(kiosk.proc.pid), psutil.Process(agent.proc.pid)
        await kiosk.wait_event("call_start", 60)
        t0, k0, a0 = time.monotonic(), _cpu(kp), _cpu(ap)
        rss: list[float] = []
        seen = 0
        deadline = time.monotonic() + calls * (hold_s + 30) + 60
        while seen < calls and time.monotonic() < deadline:
            # One sample per call at the same point of each: its first stats report (5 s in),
            # when the call's media is in full flow. Samples at the end of a call jitter by
            # ~15 MiB with how much of the call's memory has been given back yet.
            if len(rss) < len(kiosk.of("call_start")) and _stats_in_current_call(kiosk.events):
                rss.append(kp.memory_info().rss / 2**20)
            seen = len(kiosk.of("call_done"))
            if kiosk.proc.returncode is not None:
                break
            await asyncio.sleep(0.05)
        t1, k1, a1 = time.monotonic(), _cpu(kp), _cpu(ap)
        assert await kiosk.finish(60) == 0, "kiosk failed"
        assert await agent.finish(60) == 0, "agent failed"
        setups, no_first_frame = _setups(kiosk.events, agent.events)
        k_done, a_done = kiosk.of("call_done"), agent.of("call_done")
        both = k_done + a_done
        return {
            "calls": len(k_done),
            "setup_ms": {"p50": _pct(setups, 50), "p95": _pct(setups, 95)},
            "calls_without_first_frame": no_first_frame,
            "latency_ms": {
                "p50": _median([d.get("latency_p50_ms") for d in both]),
                "p95": _median([d.get("latency_p95_ms") for d in both]),
            },
            "cpu_percent": {
                "kiosk": (k1 - k0) / (t1 - t0) * 100,
                "agent": (a1 - a0) / (t1 - t0) * 100,
            },
            "rss_growth_mib": _growth(rss),
            "rss_mib": {
                "first": rss[0] if rss else None,
                "last": rss[-1] if rss else None,
                "max": max(rss) if rss else None,
            },
            "rss_in_each_call_mib": [round(r, 1) for r in rss],
            "frames_lost": sum(int(d.get("frames_missing") or 0) for d in both),
            "frames_received": sum(int(d.get("frames_received") or 0) for d in both),
        }
    finally:
        await kill_all(*(p for p in (agent, kiosk) if p is not None))
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(15)


def run_baselines(calls: int, hold_s: float) -> dict[str, Any]:
    """Bare aiortc, ``calls`` two-process calls of ``hold_s`` seconds."""
    runs = [run_baseline(hold_s) for _ in range(calls)]
    sides = [r[role] for r in runs for role in ("offerer", "answerer")]
    for side in sides:
        if "error" in side:
            raise RuntimeError(f"baseline failed: {side['error']}")
    setups = [max(r["offerer"]["setup_ms"], r["answerer"]["setup_ms"]) for r in runs]
    return {
        "calls": len(runs),
        "setup_ms": {"p50": _pct(setups, 50), "p95": _pct(setups, 95)},
        "latency_ms": {
            "p50": _median([s["latency_p50_ms"] for s in sides]),
            "p95": _median([s["latency_p95_ms"] for s in sides]),
        },
        "cpu_percent": {
            "kiosk": _median([r["offerer"]["cpu_percent"] for r in runs]),
            "agent": _median([r["answerer"]["cpu_percent"] for r in runs]),
        },
        "rss_growth_mib": None,
        "frames_lost": sum(int(s.get("frames_lost") or 0) for s in sides),
    }


def _members(args: argparse.Namespace) -> int:
    from bench.call_members import run_members, table

    counts = [int(n) for n in args.members.split(",")]
    if any(n not in (2, 3, 4) for n in counts):
        raise SystemExit("--members takes 2, 3 or 4")
    video = ["--video-size", args.video_size]
    results = asyncio.run(run_members(counts, args.hold, video))
    report = {"results": results, "hold_s": args.hold, "video_size": args.video_size,
              "machine": {"cpus": os.cpu_count(), "load_1m": os.getloadavg()[0]}}
    out = ROOT / "bench" / "results" / "call_members.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report) if args.json else table(results))
    return 0


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def main() -> int:
    """Run baseline then system; print a table or JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--hold", type=float, default=8.0)
    parser.add_argument("--baseline-calls", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--members", help="member counts, e.g. 3 or 2,3,4 (issue 15)")
    parser.add_argument("--video-size", default="640x480", help="with --members")
    args = parser.parse_args()
    if args.members:
        return _members(args)
    baseline = run_baselines(args.baseline_calls, args.hold)
    system = asyncio.run(run_system(args.calls, args.hold))
    system["baseline"] = baseline
    system["ratio"] = {
        "latency_p95": _ratio(system["latency_ms"]["p95"], baseline["latency_ms"]["p95"]),
        "cpu_kiosk": _ratio(system["cpu_percent"]["kiosk"], baseline["cpu_percent"]["kiosk"]),
        "cpu_agent": _ratio(system["cpu_percent"]["agent"], baseline["cpu_percent"]["agent"]),
    }
    system["machine"] = {"cpus": os.cpu_count(), "load_1m": os.getloadavg()[0]}
    out = ROOT / "bench" / "results" / "call_media.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(system, indent=2))
    if args.json:
        print(json.dumps(system))
        return 0
    b = baseline

    def fmt(v: Any) -> str:
        return "-" if v is None else f"{v:.1f}" if isinstance(v, float) else str(v)

    rows = [
        ("setup p50 ms", system["setup_ms"]["p50"], b["setup_ms"]["p50"]),
        ("setup p95 ms", system["setup_ms"]["p95"], b["setup_ms"]["p95"]),
        ("latency p50 ms", system["latency_ms"]["p50"], b["latency_ms"]["p50"]),
        ("latency p95 ms", system["latency_ms"]["p95"], b["latency_ms"]["p95"]),
        ("cpu kiosk %", system["cpu_percent"]["kiosk"], b["cpu_percent"]["kiosk"]),
        ("cpu agent %", system["cpu_percent"]["agent"], b["cpu_percent"]["agent"]),
        ("rss growth MiB", system["rss_growth_mib"], None),
        ("frames lost", system["frames_lost"], b["frames_lost"]),
    ]
    print(f"{'':18}{'system':>10}{'aiortc':>10}{'ratio':>8}   ({system['calls']} calls)")
    for name, s, base in rows:
        ratio = _ratio(s, base) if isinstance(s, float) and isinstance(base, float) else None
        print(f"{name:18}{fmt(s):>10}{fmt(base):>10}{fmt(ratio):>8}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
