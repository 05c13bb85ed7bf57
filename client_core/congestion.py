"""Telling congestion from a link that is merely jittery or lossy (sans-I/O).

The video ladder (:mod:`client_core.video_send`) cuts its rate on congestion only. Two
signals reach it, and each, taken at face value, misreads a rural link:

* the queue the other side measures on our audio (how much longer it takes now than at its
  quickest, :class:`~client_core.control.LinkReport`). On a link with 30 ms of jitter that
  is 30-90 ms all call long, with nothing queued: jitter raises the level, not its trend.
  :class:`QueueTrend` therefore fits a line through the last few seconds of reports, as
  Google congestion control's trendline estimator does with its delay samples (a median
  of slopes rather than least squares, for the stalls of a busy kiosk), and calls
  the queue growing only when that line rises steeply and far enough, on several reports
  running (one scheduling stall on a busy machine lifts one report, not the line), or
  when two reports running stand well above the median of the seconds before them (a
  shallow buffer fills in a second, then drops);
* the receiver's loss fraction. A burst of a Gilbert-Elliott link loses 20 % of one second
  and nothing the next; a rate cut on it only starves the picture. :class:`SustainedLoss`
  answers with the loss over several reports, and only once there are enough of them, so
  that the ladder cuts (above 10 %, as GCC's loss-based controller) on loss that lasts.
"""

from __future__ import annotations

import enum
import statistics
from collections import deque


class QueueState(enum.Enum):
    """What the trend of the queue reports says."""

    STEADY = "steady"
    FILLING = "filling"
    """Rising, but not yet clearly: do not raise the rate."""
    GROWING = "growing"
    """A queue building up in front of the link: send less."""
    STEPPED = "stepped"
    """A queue that jumped up within a second: likely a shallow buffer filling (or two
    stalls running): send less, but hold the cut shorter."""


class QueueTrend:
    """A robust trend (Theil-Sen) of the queue reports over ``window_s``."""

    def __init__(
        self, *, window_s: float = 4.0, min_reports: int = 4, growing_slope: float = 0.02,
        growing_rise_s: float = 0.05, filling_slope: float = 0.01, confirm: int = 2,
        full_s: float = 0.4, step_s: float = 0.04,
    ) -> None:
        self.window_s = window_s
        self.min_reports = min_reports
        self.growing_slope = growing_slope
        """Seconds of queue per second: 20 ms/s is a sender 2 % over what the link carries."""
        self.growing_rise_s = growing_rise_s
        """How far the line must have risen over the window (jitter's noise stays below)."""
        self.filling_slope = filling_slope
        self.confirm = confirm
        """Reports running that must see the rise before it counts."""
        self.full_s = full_s
        self.step_s = step_s
        """How far the last two reports must stand above the window's median."""
        self.step: float | None = None
        """A queue that never fell below this over the window is full, growing or not."""
        self.slope: float | None = None
        self._reports: deque[tuple[float, float]] = deque()
        self._rising = 0

    def reset(self) -> None:
        """Forget the reports (after a cut: the old queue drains for a while)."""
        self._reports.clear()
        self._rising = 0
        self.slope = None

    def add(self, queue_s: float, now: float) -> QueueState:
        """One report of the queue (seconds); the state the trend is in now."""
        self._reports.append((now, queue_s))
        while self._reports[0][0] < now - self.window_s:
            self._reports.popleft()
        if len(self._reports) < self.min_reports:
            self.slope = None
            self._rising = 0
            return QueueState.STEADY
        span = self._reports[-1][0] - self._reports[0][0]
        if span <= 0:
            return QueueState.STEADY
        # Theil-Sen: the median of the slopes between every two reports, so that one report
        # a stall lifted moves the line no more than any other.
        points = list(self._reports)
        slopes = sorted(
            (q2 - q1) / (t2 - t1)
            for i, (t1, q1) in enumerate(points) for t2, q2 in points[i + 1:] if t2 > t1
        )
        self.slope = statistics.median(slopes)
        if min(q for _, q in self._reports) > self.full_s:
            return QueueState.GROWING
        # A shallow buffer (100 ms on a cell uplink) fills in a second, before the line
        # has the reports to rise on: the last two reports both well above the window's
        # median is a step up that jitter's noise and one stall do not make.
        earlier = [q for _, q in points[:-2]]
        self.step = min(points[-1][1], points[-2][1]) - statistics.median(earlier)
        if self.step > self.step_s:
            return QueueState.STEPPED
        if self.slope > self.growing_slope and self.slope * span > self.growing_rise_s:
            self._rising += 1
            return QueueState.GROWING if self._rising >= self.confirm else QueueState.FILLING
        self._rising = 0
        return QueueState.FILLING if self.slope > self.filling_slope else QueueState.STEADY


class SustainedLoss:
    """The loss fraction over the last ``reports`` receiver reports within ``window_s``."""

    def __init__(self, *, reports: int = 3, window_s: float = 5.0) -> None:
        self.reports = reports
        self.window_s = window_s
        self._fractions: deque[tuple[float, float]] = deque()

    def reset(self) -> None:
        """Forget the reports (after a cut: the loss that caused it is dealt with)."""
        self._fractions.clear()

    def add(self, fraction_lost: float, now: float) -> float | None:
        """One report's loss fraction; the mean over the last ``reports`` of them, or None
        while fewer than that arrived within ``window_s`` (too few to call it lasting).

        The median would ignore one lossy report, the mean would let one report of a burst
        lift two quiet ones over the threshold: the mean of all but the worst report
        rewards neither a single burst nor a steady overflow's one lucky second."""
        self._fractions.append((now, fraction_lost))
        while self._fractions and (
            self._fractions[0][0] < now - self.window_s or len(self._fractions) > self.reports
        ):
            self._fractions.popleft()
        if len(self._fractions) < self.reports:
            return None
        losses = sorted(f for _, f in self._fractions)
        kept = losses[:-1] if len(losses) > 1 else losses
        return sum(kept) / len(kept)
