"""Agent console during a call: CPU of the console process and the longest event-loop stall.

The server and a headless kiosk (640x480 VP8 at 30 fps, tone, ``--answer-photos``) run as
their own processes; this process *is* the console: the real PyQt6 window (offscreen), the
presenter, the backend and its aiortc call on one qasync loop, with the agent's camera
replaced by the synthetic 640x480 30 fps source. Over the measurement window the agent also
chats and asks for a document photo, so those paths are in the figures.

* ``cpu_percent``: this process's CPU time (all threads) per wall second; one core = 100.
* ``stall_max_ms`` / ``stall_p99_ms``: lateness of a 10 ms asyncio ticker on the Qt loop.
* ``remote_fps_painted``: frames of the kiosk's video the console actually painted.

Run: ``QT_QPA_PLATFORM=offscreen python bench/console_ui_call.py [--seconds 20] [--json]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _until(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} within {timeout} s")
        await asyncio.sleep(0.02)


class Ticker:
    """A 10 ms asyncio ticker that records how late each tick was."""

    def __init__(self, period_s: float = 0.010) -> None:
        self.period_s = period_s
        self.lateness_ms: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.period_s)
            self.lateness_ms.append(max(0.0, (loop.time() - before - self.period_s) * 1000))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def measure(seconds: float) -> dict[str, Any]:
    import psutil

    from agent_console.app import build_console
    from agent_console.call_presenter import Media, PhotoState
    from agent_console.console_state import Phase
    from client_core.local_media import LocalMedia
    from demo.process import start_server, wait_ready
    from demo.seed import seed
    from signaling.settings import Settings

    work = Path(tempfile.mkdtemp(prefix="console-bench-"))
    setup = seed(work / "data", Settings().catalogue)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(setup.data_dir, port)
    kiosk: subprocess.Popen[bytes] | None = None
    console = None
    try:
        await wait_ready(base)
        agent = setup.agents[0]
        console = build_console(
            base, LocalMedia.synthetic(640, 480, 30, stamp_frames=True), stats_interval_s=2.0
        )
        console.window.resize(1366, 800)
        console.window.show()
        p = console.presenter
        p.login(agent.username, agent.password)
        await _until(lambda: p.phase is Phase.NOT_READY, 10, "login")
        p.set_ready()
        await _until(lambda: p.phase is Phase.READY, 5, "ready")
        token = next(iter(setup.kiosk_tokens.values()))
        kiosk = subprocess.Popen(  # noqa: ASYNC220 - a child for the whole run
            [sys.executable, "-m", "kiosk", "--headless", "--server", f"ws://127.0.0.1:{port}/ws",
             "--service", "kela.benefits", "--language", "fi", "--hold", str(seconds + 30),
             "--answer-photos", "--stamp-frames"],
            env={**os.environ, "ETAPISTE_KIOSK_TOKEN": token},
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=(work / "kiosk.log").open("wb"),
        )
        await _until(lambda: p.offer is not None, 20, "offer")
        offered_at = time.monotonic()
        p.accept()
        await _until(lambda: p.call is not None and p.call.media is Media.CONNECTED, 15, "media")
        connected_ms = (time.monotonic() - offered_at) * 1000
        remote = console.window.call.video.remote
        await _until(lambda: remote.frames_shown > 10, 10, "painted frames")
        await asyncio.sleep(2.0)  # past the encoder's start-up

        proc = psutil.Process()
        ticker = Ticker()
        ticker.start()
        painted0, cpu0, t0 = remote.frames_shown, proc.cpu_times(), time.monotonic()
        call = p.call
        assert call is not None
        photo_ok = False
        for second in range(int(seconds)):
            if second == 3:
                call.send_chat("Hei! Miten voin auttaa?")
            if second == 8:
                call.request_photo()
            photo_ok = photo_ok or call.photo_state is PhotoState.RECEIVED
            await asyncio.sleep(1.0)
        elapsed = time.monotonic() - t0
        cpu1, painted1 = proc.cpu_times(), remote.frames_shown
        await ticker.stop()
        photo_ok = photo_ok or call.photo_state is PhotoState.RECEIVED
        late = sorted(ticker.lateness_ms)
        cpu_s = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
        result = {
            "seconds": round(elapsed, 1),
            "cpu_percent": round(100 * cpu_s / elapsed, 1),
            "cpu_count": psutil.cpu_count(),
            "stall_max_ms": round(late[-1], 1),
            "stall_p99_ms": round(late[int(0.99 * (len(late) - 1))], 1),
            "stall_p50_ms": round(late[len(late) // 2], 1),
            "ticks": len(late),
            "ticks_late_over_50ms": sum(1 for x in late if x > 50),
            "remote_fps_painted": round((painted1 - painted0) / elapsed, 1),
            "accept_to_media_ms": round(connected_ms),
            "quality": call.quality,
            "photo_received": photo_ok,
            "video": "640x480 VP8 both ways, 30 fps",
        }
        p.end_call()
        await _until(lambda: p.phase is Phase.WRAP_UP, 10, "wrap-up")
        return result
    finally:
        if console is not None:
            await console.backend.close()
            console.window.close()
        for child in (kiosk, server):
            if child is not None and child.poll() is None:
                child.terminate()
                try:
                    child.wait(5)
                except subprocess.TimeoutExpired:
                    child.kill()


def main() -> int:
    import qasync
    from PyQt6.QtWidgets import QApplication

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        result = loop.run_until_complete(asyncio.wait_for(measure(args.seconds), args.seconds + 90))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>24}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
