"""Staffing forecast per service × language × hour of the week from call records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from signaling import erlang
from signaling.errors import ForecastError
from signaling.forecast import forecast, hour_of_week

HEL = ZoneInfo("Europe/Helsinki")


@dataclass(frozen=True)
class Rec:
    service_id: str
    language: str
    queued_at: float
    answered_at: float | None
    ended_at: float | None
    outcome: str | None


def at(day: dt.date, hour: int, minute: int = 0) -> float:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=HEL).timestamp()


MONDAYS = [dt.date(2025, 3, 3) + dt.timedelta(weeks=w) for w in range(4)]
SINCE = at(MONDAYS[0], 0)
UNTIL = at(MONDAYS[-1] + dt.timedelta(days=7), 0)


def answered(day: dt.date, hour: int, minute: int, wait: float, handle: float) -> Rec:
    q = at(day, hour, minute)
    return Rec("kela", "fi", q, q + wait, q + wait + handle, "answered")


def test_arrivals_are_averaged_over_the_weeks_in_the_window() -> None:
    # Monday 10-11 local: 6, 8, 10, 12 arrivals in the four weeks -> 9 per hour.
    records = [
        answered(monday, 10, minute, 60.0, 600.0)
        for monday, n in zip(MONDAYS, (6, 8, 10, 12), strict=True)
        for minute in range(n)
    ]
    cells = forecast(records, since=SINCE, until=UNTIL, default_handle_s={"kela": 300.0})
    assert len(cells) == 1
    cell = cells[0]
    assert (cell.service_id, cell.language, cell.weekday, cell.hour) == ("kela", "fi", 0, 10)
    assert cell.arrivals_per_hour == pytest.approx(9.0)
    assert cell.handle_s == pytest.approx(600.0)  # 36 samples, more than min_samples
    assert cell.patience_s is None  # nobody gave up
    assert cell.agents_erlang_c == erlang.agents_needed(9 / 3600, 600.0)
    assert cell.agents_erlang_a == cell.agents_erlang_c
    assert cell.service_level_c >= 0.8


def test_too_few_samples_fall_back_to_the_service_then_the_default() -> None:
    records = [answered(MONDAYS[0], 9, m, 0.0, 100.0) for m in range(3)]
    sv = [Rec("kela", "sv", at(MONDAYS[1], 9), None, None, "abandoned")]
    cells = forecast(
        records + sv, since=SINCE, until=UNTIL, default_handle_s={"kela": 480.0}, min_samples=3
    )
    by_lang = {c.language: c for c in cells}
    assert by_lang["fi"].handle_s == pytest.approx(100.0)  # its own 3 samples
    assert by_lang["sv"].handle_s == pytest.approx(100.0)  # none of its own: the service's
    cells = forecast(records, since=SINCE, until=UNTIL, default_handle_s={"kela": 480.0})
    assert cells[0].handle_s == 480.0  # 3 < 20 samples anywhere: the configured default


def test_patience_is_fitted_from_those_who_gave_up() -> None:
    day = MONDAYS[0]
    records = [
        answered(day, 11, 0, 120.0, 300.0),
        answered(day, 11, 1, 180.0, 300.0),
        Rec("kela", "fi", at(day, 11, 2), None, at(day, 11, 2) + 300.0, "cancelled"),
        Rec("kela", "fi", at(day, 11, 3), None, at(day, 11, 3) + 600.0, "abandoned"),
    ]
    cell = forecast(records, since=SINCE, until=UNTIL, default_handle_s={"kela": 300.0})[0]
    # Exponential MLE: total waited (120 + 180 + 300 + 600) / 2 gave up = 600 s.
    assert cell.patience_s == pytest.approx(600.0)
    assert cell.agents_erlang_a <= cell.agents_erlang_c


def test_refused_open_unknown_and_outside_window_are_not_arrivals() -> None:
    day = MONDAYS[0]
    q = at(day, 12)
    records = [
        Rec("kela", "fi", q, None, q, "refused"),
        Rec("kela", "fi", q, None, None, None),
        Rec("nope", "fi", q, q, q + 60, "answered"),
        Rec("kela", "fi", SINCE - 10, SINCE, SINCE + 60, "answered"),
    ]
    assert forecast(records, since=SINCE, until=UNTIL, default_handle_s={"kela": 300.0}) == []


def test_local_hours_follow_daylight_saving_time() -> None:
    # 2025-03-30 is the spring change in Finland: 10:00 local is 08:00 UTC before, 07:00 after.
    before = dt.datetime(2025, 3, 24, 8, 0, tzinfo=dt.UTC).timestamp()
    after = dt.datetime(2025, 3, 31, 7, 0, tzinfo=dt.UTC).timestamp()
    assert hour_of_week(before, HEL) == hour_of_week(after, HEL) == (0, 10)


def test_staffed_clerks_are_shown_beside_the_need() -> None:
    records = [answered(MONDAYS[0], 14, 0, 0.0, 300.0)]
    cells = forecast(
        records,
        since=SINCE,
        until=UNTIL,
        default_handle_s={"kela": 300.0},
        staffed={("kela", "fi", 0, 14): 2.5},
    )
    assert cells[0].staffed == 2.5


def test_empty_window_is_an_error() -> None:
    with pytest.raises(ForecastError):
        forecast([], since=UNTIL, until=SINCE, default_handle_s={})
