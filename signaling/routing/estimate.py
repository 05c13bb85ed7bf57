"""Handle times, and the earlier wait estimate (``RouterConfig(estimator="staffed")``).

The router's default estimate is :mod:`signaling.routing.waits`, which looks at what each
clerk is doing. This module keeps the handle-time statistics both use and the earlier
estimate, kept so the simulated day (``bench/sim_day.py``) can compare the two. It is
deliberately simple so it can be explained at the kiosk:

* Per service, the router keeps an exponentially weighted moving average (EWMA) of
  handle times (answered → ended, for calls ended by a hang-up or a transfer), seeded
  with ``ServiceRules.default_handle_s``: ``avg ← α·sample + (1 − α)·avg`` with
  ``α = RouterConfig.handle_time_alpha``.
* For the citizen at 1-based position ``p`` in a service × language queue, with
  ``n`` agents logged in who serve that service and language (in any state):
  ``estimate = p × avg / max(1, n)``.
* With no such agent logged in there is no honest number: the estimate is ``None``.
* What a kiosk is told (:func:`shown_wait`, also :meth:`Router.estimate_wait`) is that
  figure rounded **up**: to 30 s steps under five minutes, to whole minutes from five
  minutes on (e.g. 1 s → 30 s, 260 s → 270 s, 300 s → 5 min, 301 s → 6 min). An estimate
  to the second would be false precision, and a rounded one changes only when the wait
  really moves: :class:`~signaling.routing.actions.QueuePosition` is pushed only when the
  position or the rounded estimate changes, not for every small move of the average.
  (Float noise of up to 1e-9 steps above a boundary is not rounded up: 300.00000000000006
  is still 5 min.)

Known simplifications: it ignores how far agents already are into their current
calls and that an idle agent may answer at once, agents on a break count fully, and
agents who also serve other queues count fully for each of them. The simulated day shows
what that costs: a median error of about four minutes on the first estimate shown.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import deque
from collections.abc import Mapping

SHORT_WAIT_S = 300.0  # below this, estimates are shown in 30 s steps; from it, in minutes
RECENT_CALLS = 50  # handle times kept per service for the remaining time of a call
MIN_LONGER = 5  # calls longer than the elapsed time needed to trust their average


class HandleTimes:
    """Handle times per service: an EWMA, and the last :data:`RECENT_CALLS` samples for
    the expected remaining time of a call in progress."""

    def __init__(self, seeds: Mapping[str, float], alpha: float) -> None:
        if not 0.0 < alpha <= 1.0:
            raise ValueError(f"alpha must be in (0, 1], got {alpha}")
        self._alpha = alpha
        self._avg: dict[str, float] = dict(seeds)
        self._recent: dict[str, deque[float]] = {}
        # service -> (sorted recent samples, suffix sums), rebuilt after a new sample
        self._sorted: dict[str, tuple[list[float], list[float]]] = {}

    def average(self, service_id: str) -> float:
        """Current average handle time of a service (seconds)."""
        return self._avg[service_id]

    def record(self, service_id: str, handle_s: float) -> None:
        """Feed one observed handle time; negative samples (clock skew) count as 0."""
        sample = max(0.0, handle_s)
        self._avg[service_id] = self._alpha * sample + (1.0 - self._alpha) * self._avg[service_id]
        self._recent.setdefault(service_id, deque(maxlen=RECENT_CALLS)).append(sample)
        self._sorted.pop(service_id, None)

    def remaining(self, service_id: str, elapsed_s: float) -> float:
        """Expected remaining handle time of a call of the service that has lasted
        ``elapsed_s``: the mean excess of recent calls that lasted longer.

        Handle times have a long tail, so a call that has run long is expected to run on
        for a while rather than to end at once. With fewer than :data:`MIN_LONGER` recent
        calls longer than ``elapsed_s`` it falls back to ``max(avg − elapsed, avg / 4)``."""
        avg = self._avg[service_id]
        table = self._sorted.get(service_id)
        if table is None:
            samples = sorted(self._recent.get(service_id, ()))
            suffix = [0.0] * (len(samples) + 1)
            for i in range(len(samples) - 1, -1, -1):
                suffix[i] = suffix[i + 1] + samples[i]
            table = self._sorted[service_id] = (samples, suffix)
        samples, suffix = table
        first = bisect_right(samples, elapsed_s)
        longer = len(samples) - first
        if longer < MIN_LONGER:
            return max(avg - elapsed_s, avg / 4)
        return suffix[first] / longer - elapsed_s


def estimate_wait(position: int, avg_handle_s: float, staffed_agents: int) -> float | None:
    """Estimated wait in seconds for a 1-based queue ``position``; ``None`` if unstaffed."""
    if staffed_agents <= 0:
        return None
    return position * avg_handle_s / max(1, staffed_agents)


def round_wait(seconds: float) -> float:
    """Round an estimate up to what a kiosk shows: 30 s steps under 5 min, then minutes."""
    step = 30.0 if seconds < SHORT_WAIT_S else 60.0
    return max(0, math.ceil(seconds / step - 1e-9)) * step


def shown_wait(position: int, avg_handle_s: float, staffed_agents: int) -> float | None:
    """The rounded estimate pushed to the kiosk at ``position``; ``None`` if unstaffed."""
    estimate = estimate_wait(position, avg_handle_s, staffed_agents)
    return None if estimate is None else round_wait(estimate)
