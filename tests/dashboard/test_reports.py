"""Weekly usage, today's queue figures, CSV and chart from call rows."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from signaling.reports import (
    queue_day,
    usage_csv,
    week_of,
    week_start_ts,
    weekly_chart_svg,
    weekly_usage,
)
from signaling.store.records import CallRecord

TZ = ZoneInfo("Europe/Helsinki")


def ts(*args: int) -> float:
    return datetime(*args, tzinfo=TZ).timestamp()  # type: ignore[misc]


def call(
    site: str, service: str, queued: float, wait: float | None, talk: float | None,
    outcome: str = "answered", language: str = "fi", rating: int | None = None,
) -> CallRecord:
    answered = None if wait is None else queued + wait
    ended = answered + talk if answered is not None and talk is not None else queued + 60
    return CallRecord(
        id=f"c{queued}", entry_id="e", kiosk_id="k", site_id=site, agent_id=None,
        service_id=service, language=language, queued_at=queued, offered_at=None,
        answered_at=answered, ended_at=ended, outcome=outcome,  # type: ignore[arg-type]
        end_reason=None, disposition=None, wrapup_note=None, quality=None, rating=rating,
    )


def test_iso_weeks_on_the_local_calendar() -> None:
    # Sunday 23:30 in Helsinki is still week 10 although it is Sunday 21:30 UTC.
    assert week_of(ts(2026, 3, 8, 23, 30), TZ) == ("2026-W10", date(2026, 3, 2))
    assert week_of(ts(2026, 3, 9, 0, 10), TZ) == ("2026-W11", date(2026, 3, 9))
    assert week_start_ts(ts(2026, 3, 11, 12), TZ, 1) == ts(2026, 3, 2)


def test_weekly_usage_per_site_and_service() -> None:
    monday = ts(2026, 3, 9, 9)
    calls = [
        call("nurmes", "kela.benefits", monday, 30, 300, rating=5),
        call("nurmes", "kela.benefits", monday + 60, 200, 600, rating=2),
        call("nurmes", "kela.benefits", monday + 120, None, None, "abandoned"),
        call("nurmes", "kela.benefits", monday + 180, None, None, "cancelled"),
        call("nurmes", "vero.tax", monday + 7200, 10, 100),
        call("lieksa", "kela.benefits", monday - 86400, 45, 400),
    ]
    rows = weekly_usage(calls, TZ)
    got = [(r.week, r.site_id, r.service_id, r.visits, r.answered, r.abandoned,
            r.median_wait_s, r.median_handle_s) for r in rows]
    assert got == [
        ("2026-W10", "lieksa", "kela.benefits", 1, 1, 0, 45.0, 400.0),
        ("2026-W11", "nurmes", "kela.benefits", 4, 2, 2, 115.0, 450.0),
        ("2026-W11", "nurmes", "vero.tax", 1, 1, 0, 10.0, 100.0),
    ]
    text = usage_csv(rows, {"nurmes": "=HYPERLINK(x)"}, {"vero.tax": "Verotus"})
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert parsed[1]["site"] == "'=HYPERLINK(x)"  # no formula injection
    assert parsed[2]["service"] == "Verotus" and parsed[0]["median_wait_s"] == "45.0"
    assert (parsed[1]["ratings"], parsed[1]["mean_rating"]) == ("2", "3.50")
    assert (parsed[2]["ratings"], parsed[2]["mean_rating"]) == ("0", "")
    svg = weekly_chart_svg(rows, {"nurmes": "Nurmes <1>"})
    assert svg.startswith("<svg") and "Nurmes &lt;1&gt;" in svg and "closure risk" in svg


def test_queue_day_service_level_speed_and_handle() -> None:
    t = ts(2026, 3, 9, 9)
    calls = [
        call("nurmes", "kela.benefits", t, 60, 300),
        call("nurmes", "kela.benefits", t, 180, 500),
        call("nurmes", "kela.benefits", t, 181, 100),
        call("nurmes", "kela.benefits", t, None, None, "abandoned"),
        call("nurmes", "kela.benefits", t, 20, 200, language="sv"),
    ]
    figures = queue_day(calls, threshold_s=180)
    fi = figures[("kela.benefits", "fi")]
    assert (fi.answered, fi.abandoned, fi.answered_in_threshold) == (3, 1, 2)
    assert fi.service_level == 2 / 3
    assert fi.average_answer_s == round((60 + 180 + 181) / 3, 1)
    assert fi.average_handle_s == 300.0
    assert figures[("kela.benefits", "sv")].service_level == 1.0


def test_a_queue_tally_taking_calls_out_gives_the_figures_of_the_rest() -> None:
    from signaling.reports import QueueTally

    calls = [
        call("nurmes", "kela", 1000.0 + i * 31.7, (i * 13.3) % 400 if i % 4 else None,
             300 + i * 0.1 if i % 3 else None, "answered" if i % 4 else "abandoned")
        for i in range(60)
    ]
    tally = QueueTally(180.0)
    for c in calls:
        tally.add(c)
    assert tally.figures() == queue_day(calls, 180.0)[("kela", "fi")]
    for c in calls[::3]:
        tally.remove(c)
    rest = [c for i, c in enumerate(calls) if i % 3]
    assert tally.figures() == queue_day(rest, 180.0)[("kela", "fi")]
    assert len(tally) == len(rest)
