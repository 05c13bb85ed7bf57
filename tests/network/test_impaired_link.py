"""Issues 6 and 17: over an impaired rural link (3 % random loss each way, 150 ms added round
trip, 2 Mbit/s each way) the call stays up on its first peer connection and the picture keeps
moving both ways.

Loss: nftables ``numgen random`` drops on the router's kiosk-side link (all traffic, so the
signaling WebSocket suffers too). Delay: the user-space relay tests/netkit/udp_delay.py,
75 ms each way on the kiosk's only media path (its UDP to coturn), made transparent by an
nftables redirect on the router. Bandwidth: tbf on both ends of the kiosk's link. The kiosk
is behind the symmetric NAT with UDP allowed only to the TURN server, as in test_turn_nat.

What must hold (not timings: the figures depend on the CPU the machine has to spare, and
are measured by ``bench/link_quality.py``):

* no renegotiation: one peer connection per side, no media failure, the call ends only by
  the kiosk's hang-up. aiortc's own receive path froze for more than the 4 s media timeout
  in about one run in four (a keyframe or its retransmission lost), and renegotiated;
* video decoded in at least 95 % of the one-second samples, both ways, once settled.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.netkit import scenarios
from tests.netkit.stack import call_stack
from tests.network.helpers import report, skip_unless_netns

skip_unless_netns()

pytestmark = [pytest.mark.netns, pytest.mark.slow, pytest.mark.timeout(180)]

LOSS_PCT = 3.0
ONE_WAY_DELAY_MS = 75.0
RATE_KBIT = 2000
HOLD_S = 20.0
VIDEO_SECONDS_SHARE = 0.95


@pytest.fixture(scope="module")
def impaired(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("impaired")
    with call_stack(work) as cs:
        result = scenarios.impaired_call(
            cs, loss_pct=LOSS_PCT, one_way_delay_ms=ONE_WAY_DELAY_MS, rate_kbit=RATE_KBIT,
            hold_s=HOLD_S,
        )
    report("impaired_link", result, work)
    ks, ag = result["kiosk_stats"], result["agent_stats"]
    print(
        f"\nimpaired link {LOSS_PCT:g}% loss, +{2 * ONE_WAY_DELAY_MS:g} ms RTT, "
        f"{RATE_KBIT} kbit/s:\n"
        f"  side   fps(med/min)  freezes  freeze_ms  latency p50/p95 ms  rtt ms  loss_in\n"
        f"  kiosk  {ks['fps_median']}/{ks['fps_min']}  {ks['freezes']}  {ks['freeze_ms']}  "
        f"{ks['latency_p50_ms']}/{ks['latency_p95_ms']}  {ks['rtt_ms']}  {ks['loss_in']}\n"
        f"  agent  {ag['fps_median']}/{ag['fps_min']}  {ag['freezes']}  {ag['freeze_ms']}  "
        f"{ag['latency_p50_ms']}/{ag['latency_p95_ms']}  {ag['rtt_ms']}  {ag['loss_in']}"
    )
    return result


def test_call_stays_up_without_renegotiation(impaired: dict[str, Any]) -> None:
    # The only end is the kiosk's own hang-up after HOLD_S (the server tells both sides).
    assert all(reason == "hangup" for reason in impaired["ended"]), impaired["ended"]
    assert impaired["kiosk"]["end_reason"] is None, impaired["kiosk"]
    assert not impaired["server_stopped_early"]
    attempts = (impaired["kiosk"]["attempts"], impaired["agent"]["attempts"])
    assert impaired["media_failed_events"] == [] and attempts == (1, 1), (
        f"the call renegotiated its media (load {impaired['loadavg']}): "
        f"{impaired['media_failed_events']}; attempts {attempts}; fps per second kiosk "
        f"{impaired['kiosk_fps_series']} agent {impaired['agent_fps_series']}")


def test_video_is_decoded_in_nearly_every_second_both_ways(impaired: dict[str, Any]) -> None:
    for side in ("kiosk", "agent"):
        series = impaired[f"{side}_fps_settled"]
        moving = sum(1 for fps in series if fps > 0)
        assert len(series) >= HOLD_S / 2, (side, series)
        assert moving >= VIDEO_SECONDS_SHARE * len(series), (
            f"{side}: video in {moving} of {len(series)} seconds (load {impaired['loadavg']}):"
            f" {series}")


def test_loss_and_delay_were_really_applied(impaired: dict[str, Any]) -> None:
    # The relay carried the media (so the delay applied) and the receivers saw loss.
    assert impaired["relay"].get("up_packets", 0) > 1000, impaired["relay"]
    assert impaired["relay"].get("down_packets", 0) > 1000, impaired["relay"]
    losses = [impaired[s]["loss_in"] for s in ("kiosk_stats", "agent_stats")]
    assert any(x is not None and x > 0.005 for x in losses), losses
    rtts = [impaired[s]["rtt_ms"] for s in ("kiosk_stats", "agent_stats")]
    assert all(r is not None and r >= 2 * ONE_WAY_DELAY_MS * 0.8 for r in rtts), rtts
