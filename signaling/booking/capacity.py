"""When clerks are set aside for booked meetings, per service × language.

An admin sets a weekly pattern (the same form as opening hours: ``{"mon": [["09:00",
"12:00"]], ...}`` in local time), the slot length, how many clerks are set aside at once, and
exceptions per date (other intervals that day, or none: no bookings). Slots are cut from the
start of each interval; a remainder shorter than a slot is not offered.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from signaling.routing.hours import DAY_KEYS

__all__ = ["Capacity", "SlotTime", "parse_intervals"]

Interval = tuple[int, int]  # seconds since local midnight, [start, end)
SlotTime = tuple[float, float]  # epoch seconds, [start, end)

MIN_SLOT_MINUTES = 5
MAX_SLOT_MINUTES = 240
MAX_CLERKS = 50


def _clock(text: str, *, is_end: bool) -> int:
    hh, sep, mm = text.strip().partition(":")
    if not sep or not hh.isdigit() or not mm.isdigit() or len(mm) != 2:
        raise ValueError(f"bad clock time {text!r}, expected HH:MM")
    seconds = int(hh) * 3600 + int(mm) * 60
    if int(mm) >= 60 or seconds > 86400 or (seconds == 86400 and not is_end):
        raise ValueError(f"clock time out of range: {text!r}")
    return seconds


def parse_intervals(intervals: Sequence[Sequence[str]]) -> tuple[Interval, ...]:
    """``[["09:00", "12:00"], ...]`` as sorted, non-overlapping seconds since midnight."""
    out: list[Interval] = []
    for interval in intervals:
        if len(interval) != 2:
            raise ValueError(f"interval must be [start, end], got {interval!r}")
        start, end = _clock(interval[0], is_end=False), _clock(interval[1], is_end=True)
        if start >= end:
            raise ValueError(f"interval must not be empty or reversed: {interval!r}")
        out.append((start, end))
    out.sort()
    for (_s1, e1), (s2, _e2) in itertools.pairwise(out):
        if s2 < e1:
            raise ValueError("intervals overlap")
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Capacity:
    """Clerk time set aside for bookings of one service × language.

    Raises ``ValueError`` on a malformed pattern (admin input: the admin page shows it)."""

    service_id: str
    language: str
    slot_minutes: int
    clerks: int
    weekly: Mapping[str, Sequence[Sequence[str]]]
    exceptions: Mapping[str, Sequence[Sequence[str]]] = field(default_factory=dict)
    """ISO date → that day's intervals instead of the weekly ones (empty: no bookings)."""
    tz: str = "Europe/Helsinki"

    def __post_init__(self) -> None:
        if not MIN_SLOT_MINUTES <= self.slot_minutes <= MAX_SLOT_MINUTES:
            raise ValueError(f"slot length must be {MIN_SLOT_MINUTES}-{MAX_SLOT_MINUTES} minutes")
        if not 0 <= self.clerks <= MAX_CLERKS:
            raise ValueError(f"clerks set aside must be 0-{MAX_CLERKS}")
        for key, intervals in self.weekly.items():
            if key not in DAY_KEYS:
                raise ValueError(f"unknown weekday {key!r}, expected one of {DAY_KEYS}")
            parse_intervals(intervals)
        for day, intervals in self.exceptions.items():
            date.fromisoformat(day)
            parse_intervals(intervals)
        ZoneInfo(self.tz)

    @property
    def slot_s(self) -> float:
        """Slot length in seconds."""
        return self.slot_minutes * 60.0

    def intervals_on(self, day: date) -> tuple[Interval, ...]:
        """That day's intervals (an exception replaces the weekly pattern)."""
        special = self.exceptions.get(day.isoformat())
        if special is not None:
            return parse_intervals(special)
        return parse_intervals(self.weekly.get(DAY_KEYS[day.weekday()], ()))

    def slots_on(self, day: date) -> list[SlotTime]:
        """The day's slots, earliest first (none when no clerk is set aside)."""
        if self.clerks <= 0:
            return []
        zone = ZoneInfo(self.tz)
        midnight = datetime.combine(day, time())
        step = int(self.slot_s)
        out: list[SlotTime] = []
        for start, end in self.intervals_on(day):
            at = start
            while at + step <= end:
                begin = (midnight + timedelta(seconds=at)).replace(tzinfo=zone).timestamp()
                out.append((begin, begin + self.slot_s))
                at += step
        return out

    def local_day(self, instant: float) -> date:
        """The local calendar day of an instant."""
        return datetime.fromtimestamp(instant, ZoneInfo(self.tz)).date()
