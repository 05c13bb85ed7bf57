"""The ladder's congestion detection (sans-I/O): jitter and short loss bursts are not
congestion, a growing queue and lasting loss are."""

from __future__ import annotations

import random

from client_core.congestion import QueueState, QueueTrend, SustainedLoss
from client_core.video_send import START_RUNG, LadderController


def _jitter_reports(rng: random.Random, start: float, seconds: float) -> list[tuple[float, float]]:
    """Link reports twice a second from a link with 40 +- 30 ms and nothing queued: the
    mean over half a second less the quickest packet, as the receiver's QueueMeter has it,
    with now and then a report lifted by a scheduling stall."""
    out = []
    for n in range(int(seconds * 2)):
        now = start + n / 2
        transits = [rng.uniform(0.0, 0.060) for _ in range(25)]
        queue = sum(transits) / len(transits) + 0.030  # order kept: packets wait on others
        if rng.random() < 0.05:
            queue += 0.15  # the receiver's process stalled for a moment
        out.append((now, queue))
    return out


def test_jitter_alone_does_not_cut_or_stop_the_probe() -> None:
    rng = random.Random(17)
    ladder = LadderController()
    for now, queue in _jitter_reports(rng, 0.0, 60.0):
        ladder.on_queue(queue, now)
        if now == int(now):
            ladder.on_loss(0.0, now)
    assert ladder.congestions == 0
    assert ladder.rung_index == 0  # 640x480 at 900 kbit/s: the link has room


def test_old_level_rule_would_have_cut_on_the_same_jitter() -> None:
    """The reports above do reach the 80 ms level the ladder used to cut at."""
    rng = random.Random(17)
    assert max(q for _, q in _jitter_reports(rng, 0.0, 60.0)) > 0.08


def test_a_growing_queue_cuts_within_a_few_seconds() -> None:
    ladder = LadderController()
    for t in range(12):
        ladder.on_loss(0.0, float(t))
    before = ladder.rung_index
    sending = ladder.rung.bitrate
    # The uplink carries 10 % less than we send: the queue grows 100 ms a second.
    cut_at = None
    for n in range(24, 40):
        now = n / 2
        ladder.on_queue(0.020 + 0.1 * (now - 12.0), now)
        if ladder.congestions and cut_at is None:
            cut_at = now
    assert cut_at is not None and cut_at - 12.0 <= 2.5
    assert ladder.queue_cuts == ladder.congestions  # (a second cut: it kept growing)
    assert ladder.rung_index > before
    assert ladder.loss_estimate <= 0.85 * (sending + 50_000) + 1


def test_one_stall_does_not_count_as_a_growing_queue() -> None:
    trend = QueueTrend()
    states = [trend.add(0.03, n / 2) for n in range(10)]
    states.append(trend.add(0.30, 5.0))  # one report lifted by a stall
    states += [trend.add(0.03, 5.0 + n / 2) for n in range(1, 6)]
    assert QueueState.GROWING not in states


def test_a_full_queue_that_stopped_growing_still_counts() -> None:
    trend = QueueTrend()
    states = [trend.add(0.5, n / 2) for n in range(10)]
    assert states[-1] is QueueState.GROWING


def test_a_short_loss_burst_does_not_cut() -> None:
    ladder = LadderController()
    for t in range(40):
        # Gilbert-Elliott: a burst of 25 % in one report every 5 s, 1 % between
        ladder.on_loss(0.25 if t % 5 == 0 else 0.01, float(t))
    assert ladder.congestions == 0 and ladder.rung_index < START_RUNG


def test_sustained_loss_cuts() -> None:
    ladder = LadderController()
    for t in range(12):
        ladder.on_loss(0.0, float(t))
    before = ladder.rung_index
    for t in range(12, 16):
        ladder.on_loss(0.2, float(t))  # the link drops a fifth, every second
    assert ladder.congestions == 1 and ladder.queue_cuts == 0 and ladder.rung_index > before


def test_sustained_loss_waits_for_enough_reports() -> None:
    loss = SustainedLoss()
    assert loss.add(0.3, 0.0) is None and loss.add(0.3, 1.0) is None
    assert loss.add(0.3, 2.0) == 0.3
    assert loss.add(0.0, 30.0) is None  # the earlier ones are too old to count


def test_random_loss_between_2_and_10_percent_holds() -> None:
    ladder = LadderController()
    before = ladder.loss_estimate
    for t in range(30):
        ladder.on_loss(0.05, float(t))
    assert ladder.congestions == 0 and ladder.loss_estimate <= before


def test_after_a_cut_the_ladder_stays_below_the_rate_that_overflowed_for_a_while() -> None:
    ladder = LadderController()
    for t in range(14):
        ladder.on_loss(0.0, float(t), sent_bps=ladder.rung.bitrate)
    overflowed = ladder.rung_index
    for t in range(14, 17):
        ladder.on_loss(0.3, float(t), sent_bps=ladder.rung.bitrate)
    assert ladder.congestions == 1 and ladder.rung_index > overflowed
    rungs = []
    for t in range(17, 70):
        ladder.on_loss(0.0, float(t), sent_bps=ladder.rung.bitrate)
        rungs.append(ladder.rung_index)
    assert min(rungs[:25]) > overflowed  # not straight back into the overflow
    assert min(rungs) <= overflowed  # but probed again once the memory (30 s) is over
