"""Run a service from its unit file the way systemd runs it, with a notify socket we own.

This machine's PID 1 is not systemd, so the test plays systemd's part from the unit's own
values and everything else is real: the command line comes from ``ExecStart=`` (specifiers and
variables expanded by :mod:`tests.deploy.units`), the process runs chrooted in the throwaway
root as ``User=`` with ``NoNewPrivileges=``, ``CapabilityBoundingSet=``,
``AmbientCapabilities=`` and ``UMask=`` (``setpriv``), in the environment systemd would give
it (``Environment=``, ``EnvironmentFile=``, ``RUNTIME_DIRECTORY``, ``STATE_DIRECTORY``,
``CACHE_DIRECTORY``, ``NOTIFY_SOCKET``, ``WATCHDOG_USEC``, ``WATCHDOG_PID``), with its runtime,
state and cache directories made as systemd makes them.

The notify socket is the test's: each datagram comes with the sender's PID (``SO_PASSCRED``)
and is accepted only as ``NotifyAccess=`` allows (``main``: the main process; ``all``: any
process of the service). The watchdog (``WatchdogSec=``, ``WatchdogSignal=`` SIGABRT,
``TimeoutAbortSec=``), the stop (``KillMode=``, ``TimeoutStopSec=``) and the restart
(``Restart=``, ``RestartSec=``) follow the unit. The sandbox directives (Protect*, Private*,
PAM and TTY settings, ...) need systemd itself; they are listed in :data:`NOT_APPLIED`, and a
directive in neither list fails the run, so a new one forces a decision here.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from tests.deploy.rootfs import ThrowawayRoot
from tests.deploy.units import (
    Unit,
    UnitError,
    command_line,
    expand_specifiers,
    seconds,
    service_environment,
)

DIRECTORIES = (("RuntimeDirectory", "/run"), ("StateDirectory", "/var/lib"),
               ("CacheDirectory", "/var/cache"))
"""Directory settings systemd makes for the service, and where (``*_DIRECTORY`` in its env)."""
APPLIED = frozenset(
    {"Type", "NotifyAccess", "User", "Group", "Environment", "EnvironmentFile", "ExecStart",
     "ExecStartPre", "WatchdogSec", "Restart", "RestartSec", "TimeoutStartSec",
     "TimeoutStopSec", "TimeoutAbortSec", "KillMode", "KillSignal", "RuntimeDirectory",
     "RuntimeDirectoryMode", "StateDirectory", "StateDirectoryMode", "CacheDirectory",
     "CacheDirectoryMode", "NoNewPrivileges", "CapabilityBoundingSet", "AmbientCapabilities",
     "UMask", "PIDFile"}
)
NOT_APPLIED = frozenset(
    {"PAMName", "TTYPath", "TTYReset", "TTYVHangup", "TTYVTDisallocate", "StandardInput",
     "StandardOutput", "StandardError", "UtmpIdentifier", "UtmpMode", "ProtectSystem",
     "ProtectHome", "PrivateTmp", "PrivateDevices", "ProtectKernelTunables",
     "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups", "ProtectClock",
     "ProtectHostname", "RestrictNamespaces", "RestrictRealtime", "RestrictSUIDSGID",
     "LockPersonality", "MemoryDenyWriteExecute", "RestrictAddressFamilies",
     "SystemCallArchitectures", "SystemCallFilter", "LimitNOFILE", "ExecReload", "ExecStop",
     "TimeoutSec"}
)
SPECIFIER_DIRS = {"t": "/run", "S": "/var/lib", "C": "/var/cache", "L": "/var/log", "E": "/etc",
                  "T": "/tmp"}


@dataclass(frozen=True)
class Notice:
    """One notify datagram: when it came, from which PID, and whether it was accepted."""

    t: float
    pid: int
    text: str
    accepted: bool


@dataclass
class Event:
    """Something the service manager saw or did."""

    t: float
    what: str
    detail: str = ""


class NotifySocket:
    """A ``NOTIFY_SOCKET`` owned by the test, recording every datagram and its sender."""

    def __init__(self, host_path: Path, accept: Callable[[int], bool]) -> None:
        self.host_path = host_path
        self.accept = accept
        self.notices: list[Notice] = []
        self._cond = threading.Condition()
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        with contextlib.suppress(FileNotFoundError):
            host_path.unlink()
        self._sock.bind(str(host_path))
        host_path.chmod(0o777)  # services run unprivileged, and systemd's socket is open too
        self._sock.settimeout(0.2)
        self._closed = False
        self._thread = threading.Thread(target=self._read, name="notify", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        space = socket.CMSG_SPACE(struct.calcsize("3i"))
        while not self._closed:
            try:
                data, ancillary, _flags, _addr = self._sock.recvmsg(4096, space)
            except (TimeoutError, OSError):
                continue
            pid = 0
            for level, kind, payload in ancillary:
                if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                    pid = struct.unpack("3i", payload[: struct.calcsize("3i")])[0]
            notice = Notice(time.monotonic(), pid, data.decode("utf-8", "replace"),
                            self.accept(pid))
            with self._cond:
                self.notices.append(notice)
                self._cond.notify_all()

    def wait(self, predicate: Callable[[Notice], bool], timeout: float, since: float = 0.0,
             ) -> Notice | None:
        """The first accepted notice after ``since`` matching ``predicate``, waiting for it."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for notice in self.notices:
                    if notice.t >= since and notice.accepted and predicate(notice):
                        return notice
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)

    def accepted(self, key: str, since: float = 0.0) -> list[Notice]:
        """Accepted notices after ``since`` carrying ``key`` (e.g. ``WATCHDOG=1``)."""
        with self._cond:
            return [n for n in self.notices
                    if n.t >= since and n.accepted and key in n.text.splitlines()]

    def refused(self) -> list[Notice]:
        """Notices systemd would have dropped (wrong sender for ``NotifyAccess=``)."""
        with self._cond:
            return [n for n in self.notices if not n.accepted]

    def close(self) -> None:
        self._closed = True
        self._thread.join(2)
        self._sock.close()


@dataclass
class ServiceRun:
    """One service from its unit, run in a throwaway root; :meth:`start`, :meth:`stop`."""

    unit: Unit
    root: ThrowawayRoot
    log_path: Path
    netns: str | None = None
    events: list[Event] = field(default_factory=list)
    main: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def __post_init__(self) -> None:
        unknown = self.unit.keys("Service") - APPLIED - NOT_APPLIED
        if unknown:
            raise UnitError(f"{self.unit.name}: directives this runner does not know: {unknown}")
        # A short host directory bound into the root: a socket path has at most 107 bytes.
        host_dir = Path(tempfile.mkdtemp(prefix="etp-notify-"))
        host_dir.chmod(0o755)
        self.notify_dir = f"/run/{host_dir.name}"
        self.root.bind(host_dir, self.notify_dir)
        self.notify = NotifySocket(host_dir / "notify.sock", self._notify_allowed)
        self._log: IO[bytes] = self.log_path.open("ab")
        self._stop = threading.Event()
        self._manager: threading.Thread | None = None

    # ------------------------------------------------------------------------ the values

    def value(self, key: str, default: str | None = None) -> str | None:
        return self.unit.get("Service", key, default)

    @property
    def service_type(self) -> str:
        return self.value("Type", "simple") or "simple"

    @property
    def watchdog_s(self) -> float | None:
        return seconds(self.value("WatchdogSec"))

    def specifiers(self) -> dict[str, str]:
        name = self.unit.name
        spec = dict(SPECIFIER_DIRS, n=name, N=name.rsplit(".", 1)[0], p=name.split("@")[0])
        if "@" in name:  # an instance of a template unit: etapiste-signaling@n1.service
            instance = name.split("@", 1)[1].rsplit(".", 1)[0]
            spec.update(i=instance, I=instance)
        user = self.value("User")
        if user:
            pw = self.root.user(user)
            spec.update(u=user, U=str(pw.uid), h=pw.home)
        else:
            spec.update(u="root", U="0", h="/root")
        return spec

    def environment(self) -> dict[str, str]:
        """What systemd puts in the service's environment."""
        spec = self.specifiers()

        def read(path: str) -> str | None:
            target = self.root.path(path)
            return target.read_text(encoding="utf-8") if target.exists() else None

        env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
               "HOME": spec["h"], "USER": spec["u"], "LOGNAME": spec["u"],
               "INVOCATION_ID": os.urandom(16).hex()}
        env.update(service_environment(self.unit, spec, read))
        for key, base in DIRECTORIES:
            names = [expand_specifiers(n, spec) for v in self.unit.values("Service", key)
                     for n in v.split()]
            if names:
                env[f"{key[:-len('Directory')].upper()}_DIRECTORY"] = ":".join(
                    f"{base}/{n}" for n in names)
        if self.service_type == "notify" or self.value("NotifyAccess"):
            env["NOTIFY_SOCKET"] = f"{self.notify_dir}/notify.sock"
        if self.watchdog_s:
            env["WATCHDOG_USEC"] = str(int(self.watchdog_s * 1e6))
        return env

    def argv(self, key: str = "ExecStart") -> list[list[str]]:
        env = self.environment()
        return [command_line(v, self.specifiers(), env) for v in self.unit.values("Service", key)]

    def _directories(self) -> None:
        user = self.value("User")
        owner = self.root.user(user) if user else None
        for key, base in DIRECTORIES:
            mode = int(self.value(f"{key}Mode", "0755") or "0755", 8)
            spec = self.specifiers()
            for name in (expand_specifiers(n, spec) for v in self.unit.values("Service", key)
                         for n in v.split()):
                target = self.root.path(f"{base}/{name}")
                target.mkdir(parents=True, exist_ok=True)
                target.chmod(mode)
                if owner is not None:
                    os.chown(target, owner.uid, owner.gid)

    def _privileges(self) -> list[str]:
        """``setpriv`` options for User=, NoNewPrivileges= and the capability sets."""
        opts: list[str] = []
        user = self.value("User")
        if user:
            group = self.value("Group") or str(self.root.user(user).gid)
            opts += [f"--reuid={user}", f"--regid={group}", "--init-groups"]
        if self.value("NoNewPrivileges") == "yes":
            opts.append("--no-new-privs")
        bounding = self.unit.values("Service", "CapabilityBoundingSet")
        if self.unit.keys("Service") & {"CapabilityBoundingSet"}:
            caps = [c.lower().removeprefix("cap_") for v in bounding for c in v.split()]
            opts.append("--bounding-set=" + ",".join(["-all", *[f"+{c}" for c in caps]]))
        ambient = [c.lower().removeprefix("cap_")
                   for v in self.unit.values("Service", "AmbientCapabilities") for c in v.split()]
        if ambient:
            plus = ",".join(f"+{c}" for c in ambient)
            opts += [f"--inh-caps={plus}", f"--ambient-caps={plus}"]
        return opts

    def _command(self, argv: Sequence[str]) -> list[str]:
        umask = self.value("UMask", "0022")
        script = f"umask {umask}; "
        if self.watchdog_s:
            script += "export WATCHDOG_PID=$$; "
        script += 'exec "$@"'
        return ["setpriv", *self._privileges(), "--", "/bin/sh", "-c", script, "sh", *argv]

    # --------------------------------------------------------------------------- running

    def _notify_allowed(self, pid: int) -> bool:
        access = self.value("NotifyAccess", "main" if self.service_type == "notify" else "none")
        main = self.main.pid if self.main is not None else -1
        if access == "main":
            return pid == main
        if access == "all":
            return _descends_from(pid, main)
        return False

    def _spawn(self) -> None:
        self._directories()
        for pre in self.argv("ExecStartPre"):
            done = subprocess.run(self.root.wrap(self._command(pre), self.netns),
                                  env=self.environment(), stdout=self._log,
                                  stderr=subprocess.STDOUT, timeout=60, check=False)
            if done.returncode != 0:
                raise UnitError(f"ExecStartPre {pre} failed with {done.returncode}")
        (argv,) = self.argv("ExecStart")
        self.main = subprocess.Popen(self.root.wrap(self._command(argv), self.netns),
                                     env=self.environment(), stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.starts += 1
        self.events.append(Event(time.monotonic(), "started", str(self.main.pid)))

    def start(self, *, manage: bool = True) -> None:
        """Start the service; ``manage``: play systemd's watchdog and restart policy."""
        self._spawn()
        if manage:
            self._manager = threading.Thread(target=self._manage, name="manager", daemon=True)
            self._manager.start()

    def _manage(self) -> None:
        """Watchdog and Restart=, as systemd applies them (checked every 50 ms)."""
        while not self._stop.is_set():
            main = self.main
            assert main is not None
            started = self.events[-1].t
            code = main.poll()
            ready = self.notify.accepted("READY=1", since=started)
            if code is None and self.service_type == "notify" and not ready:
                limit = seconds(self.value("TimeoutStartSec")) or 90.0
                if time.monotonic() - started > limit:  # never said it was ready: failed
                    self.events.append(Event(time.monotonic(), "start-timeout", str(main.pid)))
                    self._kill_all(signal.SIGTERM, seconds(self.value("TimeoutStopSec")) or 90)
                    code = main.wait()
            if code is None and self.watchdog_s:
                pings = self.notify.accepted("WATCHDOG=1", since=started)
                last = pings[-1].t if pings else (ready[-1].t if ready else None)
                if last is not None and time.monotonic() - last > self.watchdog_s:
                    self.events.append(Event(time.monotonic(), "watchdog", str(main.pid)))
                    self._kill_all(signal.SIGABRT, seconds(self.value("TimeoutAbortSec")) or 5)
                    code = main.wait()
            if code is not None:
                self.events.append(Event(time.monotonic(), "exited", str(code)))
                if self._stop.is_set() or self.value("Restart", "no") not in ("always",
                                                                              "on-failure"):
                    return
                if self.value("Restart") == "on-failure" and code == 0:
                    return
                if self._stop.wait(seconds(self.value("RestartSec")) or 0.1):
                    return
                self._kill_leftovers()
                self._spawn()
                self.events.append(Event(time.monotonic(), "restarted", str(self.main.pid)))
            time.sleep(0.05)

    def processes(self) -> list[int]:
        """The service's processes (its session: ``start_new_session`` stands in for the cgroup)."""
        if self.main is None:
            return []
        out = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                with contextlib.suppress(OSError):
                    if os.getsid(int(entry)) == self.main.pid:
                        out.append(int(entry))
        return out

    def _kill_all(self, first: signal.Signals, grace: float) -> None:
        """``KillMode=``: ``first`` to the main process (mixed) or all, then SIGKILL all."""
        assert self.main is not None
        mixed = self.value("KillMode", "control-group") == "mixed"
        targets = [self.main.pid] if mixed else self.processes()
        for pid in targets:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, first)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.main.wait(grace)
        self._kill_leftovers()

    def _kill_leftovers(self) -> None:
        for pid in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.main is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.main.wait(5)

    def stop(self) -> int | None:
        """``systemctl stop``: KillSignal (SIGTERM) per KillMode, SIGKILL after TimeoutStopSec."""
        self._stop.set()
        if self._manager is not None:
            self._manager.join(10)
        code = None
        if self.main is not None and self.main.poll() is None:
            sig = signal.Signals[self.value("KillSignal", "SIGTERM") or "SIGTERM"]
            self._kill_all(sig, seconds(self.value("TimeoutStopSec")) or 90)
            code = self.main.returncode
            self.events.append(Event(time.monotonic(), "stopped", str(code)))
        self._kill_leftovers()
        self.notify.close()
        self._log.close()
        return code

    def log(self) -> str:
        """What the service wrote (its journal)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _descends_from(pid: int, ancestor: int) -> bool:
    for _ in range(64):
        if pid == ancestor:
            return True
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        pid = int(stat.rsplit(")", 1)[1].split()[1])
        if pid <= 1:
            return False
    return False
