"""Which day a callback is promised for: the same working day, or the next one.

Kela takes callback requests for the same or the next working day; "working day" here is a day
on which the service has hours (closed dates and weekends without hours are skipped). A request
made with at least ``min_left_s`` of today's hours left is promised for today; otherwise for
the next day the service opens. The promise is due at the end of that day's hours, when a clerk
can last call. Pure function of the hours and ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from signaling.routing.hours import LOOKAHEAD_DAYS, OpeningHours

__all__ = ["Promise", "promise_for"]


@dataclass(frozen=True, slots=True)
class Promise:
    """The promised day (ISO date in the service's zone) and when it ends (epoch seconds)."""

    day: str
    due_at: float
    same_day: bool


def promise_for(hours: OpeningHours, now: float, min_left_s: float = 3600.0) -> Promise | None:
    """The day a request made at ``now`` is promised for, or None if the service has no hours
    in the next :data:`~signaling.routing.hours.LOOKAHEAD_DAYS` days."""
    today = hours.local_date(now)
    closes = hours.closes_on(today)
    if closes is not None and closes - now >= min_left_s:
        return Promise(today.isoformat(), closes, True)
    for offset in range(1, LOOKAHEAD_DAYS + 1):
        day = today + timedelta(days=offset)
        closes = hours.closes_on(day)
        if closes is not None:
            return Promise(day.isoformat(), closes, False)
    return None
