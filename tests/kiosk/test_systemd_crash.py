"""The systemd watchdog keepalive follows the UI loop; a crash exits non-zero with a report."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from kiosk import systemd
from kiosk.crash import CRASH_EXIT_CODE
from tests.kiosk.conftest import run
from tests.kiosk.helpers import make_app
from tests.server.harness import running_server

ROOT = Path(__file__).resolve().parents[2]


def test_notify_and_interval(tmp_path: Path) -> None:
    path = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(path)
        assert systemd.notify("READY=1", {"NOTIFY_SOCKET": path})
        assert server.recv(100) == b"READY=1"
    assert not systemd.notify("READY=1", {})
    env = {"WATCHDOG_USEC": "4000000", "WATCHDOG_PID": str(os.getpid())}
    assert systemd.watchdog_interval_s(env) == 2.0
    assert systemd.watchdog_interval_s({"WATCHDOG_USEC": "4000000", "WATCHDOG_PID": "1"}) is None


def test_watchdog_pings_only_while_the_ui_loop_runs(
    qtbot, qloop, tmp_path: Path, monkeypatch
) -> None:
    path = str(tmp_path / "notify.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(path)
    server.setblocking(False)
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    monkeypatch.setenv("WATCHDOG_USEC", "200000")  # keepalive every 100 ms
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))

    def drain() -> list[bytes]:
        out = []
        while True:
            try:
                out.append(server.recv(100))
            except BlockingIOError:
                return out

    async def scenario() -> None:
        async with running_server(tmp_path / "data") as h:
            app = make_app(h, h.add_kiosk())
            app.start()
            try:
                await asyncio.sleep(0.6)
                first = drain()
                assert b"READY=1" in first and first.count(b"WATCHDOG=1") >= 3
                time.sleep(0.8)  # noqa: ASYNC251 - the UI loop hangs: no keepalive may be sent meanwhile
                assert drain() == []
                await asyncio.sleep(0.5)
                assert drain().count(b"WATCHDOG=1") >= 2  # alive again
            finally:
                await app.stop()

    try:
        run(qloop, scenario(), timeout=30)
    finally:
        server.close()


def test_uncaught_exception_writes_a_report_and_exits_non_zero(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        from pathlib import Path
        from PyQt6.QtCore import QTimer
        from PyQt6.QtWidgets import QApplication
        import qasync
        from kiosk import crash
        crash.install(Path({str(tmp_path)!r}))
        app = QApplication([])
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        def boom():
            raise RuntimeError("slot failed")
        QTimer.singleShot(50, boom)
        with loop:
            loop.run_until_complete(asyncio.sleep(5))
        sys.exit(0)
        """
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, timeout=30, check=False
    )
    assert result.returncode == CRASH_EXIT_CODE, result.stderr.decode()[-2000:]
    reports = list(tmp_path.glob("crash-*.txt"))
    assert len(reports) == 1 and "slot failed" in reports[0].read_text()
