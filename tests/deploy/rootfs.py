"""A throwaway Debian 12 root in which the deploy tests install and run what ships.

The base is Debian's own minimal system, ``mmdebstrap --variant=minbase`` plus systemd (so
``systemctl`` and ``systemd-analyze`` exist, as on any installed Debian), built once per
machine into ``/var/cache/etapiste-tests`` (about 45 s, reused after). Each test session lays
an overlay over it in a private mount namespace: writes go to a temporary upper directory, and
every mount and process in the root goes away with the namespace. Commands run in it with
``chroot``; ``ip netns exec`` in front puts them in a test network namespace.

Site settings are copied from this machine, as an administrator sets them on a machine in the
same network: DNS (``resolv.conf``), the local CA certificates of the network's TLS-inspecting
proxy (``/usr/local/share/ca-certificates``), and pip's configuration with its local package
mirrors (bound read-only). A ``policy-rc.d`` stops package scripts from starting daemons, the
standard for Debian chroots, so installing nginx does not start one on the host's network.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

CACHE = Path(os.environ.get("ETAPISTE_TEST_CACHE", "/var/cache/etapiste-tests"))
MIRROR = "http://deb.debian.org/debian"
SUITE = "bookworm"
BASE_PACKAGES = ("systemd", "systemd-sysv")
SITE_FILES = ("/etc/resolv.conf", "/etc/pip.conf", "/etc/xdg/pip/pip.conf",
              "/etc/xdg/pip/constraints.txt")
SITE_MIRRORS = ("/opt/wheels", "/opt/pypi", "/opt/pypi-more")
ROOT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class RootError(RuntimeError):
    """A command in the throwaway root failed."""


def unavailable_reason() -> str | None:
    """Why a throwaway root cannot be made here (None: it can)."""
    if os.geteuid() != 0:
        return "needs root (mount namespaces, overlayfs, chroot)"
    for tool in ("mmdebstrap", "unshare", "nsenter", "chroot"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian: mmdebstrap, util-linux, coreutils)"
    return None


def debian_base() -> Path:
    """The cached Debian 12 minbase + systemd tree, built on first use."""
    tag = hashlib.sha256(f"{SUITE} {MIRROR} {BASE_PACKAGES}".encode()).hexdigest()[:10]
    target = CACHE / f"debian-{SUITE}-minbase-{tag}"
    if (target / ".complete").exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test run may be building the same
        if (target / ".complete").exists():
            return target
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        subprocess.run(
            ["mmdebstrap", "--quiet", "--variant=minbase", "--mode=root",
             f"--include={','.join(BASE_PACKAGES)}", SUITE, str(partial), MIRROR],
            check=True, timeout=900, capture_output=True,
        )
        (partial / ".complete").touch()
        partial.rename(target)
    return target


@dataclass
class Passwd:
    """A user as the root's ``/etc/passwd`` has it."""

    name: str
    uid: int
    gid: int
    home: str
    shell: str


class ThrowawayRoot:
    """An overlay over the Debian base in a private mount namespace; ``with`` it."""

    def __init__(self, workdir: Path, base: Path | None = None) -> None:
        self.workdir = workdir
        self.base = base
        self.merged = workdir / "merged"
        self._holder: subprocess.Popen[bytes] | None = None

    # ----------------------------------------------------------------------------- set-up

    def __enter__(self) -> ThrowawayRoot:
        base = self.base or debian_base()
        upper, work = self.workdir / "upper", self.workdir / "work"
        for folder in (upper, work, self.merged):
            folder.mkdir(parents=True, exist_ok=True)
        self._holder = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sleep", "infinity"],
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while self._mnt_ns(self._holder.pid) == self._mnt_ns(os.getpid()):
            if time.monotonic() > deadline:
                raise RootError("the mount namespace holder did not start")
            time.sleep(0.01)
        try:
            m = str(self.merged)
            self.ns(["mount", "-t", "overlay", "overlay", "-o",
                     f"lowerdir={base},upperdir={upper},workdir={work}", m])
            self.ns(["mount", "-t", "proc", "proc", f"{m}/proc"])
            self.ns(["mount", "--rbind", "/sys", f"{m}/sys"])
            self.ns(["mount", "--rbind", "/dev", f"{m}/dev"])
            self.ns(["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", f"{m}/run"])
            self.ns(["mount", "-t", "tmpfs", "-o", "mode=1777", "tmpfs", f"{m}/tmp"])
            self._site_settings()
        except BaseException:
            self.close()
            raise
        return self

    def _site_settings(self) -> None:
        for name in SITE_FILES:
            if Path(name).is_file():
                self.put(name, Path(name).read_bytes(), mode=0o644)
        local_cas = Path("/usr/local/share/ca-certificates")
        for cert in sorted(local_cas.glob("*.crt")) if local_cas.is_dir() else []:
            self.put(f"{local_cas}/{cert.name}", cert.read_bytes(), mode=0o644)
        for mirror in SITE_MIRRORS:
            if Path(mirror).is_dir():
                self.bind(Path(mirror), mirror, read_only=True)
        self.put("/usr/sbin/policy-rc.d", b"#!/bin/sh\nexit 101\n", mode=0o755)

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Kill every process in the root's mount namespace (all ours), then the namespace."""
        holder = self._holder
        if holder is None:
            return
        ns = self._mnt_ns(holder.pid)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            pids = [p for p in _pids() if p != holder.pid and self._mnt_ns(p) == ns]
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, sig)
            deadline = time.monotonic() + 3
            while pids and time.monotonic() < deadline:
                pids = [p for p in pids if _alive(p)]
                time.sleep(0.05)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(holder.pid, signal.SIGKILL)
        holder.wait(10)
        self._holder = None

    @staticmethod
    def _mnt_ns(pid: int) -> str | None:
        try:
            return os.readlink(f"/proc/{pid}/ns/mnt")
        except OSError:
            return None

    # ---------------------------------------------------------------------------- access

    @property
    def holder_pid(self) -> int:
        if self._holder is None:
            raise RootError("the root is not set up")
        return self._holder.pid

    def path(self, inside: str) -> Path:
        """A path inside the root, as this (host) process can open it."""
        return Path(f"/proc/{self.holder_pid}/root{self.merged}{inside}")

    def put(self, inside: str, data: bytes, *, mode: int = 0o644, owner: str | None = None,
            ) -> None:
        """Write a file into the root (parents made as needed)."""
        target = self.path(inside)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        target.chmod(mode)
        if owner is not None:
            user = self.user(owner)
            os.chown(target, user.uid, user.gid)

    def bind(self, host: Path, inside: str, *, read_only: bool = False) -> None:
        """Bind-mount a host directory (or file) into the root."""
        target = self.path(inside)
        if host.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.touch()
        where = f"{self.merged}{inside}"
        self.ns(["mount", "--bind", str(host), where])
        if read_only:
            self.ns(["mount", "-o", "remount,bind,ro", where])

    def user(self, name: str) -> Passwd:
        """A user of the root."""
        for line in self.path("/etc/passwd").read_text().splitlines():
            fields = line.split(":")
            if fields[0] == name:
                return Passwd(name, int(fields[2]), int(fields[3]), fields[5], fields[6])
        raise RootError(f"no user {name} in the root")

    # -------------------------------------------------------------------------- commands

    def ns(self, argv: Sequence[str]) -> None:
        """Run a command in the root's mount namespace (not chrooted): mounts."""
        _check(subprocess.run(["nsenter", "-t", str(self.holder_pid), "-m", "--", *argv],
                              capture_output=True, text=True, timeout=60, check=False))

    def wrap(self, argv: Sequence[str], netns: str | None = None) -> list[str]:
        """``argv`` run chrooted in the root (in network namespace ``netns`` if given)."""
        inner = ["nsenter", "-t", str(self.holder_pid), "-m", "--", "chroot", str(self.merged),
                 *argv]
        return ["ip", "netns", "exec", netns, *inner] if netns else inner

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """A clean root login environment (nothing of the test process leaks in)."""
        env = {"PATH": ROOT_PATH, "HOME": "/root", "LANG": "C.UTF-8", "TERM": "dumb"}
        env.update(extra or {})
        return env

    def run(self, argv: Sequence[str], *, netns: str | None = None, input: str | None = None,
            env: Mapping[str, str] | None = None, timeout: float = 120, check: bool = True,
            ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` as root in the root and wait."""
        proc = subprocess.run(self.wrap(argv, netns), input=input, capture_output=True,
                              text=True, timeout=timeout, env=self.env(env), check=False)
        return _check(proc) if check else proc

    def popen(self, argv: Sequence[str], *, netns: str | None = None,
              env: Mapping[str, str] | None = None, stdout: IO[Any] | int | None = None,
              ) -> subprocess.Popen[bytes]:
        """Start ``argv`` in the root; the caller stops it (:meth:`close` kills leftovers)."""
        return subprocess.Popen(self.wrap(argv, netns), env=self.env(env), stdout=stdout,
                                stderr=subprocess.STDOUT, start_new_session=True)


@contextlib.contextmanager
def throwaway_root(workdir: Path) -> Iterator[ThrowawayRoot]:
    """A :class:`ThrowawayRoot` set up and torn down around the body."""
    with ThrowawayRoot(workdir) as root:
        yield root


def _check(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    if proc.returncode != 0:
        raise RootError(f"{' '.join(map(str, proc.args))[-300:]} -> {proc.returncode}\n"
                        f"{(proc.stdout or '')[-3000:]}\n{(proc.stderr or '')[-3000:]}")
    return proc


def _pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
