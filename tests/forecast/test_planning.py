"""The forecast page's rows: clerks seen per hour of the week beside the need, and its CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

from signaling.forecast import ForecastCell
from signaling.planning import Seen, forecast_window, plan_csv, plan_rows, staffing_seen
from signaling.store.records import StaffingRecord

HELSINKI = ZoneInfo("Europe/Helsinki")


def local(*args: int) -> float:
    return dt.datetime(*args, tzinfo=HELSINKI).timestamp()


def test_window_is_whole_days_and_clerks_are_averaged_over_every_occurrence() -> None:
    since, until = forecast_window(local(2026, 3, 11, 15, 30), 2, HELSINKI)  # a Wednesday
    assert (since, until) == (local(2026, 2, 25), local(2026, 3, 11))
    records = [
        StaffingRecord(local(2026, 3, 2, 9), "kela", "fi", 3 * 3600.0, 2 * 3600.0),  # Monday
        StaffingRecord(local(2026, 3, 9, 9), "kela", "fi", 1 * 3600.0, 1 * 3600.0),  # Monday
        StaffingRecord(local(2026, 3, 4, 9), "kela", "fi", 1800.0, 0.0),  # one of two Weds
        StaffingRecord(local(2026, 3, 11, 9), "kela", "fi", 3600.0, 3600.0),  # today: out
    ]
    seen = staffing_seen(records, since, until, HELSINKI)
    assert seen == {
        ("kela", "fi", 0, 9): Seen(2.0, 1.5),
        ("kela", "fi", 2, 9): Seen(0.25, 0.0),
    }


def test_rows_keep_hours_with_clerks_and_nobody_coming_and_csv_defuses_names() -> None:
    cell = ForecastCell("kela", "fi", 0, 9, 10.0, 300.0, None, 3, 3, 0.87, 2.0)
    rows = plan_rows([cell], {("kela", "fi", 0, 9): Seen(2.0, 1.5),
                              ("kela", "fi", 0, 16): Seen(1.0, 1.0)})
    assert [(r.hour, r.need_erlang_c, r.arrivals_per_hour) for r in rows] == [
        (9, 3, 10.0), (16, 0, 0.0)
    ]
    text = plan_csv(rows, {"kela": "=HYPERLINK(1)"})
    first, second = csv.DictReader(io.StringIO(text))
    assert first["service"] == "'=HYPERLINK(1)"
    assert (first["weekday"], first["clerks_needed_erlang_a"]) == ("1", "3")
    assert first["patience_s"] == ""
    assert (second["handle_s"], second["clerks_logged_in"]) == ("", "1.00")
