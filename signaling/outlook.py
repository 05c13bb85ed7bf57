"""When service in a language is expected, for a language no clerk gives it in now.

A Swedish speaker at a kiosk whose service has no Swedish-speaking clerk at work is told when
Swedish service is expected (``ServiceInfo.language_expected_at``), from two things the server
knows: the service's opening hours, and when clerks with that skill and language were at work
on recent days of the same weekday. The rule, kept simple enough to explain:

* Look at the same weekday in each of the last :data:`WEEKS` weeks. The days on which any
  clerk of the service was at work (in any language) are the *working days*; a moment of the
  day is *usually served* in a language when a clerk in it was at work (ready, offered a call,
  in a call or in wrap-up) at that wall-clock time on at least half of those working days.
* The expected time is the first moment, on a :data:`GRID_S` grid of wall-clock time, after
  now, within the service's opening hours, that is usually served; today first, then each of
  the next :data:`LOOKAHEAD_DAYS` days.
* When this moment is itself usually served (the usual clerk is away today), or nothing is
  found, the answer is *unknown* and the language is left out: a time that the usual pattern
  has already failed to keep would be a guess, and the kiosk then offers what exists.

Where the times come from: clerks' state changes as the audit trail holds them
(:meth:`~signaling.store.interface.ActivityStore.clerk_activity`). A state with no later line
(a console closed without logging out, before the hub audited dropped connections) is taken
to end :data:`MAX_SPAN_S` after it began at the latest. The skills and languages are the
clerks' current ones. Today's own record is not used: the profile of past days is built once
a day and kept (:class:`LanguageOutlook`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from signaling.routing.hours import OpeningHours
from signaling.store.records import ClerkActivity

__all__ = [
    "GRID_S",
    "LOOKAHEAD_DAYS",
    "MAX_SPAN_S",
    "WEEKS",
    "LanguageOutlook",
    "Profile",
    "build_profile",
    "expected_at",
]

WEEKS: Final = 4
LOOKAHEAD_DAYS: Final = 7
GRID_S: Final = 300
MAX_SPAN_S: Final = 4 * 3600.0
AT_WORK: Final = frozenset({"ready", "reserved", "in_call", "wrap_up"})
_DAY_S: Final = 86400

WallSpan = tuple[int, int]  # seconds since local midnight, [start, end)


@dataclass
class Profile:
    """Past staffing by local date: at which grid marks a clerk was at work."""

    served: dict[tuple[str, str], dict[date, set[int]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )
    """(service, language) → date → grid marks (index of :data:`GRID_S` since local
    midnight) at which a clerk with that skill and language was at work."""
    working_days: dict[str, set[date]] = field(default_factory=lambda: defaultdict(set))
    """service → dates on which any clerk of it was at work."""


def build_profile(
    activity: Iterable[ClerkActivity],
    skills: Mapping[str, tuple[frozenset[str], frozenset[str]]],
    until: float,
    tz: ZoneInfo,
) -> Profile:
    """Grid marks of work per service × language and date, from clerks' state changes.

    ``skills`` maps a clerk's id to (services, languages); ``until`` ends a last open state.
    """
    by_agent: dict[str, list[ClerkActivity]] = defaultdict(list)
    for row in activity:
        by_agent[row.agent_id].append(row)
    profile = Profile()
    for agent_id, rows in by_agent.items():
        services, languages = skills.get(agent_id, (frozenset(), frozenset()))
        if not services or not languages:
            continue
        rows.sort(key=lambda r: r.at)
        for i, row in enumerate(rows):
            if row.state not in AT_WORK:
                continue
            end = rows[i + 1].at if i + 1 < len(rows) else until
            end = min(end, row.at + MAX_SPAN_S, until)
            for day, (start_s, end_s) in _wall_spans(row.at, end, tz):
                marks = range(-(-start_s // GRID_S), -(-end_s // GRID_S))
                for service in services:
                    profile.working_days[service].add(day)
                    for language in languages:
                        profile.served[(service, language)][day].update(marks)
    return profile


def _wall_spans(start: float, end: float, tz: ZoneInfo) -> list[tuple[date, WallSpan]]:
    """``[start, end)`` cut at local midnights, as wall-clock spans of each date."""
    out: list[tuple[date, WallSpan]] = []
    t = start
    while t < end:
        local = datetime.fromtimestamp(t, tz)
        midnight = datetime.combine(local.date() + timedelta(days=1), time(), tz).timestamp()
        stop = min(end, midnight)
        of_day = local.hour * 3600 + local.minute * 60 + local.second
        length = math.ceil(stop - t)
        out.append((local.date(), (of_day, min(_DAY_S, of_day + length))))
        t = stop
    return out


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
    marks_per_day = _DAY_S // GRID_S
    for offset in range(LOOKAHEAD_DAYS + 1):
        day = today + timedelta(days=offset)
        working = [d for w in range(1, WEEKS + 1) if (d := day - timedelta(weeks=w)) in worked]
        if not working:
            continue
        quorum = math.ceil(len(working) / 2)
        days = [served.get(d, set()) for d in working]

        def usual(mark: int, days: list[set[int]] = days, quorum: int = quorum) -> bool:
            return sum(mark in marks for marks in days) >= quorum

        first = 0
        if offset == 0:
            mark_now = (local_now.hour * 3600 + local_now.minute * 60) // GRID_S
            if hours.is_open(now) and usual(mark_now):
                return None  # the usual clerk is away today: no honest time to give
            first = mark_now + 1
        midnight = datetime.combine(day, time(), tz)
        for mark in range(first, marks_per_day):
            if not usual(mark):
                continue
            instant = (midnight + timedelta(seconds=mark * GRID_S)).timestamp()
            if instant > now and hours.is_open(instant):
                return instant
    return None


class LanguageOutlook:
    """:func:`expected_at` over a profile of the last weeks, rebuilt once a local day."""

    def __init__(
        self,
        activity: Callable[[float, float], list[ClerkActivity]],
        skills: Callable[[], Mapping[str, tuple[frozenset[str], frozenset[str]]]],
        tz: str = "Europe/Helsinki",
    ) -> None:
        self._activity = activity
        self._skills = skills
        self._tz = ZoneInfo(tz)
        self._profile: Profile | None = None
        self._built_for: date | None = None
        self._answers: dict[tuple[str, str, int, OpeningHours], float | None] = {}
        self._step = -1

    def expected_at(
        self, service_id: str, language: str, now: float, hours: OpeningHours
    ) -> float | None:
        """When service in ``language`` is expected (see the module's rule), or None.

        Answers are kept for the rest of their grid step: every kiosk asks for the list.
        """
        profile = self.profile(now)
        step = int(now // GRID_S)
        if step != self._step:
            self._answers.clear()
            self._step = step
        key = (service_id, language, step, hours)
        if key not in self._answers:
            self._answers[key] = expected_at(profile, service_id, language, now, hours, self._tz)
        return self._answers[key]

    def profile(self, now: float) -> Profile:
        """The profile of the days before today (local), built on the day's first use."""
        local = datetime.fromtimestamp(now, self._tz)
        if self._profile is None or self._built_for != local.date():
            midnight = datetime.combine(local.date(), time(), self._tz).timestamp()
            since = midnight - (WEEKS * 7 + 1) * _DAY_S
            self._profile = build_profile(
                self._activity(since, midnight), self._skills(), midnight, self._tz
            )
            self._built_for = local.date()
            self._answers.clear()
        return self._profile

    def forget(self) -> None:
        """Rebuild at the next question (clerks' skills or languages changed)."""
        self._profile = None
        self._answers.clear()
