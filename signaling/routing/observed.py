"""What the wait estimate learns from the day besides handle times.

* the mean wrap-up length (clerks often end wrap-up before its timer);
* the mean time from an offer to its acceptance;
* per not-ready reason (``"break"``, ``"lunch"``, ``"login"``, ...), how long clerks stayed
  away, so that a clerk on a break counts again from when they are expected back;
* per service, the rate at which waiting citizens give up: citizens who left the queue
  unanswered (``cancelled`` or ``abandoned``) per second that citizens waited. For an
  exponential patience this is the maximum-likelihood rate (answered citizens are censored
  observations); both sums decay by :data:`DECAY` per citizen who leaves the queue, so the
  rate follows the day.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

DECAY = 0.02  # weight of the newest citizen in the give-up rate (memory of about 50)
ANSWER_SEED_S = 5.0
RECENT_BREAKS = 30  # not-ready spells kept per reason
MIN_LONGER_BREAKS = 3  # spells longer than the time away so far needed to expect a return


class Observed:
    """Moving figures the wait estimate uses; every duration in seconds."""

    def __init__(self, services: Iterable[str], wrapup_s: float, alpha: float) -> None:
        self._alpha = alpha
        self.wrap_s = wrapup_s  # mean wrap-up length so far
        self.answer_s = ANSWER_SEED_S  # mean offer-to-accept delay so far
        self._gave_up = dict.fromkeys(services, 0.0)
        self._waited = dict.fromkeys(services, 0.0)
        self._away: dict[str, deque[float]] = {}

    def record_wrap(self, seconds: float) -> None:
        """A wrap-up ended after ``seconds``."""
        self.wrap_s += self._alpha * (max(0.0, seconds) - self.wrap_s)

    def record_answer(self, seconds: float) -> None:
        """An offer was accepted ``seconds`` after it was made."""
        self.answer_s += self._alpha * (max(0.0, seconds) - self.answer_s)

    def record_away(self, reason: str, seconds: float) -> None:
        """A clerk came back from a not-ready spell of ``reason`` after ``seconds``."""
        self._away.setdefault(reason, deque(maxlen=RECENT_BREAKS)).append(max(0.0, seconds))

    def away_left(self, reason: str, elapsed_s: float) -> float | None:
        """Expected rest of a not-ready spell that has lasted ``elapsed_s``: the mean excess
        of recent spells of the reason that lasted longer; None (not expected back) when
        fewer than :data:`MIN_LONGER_BREAKS` did."""
        longer = [s - elapsed_s for s in self._away.get(reason, ()) if s > elapsed_s]
        if len(longer) < MIN_LONGER_BREAKS:
            return None
        return sum(longer) / len(longer)

    def record_wait(self, service_id: str, waited_s: float, gave_up: bool) -> None:
        """A citizen left the queue after ``waited_s``: answered, or gave up."""
        if service_id not in self._waited:
            return
        keep = 1.0 - DECAY
        self._gave_up[service_id] = keep * self._gave_up[service_id] + gave_up
        self._waited[service_id] = keep * self._waited[service_id] + max(0.0, waited_s)

    def hazard(self, service_id: str) -> float:
        """Give-up rate per second of waiting seen in the service (0 until someone waited)."""
        waited = self._waited.get(service_id, 0.0)
        return self._gave_up[service_id] / waited if waited > 0 else 0.0
