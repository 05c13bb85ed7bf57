"""Link impairments inside a namespace: loss, bandwidth, delay, cuts and UDP filtering.

All are context managers that undo themselves. Measured facts behind the choices
(DESIGN.md section 5): this kernel has no netem, so

* loss: nftables ``numgen random mod 10000 < N drop`` on the interface, each direction;
* bandwidth: a tbf qdisc on the egress of an interface;
* delay (and jitter): the user-space relay :mod:`tests.netkit.udp_delay`, made transparent
  with an nftables ``redirect`` (:func:`delay_udp`);
* a cut: drop everything (or only UDP) in and out of an interface, silently, as when a
  rural link goes down upstream (no ICMP, no link-down the kiosk could notice).

Rules hook at priority ``raw`` (-300) on prerouting and at 300 on postrouting, so they see
packets before NAT and after everything else, forwarded or generated locally (the relay).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import select
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.netkit.netns import nft, popen_in, run_in, stop_process

ROOT = Path(__file__).resolve().parents[2]
_ids = itertools.count(1)


def _table(prefix: str) -> str:
    return f"{prefix}_{next(_ids)}"


def _delete_table(ns: str, family: str, table: str) -> None:
    run_in(ns, ["nft", "delete", "table", family, table], check=False)


def nft_counters(ns: str, family: str, table: str) -> dict[str, tuple[int, int]]:
    """``{comment: (packets, bytes)}`` for every rule with a counter and a comment."""
    out = run_in(ns, ["nft", "-j", "list", "table", family, table]).stdout
    counters: dict[str, tuple[int, int]] = {}
    for item in json.loads(out)["nftables"]:
        rule = item.get("rule")
        if not rule or "comment" not in rule:
            continue
        for expr in rule["expr"]:
            if "counter" in expr:
                c = expr["counter"]
                counters[rule["comment"]] = (int(c["packets"]), int(c["bytes"]))
    return counters


@contextlib.contextmanager
def loss(ns: str, iface: str, percent: float, *, udp_only: bool = False) -> Iterator[str]:
    """Drop ``percent`` % of the packets in each direction on ``iface`` (random, independent)."""
    threshold = round(percent * 100)  # out of 10000
    match = "meta l4proto udp " if udp_only else ""
    table = _table("etp_loss")
    nft(
        ns,
        f"""
table inet {table} {{
    chain pre {{
        type filter hook prerouting priority raw; policy accept;
        iifname "{iface}" {match}numgen random mod 10000 < {threshold} counter drop \
comment "in"
    }}
    chain post {{
        type filter hook postrouting priority 300; policy accept;
        oifname "{iface}" {match}numgen random mod 10000 < {threshold} counter drop \
comment "out"
    }}
}}
""",
    )
    try:
        yield table
    finally:
        _delete_table(ns, "inet", table)


@contextlib.contextmanager
def tbf(
    ns: str,
    dev: str,
    rate_kbit: int,
    *,
    burst_bytes: int | None = None,
    latency_ms: int = 100,
) -> Iterator[None]:
    """Limit ``dev``'s egress to ``rate_kbit`` with a token bucket (queue up to latency_ms)."""
    burst = burst_bytes or max(3200, rate_kbit * 1000 // 8 // 50)  # ~20 ms of traffic
    run_in(ns, ["tc", "qdisc", "replace", "dev", dev, "root", "tbf", "rate", f"{rate_kbit}kbit",
                "burst", str(burst), "latency", f"{latency_ms}ms"])
    try:
        yield
    finally:
        run_in(ns, ["tc", "qdisc", "del", "dev", dev, "root"], check=False)


class Cut:
    """Silently drop all traffic (or only UDP) through ``iface`` between start() and stop().

    ``direction``: "both", "in" (only packets arriving on ``iface``: on the router's
    kiosk-side interface, the kiosk's uplink) or "out" (only packets leaving through it: the
    kiosk's downlink). ``started_wall``/``stopped_wall`` are epoch seconds, comparable with
    the ``t`` field of the headless clients' JSON lines.
    """

    def __init__(
        self, ns: str, iface: str, *, udp_only: bool = False, direction: str = "both"
    ) -> None:
        if direction not in ("both", "in", "out"):
            raise ValueError(f"direction must be both, in or out, not {direction!r}")
        self.ns = ns
        self.iface = iface
        self.udp_only = udp_only
        self.direction = direction
        self.table = _table("etp_cut")
        self.started_wall: float | None = None
        self.stopped_wall: float | None = None
        self._active = False

    def start(self) -> None:
        match = "meta l4proto udp " if self.udp_only else ""
        chains = []
        if self.direction in ("both", "in"):
            chains.append(f"""
    chain pre {{
        type filter hook prerouting priority raw; policy accept;
        iifname "{self.iface}" {match}counter drop comment "in"
    }}""")
        if self.direction in ("both", "out"):
            chains.append(f"""
    chain post {{
        type filter hook postrouting priority 300; policy accept;
        oifname "{self.iface}" {match}counter drop comment "out"
    }}""")
        nft(self.ns, f"table inet {self.table} {{{''.join(chains)}\n}}\n")
        self._active = True
        self.started_wall = time.time()

    def stop(self) -> dict[str, tuple[int, int]]:
        """Restore the link; returns the drop counters."""
        if not self._active:
            return {}
        counters = nft_counters(self.ns, "inet", self.table)
        _delete_table(self.ns, "inet", self.table)
        self._active = False
        self.stopped_wall = time.time()
        return counters

    def __enter__(self) -> Cut:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class UdpPolicy:
    """Counters of a :func:`restrict_udp` policy."""

    ns: str
    table: str

    def counters(self) -> dict[str, tuple[int, int]]:
        """``allowed`` (UDP to the allowed endpoints) and ``dropped`` (all other UDP)."""
        return nft_counters(self.ns, "inet", self.table)


@contextlib.contextmanager
def restrict_udp(ns: str, iface: str, allow: Sequence[tuple[str, int]]) -> Iterator[UdpPolicy]:
    """Drop UDP arriving on ``iface`` unless it goes to one of ``allow`` (ip, port).

    On the router's kiosk-side interface this is the municipal firewall that lets the kiosk
    reach only the TURN server: no direct media path, no STUN to anywhere else. It hooks
    before DNAT (priority mangle), so it judges the address the kiosk meant.
    """
    table = _table("etp_udp")
    rules = "\n".join(
        f'        iifname "{iface}" ip daddr {ip} udp dport {port} counter accept comment "allowed"'
        for ip, port in allow
    )
    nft(
        ns,
        f"""
table inet {table} {{
    chain pre {{
        type filter hook prerouting priority mangle; policy accept;
{rules}
        iifname "{iface}" meta l4proto udp counter drop comment "dropped"
    }}
}}
""",
    )
    try:
        yield UdpPolicy(ns, table)
    finally:
        _delete_table(ns, "inet", table)


@contextlib.contextmanager
def redirect_udp(ns: str, iface: str, dst: tuple[str, int], to_port: int) -> Iterator[None]:
    """Send UDP for ``dst`` arriving on ``iface`` to a local port instead (transparent)."""
    table = _table("etp_redir")
    nft(
        ns,
        f"""
table ip {table} {{
    chain pre {{
        type nat hook prerouting priority dstnat; policy accept;
        iifname "{iface}" ip daddr {dst[0]} udp dport {dst[1]} redirect to :{to_port}
    }}
}}
""",
    )
    try:
        yield
    finally:
        _delete_table(ns, "ip", table)


@contextlib.contextmanager
def delay_udp(
    ns: str,
    iface: str,
    listen_ip: str,
    upstream: tuple[str, int],
    delay_ms: float,
    *,
    jitter_ms: float = 0.0,
    burst_loss_pct: float = 0.0,
    listen_port: int = 3478,
    max_seconds: float = 900.0,
    log_dir: Path | None = None,
) -> Iterator[dict[str, Any]]:
    """Delay UDP to ``upstream`` coming in on ``iface`` by ``delay_ms`` each way.

    Starts :mod:`tests.netkit.udp_delay` inside ``ns`` on ``listen_ip:listen_port`` and
    redirects the matching traffic to it; ``burst_loss_pct`` adds Gilbert-Elliott loss there.
    Yields a dict that gets the relay's final
    ``stats`` on exit. Flows already in conntrack keep their old path: set this up before
    the call starts.
    """
    argv = [sys.executable, "-m", "tests.netkit.udp_delay", "--listen",
            f"{listen_ip}:{listen_port}", "--upstream", f"{upstream[0]}:{upstream[1]}",
            "--delay-ms", str(delay_ms), "--jitter-ms", str(jitter_ms),
            "--burst-loss-pct", str(burst_loss_pct), "--max-seconds", str(max_seconds)]
    proc = popen_in(ns, argv, cwd=ROOT, stderr=None)
    result: dict[str, Any] = {}
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 15.0)
        line = proc.stdout.readline() if ready else b""
        if not line or json.loads(line).get("event") != "ready":
            raise RuntimeError(f"udp_delay did not start within 15 s: {line!r}")
        with redirect_udp(ns, iface, upstream, listen_port):
            yield result
    finally:
        stop_process(proc)
        if proc.stdout is not None:
            for line in proc.stdout.read().decode().splitlines():
                with contextlib.suppress(ValueError):
                    result.update(json.loads(line))
        if log_dir is not None:
            (log_dir / "udp_delay.json").write_text(json.dumps(result))
