"""Issue 6: over an impaired rural link (3 % random loss each way, 150 ms added round trip,
2 Mbit/s each way) the call stays up; frames per second, freezes and latency are reported.

Loss: nftables ``numgen random`` drops on the router's kiosk-side link (all traffic, so the
signaling WebSocket suffers too). Delay: the user-space relay tests/netkit/udp_delay.py,
75 ms each way on the kiosk's only media path (its UDP to coturn), made transparent by an
nftables redirect on the router. Bandwidth: tbf on both ends of the kiosk's link. The kiosk
is behind the symmetric NAT with UDP allowed only to the TURN server, as in test_turn_nat.
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


def test_call_stays_up(impaired: dict[str, Any]) -> None:
    kiosk = impaired["kiosk"]
    # The only end is the kiosk's own hang-up after HOLD_S (the server tells both sides).
    assert all(reason == "hangup" for reason in impaired["ended"]), impaired["ended"]
    assert kiosk["end_reason"] is None, kiosk
    assert not impaired["server_stopped_early"]
    # Video arrived in most seconds of the call, both ways. Not in every second: under 3 %
    # loss at 150 ms RTT aiortc's video sometimes freezes for seconds (a lost keyframe),
    # in about a third of 20 s runs here, the last seconds included.
    for side in ("kiosk", "agent"):
        series = impaired[f"{side}_fps_series"][1:]  # the first sample precedes the media
        moving = sum(1 for fps in series if fps > 0)
        assert len(series) >= HOLD_S / 2 and moving >= 0.7 * len(series), (side, series)


def test_loss_is_rarely_mistaken_for_a_dead_path(impaired: dict[str, Any]) -> None:
    # A video freeze that outlasts the 4 s media timeout makes the call renegotiate its
    # peer connection (media recovery), and the call goes on; with NACK and PLI that should
    # happen at most once in 20 s of 3 % loss. (Figures depend on spare CPU; the load
    # average is in the message.)
    failures = impaired["media_failed_events"]
    attempts = (impaired["kiosk"]["attempts"], impaired["agent"]["attempts"])
    assert max(attempts) <= 2, (
        f"media failed repeatedly during the impaired call (load {impaired['loadavg']}): "
        f"{failures}; fps per second kiosk {impaired['kiosk_fps_series']} "
        f"agent {impaired['agent_fps_series']}")


def test_loss_and_delay_were_really_applied(impaired: dict[str, Any]) -> None:
    # The relay carried the media (so the delay applied) and the receivers saw loss.
    assert impaired["relay"].get("up_packets", 0) > 1000, impaired["relay"]
    assert impaired["relay"].get("down_packets", 0) > 1000, impaired["relay"]
    losses = [impaired[s]["loss_in"] for s in ("kiosk_stats", "agent_stats")]
    assert any(x is not None and x > 0.005 for x in losses), losses
    rtts = [impaired[s]["rtt_ms"] for s in ("kiosk_stats", "agent_stats")]
    assert all(r is not None and r >= 2 * ONE_WAY_DELAY_MS * 0.8 for r in rtts), rtts


def test_video_keeps_flowing(impaired: dict[str, Any]) -> None:
    # The issue asks for the call to stay up and for the figures to be reported (printed
    # above and in impaired_link.json); quality itself depends on the CPU the machine has
    # to spare (2 shared cores here), so the floor is "video keeps moving", not "good":
    # a median of 5 fps over 1 s samples and latency p50 under a second.
    for side in ("kiosk", "agent"):
        stats = impaired[f"{side}_stats"]
        assert stats["samples"] >= HOLD_S / 2, (side, stats)
        assert stats["fps_median"] is not None and stats["fps_median"] >= 5, (side, stats)
        assert stats["latency_p50_ms"] is not None and stats["latency_p50_ms"] < 1000, (
            side, stats)
        if impaired[side]["attempts"] == 1:  # counts restart with a new peer connection
            assert impaired[side]["frames_received"] >= HOLD_S * 5, (side, impaired[side])
