"""The one definition of how close shown waits came to the waits that followed."""

from __future__ import annotations

import pytest

from signaling.wait_accuracy import ShownWait, accuracy


def test_errors_of_answered_citizens_are_scored() -> None:
    shown = [
        ShownWait(0.0, 300.0, "minutes", answered_at=240.0),  # +60 s
        ShownWait(0.0, 300.0, "minutes", answered_at=500.0),  # -200 s
        ShownWait(0.0, 600.0, "minutes", answered_at=1000.0),  # -400 s: undersold by > 5 min
        ShownWait(0.0, 300.0, "minutes", answered_at=None, left_at=100.0),  # gave up: unscored
        ShownWait(0.0, None, "none", answered_at=50.0),  # no estimate: unscored, counted
    ]
    acc = accuracy(shown, until=2000.0)
    assert (acc.shown, acc.scored) == (5, 3)
    assert acc.median_abs_error_s == 200.0
    assert acc.median_error_s == -200.0
    assert acc.within_2min == pytest.approx(1 / 3)
    assert acc.under_by_5min == 1
    assert acc.none_share == pytest.approx(0.2)
    assert acc.p90_abs_error_s == 400.0


def test_soon_followed_by_a_long_wait_is_counted_however_it_ended() -> None:
    shown = [
        ShownWait(0.0, 30.0, "soon", answered_at=20.0),  # kept
        ShownWait(0.0, 30.0, "soon", answered_at=700.0),  # answered 11+ min later
        ShownWait(0.0, 30.0, "soon", answered_at=None, left_at=650.0),  # gave up after 10 min
        ShownWait(100.0, 30.0, "soon", answered_at=None),  # still waiting at `until`
    ]
    acc = accuracy(shown, until=800.0)
    assert acc.soon_then_over_10min == 3
    assert acc.soon_share == 1.0


def test_nothing_to_score() -> None:
    acc = accuracy([], until=0.0)
    assert (acc.shown, acc.scored, acc.median_abs_error_s, acc.none_share) == (0, 0, None, None)


def test_a_running_tally_gives_what_scoring_the_remaining_estimates_gives() -> None:
    import random

    from signaling.wait_accuracy import AccuracyTally

    rng = random.Random(7)

    def estimate(i: int) -> ShownWait:
        kind = rng.choice(["soon", "minutes", "minutes", "none"])
        shown = 1000.0 + i * 7.3
        seconds = None if kind == "none" else rng.uniform(0, 900)
        end = rng.choice(["answered", "left", "open"])
        answered = shown + rng.uniform(0, 1200) if end == "answered" else None
        left = shown + rng.uniform(0, 1200) if end == "left" else None
        return ShownWait(shown, seconds, kind, answered, left)

    items = [estimate(i) for i in range(300)]
    tally = AccuracyTally()
    for e in items:
        tally.add(e)
    until = 1000.0 + 300 * 7.3 + 400
    assert tally.figures(until=until) == accuracy(items, until=until)
    # Places change (a wait ends) and leave: out with the old record, in with the new one.
    for i in rng.sample(range(300), 120):
        tally.remove(items[i])
        if i % 2:
            items[i] = ShownWait(items[i].shown_at, items[i].seconds, items[i].kind,
                                 items[i].shown_at + 30.0)
            tally.add(items[i])
        else:
            items[i] = None  # type: ignore[call-overload]
    left = [e for e in items if e is not None]
    assert tally.figures(until=until) == accuracy(left, until=until)
    assert len(tally) == len(left)
    with pytest.raises(ValueError):
        tally.remove(ShownWait(0.0, 10.0, "minutes", 5.0))  # never added
