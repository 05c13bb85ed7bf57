#!/usr/bin/env python3
"""The touch kiosk's own cost during a call: CPU of the kiosk process and event-loop stalls.

Three processes, so the figures are the kiosk's alone:

* the signaling server (``demo.seed.seed`` + ``demo.process.start_server``, a fresh data directory);
* the headless agent (``python -m agent_console --headless``), which answers and holds;
* this process: the real kiosk UI (:class:`kiosk.app.KioskApp`, Qt offscreen, qasync loop,
  synthetic 640x480 camera and tone), driven through its presenter to the call.

Once remote video is on screen, for ``--seconds`` (default 20):

* ``kiosk_cpu_percent``: this process's CPU time per wall second (one core = 100), all threads
  (aiortc encode/decode, frame conversion, Qt painting);
* ``loop_stall_max_ms`` / ``loop_stall_p99_ms``: a 10 ms ticker on the UI loop records how late
  each tick fires; a stall is the lateness beyond the 10 ms;
* ``frames_shown`` / ``display_fps``: remote frames painted by the video view.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/kiosk_ui_call.py --json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import psutil  # noqa: E402
import qasync  # noqa: E402
from PyQt6.QtWidgets import QApplication  # noqa: E402

from demo.process import start_server, wait_ready  # noqa: E402
from demo.seed import seed  # noqa: E402
from kiosk.app import KioskApp, KioskConfig  # noqa: E402
from kiosk.devices import KioskDevices  # noqa: E402
from kiosk.state import Screen  # noqa: E402
from kiosk.ui.call import CallScreen  # noqa: E402
from signaling.settings import Settings  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def until(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.05)


async def measure(seconds: float, workdir: Path) -> dict[str, object]:
    port = free_port()
    setup = seed(workdir / "data", Settings().catalogue)
    server = start_server(setup.data_dir, port)
    base = f"http://127.0.0.1:{port}"
    agent_proc: subprocess.Popen[bytes] | None = None
    app: KioskApp | None = None
    try:
        await wait_ready(base)
        acc = setup.agents[0]
        agent_proc = subprocess.Popen(  # noqa: ASYNC220 - returns at once
            [
                sys.executable,
                "-m",
                "agent_console",
                "--headless",
                "--server",
                base,
                "--username",
                acc.username,
                "--hold",
                str(seconds + 30),
                "--wait-timeout",
                "60",
                "--stamp-frames",
            ],
            env=dict(os.environ, ETAPISTE_PASSWORD=acc.password),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
        )
        token = next(iter(setup.kiosk_tokens.values()))
        config = KioskConfig(
            url=f"ws://127.0.0.1:{port}/ws",
            token=token,
            windowed=True,
            audio_device=None,
            speech=False,
        )
        app = KioskApp(config, KioskDevices.synthetic(stamp_frames=True))
        app.start()
        p = app.presenter
        await until(lambda: p.devices.online, 15, "kiosk online")
        await asyncio.sleep(2.0)  # the agent logs in and goes ready
        p.choose_language("fi")
        for _ in range(30):  # until the agent is logged in and ready
            if any(s.id == "kela.benefits" and p.selectable(s) for s in p.services):
                break
            app.controller.refresh_services()
            await asyncio.sleep(0.5)
        p.choose_service("kela.benefits")
        p.accept_privacy()
        p.join_queue()  # past the device check
        await until(lambda: p.screen == Screen.CALL, 30, "call")
        view = app.window.screens[Screen.CALL]
        assert isinstance(view, CallScreen)
        await until(lambda: view.video.frames_shown > 30, 15, "remote video on screen")

        lateness: list[float] = []
        stop = time.monotonic() + seconds

        async def ticker() -> None:
            last = time.monotonic()
            while last < stop:
                await asyncio.sleep(0.010)
                now = time.monotonic()
                lateness.append(max(0.0, (now - last - 0.010) * 1000))
                last = now

        proc = psutil.Process()
        cpu0, wall0, shown0 = proc.cpu_times(), time.monotonic(), view.video.frames_shown
        await ticker()
        cpu1, wall1, shown1 = proc.cpu_times(), time.monotonic(), view.video.frames_shown
        used = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
        wall = wall1 - wall0
        lateness.sort()
        stats = app.controller.session.latest_stats if app.controller.session else None
        return {
            "seconds": round(wall, 2),
            "kiosk_cpu_percent": round(100 * used / wall, 1),
            "loop_stall_max_ms": round(lateness[-1], 1),
            "loop_stall_p99_ms": round(lateness[int(len(lateness) * 0.99)], 1),
            "loop_ticks": len(lateness),
            "frames_shown": shown1 - shown0,
            "display_fps": round((shown1 - shown0) / wall, 1),
            "call_quality": stats.grade if stats else None,
            "fps_decoded": round(stats.fps_decoded, 1) if stats else None,
            "cores": psutil.cpu_count(),
        }
    finally:
        if app is not None:
            await app.stop()
        if agent_proc is not None:
            agent_proc.terminate()
            agent_proc.wait(10)
        server.send_signal(signal.SIGTERM)
        server.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args()
    qapp = QApplication(sys.argv[:1])
    qapp.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as tmp, loop:
        result = loop.run_until_complete(measure(args.seconds, Path(tmp)))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>20}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
