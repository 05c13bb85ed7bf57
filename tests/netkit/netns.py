"""Network namespaces as context managers, and the kiosk-behind-NAT topology.

::

    etp-<tag>-kiosk              etp-<tag>-router                     etp-<tag>-dc
    k0 10.77.2.2/24  ──veth──  rk0 10.77.2.1/24                      d0 10.77.1.1/24 (server, agent)
    default via 10.77.2.1      rd0 10.77.1.254/24  ──veth──────────     10.77.1.3/24 (coturn)
                               SNAT (masquerade) of 10.77.2.0/24
                               out of rd0, "random,fully-random":
                               a symmetric NAT, so only TURN works

The data centre namespace has no route back to 10.77.2.0/24: like the real internet, it
reaches the kiosk only through the NAT's mappings. Addresses in 10.77.0.0/16 exist only
inside these namespaces; nothing is added to the root namespace. Interfaces are created
directly inside the namespaces (``ip -n NS link add ... netns OTHER``), so names cannot clash
with the host's.

Everything is removed on exit, also when the body raises: processes still running inside the
namespaces (only ours: the namespaces are private to the test) are killed, then the
namespaces are deleted.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

_counter = itertools.count()
_CMD_TIMEOUT_S = 20.0


class NetnsError(RuntimeError):
    """A namespace command failed."""


def run(
    cmd: Sequence[str],
    *,
    input: str | None = None,
    check: bool = True,
    timeout: float = _CMD_TIMEOUT_S,
    env: Mapping[str, str] | None = None,
    cwd: Path | str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command in the current (root) namespace; raise :class:`NetnsError` on failure."""
    proc = subprocess.run(
        list(cmd), input=input, capture_output=True, text=True, timeout=timeout, check=False,
        env=dict(env) if env is not None else None, cwd=cwd,
    )
    if check and proc.returncode != 0:
        raise NetnsError(f"{' '.join(cmd)} -> {proc.returncode}: {proc.stderr.strip()}")
    return proc


def run_in(
    ns: str,
    cmd: Sequence[str],
    *,
    input: str | None = None,
    check: bool = True,
    timeout: float = _CMD_TIMEOUT_S,
    env: Mapping[str, str] | None = None,
    cwd: Path | str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` inside namespace ``ns`` (``ip netns exec``) and wait for it."""
    return run(["ip", "netns", "exec", ns, *cmd], input=input, check=check, timeout=timeout,
               env=env, cwd=cwd)


def popen_in(
    ns: str | None,
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | str | None = None,
    stdout: int | IO[Any] | None = subprocess.PIPE,
    stderr: int | IO[Any] | None = subprocess.STDOUT,
) -> subprocess.Popen[bytes]:
    """Start ``argv`` inside ``ns`` (or here when ``ns`` is None); the caller must stop it."""
    full = ["ip", "netns", "exec", ns, *argv] if ns else list(argv)
    return subprocess.Popen(
        full,
        env=dict(env) if env is not None else None,
        cwd=cwd,
        stdout=stdout,
        stderr=stderr,
        start_new_session=True,
    )


def stop_process(proc: subprocess.Popen[Any], timeout: float = 5.0) -> int | None:
    """SIGTERM, then SIGKILL after ``timeout``; returns the exit code."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait(timeout=timeout)
    return proc.returncode


def nft(ns: str, script: str) -> None:
    """Load an nftables script inside ``ns``."""
    run_in(ns, ["nft", "-f", "-"], input=script)


def netns_unavailable_reason() -> str | None:
    """Why namespace tests cannot run here, or None when they can."""
    if os.geteuid() != 0:
        return "network namespace tests need root (ip netns add, nft, tc)"
    for tool in ("ip", "nft", "tc"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian: iproute2, nftables)"
    probe = f"etp-probe-{os.getpid()}"
    try:
        made = run(["ip", "netns", "add", probe], check=False)
        if made.returncode != 0:
            return f"`ip netns add` failed: {made.stderr.strip() or made.returncode}"
        veth = run(
            ["ip", "-n", probe, "link", "add", "p0", "type", "veth", "peer", "name", "p1"],
            check=False,
        )
        if veth.returncode != 0:
            return f"cannot create a veth pair in a namespace: {veth.stderr.strip()}"
        table = run_in(
            probe, ["nft", "add", "table", "ip", "probe"], check=False
        )
        if table.returncode != 0:
            return f"nftables does not work in a namespace: {table.stderr.strip()}"
    except (OSError, subprocess.SubprocessError) as exc:
        return f"cannot create a network namespace: {exc}"
    finally:
        run(["ip", "netns", "del", probe], check=False)
    return None


def ns_pids(ns: str) -> list[int]:
    """Processes running inside ``ns``."""
    out = run(["ip", "netns", "pids", ns], check=False).stdout
    return [int(x) for x in out.split() if x.isdigit()]


def _kill_inside(ns: str, grace_s: float = 3.0) -> None:
    # Only processes in our own private namespaces: every one of them is ours.
    pids = ns_pids(ns)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline:
            pids = ns_pids(ns)
            if not pids:
                return
            time.sleep(0.05)


def _exists(ns: str) -> bool:
    return Path("/run/netns", ns).exists()


@contextlib.contextmanager
def namespace(name: str) -> Iterator[str]:
    """A fresh namespace with ``lo`` up; killed and deleted on exit."""
    if _exists(name):  # left over by a crashed run of the same pid: ours to reclaim
        _kill_inside(name)
        run(["ip", "netns", "del", name], check=False)
    run(["ip", "netns", "add", name])
    try:
        run(["ip", "-n", name, "link", "set", "lo", "up"])
        yield name
    finally:
        _kill_inside(name)
        run(["ip", "netns", "del", name], check=False)


def veth(ns_a: str, if_a: str, ns_b: str, if_b: str) -> None:
    """A veth pair from ``ns_a``/``if_a`` to ``ns_b``/``if_b``, both ends up."""
    run(["ip", "-n", ns_a, "link", "add", if_a, "type", "veth", "peer", "name", if_b,
         "netns", ns_b])
    run(["ip", "-n", ns_a, "link", "set", if_a, "up"])
    run(["ip", "-n", ns_b, "link", "set", if_b, "up"])


def addr(ns: str, ifname: str, cidr: str) -> None:
    """Add an address to an interface in ``ns``."""
    run(["ip", "-n", ns, "addr", "add", cidr, "dev", ifname])


@dataclass(frozen=True)
class NatTopology:
    """Names and addresses of the kiosk-behind-NAT topology (see the module docstring)."""

    kiosk: str
    router: str
    dc: str
    kiosk_ip: str = "10.77.2.2"
    router_kiosk_ip: str = "10.77.2.1"
    router_dc_ip: str = "10.77.1.254"
    server_ip: str = "10.77.1.1"
    turn_ip: str = "10.77.1.3"
    kiosk_if: str = "k0"
    router_kiosk_if: str = "rk0"
    router_dc_if: str = "rd0"
    dc_if: str = "d0"
    kiosk_subnet: str = "10.77.2.0/24"
    dc_subnet: str = "10.77.1.0/24"
    all_subnets: str = "10.77.0.0/16"
    symmetric: bool = True

    @property
    def namespaces(self) -> tuple[str, str, str]:
        return (self.kiosk, self.router, self.dc)


def default_tag() -> str:
    """A tag unique to this process (and call), so parallel runs do not clash.

    The whole pid: a namespace left with this name can only come from a dead process that
    had our pid, so :func:`namespace` may reclaim it.
    """
    return f"{os.getpid():x}-{next(_counter)}"


@contextlib.contextmanager
def nat_topology(tag: str | None = None, *, symmetric: bool = True) -> Iterator[NatTopology]:
    """Build the kiosk / router (NAT) / data-centre namespaces; remove them on exit.

    ``symmetric``: SNAT with ``random,fully-random`` (a new random source port per
    destination: server-reflexive candidates are useless and only TURN connects). Otherwise
    a plain masquerade (port preserving where it can, endpoint-independent in practice).
    """
    tag = tag or default_tag()
    topo = NatTopology(
        kiosk=f"etp-{tag}-kiosk", router=f"etp-{tag}-router", dc=f"etp-{tag}-dc",
        symmetric=symmetric,
    )
    with contextlib.ExitStack() as stack:
        for name in topo.namespaces:
            stack.enter_context(namespace(name))
        veth(topo.kiosk, topo.kiosk_if, topo.router, topo.router_kiosk_if)
        veth(topo.dc, topo.dc_if, topo.router, topo.router_dc_if)
        addr(topo.kiosk, topo.kiosk_if, f"{topo.kiosk_ip}/24")
        addr(topo.router, topo.router_kiosk_if, f"{topo.router_kiosk_ip}/24")
        addr(topo.router, topo.router_dc_if, f"{topo.router_dc_ip}/24")
        addr(topo.dc, topo.dc_if, f"{topo.server_ip}/24")
        addr(topo.dc, topo.dc_if, f"{topo.turn_ip}/24")
        run(["ip", "-n", topo.kiosk, "route", "add", "default", "via", topo.router_kiosk_ip])
        run_in(topo.router, ["sysctl", "-qw", "net.ipv4.ip_forward=1"])
        flags = " random,fully-random" if symmetric else ""
        nft(
            topo.router,
            f"""
table ip etp_nat {{
    chain postrouting {{
        type nat hook postrouting priority srcnat; policy accept;
        oifname "{topo.router_dc_if}" ip saddr {topo.kiosk_subnet} masquerade{flags}
    }}
}}
""",
        )
        yield topo
