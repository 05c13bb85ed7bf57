"""The network kit itself, without namespaces: the coturn configs and the UDP delay relay
(on loopback)."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest

from tests.netkit.coturn import PRODUCTION_CONF, cidr_to_range, production_lines, render_config
from tests.netkit.udp_delay import UdpDelayRelay

DENIED = [
    "0.0.0.0-0.255.255.255", "10.0.0.0-10.255.255.255", "100.64.0.0-100.127.255.255",
    "127.0.0.0-127.255.255.255", "169.254.0.0-169.254.255.255", "172.16.0.0-172.31.255.255",
    "192.0.0.0-192.0.0.255", "192.168.0.0-192.168.255.255", "198.18.0.0-198.19.255.255",
    "::1", "fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
]


def _settings(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def test_production_turn_config_is_hardened() -> None:
    lines = _settings(PRODUCTION_CONF.read_text(encoding="utf-8"))
    keys = {re.split(r"[=\s]", ln, maxsplit=1)[0] for ln in lines}
    for required in ("use-auth-secret", "static-auth-secret", "realm", "user-quota",
                     "total-quota", "stale-nonce", "no-multicast-peers", "no-cli", "no-tlsv1",
                     "no-tlsv1_1", "fingerprint", "max-allocate-lifetime", "channel-lifetime",
                     "permission-lifetime"):
        assert required in keys, required
    denied = [ln.split("=", 1)[1] for ln in lines if ln.startswith("denied-peer-ip=")]
    assert denied == DENIED
    # Never in production: relaying to loopback, or any allowed-peer-ip override.
    assert "allow-loopback-peers" not in keys and "allowed-peer-ip" not in keys
    assert "lt-cred-mech" not in keys  # static users would defeat the per-call credentials


def test_test_config_is_production_plus_only_the_test_subnets(tmp_path: Path) -> None:
    text = render_config(
        listen_ip="10.77.1.3", relay_ip="10.77.1.3", port=3478, min_port=49152,
        max_port=49407, secret="s3cret", realm="turn.test", workdir=tmp_path,
        allowed_peers=["10.77.0.0/16"],
    )
    lines = _settings(text)
    for line in production_lines():
        assert line in lines, line
    assert [ln for ln in lines if ln.startswith("allowed-peer-ip")] == [
        "allowed-peer-ip=10.77.0.0-10.77.255.255"
    ]
    assert "allow-loopback-peers" not in lines
    assert not any(ln.startswith(("cert=", "pkey=", "proc-user", "syslog")) for ln in lines)
    assert cidr_to_range("127.0.0.0/8") == "127.0.0.0-127.255.255.255"


class _Echo(asyncio.DatagramProtocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.transport.sendto(data, addr)  # type: ignore[attr-defined]


class _Client(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.got: asyncio.Queue[tuple[bytes, float]] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.got.put_nowait((data, time.monotonic()))


@pytest.mark.timeout(30)
async def test_udp_delay_relay_adds_the_delay_each_way_and_keeps_order() -> None:
    loop = asyncio.get_running_loop()
    echo, _ = await loop.create_datagram_endpoint(_Echo, local_addr=("127.0.0.1", 0))
    relay = UdpDelayRelay(("127.0.0.1", 0), echo.get_extra_info("sockname"), delay_ms=40,
                          jitter_ms=10, seed=1)
    await relay.start()
    client_tr, client = await loop.create_datagram_endpoint(
        _Client, remote_addr=relay.address
    )
    try:
        sent = time.monotonic()
        for i in range(20):
            client_tr.sendto(str(i).encode())
        got = [await asyncio.wait_for(client.got.get(), 5) for _ in range(20)]
        assert [int(d) for d, _ in got] == list(range(20))  # no reordering by default
        rtt_ms = (got[0][1] - sent) * 1000
        assert 80 <= rtt_ms < 300, rtt_ms  # 2 x 40 ms (+ up to 2 x 10 ms jitter)
        assert relay.stats.up_packets == 20 and relay.stats.down_packets == 20
        assert relay.stats.max_clients == 1
    finally:
        client_tr.close()
        await relay.stop()
        echo.close()
