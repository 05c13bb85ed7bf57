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

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Accuracy", "AccuracyTally", "ShownWait", "accuracy"]

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


def _quantile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _median(ordered: list[float]) -> float:
    # As statistics.median does it, on a list already in order.
    n = len(ordered)
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


class AccuracyTally:
    """Running figures of a changing set of shown estimates.

    The monitor scores today's first estimates again every few seconds while citizens keep
    joining; scoring the day's list from the start each time cost in proportion to the day on
    the routing loop. A tally takes one estimate in or out at the cost of keeping two ordered
    lists (a bisect insert: a memmove of at most the day's estimates), and :meth:`figures`
    reads medians and the 90th percentile off those lists. :func:`accuracy` is a tally built
    in one go, so both give the same figures by construction.
    """

    __slots__ = ("_abs", "_closed_soon_long", "_errors", "_none", "_open_soon", "_shown",
                 "_soon", "_under", "_within")

    def __init__(self) -> None:
        self._shown = self._none = self._soon = self._within = self._under = 0
        self._closed_soon_long = 0
        self._errors: list[float] = []
        self._abs: list[float] = []
        self._open_soon: list[float] = []  # shown_at of "soon" estimates still waiting

    @classmethod
    def of(cls, estimates: Iterable[ShownWait]) -> AccuracyTally:
        """A tally of ``estimates`` (sorted once, not inserted one by one)."""
        tally = cls()
        for e in estimates:
            tally._count(e, 1, bulk=True)
        tally._errors.sort()
        tally._abs.sort()
        tally._open_soon.sort()
        return tally

    def add(self, e: ShownWait) -> None:
        """One more estimate."""
        self._count(e, 1, bulk=False)

    def remove(self, e: ShownWait) -> None:
        """Take back an estimate :meth:`add` took (equal fields: the same figures)."""
        self._count(e, -1, bulk=False)

    def __len__(self) -> int:
        return self._shown

    def _count(self, e: ShownWait, sign: int, *, bulk: bool) -> None:
        # The ordered list first: taking out what was never added raises before any count
        # moved. (An estimate is in at most one list: open "soon" ones have no error yet.)
        end = e.answered_at if e.answered_at is not None else e.left_at
        scored, error = False, 0.0
        if e.seconds is not None and e.answered_at is not None:
            scored, error = True, e.seconds - (e.answered_at - e.shown_at)
        if e.kind == "soon" and end is None:
            _place(self._open_soon, e.shown_at, sign, bulk)
        if scored:
            _place(self._errors, error, sign, bulk)
            _place(self._abs, abs(error), sign, bulk)
            self._within += sign * (abs(error) <= CLOSE_S)
            self._under += sign * (error < -UNDERSOLD_S)
        self._shown += sign
        self._none += sign * (e.kind == "none")
        if e.kind == "soon":
            self._soon += sign
            if end is not None:
                self._closed_soon_long += sign * (end - e.shown_at > SOON_LIMIT_S)

    def figures(self, *, until: float) -> Accuracy:
        """The figures now; ``until`` ends the wait of citizens still waiting."""
        n, scored = self._shown, len(self._errors)
        # Open "soon" estimates shown more than ten minutes before `until`.
        open_long = bisect.bisect_left(self._open_soon, until - SOON_LIMIT_S)
        while open_long < len(self._open_soon) and (
            until - self._open_soon[open_long] > SOON_LIMIT_S
        ):
            open_long += 1  # float subtraction can round either way at the edge
        while open_long > 0 and not until - self._open_soon[open_long - 1] > SOON_LIMIT_S:
            open_long -= 1
        return Accuracy(
            shown=n,
            scored=scored,
            none_share=self._none / n if n else None,
            soon_share=self._soon / n if n else None,
            median_abs_error_s=_median(self._abs) if scored else None,
            within_2min=self._within / scored if scored else None,
            median_error_s=_median(self._errors) if scored else None,
            p90_abs_error_s=_quantile(self._abs, 0.9) if scored else None,
            under_by_5min=self._under,
            soon_then_over_10min=self._closed_soon_long + open_long,
        )


def _place(ordered: list[float], value: float, sign: int, bulk: bool) -> None:
    """Put ``value`` into (sign 1) or take it out of (sign -1) an ordered list; in bulk,
    append only (the caller sorts once)."""
    if sign > 0:
        if bulk:
            ordered.append(value)
        else:
            bisect.insort(ordered, value)
        return
    i = bisect.bisect_left(ordered, value)
    if i == len(ordered) or ordered[i] != value:
        raise ValueError(f"not in the tally: {value!r}")
    del ordered[i]


def accuracy(estimates: Iterable[ShownWait], *, until: float) -> Accuracy:
    """Score ``estimates``; ``until`` ends the wait of citizens still waiting."""
    return AccuracyTally.of(estimates).figures(until=until)
