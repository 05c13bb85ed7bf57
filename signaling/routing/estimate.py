"""Estimated wait shown to citizens.

The estimate is deliberately simple so it can be explained at the kiosk:

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
calls and that an idle agent may answer at once, and agents who also serve other
queues count fully for each of them. It is a rough guide, not a promise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

SHORT_WAIT_S = 300.0  # below this, estimates are shown in 30 s steps; from it, in minutes


class HandleTimes:
    """EWMA of handle times per service."""

    def __init__(self, seeds: Mapping[str, float], alpha: float) -> None:
        if not 0.0 < alpha <= 1.0:
            raise ValueError(f"alpha must be in (0, 1], got {alpha}")
        self._alpha = alpha
        self._avg: dict[str, float] = dict(seeds)

    def average(self, service_id: str) -> float:
        """Current average handle time of a service (seconds)."""
        return self._avg[service_id]

    def record(self, service_id: str, handle_s: float) -> None:
        """Feed one observed handle time; negative samples (clock skew) count as 0."""
        sample = max(0.0, handle_s)
        self._avg[service_id] = self._alpha * sample + (1.0 - self._alpha) * self._avg[service_id]


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
