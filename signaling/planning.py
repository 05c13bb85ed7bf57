"""The staffing forecast for planners: clerks needed beside clerks there, hour by hour.

Joins the forecast (:mod:`signaling.forecast`: arrivals per local hour of the week from the
last weeks of call records, clerks needed for the target with Erlang C and Erlang A) with the
staffing history (:mod:`signaling.staffing_log`: clerk-seconds per hour) into one row per
service × language × hour of the week, and writes the rows as CSV. Pure: the web layer reads
the store and says the window.

* The window is whole local days: from local midnight ``weeks`` weeks ago to last midnight,
  so a day under way does not count as a quiet one.
* *Clerks logged in* (and *working*: not on a break) in an hour of the week are the average
  over the times that hour occurred in the window, including the times nobody was there.
* An hour with clerks but no arrivals gets a row too (need 0): time a planner could move.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from signaling.forecast import ForecastCell, hour_occurrences, hour_of_week
from signaling.store.records import StaffingRecord

__all__ = [
    "CSV_COLUMNS",
    "PlanRow",
    "Seen",
    "forecast_window",
    "plan_csv",
    "plan_rows",
    "staffing_seen",
]

QueueHour = tuple[str, str, int, int]  # (service, language, weekday 0 = Monday, local hour)

CSV_COLUMNS = (
    "service_id", "service", "language", "weekday", "hour", "arrivals_per_hour", "handle_s",
    "patience_s", "clerks_needed_erlang_c", "clerks_needed_erlang_a",
    "service_level_erlang_c", "clerks_logged_in", "clerks_working",
)


@dataclass(frozen=True, slots=True)
class Seen:
    """Clerks there on average in one hour of the week."""

    logged_in: float
    working: float


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One service × language queue in one local hour of the week."""

    service_id: str
    language: str
    weekday: int  # 0 = Monday
    hour: int
    arrivals_per_hour: float
    handle_s: float | None  # None: nobody came, so nothing to handle
    patience_s: float | None
    need_erlang_c: int
    need_erlang_a: int
    level_erlang_c: float | None
    seen: Seen | None  # None: the staffing history has nothing for that hour


def forecast_window(now: float, weeks: int, tz: ZoneInfo) -> tuple[float, float]:
    """``[since, until)``: local midnight ``weeks`` weeks before the last one, and the last."""
    today = dt.datetime.fromtimestamp(now, tz).date()
    start = today - dt.timedelta(weeks=weeks)
    until = dt.datetime(today.year, today.month, today.day, tzinfo=tz).timestamp()
    return dt.datetime(start.year, start.month, start.day, tzinfo=tz).timestamp(), until


def staffing_seen(
    records: Iterable[StaffingRecord], since: float, until: float, tz: ZoneInfo
) -> dict[QueueHour, Seen]:
    """Average clerks logged in and working per queue and local hour of the week."""
    seconds: dict[QueueHour, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for r in records:
        if since <= r.hour < until:
            day, hour = hour_of_week(r.hour, tz)
            booked = seconds[(r.service_id, r.language, day, hour)]
            booked[0] += r.logged_in_s
            booked[1] += r.working_s
    times = hour_occurrences(since, until, tz)
    return {
        key: Seen(logged / 3600 / max(1, times.get(key[2:], 0)),
                  working / 3600 / max(1, times.get(key[2:], 0)))
        for key, (logged, working) in seconds.items()
    }


def plan_rows(cells: Iterable[ForecastCell], seen: Mapping[QueueHour, Seen]) -> list[PlanRow]:
    """The forecast's cells beside the clerks seen, plus the hours with clerks and no
    arrivals; by service, language, weekday and hour."""
    rows = {}
    for c in cells:
        key = (c.service_id, c.language, c.weekday, c.hour)
        rows[key] = PlanRow(
            c.service_id, c.language, c.weekday, c.hour, c.arrivals_per_hour, c.handle_s,
            c.patience_s, c.agents_erlang_c, c.agents_erlang_a, c.service_level_c, seen.get(key),
        )
    for key, there in seen.items():
        if key not in rows and there.logged_in > 0:
            rows[key] = PlanRow(*key, 0.0, None, None, 0, 0, None, there)
    return [rows[key] for key in sorted(rows)]


def plan_csv(rows: Iterable[PlanRow], service_names: Mapping[str, str]) -> str:
    """The rows as CSV (RFC 4180, header first, ``.`` decimals, weekday 1 = Monday, empty for
    no value); names in the reader's language, defused against spreadsheet formulas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        name = service_names.get(r.service_id, r.service_id)
        writer.writerow([
            r.service_id,
            "'" + name if name[:1] in ("=", "+", "-", "@", "\t", "\r") else name,
            r.language,
            r.weekday + 1,
            r.hour,
            f"{r.arrivals_per_hour:.2f}",
            _number(r.handle_s, 0),
            _number(r.patience_s, 0),
            r.need_erlang_c,
            r.need_erlang_a,
            _number(r.level_erlang_c, 3),
            _number(r.seen.logged_in if r.seen else None, 2),
            _number(r.seen.working if r.seen else None, 2),
        ])
    return out.getvalue()


def _number(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"
