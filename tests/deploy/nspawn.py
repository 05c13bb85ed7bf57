"""The installed root booted with real systemd (systemd-nspawn), for the sandbox directives.

:mod:`tests.deploy.service` plays systemd's part for the notify socket, the watchdog and the
restart policy, but cannot apply ``ProtectSystem=``, ``SystemCallFilter=``,
``MemoryDenyWriteExecute=`` and the rest of a unit's sandbox. Booting the throwaway root as a
container lets Debian's own systemd start the units with all of it, inside one of the test's
network namespaces. The root's API mounts are taken off for the boot (nspawn makes its own),
so this comes after every other use of the root.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.deploy.rootfs import RootError, ThrowawayRoot


@dataclass(frozen=True)
class Booted:
    """A running container: its init's PID (as this host sees it)."""

    init_pid: int

    def run(self, argv: Sequence[str], timeout: float = 60, check: bool = True,
            ) -> subprocess.CompletedProcess[str]:
        """``argv`` inside the container (all its namespaces)."""
        done = subprocess.run(["nsenter", "-t", str(self.init_pid), "-a", *argv],
                              capture_output=True, text=True, timeout=timeout, check=False)
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} -> {done.returncode}\n{done.stdout}"
                                 f"\n{done.stderr}")
        return done

    def systemctl(self, *args: str, check: bool = True) -> str:
        return self.run(["systemctl", "--no-pager", *args], check=check).stdout.strip()

    def show(self, unit: str, *props: str) -> dict[str, str]:
        out = self.systemctl("show", unit, *[f"--property={p}" for p in props])
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


@contextlib.contextmanager
def booted(root: ThrowawayRoot, netns: str, log: Path, timeout: float = 60) -> Iterator[Booted]:
    """Boot ``root`` (multi-user.target) in network namespace ``netns``; power it off after."""
    for mount in ("tmp", "run", "dev", "sys", "proc"):
        with contextlib.suppress(RootError):  # gone already after an earlier boot
            root.ns(["umount", "-R", f"{root.merged}/{mount}"])
    with log.open("ab") as out:
        nspawn = subprocess.Popen(
            ["nsenter", "-t", str(root.holder_pid), "-m", "--", "systemd-nspawn", "--quiet",
             "-D", str(root.merged), "--register=no", "--keep-unit",
             f"--network-namespace-path=/run/netns/{netns}", "--boot", "--",
             "systemd.unit=multi-user.target"],
            stdout=out, stderr=out, stdin=subprocess.DEVNULL, start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout
        box: Booted | None = None
        while box is None:
            assert nspawn.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            for child in _children(nspawn.pid):
                box = Booted(child)
            time.sleep(0.1)
        state = ""
        while state not in ("running", "degraded"):  # systemd answers once it is PID 1
            assert time.monotonic() < deadline, (state, log.read_text()[-3000:])
            state = box.run(["systemctl", "is-system-running", "--wait"], check=False,
                            timeout=timeout).stdout.strip()
            time.sleep(0.2)
        yield box
    finally:
        if nspawn.poll() is None:
            nspawn.send_signal(signal.SIGTERM)  # an orderly power-off of the container
            try:
                nspawn.wait(30)
            except subprocess.TimeoutExpired:
                nspawn.kill()
                nspawn.wait(10)
