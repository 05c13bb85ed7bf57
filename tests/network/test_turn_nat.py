"""Issue 6: a kiosk behind a symmetric NAT whose UDP may reach only the TURN server gets its
media through the real coturn; an expired TURN credential is refused.

Topology (tests/netkit/netns.py): kiosk namespace -> router namespace (SNAT
``random,fully-random`` and a firewall dropping the kiosk's UDP unless it goes to coturn's
port) -> data-centre namespace with the signaling server, the headless agent and coturn
(the production config plus ``allowed-peer-ip`` for the test subnets 10.77.0.0/16).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from signaling.turn import turn_credential
from tests.netkit import scenarios
from tests.netkit.coturn import Coturn, coturn
from tests.netkit.impair import restrict_udp
from tests.netkit.netns import NatTopology, nat_topology, run_in
from tests.netkit.stack import call_stack
from tests.network.helpers import report, skip_unless_netns

skip_unless_netns()

pytestmark = [pytest.mark.netns, pytest.mark.slow, pytest.mark.timeout(180)]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def turn_call(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("turn-call")
    with call_stack(work) as cs:
        result = scenarios.turn_call(cs, hold_s=8.0)
        result["nat_ip"] = cs.topo.router_dc_ip
        result["agent_ips"] = [cs.topo.server_ip, cs.topo.turn_ip]
    report("turn_call", result, work)
    return result


def test_media_flows_both_ways_through_coturn(turn_call: dict[str, Any]) -> None:
    kiosk, agent = turn_call["kiosk"], turn_call["agent"]
    # 8 s at 30 fps is 240 frames. This asserts that media flows both ways on the first
    # attempt, not its quality (the impaired-link test reports that): a third is plenty
    # even on a busy 2-core machine.
    assert kiosk["frames_received"] >= 80, kiosk
    assert agent["frames_received"] >= 80, agent
    assert kiosk["attempts"] == 1 and agent["attempts"] == 1, (kiosk, agent)
    assert kiosk["end_reason"] is None, kiosk
    assert not turn_call["server_stopped_early"]


def test_kiosk_udp_went_only_to_the_turn_server(turn_call: dict[str, Any]) -> None:
    # The firewall counted the kiosk's UDP: lots to coturn (the media), and whatever else
    # the kiosk tried (host/server-reflexive checks) was dropped, so the media can only
    # have come through the relay.
    policy = turn_call["udp_policy"]
    allowed_packets, allowed_bytes = policy["allowed"]
    # The video ladder starts at 320x240@24 (180 kbit/s), so a short call sends ~300 kB.
    assert allowed_packets > 500 and allowed_bytes > 150_000, policy


def test_coturn_relayed_the_call_for_the_natted_kiosk(turn_call: dict[str, Any]) -> None:
    # coturn's own account: an allocation whose client address is the NAT's public side
    # (the router, 10.77.1.254), with a permission for the agent and the media bytes.
    sessions = turn_call["turn_sessions"].values()
    nat = turn_call["nat_ip"] + ":"
    from_kiosk = [s for s in sessions if (s["remote"] or "").startswith(nat)]
    assert from_kiosk, f"no TURN session from the NAT address: {list(sessions)}"
    used = [s for s in from_kiosk if s["peer_rb"] + s["peer_sb"] > 300_000]
    assert used, f"no kiosk allocation carried the media: {from_kiosk}"
    assert any(
        peer.split(":")[0] in turn_call["agent_ips"] for s in used for peer in s["peers"]
    ), used


# ---------------------------------------------------------------- credentials (no server)


@pytest.fixture(scope="module")
def turn_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[NatTopology, Coturn]]:
    work = tmp_path_factory.mktemp("turn-cred")
    with (
        nat_topology() as topo,
        coturn(work / "coturn", ns=topo.dc, ip=topo.turn_ip,
               allowed_peers=[topo.all_subnets]) as turn,
        restrict_udp(topo.router, topo.router_kiosk_if, [(turn.ip, turn.port)]),
    ):
        yield topo, turn


def _probe(topo: NatTopology, turn: Coturn, username: str, password: str) -> dict[str, Any]:
    """Allocate from the kiosk's namespace, through the NAT and the firewall."""
    proc = run_in(
        topo.kiosk,
        [sys.executable, "-m", "tests.netkit.turn_probe", "--server", f"{turn.ip}:{turn.port}",
         "--username", username, "--timeout", "8"],
        env={**os.environ, "TURN_PROBE_PASSWORD": password}, cwd=ROOT, timeout=30,
    )
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_expired_turn_credential_is_refused(turn_only: tuple[NatTopology, Coturn]) -> None:
    topo, turn = turn_only
    now = time.time()
    # What the server would have minted an hour ago with a 60 s lifetime (its minimum).
    user, password = turn_credential(turn.secret, "call-expired", now - 3600, 60)
    refused = _probe(topo, turn, user, password)
    assert refused["ok"] is False and refused["error_code"] == 401, refused
    assert any(f"user <{user}>" in line for line in turn.refusals()), turn.log()[-2000:]


def test_fresh_turn_credential_is_accepted(turn_only: tuple[NatTopology, Coturn]) -> None:
    topo, turn = turn_only
    user, password = turn_credential(turn.secret, "call-fresh", time.time(), 600)
    granted = _probe(topo, turn, user, password)
    assert granted["ok"] is True, granted
    # The kiosk is seen from behind the NAT; the relay address is coturn's.
    assert granted["mapped"][0] == topo.router_dc_ip, granted
    assert granted["relayed"][0] == turn.ip, granted


def test_credential_signed_with_another_secret_is_refused(
    turn_only: tuple[NatTopology, Coturn],
) -> None:
    topo, turn = turn_only
    user, password = turn_credential("not-the-secret", "call-forged", time.time(), 600)
    refused = _probe(topo, turn, user, password)
    assert refused["ok"] is False and refused["error_code"] == 401, refused
