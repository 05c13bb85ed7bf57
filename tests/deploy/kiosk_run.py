"""The installed kiosk started from its unit, on a virtual screen, and looked at.

``etapiste-kiosk.service`` exactly as provisioning installed it, with one test drop-in:

* ``DISPLAY`` and ``ETAPISTE_WESTON_ARGS=--backend=x11-backend.so --use-pixman ... --debug``:
  the same Weston, shell and weston.ini, drawing into a window on Xvfb instead of a DRM screen
  (there is none here), and allowing its screenshot tool;
* ``WatchdogSec=`` shorter than production's 30 s, so a test sees several pings and a hang
  within seconds (the mechanism is the same; the figures scale with it).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.deploy.screen import Picture, read_picture
from tests.deploy.service import ServiceRun
from tests.deploy.site import Site

RUNTIME = "/run/etapiste-kiosk"
SCREEN = (1920, 1080)


def dropin(display: str, watchdog_s: float) -> str:
    """The test's drop-in for etapiste-kiosk.service."""
    args = (f"--backend=x11-backend.so --use-pixman --width={SCREEN[0]} --height={SCREEN[1]} "
            "--debug")
    return (f'[Service]\nEnvironment=DISPLAY={display} "ETAPISTE_WESTON_ARGS={args}"\n'
            f"WatchdogSec={watchdog_s}\n")


@dataclass
class KioskRun:
    """One run of the kiosk unit and the figures taken from it."""

    site: Site
    display: str
    service: ServiceRun
    shots: Path
    figures: dict[str, float] = field(default_factory=dict)
    _shot_no: int = 0

    @classmethod
    def start(cls, site: Site, display: str, shots: Path, name: str, watchdog_s: float = 4.0,
              ) -> KioskRun:
        """Start the unit (in the kiosk's network namespace) and note when."""
        socket = f"/tmp/.X11-unix/X{display.lstrip(':')}"
        if not site.root.path(socket).exists():
            site.root.bind(Path("/tmp/.X11-unix"), "/tmp/.X11-unix")
        unit = site.unit("etapiste-kiosk.service", (dropin(display, watchdog_s),))
        log = site.work / "logs" / f"kiosk-{name}.log"
        service = ServiceRun(unit, site.root, log, netns=site.topo.kiosk)
        shots.mkdir(parents=True, exist_ok=True)
        run = cls(site, display, service, shots)
        service.start()
        return run

    @property
    def started_at(self) -> float:
        return self.service.events[-1].t if self.service.events else 0.0

    def wait_ready(self, timeout: float = 60.0, since: float = 0.0) -> float:
        """Seconds from the (latest) start to an accepted ``READY=1``."""
        notice = self.service.notify.wait(lambda n: "READY=1" in n.text.splitlines(), timeout,
                                          since=since)
        if notice is None:
            raise AssertionError(f"no READY=1 within {timeout} s:\n{self.service.log()[-4000:]}")
        return round(notice.t - since, 2)

    def children(self) -> dict[str, int]:
        """The compositor's and the app's PIDs (the main process's children)."""
        assert self.service.main is not None
        found: dict[str, int] = {}
        for pid in self.service.processes():
            with contextlib.suppress(OSError):
                argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                if argv[0].endswith(b"weston"):
                    found["weston"] = pid
                elif b"-m" in argv and b"kiosk" in argv and b"kiosk.session" not in argv:
                    found["app"] = pid
        return found

    def screenshot(self, name: str) -> Path:
        """The compositor's output as a PNG in ``shots`` (taken as the kiosk user)."""
        self._shot_no += 1
        folder = f"/tmp/shot-{self._shot_no}"
        root = self.site.root
        root.run(["install", "-d", "-o", "etapiste-kiosk", folder])
        root.run(
            ["setpriv", "--reuid=etapiste-kiosk", "--regid=etapiste-kiosk", "--init-groups",
             "env", f"XDG_RUNTIME_DIR={RUNTIME}", "WAYLAND_DISPLAY=etapiste-kiosk-0", "sh",
             "-c", f"cd {folder} && weston-screenshooter"],
            netns=self.site.topo.kiosk, timeout=30,
        )
        (made,) = root.path(folder).glob("wayland-screenshot-*.png")
        target = self.shots / f"{name}.png"
        shutil.copy(made, target)
        return target

    def wait_screen(self, name: str, check: str | Callable[[Picture], bool] = "is_welcome",
                    timeout: float = 30.0) -> tuple[Path, Picture]:
        """Screenshot until the picture passes ``check`` (a :class:`Picture` property or a
        predicate); the last shot and what it shows."""
        passes = check if callable(check) else (lambda picture: getattr(picture, check))
        deadline = time.monotonic() + timeout
        while True:
            try:
                path = self.screenshot(name)
                picture = read_picture(path)
            except Exception:  # the compositor may not be up yet
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
                continue
            if passes(picture) or time.monotonic() > deadline:
                return path, picture
            time.sleep(0.2)

    def freeze_app(self) -> int:
        """SIGSTOP the app: its UI loop stops dead (and with it the keepalive)."""
        pid = self.children()["app"]
        os.kill(pid, signal.SIGSTOP)
        return pid

    def stop(self) -> int | None:
        return self.service.stop()
