"""Kiosk CPU and bandwidth in calls of two, three and four members (issue 15).

    python bench/call_media.py --members 2,3,4 [--hold 20] [--video-size 640x480]

Each member count is one call through the real server with headless processes on loopback,
every member on the mesh path (``--mesh``): the kiosk, the clerk Aino, then the interpreter
Hodan (the Somali pool) and the second clerk Erik (invited by name). Once media flows on every
pair, the kiosk's CPU (process time per wall second, one core = 100) and every member's are
measured over ``--hold`` seconds, with the kiosk's bit rates in and out summed over its pairs
(its own stats, one sample a second). Results go to ``bench/results/call_members.json``.
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from demo.process import start_server, wait_ready
from demo.seed import AGENTS, INTERPRETER, seed
from signaling.settings import Settings
from tests.calls.processes import Headless, free_port, kill_all, spawn

__all__ = ["run_members"]

TONES = {"kiosk": "450", "clerk": "650", "interpreter": "950", "second_clerk": "1250"}


def _cpu(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return float(times.user + times.system)


def _mesh(role: str, video: list[str]) -> list[str]:
    return ["--mesh", "--tone", TONES[role], "--probe-interval", "2", "--stats-interval", "1",
            *video]


def _flowing(side: Headless, pairs: int) -> bool:
    probes = side.of("probe")
    return bool(probes) and len(probes[-1]["pairs"]) == pairs and all(
        p["frames_received"] > 0 and p["audio_frames"] > 0 for p in probes[-1]["pairs"].values())


async def run_one(members: int, hold_s: float, video: list[str]) -> dict[str, Any]:
    """One call of ``members`` members; figures measured over ``hold_s`` once all flow."""
    tmp = Path(tempfile.mkdtemp(prefix="etapiste-bench-members-"))
    setup = seed(tmp / "data", Settings().catalogue)
    token = next(iter(setup.kiosk_tokens.values()))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(tmp / "data", port)
    procs: dict[str, Headless] = {}
    aino, erik = AGENTS
    total = hold_s + 120
    try:
        await wait_ready(base)
        invites: list[str] = []
        if members >= 3:
            procs["interpreter"] = await spawn(
                "agent_console", ["--server", base, "--username", INTERPRETER.username,
                                  "--member", "--hold", str(total),
                                  *_mesh("interpreter", video)],
                {"ETAPISTE_PASSWORD": INTERPRETER.password})
            invites += ["--invite", "interpreters:so"]
        if members >= 4:
            procs["second_clerk"] = await spawn(
                "agent_console", ["--server", base, "--username", erik.username, "--member",
                                  "--hold", str(total), *_mesh("second_clerk", video)],
                {"ETAPISTE_PASSWORD": erik.password})
            invites += ["--invite", f"agent:{erik.name}"]
        procs["clerk"] = await spawn(
            "agent_console", ["--server", base, "--username", aino.username, "--hold",
                              str(total), *invites, *_mesh("clerk", video)],
            {"ETAPISTE_PASSWORD": aino.password})
        for side in procs.values():
            await side.wait_event("welcome", 60)
        procs["kiosk"] = kiosk = await spawn(
            "kiosk", ["--server", f"ws://127.0.0.1:{port}/ws", "--hold", str(total),
                      *_mesh("kiosk", video)],
            {"ETAPISTE_KIOSK_TOKEN": token})
        deadline = time.monotonic() + 120
        while not all(_flowing(s, members - 1) for s in procs.values()):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{members} members never all flowed")
            await asyncio.sleep(0.2)
        await asyncio.sleep(3)  # past set-up: keyframes, ladders settling
        ps = {role: psutil.Process(s.proc.pid) for role, s in procs.items()}
        t0, c0 = time.monotonic(), {r: _cpu(p) for r, p in ps.items()}
        wall0 = time.time()
        await asyncio.sleep(hold_s)
        t1, c1 = time.monotonic(), {r: _cpu(p) for r, p in ps.items()}
        stats = [e for e in kiosk.of("probe") if e["t"] >= wall0]
        pairs_in = [sum(p["in_kbps"] or 0 for p in e["pairs"].values()) for e in stats]
        pairs_out = [sum(p["out_kbps"] or 0 for p in e["pairs"].values()) for e in stats]
        last = stats[-1]["pairs"] if stats else {}
        return {
            "members": members,
            "cpu_percent": {r: round((c1[r] - c0[r]) / (t1 - t0) * 100, 1) for r in ps},
            "kiosk_kbps_in": round(statistics.median(pairs_in), 1) if pairs_in else None,
            "kiosk_kbps_out": round(statistics.median(pairs_out), 1) if pairs_out else None,
            "kiosk_pairs": {
                mid: {k: (round(v, 1) if isinstance(v, float) else v) for k, v in p.items()
                      if k in ("in_kbps", "out_kbps", "fps_decoded")}
                for mid, p in last.items()
            },
            "window_s": round(t1 - t0, 1),
            "load_1m_after": round(os.getloadavg()[0], 2),
        }
    finally:
        await kill_all(*procs.values())
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(15)


async def run_members(counts: list[int], hold_s: float, video: list[str]) -> list[dict[str, Any]]:
    """One call per member count, one after another."""
    return [await run_one(n, hold_s, video) for n in counts]


def table(results: list[dict[str, Any]]) -> str:
    """The figures as a plain table."""
    lines = [f"{'members':>8}{'kiosk cpu %':>13}{'kiosk in kbit/s':>17}{'kiosk out kbit/s':>18}"
             f"{'all cpu %':>11}{'load':>7}"]
    for r in results:
        lines.append(
            f"{r['members']:>8}{r['cpu_percent']['kiosk']:>13.1f}"
            f"{r['kiosk_kbps_in'] or 0:>17.0f}{r['kiosk_kbps_out'] or 0:>18.0f}"
            f"{sum(r['cpu_percent'].values()):>11.1f}{r['load_1m_after']:>7.2f}")
    return "\n".join(lines)
