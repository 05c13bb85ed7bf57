"""When service in a language is expected: opening hours and the last weeks' staffing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from signaling.outlook import SERVED_S, LanguageOutlook, build_profile, expected_at
from signaling.routing.hours import OpeningHours
from signaling.store.records import StaffingRecord

HEL = ZoneInfo("Europe/Helsinki")
TUESDAY = date(2024, 6, 11)
WEEKDAYS = {d: [["08:00", "16:15"]] for d in ("mon", "tue", "wed", "thu", "fri")}
HOURS = OpeningHours(WEEKDAYS)


def at(day: date, clock: str) -> float:
    hh, mm = clock.split(":")
    return datetime(day.year, day.month, day.day, int(hh), int(mm), tzinfo=HEL).timestamp()


def worked(language: str, day: date, first: int, last: int, seconds: float = 3600.0,
           service: str = "kela") -> list[StaffingRecord]:
    """Clerk-seconds in each local hour from ``first`` to ``last`` (inclusive) of ``day``."""
    return [StaffingRecord(at(day, f"{h}:00"), service, language, seconds, seconds)
            for h in range(first, last + 1)]


def outlook(rows: list[StaffingRecord], now: float, hours: OpeningHours = HOURS,
            language: str = "sv") -> float | None:
    return expected_at(build_profile(rows, HEL), "kela", language, now, hours, HEL)


def usual_weeks(sv_first: int = 12, sv_last: int = 15) -> list[StaffingRecord]:
    """Four past weeks: Finnish served every weekday 8-16, Swedish some hours."""
    rows: list[StaffingRecord] = []
    for w in range(1, 5):
        for d in range(5):  # Monday to Friday of that week
            day = TUESDAY - timedelta(weeks=w) + timedelta(days=d - 1)
            rows += worked("fi", day, 8, 15)
            rows += worked("sv", day, sv_first, sv_last)
    return rows


def test_later_today_when_swedish_is_usually_served_in_the_afternoon() -> None:
    assert outlook(usual_weeks(), at(TUESDAY, "10:03")) == at(TUESDAY, "12:00")


def test_unknown_when_the_usual_clerk_is_away_right_now() -> None:
    # Swedish is usually served at 13:00 on Tuesdays; nobody serves it today: no guess.
    assert outlook(usual_weeks(), at(TUESDAY, "13:40")) is None


def test_next_working_day_after_closing_time() -> None:
    got = outlook(usual_weeks(8, 15), at(TUESDAY, "16:30"))
    assert got == at(TUESDAY + timedelta(days=1), "08:00")


def test_not_before_opening_even_if_clerks_log_in_early() -> None:
    hours = OpeningHours({"tue": [["08:15", "16:00"]]})
    got = outlook(usual_weeks(7, 10), at(TUESDAY, "06:00"), hours)
    assert got == at(TUESDAY, "08:15")  # the usual hour, from the opening on


def test_a_holiday_is_skipped() -> None:
    wednesday = TUESDAY + timedelta(days=1)
    hours = OpeningHours(WEEKDAYS, closed_dates=[wednesday.isoformat()])
    got = outlook(usual_weeks(8, 15), at(TUESDAY, "16:30"), hours)
    assert got == at(wednesday + timedelta(days=1), "08:00")


def test_half_of_the_working_days_make_a_habit_and_one_in_four_does_not() -> None:
    tuesdays = [TUESDAY - timedelta(weeks=w) for w in range(1, 5)]
    base = [r for day in tuesdays for r in worked("fi", day, 8, 15)]
    once = base + worked("sv", tuesdays[1], 12, 13)
    twice = once + worked("sv", tuesdays[3], 13, 13)
    now = at(TUESDAY, "09:00")
    assert outlook(once, now) is None
    assert outlook(twice, now) == at(TUESDAY, "13:00")


def test_a_few_minutes_in_an_hour_do_not_make_it_served() -> None:
    tuesdays = [TUESDAY - timedelta(weeks=w) for w in range(1, 5)]
    # A Swedish clerk who comes at half past twelve: 12:00 is not promised, 13:00 is.
    rows = [r for day in tuesdays for r in worked("fi", day, 8, 15)]
    rows += [r for day in tuesdays for r in worked("sv", day, 12, 12, seconds=SERVED_S / 1.5)]
    rows += [r for day in tuesdays for r in worked("sv", day, 13, 15)]
    assert outlook(rows, at(TUESDAY, "09:00")) == at(TUESDAY, "13:00")


def test_no_history_no_answer() -> None:
    assert outlook([], at(TUESDAY, "09:00")) is None
    only_finnish = [r for w in range(1, 5)
                    for r in worked("fi", TUESDAY - timedelta(weeks=w), 8, 15)]
    assert outlook(only_finnish, at(TUESDAY, "09:00")) is None
    assert outlook(only_finnish, at(TUESDAY, "06:00"), language="fi") == at(TUESDAY, "08:00")


def test_the_outlook_reads_the_store_once_a_day() -> None:
    reads: list[tuple[float, float]] = []

    def staffing(since: float, until: float) -> list[StaffingRecord]:
        reads.append((since, until))
        return usual_weeks()

    o = LanguageOutlook(staffing)
    assert o.expected_at("kela", "sv", at(TUESDAY, "10:03"), HOURS) == at(TUESDAY, "12:00")
    assert o.expected_at("kela", "sv", at(TUESDAY, "11:20"), HOURS) == at(TUESDAY, "12:00")
    assert len(reads) == 1
    since, until = reads[0]
    assert until == at(TUESDAY, "00:00")  # today's own record is not used
    assert until - since >= 28 * 86400
    o.expected_at("kela", "sv", at(TUESDAY + timedelta(days=1), "10:00"), HOURS)
    assert len(reads) == 2
