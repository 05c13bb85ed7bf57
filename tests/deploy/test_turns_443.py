"""A call from a kiosk whose network lets out only TCP 443: signaling through nginx, media
through coturn's TURN over TLS, both checked against the agency's CA.

The kiosk (headless: the same client core as the touch UI) runs the installed app in the
kiosk's namespace behind the NAT and the firewall of :mod:`tests.deploy.site`; the agent runs
in the data centre. The server hands both a ``turns:...:443`` URL first, as the example
configuration does.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from tests.deploy.site import AGENT, Site
from tests.netkit.procs import JsonProc

HOLD_S = 8.0


def _proc(site: Site, name: str, netns: str, argv: list[str], env: dict[str, str]) -> JsonProc:
    return JsonProc(name, None, site.root.wrap(argv, netns), env=site.root.env(env),
                    cwd=site.work, log_dir=site.work / "logs")


@pytest.fixture(scope="module")
def call(site: Site) -> dict[str, Any]:
    before = site.firewall_counters()
    python = "/opt/etapiste/.venv/bin/python"
    agent = _proc(site, "agent-443", site.topo.dc, [
        python, "-m", "agent_console", "--headless", "--server", site.base_url, "--ca-file",
        "/etc/etapiste/ca.pem", "--username", AGENT[0], "--hold", str(HOLD_S + 15),
        "--stats-interval", "1", "--log-level", "INFO"], {"ETAPISTE_PASSWORD": AGENT[1]})
    kiosk = None
    try:
        agent.wait_event("welcome", timeout=30)
        kiosk = _proc(site, "kiosk-443", site.topo.kiosk, [
            python, "-m", "kiosk", "--headless", "--server", site.ws_url, "--token-file",
            "/etc/etapiste/kiosk.token", "--ca-file", "/etc/etapiste/ca.pem", "--hold",
            str(HOLD_S), "--stats-interval", "1", "--log-level", "INFO"], {})
        kiosk.wait_event("stats", lambda e: (e.get("fps_decoded") or 0) > 0, timeout=60)
        # coturn's side, mid-call: the TLS connections it holds on 443, and from where.
        relay_connections = subprocess.run(
            ["ip", "netns", "exec", site.turn_ns, "ss", "-Htn", "state", "established",
             "( sport = :443 )"], capture_output=True, text=True, check=True, timeout=10,
        ).stdout
        done_k = kiosk.wait_event("call_done", timeout=HOLD_S + 60)
        done_a = agent.wait_event("call_done", timeout=30)
    finally:
        for proc in (kiosk, agent):
            if proc is not None:
                proc.stop()
    after = site.firewall_counters()
    result = {
        "kiosk": {k: v for k, v in done_k.items() if not k.startswith("_")},
        "agent": {k: v for k, v in done_a.items() if not k.startswith("_")},
        "firewall": {k: [a - b for a, b in zip(after[k], before.get(k, (0, 0)), strict=True)]
                     for k in after},
        "relay_connections": relay_connections,
    }
    print(f"\n[turns 443] {json.dumps({k: result[k] for k in ('kiosk', 'agent', 'firewall')})}")
    return result


def test_media_flows_both_ways(call: dict[str, Any]) -> None:
    kiosk, agent = call["kiosk"], call["agent"]
    # 8 s at 30 fps is 240 frames; a third is plenty to say media flows (not how well).
    assert kiosk["frames_received"] >= 80, kiosk
    assert agent["frames_received"] >= 80, agent
    assert kiosk["attempts"] == 1 and kiosk["end_reason"] is None, kiosk


def test_the_kiosk_used_nothing_but_tcp_443(call: dict[str, Any]) -> None:
    firewall = call["firewall"]
    _, turn_bytes = firewall["tls_turn"]
    server_packets, _ = firewall["tls_server"]
    assert turn_bytes > 300_000, firewall  # the media, through TURN over TLS
    assert server_packets > 0, firewall  # signaling, through nginx


def test_coturn_relayed_over_tls_for_the_kiosk(call: dict[str, Any], site: Site) -> None:
    # coturn's own sockets mid-call: TLS on 443 from the kiosk's NAT address (the agent's
    # allocation comes from the data centre's side of the relay's router).
    peers = [line.split()[-1] for line in call["relay_connections"].splitlines()]
    assert any(peer.startswith(f"{site.topo.router_dc_ip}:") for peer in peers), peers
