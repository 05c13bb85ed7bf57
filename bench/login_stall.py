#!/usr/bin/env python3
"""Login stall: does a burst of wrong passwords from one anonymous client freeze signaling?

Two processes:

* this process runs the signaling server (``open_context`` + ``build_app`` of the code under
  ``--root``, production argon2 parameters, a fresh data directory) on 127.0.0.1 and, on the
  same event loop, a **stall probe**: a callback scheduled every 2 ms that records how late it
  runs. The longest lateness while a phase runs is ``loop_stall_max_ms``: how long the event
  loop could not serve anyone.
* the load generator (this script with ``--loadgen``): a connected kiosk that pings every
  60 ms over its WebSocket (``ping_rtt_ms``: what every kiosk and clerk feels), and the
  attacker: 50 concurrent wrong logins from one address.

Phases (the server is fresh for each, so one phase's rate limits do not shape the next):

1. ``idle``: 2 s of pings, nothing else.
2. ``form``: 50 concurrent wrong logins on the dashboard's login form (each with its own
   CSRF cookie and field, fetched first, as a browser would).
3. ``api``: 50 concurrent wrong logins on ``POST /api/login`` (JSON).
4. ``api_many_addresses`` (only where the server knows ``trusted_proxies``): the same 50, each
   claiming its own address through a trusted proxy: per-client limits do not apply, so only
   the password pool's bound stands between them and the loop.

For each: the longest loop stall, ping round trips (p50, max), the answers by HTTP status,
and how long until the last answer. ``--root`` runs the same measurement against another
checkout (the code before a change)::

    .venv/bin/python bench/login_stall.py [--label after] [--root DIR] [--attempts 50]
        [--repeat 3]

Results are merged by label into ``bench/results/login_stall.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
HERE = SCRIPT.parent.parent
RESULTS = HERE / "bench" / "results" / "login_stall.json"
PASSWORD = "bench-password-2026"  # a throwaway benchmark account
PROBE_S = 0.002
PING_S = 0.06  # under the per-connection rate limit (20 messages a second)
CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


# ------------------------------------------------------------------------------ server side


class StallProbe:
    """A callback every ``PROBE_S``; records how late each one runs."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.samples: list[tuple[float, float]] = []
        self._due = self.loop.time() + PROBE_S
        self._handle = self.loop.call_at(self._due, self._tick)

    def _tick(self) -> None:
        now = self.loop.time()
        self.samples.append((now, max(0.0, now - self._due)))
        self._due = now + PROBE_S
        self._handle = self.loop.call_at(self._due, self._tick)

    def worst_ms(self, t0: float, t1: float) -> float:
        late = [lag for at, lag in self.samples if t0 <= at <= t1]
        return round(max(late, default=0.0) * 1000, 2)

    def stop(self) -> None:
        self._handle.cancel()


async def run_phase(root: Path, phase: str, attempts: int) -> dict[str, Any]:
    from aiohttp import web

    from signaling.context import open_context
    from signaling.credentials import hash_password
    from signaling.server import build_app
    from signaling.settings import Settings

    with tempfile.TemporaryDirectory(prefix="login-stall-") as tmp:
        extra: dict[str, Any] = {}
        if "trusted_proxies" in Settings.model_fields:
            extra["trusted_proxies"] = ["127.0.0.1"]
        settings = Settings(data_dir=Path(tmp), port=0, always_open=True, **extra)
        ctx = open_context(settings)
        now = ctx.clock()
        ctx.store.create_account("olli", "Olli", "operator", hash_password(PASSWORD), now=now)
        _kiosk_id, token = ctx.store.create_kiosk("nurmes", "Nurmes 1", now=now)
        runner = web.AppRunner(build_app(ctx), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        probe = StallProbe()
        config = json.dumps({"base": f"http://127.0.0.1:{port}", "token": token,
                             "phase": phase, "attempts": attempts})
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(SCRIPT), "--loadgen", config,
            stdout=subprocess.PIPE, cwd=str(root),
        )
        out, _ = await proc.communicate()
        loadgen = json.loads(out.decode().strip().splitlines()[-1])
        # Both processes read CLOCK_MONOTONIC (time.monotonic, the loop's clock too).
        attack = loadgen["attack"]
        window = (attack["start"], attack["end"])
        probe.stop()
        await runner.cleanup()
        ctx.store.close()
    return {
        "loop_stall_max_ms": probe.worst_ms(*window),
        "loop_stall_before_max_ms": probe.worst_ms(attack["connected"], attack["start"]),
        **loadgen["figures"],
    }


PHASES = ("idle", "form", "api", "api_many_addresses")


async def server_main(args: argparse.Namespace) -> dict[str, Any]:
    """Every phase ``--repeat`` times (interleaved, so load from elsewhere on a shared machine
    falls on all phases alike); per phase the median and the worst of each figure."""
    runs: dict[str, list[dict[str, Any]]] = {phase: [] for phase in PHASES}
    for _ in range(args.repeat):
        for phase in PHASES:
            runs[phase].append(await run_phase(args.root, phase, args.attempts))
    results: dict[str, Any] = {}
    for phase, each in runs.items():
        summary: dict[str, Any] = {"runs": each}
        for key in ("loop_stall_max_ms", "ping_rtt_p50_ms", "ping_rtt_max_ms", "last_answer_s"):
            values = [r[key] for r in each if r[key] is not None]
            summary[key] = round(statistics.median(values), 2) if values else None
            summary[f"{key}_worst"] = max(values) if values else None
        summary["answers"] = each[-1]["answers"]
        results[phase] = summary
    return results


# --------------------------------------------------------------------------- load generator


async def loadgen(config: dict[str, Any]) -> dict[str, Any]:
    import aiohttp
    import websockets

    base, phase, attempts = config["base"], config["phase"], config["attempts"]
    rtts_at: list[tuple[float, float]] = []
    marks: dict[str, float] = {}
    clock = time.monotonic
    statuses: Counter[str] = Counter()
    done = asyncio.Event()

    async with websockets.connect(
        base.replace("http", "ws") + "/ws", subprotocols=["etapiste.v1"],  # type: ignore[list-item]
        additional_headers={"Authorization": f"Bearer {config['token']}"},
    ) as ws:
        await ws.send(json.dumps({"type": "hello", "protocol": 1}))
        while json.loads(await ws.recv())["type"] != "welcome":
            pass
        pending: dict[str, float] = {}

        async def reader() -> None:
            async for raw in ws:
                message = json.loads(raw)
                if message.get("type") == "pong" and message.get("ref") in pending:
                    sent = pending.pop(message["ref"])
                    rtts_at.append((sent, (clock() - sent) * 1000))
                elif message.get("type") == "ping":
                    await ws.send(json.dumps({"type": "pong", "t": message["t"]}))

        async def pinger() -> None:
            n = 0
            while not done.is_set():
                n += 1
                ref = f"p{n}"
                pending[ref] = clock()
                await ws.send(json.dumps({"type": "ping", "t": 0, "ref": ref}))
                await asyncio.sleep(PING_S)

        tasks = [asyncio.create_task(reader()), asyncio.create_task(pinger())]
        marks["connected"] = clock()
        await asyncio.sleep(1.0)
        jar = aiohttp.DummyCookieJar()
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            forms: list[tuple[str, str]] = []
            if phase == "form":
                for _ in range(attempts):
                    async with http.get(f"{base}/dashboard/login") as r:
                        page = await r.text()
                        cookie = r.cookies["etapiste_login_csrf"].value
                    match = CSRF_FIELD.search(page)
                    assert match is not None
                    forms.append((match.group(1), cookie))

            async def attempt(i: int) -> None:
                try:
                    if phase == "form":
                        csrf, cookie = forms[i]
                        async with http.post(
                            f"{base}/dashboard/login",
                            data={"csrf": csrf, "username": "olli", "password": f"wrong{i}"},
                            headers={"Cookie": f"etapiste_login_csrf={cookie}"},
                            allow_redirects=False,
                        ) as r:
                            await r.read()
                            statuses[str(r.status)] += 1
                    else:
                        headers = {"Content-Type": "application/json"}
                        if phase == "api_many_addresses":
                            headers["X-Forwarded-For"] = f"198.51.100.{i % 250 + 1}"
                        body = json.dumps({"username": "olli", "password": f"wrong{i}"})
                        async with http.post(f"{base}/api/login", data=body,
                                             headers=headers) as r:
                            await r.read()
                            statuses[str(r.status)] += 1
                except aiohttp.ClientError as exc:
                    statuses[type(exc).__name__] += 1

            marks["start"] = clock()
            if phase == "idle":
                await asyncio.sleep(2.0)
            else:
                await asyncio.gather(*(attempt(i) for i in range(attempts)))
            marks["end"] = clock()
        await asyncio.sleep(1.0)  # pings sent during the attack come back
        done.set()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
    # Pings sent while the attack ran (and any answered late): what clients felt.
    rtts = sorted(rtt for sent, rtt in rtts_at if marks["start"] <= sent <= marks["end"] + 0.3)
    lost = sum(1 for sent in pending.values() if marks["start"] <= sent <= marks["end"] + 0.3)
    return {
        "attack": {"connected": marks["connected"], "start": marks["start"],
                   "end": marks["end"] + 0.3},
        "figures": {
            "ping_rtt_p50_ms": round(statistics.median(rtts), 2) if rtts else None,
            "ping_rtt_max_ms": round(rtts[-1], 2) if rtts else None,
            "pings": len(rtts),
            "pings_unanswered": lost,
            "answers": dict(sorted(statuses.items())),
            "last_answer_s": round(marks["end"] - marks["start"], 2),
        },
    }


# ---------------------------------------------------------------------------------- output


def table(label: str, repeat: int, results: dict[str, Any]) -> str:
    rows = [f"login stall ({label}; median of {repeat} runs, worst in brackets)",
            f"{'phase':<20}{'loop stall ms':>20}{'ping p50 ms':>13}{'ping max ms':>20}"
            f"{'last answer s':>15}  answers (last run)"]
    for phase, r in results.items():
        stall = f"{r['loop_stall_max_ms']} [{r['loop_stall_max_ms_worst']}]"
        ping = f"{r['ping_rtt_max_ms']} [{r['ping_rtt_max_ms_worst']}]"
        rows.append(
            f"{phase:<20}{stall:>20}{r['ping_rtt_p50_ms']!s:>13}{ping:>20}"
            f"{r['last_answer_s']!s:>15}  {r['answers']}"
        )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--label", default="after")
    parser.add_argument("--root", type=Path, default=HERE, help="checkout whose server runs")
    parser.add_argument("--attempts", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--loadgen", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.loadgen:
        print(json.dumps(asyncio.run(loadgen(json.loads(args.loadgen)))))
        return 0
    args.root = args.root.resolve()
    sys.path.insert(0, str(args.root))
    os.environ.setdefault("ETAPISTE_LOG_LEVEL", "WARNING")
    import logging

    logging.basicConfig(level=logging.WARNING)
    results = asyncio.run(server_main(args))
    print(table(args.label, args.repeat, results))
    merged: dict[str, Any] = {}
    if RESULTS.exists():
        with contextlib.suppress(ValueError):
            merged = json.loads(RESULTS.read_text())
    merged.setdefault("runs", {})[args.label] = {
        "root": str(args.root), "attempts": args.attempts, "repeat": args.repeat,
        "phases": results, "load_average": os.getloadavg(),
        "cpus": os.cpu_count(), "at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(merged, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
