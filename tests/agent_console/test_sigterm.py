"""The desktop console stops cleanly on SIGTERM (a session ending, systemd stopping it)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path


def _lines(path: Path) -> list[dict[str, object]]:
    out = []
    for raw in path.read_text(errors="replace").splitlines():
        try:
            out.append(json.loads(raw))
        except ValueError:
            continue
    return out


def test_sigterm_closes_the_console_and_logs_it(tmp_path: Path) -> None:
    err = tmp_path / "stderr.log"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with err.open("w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "agent_console", "--server", "http://127.0.0.1:9",
             "--camera", "synthetic", "--no-sound", "--log-level", "INFO"],
            stdout=subprocess.DEVNULL, stderr=sink, env=env)
        try:
            deadline = time.monotonic() + 60
            while not any(r.get("msg") == "console started" for r in _lines(err)):
                assert proc.poll() is None, err.read_text()
                assert time.monotonic() < deadline, "the console never started"
                time.sleep(0.2)
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert code == 0, err.read_text()
    assert any(r.get("msg") == "console stopped" for r in _lines(err))
