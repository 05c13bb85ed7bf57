"""The link-quality bench's arithmetic: the same figures from both stacks' samples."""

from __future__ import annotations

import itertools
import random

from tests.browser.peer import interval_stats
from tests.netkit.links import LINKS, side_figures
from tests.netkit.udp_delay import GilbertElliott, _BurstLoss


def _sample(t: float, **fields: object) -> dict[str, object]:
    return {"event": "stats", "t": t, "interval_s": 1.0, **fields}


def test_side_figures_per_minute_and_pooled_latency() -> None:
    stats = [
        _sample(0.0, freezes=9, freeze_ms=900.0),  # before the window
        *[_sample(float(t), freezes=1 if t == 5 else 0, freeze_ms=300.0 if t == 5 else 0.0,
                  audio_samples=48000, audio_concealed_samples=480 if t < 6 else 0,
                  bitrate_in_kbps=500.0 + t, fps_decoded=0.0 if t == 7 else 30.0,
                  latencies_ms=[100.0] * 9 + [400.0])
          for t in range(1, 11)],
    ]
    fig = side_figures(stats, after=1.0, until=10.0)
    assert fig["seconds"] == 10.0
    assert fig["freezes_per_min"] == 6.0 and fig["freeze_ms_per_min"] == 1800.0
    assert fig["audio_concealed_pct"] == 0.5  # 5 x 480 of 10 x 48000
    assert fig["latency_p50_ms"] == 100.0 and fig["latency_p95_ms"] == 400.0
    assert fig["bitrate_kbps"] == 505.5
    assert fig["video_seconds_share"] == 0.9


def test_browser_interval_stats_are_differences_of_getstats_counters() -> None:
    prev = {"attempt": 0, "freezeCount": 2, "totalFreezesDuration": 0.5, "framesDecoded": 100,
            "totalSamplesReceived": 48000, "concealedSamples": 100, "bytesReceived": 10_000,
            "jitterBufferDelay": 1.0, "jitterBufferEmittedCount": 100}
    now = {"attempt": 0, "freezeCount": 3, "totalFreezesDuration": 0.75, "framesDecoded": 130,
           "totalSamplesReceived": 96000, "concealedSamples": 580, "bytesReceived": 135_000,
           "jitterBufferDelay": 2.5, "jitterBufferEmittedCount": 130, "latencies": [80.04]}
    s = interval_stats(now, prev, 1.0)
    assert (s["freezes"], s["freeze_ms"], s["fps_decoded"]) == (1, 250.0, 30.0)
    assert (s["audio_samples"], s["audio_concealed_samples"]) == (48000, 480)
    assert s["bitrate_in_kbps"] == 1000.0 and s["jitter_buffer_ms"] == 50.0
    assert s["latencies_ms"] == [80.0]
    # A new peer connection (another attempt) restarts the counters.
    assert interval_stats({**now, "attempt": 1}, prev, 1.0)["freezes"] == 3


def test_gilbert_elliott_loses_the_average_in_bursts() -> None:
    model = GilbertElliott.for_average(0.02, burst_packets=5.0)
    assert abs(model.average - 0.02) < 1e-9
    chain = _BurstLoss(model, random.Random(7))
    drops = [chain.drop() for _ in range(100_000)]
    assert 0.015 < sum(drops) / len(drops) < 0.025
    # Bursty: a loss is much more likely right after a loss than on average.
    after_loss = [b for a, b in itertools.pairwise(drops) if a]
    assert sum(after_loss) / len(after_loss) > 0.3


def test_the_issue_links_are_all_there() -> None:
    assert set(LINKS) == {"clean", "lossy_slow_rtt", "weak_cell", "bursty", "jitter"}
    lossy = LINKS["lossy_slow_rtt"]
    assert (lossy.loss_pct, 2 * lossy.one_way_delay_ms, lossy.uplink_kbit) == (3.0, 150.0, 2000)
    assert LINKS["weak_cell"].uplink_kbit == 300 and LINKS["weak_cell"].downlink_kbit is None
    assert not LINKS["clean"].impaired
