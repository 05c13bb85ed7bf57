"""etapiste-kiosk.service as installed, started from its own ExecStart under the real Weston.

The test owns the notify socket (what systemd would own) and checks that READY=1 and the
watchdog pings reach it from the main process, that a frozen UI stops them and gets the kiosk
restarted, that a crash leaves a report, that the welcome screen is what the compositor shows,
and that the usual ways out of a kiosk lead nowhere. Figures are printed and written to
``deploy-shots/kiosk-figures.json`` beside the screenshots (outside the repository).
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy.conftest import SHOTS
from tests.deploy.kiosk_run import KioskRun
from tests.deploy.screen import Xvfb, difference, pointer, press, read_picture, xvfb
from tests.deploy.site import Site

WATCHDOG_S = 4.0
FIGURES: dict[str, float] = {}


@pytest.fixture(scope="module")
def display() -> Iterator[Xvfb]:
    with xvfb() as screen:
        yield screen


@pytest.fixture(scope="module")
def kiosk(site: Site, display: Xvfb) -> Iterator[KioskRun]:
    run = KioskRun.start(site, display.display, SHOTS, "main", watchdog_s=WATCHDOG_S)
    started = run.started_at
    FIGURES["exec_to_ready_s"] = run.wait_ready(since=started)
    path, picture = run.wait_screen("kiosk-first-frame")
    FIGURES["exec_to_first_welcome_frame_s"] = round(time.monotonic() - started, 2)
    path, picture = run.wait_screen("kiosk-welcome-from-unit", "is_connected_welcome")
    FIGURES["exec_to_welcome_s"] = round(time.monotonic() - started, 2)
    assert picture.is_connected_welcome, f"not the welcome screen: {picture} ({path})"
    try:
        yield run
    finally:
        run.stop()
        (SHOTS / "kiosk-figures.json").write_text(json.dumps(FIGURES, indent=2))
        print(f"\n[kiosk unit] {json.dumps(FIGURES)} (screenshots: {SHOTS})")


def test_ready_and_watchdog_pings_come_from_the_main_process(kiosk: KioskRun) -> None:
    service = kiosk.service
    assert service.main is not None
    time.sleep(WATCHDOG_S * 1.6)  # three keepalive periods
    ready = service.notify.accepted("READY=1", since=kiosk.started_at)
    pings = service.notify.accepted("WATCHDOG=1", since=kiosk.started_at)
    assert len(ready) == 1 and ready[0].pid == service.main.pid
    assert len(pings) >= 2, service.notify.notices
    assert {n.pid for n in pings} == {service.main.pid}  # what NotifyAccess=main accepts
    assert service.notify.refused() == []
    gaps = [b.t - a.t for a, b in itertools.pairwise(pings)]
    assert max(gaps) < WATCHDOG_S, gaps  # half WatchdogSec apart, well within it


def test_the_kiosk_runs_unprivileged_in_the_shipped_compositor(kiosk: KioskRun, site: Site,
                                                               ) -> None:
    uid = site.root.user("etapiste-kiosk").uid
    children = kiosk.children()
    assert set(children) == {"weston", "app"}, children
    for pid in (*children.values(), kiosk.service.main.pid):  # type: ignore[union-attr]
        assert os.stat(f"/proc/{pid}").st_uid == uid
    weston = Path(f"/proc/{children['weston']}/cmdline").read_bytes().split(b"\0")
    assert b"--config=/etc/etapiste/weston.ini" in weston


def test_the_app_speaks_from_the_cache_provisioning_rendered(kiosk: KioskRun, site: Site,
                                                            ) -> None:
    app = kiosk.children()["app"]
    environ = Path(f"/proc/{app}/environ").read_bytes().split(b"\0")
    assert b"CACHE_DIRECTORY=/var/cache/etapiste-kiosk" in environ
    time.sleep(3.0)  # the app checks its cache in the background after start
    # Nothing rendered since the unit first started: every fixed sentence was there.
    first_start = time.time() - (time.monotonic() - kiosk.service.events[0].t)
    clips = list(site.root.path("/var/cache/etapiste-kiosk/speech").rglob("*.wav"))
    assert len(clips) > 100
    assert max(c.stat().st_mtime for c in clips) < first_start


def test_escape_keys_lead_nowhere(kiosk: KioskRun, display: Xvfb) -> None:
    before_pids = kiosk.children()
    before_procs = set(kiosk.service.processes())
    pointer(display.display, "mousemove", "200", "50")  # over the title, not a button
    before = kiosk.screenshot("escape-before")
    press(display.display,
          "ctrl+alt+F1", "ctrl+alt+F2", "ctrl+alt+F7", "ctrl+alt+BackSpace", "ctrl+alt+Delete",
          "alt+F4", "alt+Tab", "super", "super+Tab", "super+Return", "ctrl+alt+t", "alt+F2",
          "ctrl+Escape", "Escape", "ctrl+q", "ctrl+w", "F11", "alt+space")
    # An edge swipe from the top bar down, the way a touch gesture would start.
    pointer(display.display, "mousemove", "200", "2", "mousedown", "1", "mousemove", "200",
            "600", "mouseup", "1", "mousemove", "200", "50")
    time.sleep(1.0)
    after = kiosk.screenshot("escape-after")
    assert kiosk.children() == before_pids  # nothing quit, nothing restarted
    assert set(kiosk.service.processes()) == before_procs  # nothing new was started
    assert read_picture(after).is_connected_welcome
    assert difference(before, after) < 0.02


def test_a_frozen_ui_stops_the_pings_and_the_kiosk_comes_back(kiosk: KioskRun) -> None:
    service = kiosk.service
    first_main = service.main.pid  # type: ignore[union-attr]
    frozen_at = time.monotonic()
    kiosk.freeze_app()
    # No keepalive may reach systemd while the UI is frozen.
    time.sleep(WATCHDOG_S * 0.75)
    assert service.notify.accepted("WATCHDOG=1", since=frozen_at + WATCHDOG_S / 2 + 0.3) == []
    deadline = time.monotonic() + WATCHDOG_S * 2 + 30
    while not any(e.what == "restarted" for e in service.events):
        assert time.monotonic() < deadline, service.events
        time.sleep(0.1)
    watchdog = next(e for e in service.events if e.what == "watchdog")
    restarted = next(e for e in service.events if e.what == "restarted")
    assert service.main.pid != first_main  # type: ignore[union-attr]
    ready_after = kiosk.wait_ready(since=restarted.t)
    _, picture = kiosk.wait_screen("kiosk-after-hang", "is_connected_welcome")
    assert picture.is_connected_welcome
    FIGURES["hang_to_watchdog_s"] = round(watchdog.t - frozen_at, 2)
    FIGURES["hang_to_restart_s"] = round(restarted.t - frozen_at, 2)
    FIGURES["hang_to_ready_s"] = round(restarted.t + ready_after - frozen_at, 2)
    FIGURES["hang_to_welcome_s"] = round(time.monotonic() - frozen_at, 2)


def test_a_crash_leaves_a_report_and_the_kiosk_comes_back(kiosk: KioskRun, site: Site) -> None:
    service = kiosk.service
    restarts = sum(e.what == "restarted" for e in service.events)
    crashed_at = time.monotonic()
    os.kill(kiosk.children()["app"], signal.SIGSEGV)
    deadline = time.monotonic() + 30
    while sum(e.what == "restarted" for e in service.events) == restarts:
        assert time.monotonic() < deadline, service.events
        time.sleep(0.1)
    exited = [e for e in service.events if e.what == "exited" and e.t >= crashed_at]
    assert exited and exited[0].detail == str(128 + signal.SIGSEGV), service.events
    report = site.root.path("/var/lib/etapiste-kiosk/crash/faulthandler.log").read_text()
    assert "Fatal Python error: Segmentation fault" in report
    restarted = [e for e in service.events if e.what == "restarted"][-1]
    kiosk.wait_ready(since=restarted.t)
    assert "the kiosk app exited with 139" in service.log()


def test_a_dead_compositor_takes_the_app_down_and_the_kiosk_comes_back(kiosk: KioskRun,
                                                                        ) -> None:
    service = kiosk.service
    restarts = sum(e.what == "restarted" for e in service.events)
    killed_at = time.monotonic()
    os.kill(kiosk.children()["weston"], signal.SIGKILL)
    deadline = time.monotonic() + 30
    while sum(e.what == "restarted" for e in service.events) == restarts:
        assert time.monotonic() < deadline, service.events
        time.sleep(0.1)
    exited = [e for e in service.events if e.what == "exited" and e.t >= killed_at]
    assert exited and exited[0].detail == "69", service.events  # EX_UNAVAILABLE
    assert "the compositor exited with -9; stopping the kiosk app" in service.log()
    restarted = [e for e in service.events if e.what == "restarted"][-1]
    kiosk.wait_ready(since=restarted.t)


def test_systemctl_stop_ends_the_kiosk_cleanly(kiosk: KioskRun) -> None:
    service = kiosk.service
    kiosk.wait_ready(since=service.events[-1].t)
    code = service.stop()  # SIGTERM to the main process only (KillMode=mixed)
    assert code == 0, service.log()[-3000:]
    assert "stopping on request" in service.log()
    assert service.notify.accepted("STOPPING=1"), service.notify.notices[-5:]
