"""How close the waits shown to citizens came to the waits that followed.

One definition for every place that reports it (the simulated day in ``bench/sim_day.py``
now; the operator dashboard and ``/metrics`` later, from the estimates the store keeps):

* an estimate shown at ``shown_at`` saying ``seconds`` is scored only if the citizen was
  answered: its error is ``seconds − (answered_at − shown_at)`` (positive: the wait was
  shorter than said). A citizen who gave up has no known "actual" wait;
* ``median_abs_error_s`` and ``within_2min`` (share with ``|error| ≤ 120 s``) are the
  issue's figures; ``median_error_s`` is the bias, ``under_by_5min`` counts estimates
  that undersold the wait by more than five minutes;
* ``soon_then_over_10min`` counts "soon" estimates after which the citizen was still
  waiting ten minutes later (answered later, gave up later, or still waiting at ``until``);
* "no estimate" is never scored but its share is reported, so that saying nothing cannot
  pass for accuracy.

Pure: the caller picks which estimates to score (the first each citizen saw, or all).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Accuracy", "ShownWait", "accuracy"]

CLOSE_S = 120.0
UNDERSOLD_S = 300.0
SOON_LIMIT_S = 600.0


@dataclass(frozen=True, slots=True)
class ShownWait:
    """One estimate shown to a citizen, and how their wait ended."""

    shown_at: float
    seconds: float | None  # None: "no estimate"
    kind: str  # "soon", "minutes" or "none" (routing.actions.EstimateKind)
    answered_at: float | None  # None: not answered
    left_at: float | None = None  # gave up (or left otherwise) without an answer


@dataclass(frozen=True, slots=True)
class Accuracy:
    """Accuracy of a set of shown estimates; figures are None when nothing was scored."""

    shown: int
    scored: int
    none_share: float | None
    soon_share: float | None
    median_abs_error_s: float | None
    within_2min: float | None
    median_error_s: float | None
    p90_abs_error_s: float | None
    under_by_5min: int
    soon_then_over_10min: int


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def accuracy(estimates: Iterable[ShownWait], *, until: float) -> Accuracy:
    """Score ``estimates``; ``until`` ends the wait of citizens still waiting."""
    items = list(estimates)
    errors = [
        e.seconds - (e.answered_at - e.shown_at)
        for e in items
        if e.seconds is not None and e.answered_at is not None
    ]
    absolute = [abs(x) for x in errors]
    soon_long = 0
    for e in items:
        if e.kind == "soon":
            end = e.answered_at if e.answered_at is not None else e.left_at
            soon_long += (until if end is None else end) - e.shown_at > SOON_LIMIT_S
    n = len(items)
    return Accuracy(
        shown=n,
        scored=len(errors),
        none_share=sum(e.kind == "none" for e in items) / n if n else None,
        soon_share=sum(e.kind == "soon" for e in items) / n if n else None,
        median_abs_error_s=statistics.median(absolute) if errors else None,
        within_2min=sum(a <= CLOSE_S for a in absolute) / len(errors) if errors else None,
        median_error_s=statistics.median(errors) if errors else None,
        p90_abs_error_s=_quantile(absolute, 0.9) if errors else None,
        under_by_5min=sum(x < -UNDERSOLD_S for x in errors),
        soon_then_over_10min=soon_long,
    )
