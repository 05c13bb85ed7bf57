"""When service in a language is expected, for a language no clerk gives it in now.

A Swedish speaker at a kiosk whose service has no Swedish-speaking clerk at work is told when
Swedish service is expected (``ServiceInfo.language_expected_at``), from two things the server
knows: the service's opening hours, and the staffing history (clerk-seconds of work per hour,
service and language, which the server records for the staffing forecast). The rule, kept
simple enough to explain:

* Look at the same weekday in each of the last :data:`WEEKS` weeks. The days on which any
  clerk of the service worked (in any language) are the *working days*. An hour of the day is
  *usually served* in a language when clerks with that skill and language worked at least
  :data:`SERVED_S` of it (not on a break) on at least half of those working days.
* The expected time is the start of the first usually served hour after now that is within
  the service's opening hours (or the opening, if that comes later in the hour); today first,
  then each of the next :data:`LOOKAHEAD_DAYS` days.
* When the current hour is itself usually served (the usual clerk is away today), or nothing
  is found, the answer is *unknown* and the language is left out: a time that the usual
  pattern has already failed to keep would be a guess, and the kiosk then offers what exists.

Whole hours, because that is what the history holds; the bar of three quarters of an hour
means a clerk who usually starts at half past is expected at the next full hour, a little late
rather than too early. Today's own record is not used: the profile of past days is built once
a local day and kept (:class:`LanguageOutlook`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from signaling.routing.hours import OpeningHours
from signaling.store.records import StaffingRecord

__all__ = [
    "LOOKAHEAD_DAYS",
    "SERVED_S",
    "WEEKS",
    "LanguageOutlook",
    "Profile",
    "build_profile",
    "expected_at",
]

WEEKS: Final = 4
LOOKAHEAD_DAYS: Final = 7
SERVED_S: Final = 2700.0
"""Clerk-seconds of work in an hour for it to count as served in that language."""
_DAY_S: Final = 86400


@dataclass
class Profile:
    """Past staffing by local date: which hours a language was served in."""

    served: dict[tuple[str, str], dict[date, set[int]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )
    """(service, language) → date → local hours (0-23) served in that language."""
    working_days: dict[str, set[date]] = field(default_factory=lambda: defaultdict(set))
    """service → dates on which any clerk of it worked."""


def build_profile(rows: Iterable[StaffingRecord], tz: ZoneInfo) -> Profile:
    """The served hours per service × language and local date, from the staffing history."""
    profile = Profile()
    for row in rows:
        if row.working_s <= 0:
            continue
        local = datetime.fromtimestamp(row.hour, tz)
        profile.working_days[row.service_id].add(local.date())
        if row.working_s >= SERVED_S:
            profile.served[(row.service_id, row.language)][local.date()].add(local.hour)
    return profile


def expected_at(
    profile: Profile,
    service_id: str,
    language: str,
    now: float,
    hours: OpeningHours,
    tz: ZoneInfo,
) -> float | None:
    """When service in ``language`` is expected after ``now`` (epoch), or None if unknown."""
    local_now = datetime.fromtimestamp(now, tz)
    today = local_now.date()
    served = profile.served.get((service_id, language), {})
    worked = profile.working_days.get(service_id, set())
    for offset in range(LOOKAHEAD_DAYS + 1):
        day = today + timedelta(days=offset)
        working = [d for w in range(1, WEEKS + 1) if (d := day - timedelta(weeks=w)) in worked]
        if not working:
            continue
        quorum = math.ceil(len(working) / 2)
        days = [served.get(d, set()) for d in working]

        def usual(hour: int, days: list[set[int]] = days, quorum: int = quorum) -> bool:
            return sum(hour in served_hours for served_hours in days) >= quorum

        first = 0
        if offset == 0:
            if hours.is_open(now) and usual(local_now.hour):
                return None  # the usual clerk is away today: no honest time to give
            first = local_now.hour + 1
        for hour in range(first, 24):
            if not usual(hour):
                continue
            start = datetime.combine(day, time(hour), tz).timestamp()
            when = start if hours.is_open(start) else hours.next_opening(start)
            if when is not None and start <= when < start + 3600 and when > now:
                return when
    return None


class LanguageOutlook:
    """:func:`expected_at` over a profile of the last weeks, rebuilt once a local day."""

    def __init__(
        self,
        staffing: Callable[[float, float], list[StaffingRecord]],
        tz: str = "Europe/Helsinki",
    ) -> None:
        self._staffing = staffing
        self._tz = ZoneInfo(tz)
        self._profile: Profile | None = None
        self._built_for: date | None = None
        self._answers: dict[tuple[str, str, int, bool, OpeningHours], float | None] = {}
        self._hour = -1

    def expected_at(
        self, service_id: str, language: str, now: float, hours: OpeningHours
    ) -> float | None:
        """When service in ``language`` is expected (see the module's rule), or None.

        Answers are kept for the rest of the hour: every kiosk asks for the list.
        """
        profile = self.profile(now)
        hour = int(now // 3600)
        if hour != self._hour:
            self._answers.clear()
            self._hour = hour
        key = (service_id, language, hour, hours.is_open(now), hours)
        if key not in self._answers:
            self._answers[key] = expected_at(profile, service_id, language, now, hours, self._tz)
        return self._answers[key]

    def profile(self, now: float) -> Profile:
        """The profile of the days before today (local), built on the day's first use."""
        local = datetime.fromtimestamp(now, self._tz)
        if self._profile is None or self._built_for != local.date():
            midnight = datetime.combine(local.date(), time(), self._tz).timestamp()
            since = midnight - (WEEKS * 7 + 1) * _DAY_S
            self._profile = build_profile(self._staffing(since, midnight), self._tz)
            self._built_for = local.date()
            self._answers.clear()
        return self._profile
