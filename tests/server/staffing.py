"""Past staffing written as the server records it (clerk-seconds per hour), for the tests of
the language outlook."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from signaling.store import Store
from signaling.store.records import StaffingRecord

HEL = ZoneInfo("Europe/Helsinki")


def usual_start(now: float, ahead_s: float = 3600.0) -> float:
    """The start of the first whole local hour at least ``ahead_s`` after ``now``: when a
    clerk who habitually works from that hour on is expected next."""
    target = dt.datetime.fromtimestamp(now + ahead_s, HEL)
    return (target.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)).timestamp()


def seed_habit(store: Store, service: str, language: str, now: float, start: float,
               hours: int = 2, days: int = 35) -> None:
    """On each of the last ``days`` days, a clerk with ``service`` and ``language`` at work for
    ``hours`` whole hours from ``start``'s local hour."""
    first = dt.datetime.fromtimestamp(start, HEL).hour
    today = dt.datetime.fromtimestamp(now, HEL).date()
    rows = []
    for back in range(1, days + 1):
        day = today - dt.timedelta(days=back)
        for hour in range(first, min(24, first + hours)):
            begin = dt.datetime.combine(day, dt.time(hour), HEL).timestamp()
            rows.append(StaffingRecord(begin, service, language, 3600.0, 3600.0))
    store.add_staffing(rows)
