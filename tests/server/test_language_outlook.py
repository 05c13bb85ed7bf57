"""When service in a language is expected: opening hours and the last weeks' staffing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from signaling.outlook import (
    MAX_SPAN_S,
    LanguageOutlook,
    build_profile,
    expected_at,
)
from signaling.routing.hours import OpeningHours
from signaling.store.records import ClerkActivity

HEL = ZoneInfo("Europe/Helsinki")
TUESDAY = date(2024, 6, 11)
WEEKDAYS = {d: [["08:00", "16:15"]] for d in ("mon", "tue", "wed", "thu", "fri")}
HOURS = OpeningHours(WEEKDAYS)
SKILLS = {
    "sv-1": (frozenset({"kela"}), frozenset({"sv", "fi"})),
    "fi-1": (frozenset({"kela"}), frozenset({"fi"})),
}


def at(day: date, clock: str) -> float:
    hh, mm = clock.split(":")
    return datetime(day.year, day.month, day.day, int(hh), int(mm), tzinfo=HEL).timestamp()


def worked(agent: str, day: date, start: str, end: str) -> list[ClerkActivity]:
    return [ClerkActivity(at(day, start), agent, "ready"),
            ClerkActivity(at(day, end), agent, "logged_out")]


def past(day: date, weeks: range) -> list[date]:
    return [day - timedelta(weeks=w) for w in weeks]


def outlook(rows: list[ClerkActivity], now: float, hours: OpeningHours = HOURS) -> float | None:
    profile = build_profile(rows, SKILLS, now, HEL)
    return expected_at(profile, "kela", "sv", now, hours, HEL)


def usual_week(swedish: tuple[str, str] = ("12:00", "16:00")) -> list[ClerkActivity]:
    """Four past weeks: a Finnish clerk every weekday 08-16, a Swedish one some hours."""
    rows: list[ClerkActivity] = []
    for w in range(1, 5):
        for d in range(5):  # Monday to Friday of that week
            day = TUESDAY - timedelta(weeks=w) + timedelta(days=d - 1)
            rows += worked("fi-1", day, "08:00", "16:00")
            rows += worked("sv-1", day, *swedish)
    return rows


def test_later_today_when_swedish_is_usually_served_in_the_afternoon() -> None:
    assert outlook(usual_week(), at(TUESDAY, "10:03")) == at(TUESDAY, "12:00")


def test_unknown_when_the_usual_clerk_is_away_right_now() -> None:
    # Swedish is usually served at 13:00 on Tuesdays; nobody serves it today: no guess.
    assert outlook(usual_week(), at(TUESDAY, "13:00")) is None


def test_next_working_day_after_closing_time() -> None:
    got = outlook(usual_week(("08:00", "16:00")), at(TUESDAY, "16:30"))
    assert got == at(TUESDAY + timedelta(days=1), "08:00")


def test_not_before_opening_even_if_clerks_log_in_early() -> None:
    got = outlook(usual_week(("07:30", "10:00")), at(TUESDAY, "06:00"))
    assert got == at(TUESDAY, "08:00")


def test_a_holiday_is_skipped() -> None:
    wednesday = TUESDAY + timedelta(days=1)
    hours = OpeningHours(WEEKDAYS, closed_dates=[wednesday.isoformat()])
    got = outlook(usual_week(("08:00", "16:00")), at(TUESDAY, "16:30"), hours)
    assert got == at(wednesday + timedelta(days=1), "08:00")


def test_half_of_the_working_days_make_a_habit_and_one_in_four_does_not() -> None:
    base = [r for w in range(1, 5) for r in worked("fi-1", TUESDAY - timedelta(weeks=w),
                                                    "08:00", "16:00")]
    once = base + worked("sv-1", TUESDAY - timedelta(weeks=2), "12:00", "14:00")
    twice = once + worked("sv-1", TUESDAY - timedelta(weeks=4), "12:30", "14:00")
    now = at(TUESDAY, "09:00")
    assert outlook(once, now) is None
    assert outlook(twice, now) == at(TUESDAY, "12:30")


def test_no_history_no_answer() -> None:
    assert outlook([], at(TUESDAY, "09:00")) is None
    only_finnish = [r for w in range(1, 5) for r in worked("fi-1", TUESDAY - timedelta(weeks=w),
                                                            "08:00", "16:00")]
    assert outlook(only_finnish, at(TUESDAY, "09:00")) is None


def test_what_counts_as_work() -> None:
    day = TUESDAY - timedelta(weeks=1)
    rows = [
        ClerkActivity(at(day, "08:00"), "sv-1", "not_ready"),  # logged in, not working yet
        ClerkActivity(at(day, "09:00"), "sv-1", "ready"),
        ClerkActivity(at(day, "09:10"), "sv-1", "in_call"),
        ClerkActivity(at(day, "09:30"), "sv-1", "wrap_up"),
        ClerkActivity(at(day, "09:31"), "sv-1", "not_ready"),  # lunch
        ClerkActivity(at(day, "10:00"), "sv-1", "ready"),  # console closed: no later line
        ClerkActivity(at(day, "08:00"), "someone-else", "ready"),  # no skills known
    ]
    profile = build_profile(rows, SKILLS, at(TUESDAY, "00:00"), HEL)
    marks = profile.served[("kela", "sv")][day]
    assert min(marks) * 300 == 9 * 3600  # from 09:00
    assert 9 * 12 + 6 in marks and 9 * 12 + 7 not in marks  # 09:30 in, 09:35 on the break
    assert max(marks) * 300 < 10 * 3600 + MAX_SPAN_S  # an open end is cut after four hours
    assert max(marks) * 300 >= 10 * 3600 + MAX_SPAN_S - 300
    assert profile.working_days["kela"] == {day}
    assert ("kela", "en") not in profile.served


def test_work_across_midnight_counts_on_both_dates() -> None:
    day = TUESDAY - timedelta(weeks=1)
    rows = [ClerkActivity(at(day, "22:00"), "sv-1", "ready"),
            ClerkActivity(at(day + timedelta(days=1), "01:00"), "sv-1", "logged_out")]
    profile = build_profile(rows, SKILLS, at(TUESDAY, "00:00"), HEL)
    served = profile.served[("kela", "sv")]
    assert max(served[day]) == 287 and min(served[day]) == 22 * 12
    assert min(served[day + timedelta(days=1)]) == 0
    assert max(served[day + timedelta(days=1)]) == 11


def test_the_outlook_reads_the_store_once_a_day() -> None:
    reads: list[tuple[float, float]] = []

    def activity(since: float, until: float) -> list[ClerkActivity]:
        reads.append((since, until))
        return usual_week()

    o = LanguageOutlook(activity, lambda: SKILLS)
    assert o.expected_at("kela", "sv", at(TUESDAY, "10:03"), HOURS) == at(TUESDAY, "12:00")
    assert o.expected_at("kela", "sv", at(TUESDAY, "10:20"), HOURS) == at(TUESDAY, "12:00")
    assert len(reads) == 1
    since, until = reads[0]
    assert until == at(TUESDAY, "00:00")  # today's own record is not used
    assert until - since >= 28 * 86400
    o.expected_at("kela", "sv", at(TUESDAY + timedelta(days=1), "10:00"), HOURS)
    assert len(reads) == 2
    o.forget()
    o.expected_at("kela", "sv", at(TUESDAY + timedelta(days=1), "10:05"), HOURS)
    assert len(reads) == 3
