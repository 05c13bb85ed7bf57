"""kiosk.session passes systemd only what it should (the real run is in tests/deploy)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.session import (
    WAYLAND_SOCKET,
    app_environment,
    compositor_argv,
    relay_message,
    runtime_directory,
)


def test_only_readiness_watchdog_and_status_are_relayed() -> None:
    assert relay_message(b"READY=1\nSTATUS=welcome") == "READY=1\nSTATUS=welcome"
    assert relay_message(b"WATCHDOG=1") == "WATCHDOG=1"
    # The app may not speak for the service manager's bookkeeping.
    assert relay_message(b"MAINPID=1") is None
    assert relay_message(b"FDSTORE=1\nWATCHDOG=1") == "WATCHDOG=1"
    assert relay_message(b"\xff\xfe") is None


def test_the_app_talks_to_our_relay_on_our_display(tmp_path: Path) -> None:
    relay = tmp_path / "notify-relay"
    env = app_environment(
        {"NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_PID": "7", "WATCHDOG_USEC": "30000000",
         "PATH": "/usr/bin"},
        tmp_path, relay,
    )
    assert env["NOTIFY_SOCKET"] == str(relay)
    assert "WATCHDOG_PID" not in env  # the app is not the main process; its pings still count
    assert env["WATCHDOG_USEC"] == "30000000"
    assert env["WAYLAND_DISPLAY"] == WAYLAND_SOCKET and env["QT_QPA_PLATFORM"] == "wayland"
    assert env["XDG_RUNTIME_DIR"] == str(tmp_path)


def test_compositor_options_come_from_config_then_the_site(tmp_path: Path) -> None:
    argv = compositor_argv(tmp_path / "weston.ini", "s0", "--backend=x11-backend.so --debug")
    assert argv == ["weston", f"--config={tmp_path / 'weston.ini'}", "--socket=s0",
                    "--backend=x11-backend.so", "--debug"]


def test_the_runtime_directory_is_the_units(tmp_path: Path) -> None:
    assert runtime_directory({"RUNTIME_DIRECTORY": str(tmp_path)}) == tmp_path
    assert runtime_directory({"XDG_RUNTIME_DIR": str(tmp_path)}) == tmp_path
    with pytest.raises(SystemExit):
        runtime_directory({"RUNTIME_DIRECTORY": str(tmp_path / "missing")})
