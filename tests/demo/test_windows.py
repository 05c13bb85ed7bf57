"""``make demo`` on a machine with a display opens the real kiosk and console windows."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

from demo.windows import close_windows, has_display, open_windows
from tests.deploy.screen import xvfb
from tests.server.harness import running_server


def _windows(display: str) -> str:
    return subprocess.run(["xwininfo", "-root", "-children"], capture_output=True, text=True,
                          env={**os.environ, "DISPLAY": display}, check=True, timeout=10).stdout


def test_with_a_display_the_kiosk_and_the_console_open(tmp_path: Path) -> None:
    assert not has_display({}) and has_display({"WAYLAND_DISPLAY": "wayland-0"})
    with xvfb() as screen:
        # The Makefile exports QT_QPA_PLATFORM=offscreen for the tests: the demo's windows
        # must still go to the screen.
        env = {**os.environ, "DISPLAY": screen.display, "QT_QPA_PLATFORM": "offscreen"}

        async def scenario() -> str:
            async with running_server(tmp_path / "data") as h:
                kiosk_id = h.add_kiosk("lieksa", "Lieksa kiosk 1")
                windows = open_windows(h.base_url, h.kiosk_tokens[kiosk_id], "erik", env)
                try:
                    for _ in range(150):  # 30 s
                        shown = await asyncio.to_thread(_windows, screen.display)
                        if '"etapiste-kiosk": ("__main__.py"' in shown and "Etäpiste –" in shown:
                            break
                        assert all(w.poll() is None for w in windows), shown
                        await asyncio.sleep(0.2)
                    return shown
                finally:
                    close_windows(windows)
                    assert all(w.poll() is not None for w in windows)

        shown = asyncio.run(scenario())
    assert '"etapiste-kiosk": ("__main__.py" "etapiste-kiosk")  1920x1080' in shown, shown
    assert "Etäpiste – asiantuntijan työpöytä" in shown, shown
