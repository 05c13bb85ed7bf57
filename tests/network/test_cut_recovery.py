"""Issues 2 and 6: the kiosk's network fails in the middle of a call or while it waits in
the queue, then comes back. Media must flow again on both sides, the time it took must be
logged, and the call or the queue place must survive when the cut is within the server's
grace periods.

The cut is silent (nftables drops on the router's kiosk-side link, no ICMP, no link-down),
as when a rural line fails upstream. The kiosk is behind the symmetric NAT with UDP allowed
only to coturn, so every recovery goes through a new TURN allocation.

What SHOULD happen (defaults: media timeout 4 s, heartbeat 5 s / timeout 15 s, call grace
20 s, kiosk queue grace 60 s, reconnect backoff up to 15 s):

* UDP blocked 5 s (issue 2): both sides see no video for 4 s and mark the attempt failed;
  the kiosk (offerer) negotiates a new peer connection over the still-working signaling;
  media flows within a few seconds of the restore; every side whose video stopped longer
  than the media timeout logs how long the recovery took (also when the other side
  noticed first and asked for the new attempt).
* everything cut 25 s: as above, plus the signaling link times out (~15 s) on both the
  kiosk and the server; the server keeps the call for 20 s after noticing (~35 s after the
  cut began), the kiosk reconnects with its resume token right after the restore, gets
  ``call_start`` with ``resumed`` and renegotiates the media: same call, media back.
* everything cut 20 s while queued: the server keeps the place for 60 s; after the restore
  the kiosk resumes and the first agent to become ready gets its call.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.netkit import scenarios
from tests.netkit.stack import call_stack
from tests.network.helpers import report, skip_unless_netns

skip_unless_netns()

pytestmark = [pytest.mark.netns, pytest.mark.slow, pytest.mark.timeout(240)]

# Generous: a new attempt costs a TURN allocation and ICE through coturn (about 1-2 s
# here), plus up to one signaling reconnect backoff after a long cut.
MEDIA_BACK_WITHIN_S = 20.0


def _run_cut(tmp_path_factory: pytest.TempPathFactory, name: str, cut_s: float,
             udp_only: bool, uplink_first_s: float = 0.0) -> dict[str, Any]:
    work = tmp_path_factory.mktemp(name)
    with call_stack(work) as cs:
        result = scenarios.call_cut(cs, cut_s, udp_only=udp_only, uplink_first_s=uplink_first_s)
    report(name, result, work)
    return result


# ------------------------------------------------------------------ issue 2: UDP blocked


@pytest.fixture(scope="module")
def udp_block_5s(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _run_cut(tmp_path_factory, "udp_block_5s", 5.0, udp_only=True)


def test_udp_block_5s_media_flows_again_in_the_same_call(udp_block_5s: dict[str, Any]) -> None:
    r = udp_block_5s
    for side in ("kiosk", "agent"):
        back = r[side]["media_back_after_restore_s"]
        assert back is not None and back <= MEDIA_BACK_WITHIN_S, (side, r[side])
        assert r[side]["stats_after"]["fps_median"], (side, r[side]["stats_after"])
    assert r["call_survived"], r
    assert r["dropped_packets"] > 100, r  # the cut really cut the media


def test_udp_block_5s_recovery_time_is_logged(udp_block_5s: dict[str, Any]) -> None:
    r = udp_block_5s
    logged = [x for side in ("kiosk", "agent") for x in r[side]["recovered"]]
    assert logged, f"no side logged a recovery time: {r}"
    assert all(0 < x["recovery_ms"] < 1000 * (MEDIA_BACK_WITHIN_S + 10) for x in logged), logged


@pytest.fixture(scope="module")
def udp_uplink_first_5s(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    # The kiosk's uplink UDP goes 1 s before its downlink (as on a saturated rural line), so
    # the agent misses video first, notices first and asks the kiosk for a new attempt.
    return _run_cut(tmp_path_factory, "udp_uplink_first_5s", 5.0, udp_only=True,
                    uplink_first_s=1.0)


def test_kiosk_logs_its_recovery_when_the_agent_noticed_first(
    udp_uplink_first_5s: dict[str, Any],
) -> None:
    # The kiosk had no video for ~5 s, longer than the 4 s media timeout: its own log must
    # say that its media failed and how long the recovery took, whichever side noticed
    # first (issue 2: "the time it took is logged"; the kiosk is where it failed).
    r = udp_uplink_first_5s
    for side in ("kiosk", "agent"):
        back = r[side]["media_back_after_restore_s"]
        assert back is not None and back <= MEDIA_BACK_WITHIN_S, (side, r[side])
    assert r["call_survived"], r
    assert r["agent"]["recovery_logged"], r["agent"]
    video_gap = round(r["kiosk"]["outage_s"] - r["uplink_first_s"], 1)
    assert r["kiosk"]["recovery_logged"], (
        "the kiosk logged no recovery time (no media_failed/recovered events, "
        f"call_done.recoveries_ms empty) although it had no video for about {video_gap} s "
        f"(media timeout 4 s): {r['kiosk']}")


# ------------------------------------------------------------- issue 6: 25 s full cut


@pytest.fixture(scope="module")
def cut_25s(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _run_cut(tmp_path_factory, "cut_25s", 25.0, udp_only=False)


def test_call_survives_25s_cut(cut_25s: dict[str, Any]) -> None:
    r = cut_25s
    assert not r["server_stopped_early"], "the signaling server was stopped during the run"
    assert r["kiosk"]["ended"] == [] and r["agent"]["ended"] == [], r
    assert r["call_survived"], r


def test_after_25s_cut_signaling_resumes_and_media_flows(cut_25s: dict[str, Any]) -> None:
    r = cut_25s
    kiosk, agent = r["kiosk"], r["agent"]
    states = [state for _, state in kiosk["signaling"]]
    assert "reconnecting" in states and states[-1] == "connected", kiosk["signaling"]
    # The agent was told the kiosk dropped and came back.
    assert [s for _, s in agent["peer_status"]][-2:] == ["reconnecting", "connected"], agent
    for side in (kiosk, agent):
        back = side["media_back_after_restore_s"]
        assert back is not None and back <= MEDIA_BACK_WITHIN_S, side
        assert side["recovery_logged"], side
        assert side["stats_after"]["fps_median"], side["stats_after"]


# ------------------------------------------------------------------ queue place survives


@pytest.fixture(scope="module")
def queue_cut_20s(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("queue_cut_20s")
    with call_stack(work) as cs:
        result = scenarios.queue_cut(cs, 20.0)
    report("queue_cut_20s", result, work)
    return result


def test_queue_place_survives_20s_cut(queue_cut_20s: dict[str, Any]) -> None:
    r = queue_cut_20s
    assert r["signaling_dropped"], r  # 20 s > the 15 s heartbeat timeout
    assert r["reconnected_after_restore_s"] is not None, r
    assert r["reconnected_after_restore_s"] <= 20.0, r
    assert r["place_survived"], r
    assert r["media_connected"], r


# ------------------------------------------------------- beyond the call grace: 42 s cut


@pytest.fixture(scope="module")
def cut_42s(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    # The server notices after the 15 s heartbeat timeout and keeps the call 20 s more, so
    # by 42 s the call has ended (kiosk_lost); then the kiosk comes back.
    work = tmp_path_factory.mktemp("cut_42s")
    with call_stack(work) as cs:
        # Up to 45 s for the kiosk to come back (reconnect backoff is capped at 5 s, plus a
        # connect attempt of up to 5 s that started during the cut) and hear of the end.
        result = scenarios.call_cut(cs, 42.0, recover_timeout_s=45.0, post_s=1.0)
    report("cut_42s", result, work)
    return result


def test_kiosk_is_told_its_call_ended_during_a_long_cut(cut_42s: dict[str, Any]) -> None:
    r = cut_42s
    agent_end = [reason for _, reason, _ in r["agent"]["ended"]]
    assert agent_end == ["kiosk_lost"], r["agent"]
    states = [state for _, state in r["kiosk"]["signaling"]]
    # It did come back (a headless kiosk whose one call is over then closes on purpose).
    assert "reconnecting" in states, r["kiosk"]["signaling"]
    assert "connected" in states[states.index("reconnecting"):], r["kiosk"]["signaling"]
    # Coming back with its resume token, the kiosk must learn that the call is over (so the
    # screen returns to the start), not stay in a call that no longer exists.
    assert [reason for _, reason, _ in r["kiosk"]["ended"]] == ["kiosk_lost"], (
        f"the kiosk resumed {r['kiosk']['signaling']} but was never told its call ended: "
        f"{r['kiosk']}")
