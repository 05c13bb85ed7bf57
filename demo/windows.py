"""The real kiosk and console windows, for ``make demo`` on a machine with a display.

Beside the scripted clients, a person can use the system as its users do: the touch kiosk in
a normal window with a synthetic picture and tone instead of a camera and microphone, and the
agent console at its login form. Headless (no ``DISPLAY`` or ``WAYLAND_DISPLAY``) nothing opens.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Mapping


def has_display(env: Mapping[str, str]) -> bool:
    """Whether windows can open: an X or Wayland display is named."""
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def open_windows(
    base_url: str, kiosk_token: str, agent: str, env: Mapping[str, str] | None = None
) -> list[subprocess.Popen[bytes]]:
    """Start the kiosk (windowed, synthetic media) and the console (``agent`` filled in)."""
    child = dict(os.environ if env is None else env)
    if child.get("QT_QPA_PLATFORM") == "offscreen":  # the Makefile's default, for the tests
        del child["QT_QPA_PLATFORM"]
    child["ETAPISTE_DEMO_KIOSK_TOKEN"] = kiosk_token
    ws_url = base_url.replace("http", "ws", 1) + "/ws"
    kiosk = [sys.executable, "-m", "kiosk", "--windowed", "--synthetic-media", "--server",
             ws_url, "--token-env", "ETAPISTE_DEMO_KIOSK_TOKEN"]
    console = [sys.executable, "-m", "agent_console", "--server", base_url, "--camera",
               "synthetic", "--no-sound", "--username", agent]
    # Our own interpreter and modules: nothing here comes from outside.
    return [subprocess.Popen(argv, env=child) for argv in (kiosk, console)]  # noqa: S603


def close_windows(windows: list[subprocess.Popen[bytes]]) -> None:
    """Close them (SIGTERM, then SIGKILL after 10 s)."""
    for proc in windows:
        if proc.poll() is None:
            proc.terminate()
    for proc in windows:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait(5)
