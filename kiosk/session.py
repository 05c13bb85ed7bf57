"""``python -m kiosk.session``: the kiosk's systemd service, compositor and app together.

systemd runs this as ``etapiste-kiosk.service``'s main process (``Type=notify``,
``NotifyAccess=main``). It starts Weston with its kiosk shell and the kiosk's own
``weston.ini``, waits for the Wayland socket, then starts ``python -m kiosk`` on it, and relays
the app's ``sd_notify`` messages (``READY=1``, ``WATCHDOG=1``, ``STATUS=``, ``STOPPING=1``) to
systemd. So the watchdog is fed only while the app's UI loop runs, and systemd accepts the
pings because they reach it from the main process. When either child ends the other is stopped
and the session exits (with the app's code, or :data:`EXIT_COMPOSITOR` when the compositor
died), and systemd starts the whole kiosk afresh.

Why Weston and not cage: on a machine without DRM (tests, VMs) Debian 12's cage 0.1.4
(wlroots 0.15) starts with ``WLR_BACKENDS=headless WLR_RENDERER=pixman`` (and Xwayland
installed), but every output commit fails ("Basic output test failed"), so a Qt client gets no
frame callbacks and its window stays frozen at its first frame: no test could start the kiosk
under cage and see its screen. Weston's kiosk shell does the same job (one fullscreen app, no
panels, no window switching; ``vt-switching=false`` in its config closes Ctrl+Alt+Fn) and runs
under a test with the x11 backend on Xvfb. Weston 10's headless backend is no substitute: it
has no seat, and the kiosk shell maps no window without one (a black screen).

``ETAPISTE_WESTON_ARGS`` adds compositor options, e.g. another backend where there is no DRM
device (``--backend=x11-backend.so --use-pixman``: what the tests use).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import shlex
import signal
import socket
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from jsonlog import setup_logging
from kiosk import systemd

log = logging.getLogger("etapiste.kiosk.session")

EXIT_COMPOSITOR: Final = 69  # EX_UNAVAILABLE: the compositor died or never came up
EXIT_USAGE: Final = 2
RELAYED: Final = frozenset({"READY", "WATCHDOG", "STATUS", "STOPPING", "EXTEND_TIMEOUT_USEC"})
"""The ``sd_notify`` keys the app may send on to systemd; anything else is dropped."""
WAYLAND_SOCKET: Final = "etapiste-kiosk-0"
_STOP_GRACE_S: Final = 8.0


def relay_message(datagram: bytes) -> str | None:
    """The part of an app's notify datagram systemd should see, or None for nothing."""
    lines = []
    for line in datagram.decode("utf-8", "replace").splitlines():
        key = line.partition("=")[0]
        if key in RELAYED:
            lines.append(line)
    return "\n".join(lines) or None


def runtime_directory(env: Mapping[str, str]) -> Path:
    """Where the Wayland socket and the relay live: the unit's ``RuntimeDirectory=``.

    systemd sets ``RUNTIME_DIRECTORY`` for it (0700, ours, writable under
    ``ProtectSystem=strict``); ``XDG_RUNTIME_DIR`` is the fallback outside systemd. Not the
    logind user directory, which PAM may name but the sandbox keeps read-only.
    """
    for candidate in (env.get("RUNTIME_DIRECTORY", "").split(":")[0], env.get("XDG_RUNTIME_DIR")):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    raise SystemExit("no runtime directory: set RuntimeDirectory= in the unit or XDG_RUNTIME_DIR")


def compositor_argv(config: Path, socket_name: str, extra: str) -> list[str]:
    """Weston's command line: the kiosk's config and socket, then ``extra`` (shell-quoted)."""
    return ["weston", f"--config={config}", f"--socket={socket_name}", *shlex.split(extra)]


def app_environment(base: Mapping[str, str], runtime: Path, relay: Path) -> dict[str, str]:
    """The kiosk app's environment: our Wayland display, and our relay as its notify socket."""
    env = {k: v for k, v in base.items() if k not in ("NOTIFY_SOCKET", "WATCHDOG_PID")}
    env.update(
        XDG_RUNTIME_DIR=str(runtime),
        WAYLAND_DISPLAY=WAYLAND_SOCKET,
        QT_QPA_PLATFORM="wayland",
        QT_WAYLAND_DISABLE_WINDOWDECORATION="1",
        NOTIFY_SOCKET=str(relay),
    )
    return env


class Session:
    """The compositor, the app and the notify relay between the app and systemd."""

    def __init__(self, config: Path, app_args: Sequence[str], start_timeout_s: float) -> None:
        self.runtime = runtime_directory(os.environ)
        self.config = config
        self.app_args = list(app_args)
        self.start_timeout_s = start_timeout_s
        self.started = time.monotonic()
        self.relay_path = self.runtime / "notify-relay"
        self.stopping = asyncio.Event()
        self.ready_after_s: float | None = None
        self._relay = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)

    async def run(self) -> int:
        """Start both, relay until one ends or we are told to stop; returns the exit code."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stopping.set)
        with contextlib.suppress(FileNotFoundError):
            self.relay_path.unlink()
        self._relay.bind(str(self.relay_path))
        self._relay.setblocking(False)
        loop.add_reader(self._relay.fileno(), self._on_notify)
        systemd.notify("STATUS=starting the compositor")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NOTIFY_", "WATCHDOG_"))}
        env["XDG_RUNTIME_DIR"] = str(self.runtime)
        argv = compositor_argv(
            self.config, WAYLAND_SOCKET, os.environ.get("ETAPISTE_WESTON_ARGS", "")
        )
        compositor = await asyncio.create_subprocess_exec(*argv, env=env)
        app: asyncio.subprocess.Process | None = None
        try:
            if not await self._wait_for_display(compositor):
                return 0 if self.stopping.is_set() else EXIT_COMPOSITOR
            log.info(
                "compositor up", extra={"fields": {"after_s": self._elapsed(), "argv": argv}}
            )
            systemd.notify("STATUS=starting the kiosk app")
            app = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "kiosk",
                *self.app_args,
                env=app_environment(os.environ, self.runtime, self.relay_path),
            )
            return await self._supervise(compositor, app)
        finally:
            loop.remove_reader(self._relay.fileno())
            self._relay.close()
            if app is not None:
                await _stop(app, "kiosk app")
            await _stop(compositor, "compositor")

    async def _wait_for_display(self, compositor: asyncio.subprocess.Process) -> bool:
        path = self.runtime / WAYLAND_SOCKET
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline and not self.stopping.is_set():
            if compositor.returncode is not None:
                log.error("the compositor exited with %s before it was up", compositor.returncode)
                return False
            if path.exists():
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                    try:
                        probe.connect(str(path))
                        return True
                    except OSError:
                        pass
            await asyncio.sleep(0.05)
        if not self.stopping.is_set():
            log.error("no Wayland display at %s within %.0f s", path, self.start_timeout_s)
        return False

    async def _supervise(
        self, compositor: asyncio.subprocess.Process, app: asyncio.subprocess.Process
    ) -> int:
        waits = {
            asyncio.ensure_future(compositor.wait()): "compositor",
            asyncio.ensure_future(app.wait()): "app",
            asyncio.ensure_future(self.stopping.wait()): "stop",
        }
        done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for future in pending:
            future.cancel()
        first = waits[next(iter(done))]
        if first == "stop":
            systemd.notify("STOPPING=1")
            log.info("stopping on request")
            await _stop(app, "kiosk app")
            return 0
        if first == "app":
            code = app.returncode if app.returncode is not None else 1
            code = 128 - code if code < 0 else code  # killed by a signal: the shell's 128+N
            log.log(
                logging.INFO if code == 0 else logging.ERROR, "the kiosk app exited with %s", code
            )
            return code
        log.error("the compositor exited with %s; stopping the kiosk app", compositor.returncode)
        return EXIT_COMPOSITOR

    def _on_notify(self) -> None:
        while True:
            try:
                datagram = self._relay.recv(4096)
            except (BlockingIOError, InterruptedError):
                return
            message = relay_message(datagram)
            if message is None:
                continue
            if "READY=1" in message.splitlines() and self.ready_after_s is None:
                self.ready_after_s = self._elapsed()
                log.info("kiosk ready", extra={"fields": {"after_s": self.ready_after_s}})
            systemd.notify(message)

    def _elapsed(self) -> float:
        return round(time.monotonic() - self.started, 3)


async def _stop(proc: asyncio.subprocess.Process, what: str) -> None:
    if proc.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.terminate()
    try:
        await asyncio.wait_for(proc.wait(), _STOP_GRACE_S)
    except TimeoutError:
        log.warning("%s did not stop within %.0f s; killing it", what, _STOP_GRACE_S)
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``[options] -- KIOSK ARGS`` and run the session."""
    parser = argparse.ArgumentParser(prog="python -m kiosk.session", description=__doc__)
    parser.add_argument(
        "--compositor-config",
        type=Path,
        default=Path("/etc/etapiste/weston.ini"),
        help="Weston's configuration (kiosk shell, no VT switching)",
    )
    parser.add_argument("--start-timeout", type=float, default=30.0)
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("app_args", nargs=argparse.REMAINDER, help="-- then python -m kiosk's")
    args = parser.parse_args(argv)
    app_args = args.app_args[1:] if args.app_args[:1] == ["--"] else args.app_args
    setup_logging(args.log_level)
    if not args.compositor_config.is_file():
        log.error("no compositor configuration at %s", args.compositor_config)
        return EXIT_USAGE
    os.umask(0o077)  # the relay socket and anything else we make is ours alone
    session = Session(args.compositor_config, app_args, args.start_timeout)
    return asyncio.run(session.run())


if __name__ == "__main__":
    raise SystemExit(main())
