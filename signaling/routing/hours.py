"""Opening hours of a service, evaluated on the local wall clock of a time zone.

A week is described as intervals ``[start, end)`` of local wall-clock time per
weekday, e.g. ``{"mon": [["08:00", "16:15"]], "tue": [["08:00", "12:00"], ["13:00", "16:15"]]}``.
``"24:00"`` may be used as an end to mean "until midnight". Closed dates (public
holidays) are ISO dates (``"2024-12-24"``) on which the service is closed all day.

DST: an instant is open when the local wall clock *at that instant* falls inside an
interval of the local weekday. So "08:00" means 08:00 local in both winter and
summer (06:00 vs 05:00 UTC in Helsinki). Two edge cases follow from that rule:

* an interval starting inside the spring-forward gap (03:00-04:00 does not exist in
  Helsinki on the last Sunday of March) opens at the jump itself;
* an interval inside the autumn fold (03:00-04:00 happens twice) is open during
  both passes of the wall clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LOOKAHEAD_DAYS = 14
_DAY_S = 24 * 3600

Interval = tuple[int, int]  # seconds since local midnight, [start, end)


def _parse_clock(text: str, *, is_end: bool) -> int:
    """Parse ``HH:MM`` into seconds since midnight; ``24:00`` only as an end."""
    hh, sep, mm = text.strip().partition(":")
    if not sep or not hh.isdigit() or not mm.isdigit() or len(mm) != 2:
        raise ValueError(f"bad clock time {text!r}, expected HH:MM")
    hours, minutes = int(hh), int(mm)
    seconds = hours * 3600 + minutes * 60
    if minutes >= 60 or seconds > _DAY_S or (seconds == _DAY_S and not is_end):
        raise ValueError(f"clock time out of range: {text!r}")
    return seconds


class OpeningHours:
    """Weekly opening hours in one time zone, with optional closed dates.

    Raises ``ValueError`` on malformed configuration (this is operator-supplied
    configuration, not client input).
    """

    __slots__ = ("_closed", "_tz", "_tz_name", "_weekly")

    def __init__(
        self,
        weekly: Mapping[str, Sequence[Sequence[str]]],
        tz: str = "Europe/Helsinki",
        closed_dates: Iterable[str] = (),
    ) -> None:
        self._tz_name = tz
        self._tz = ZoneInfo(tz)
        days: list[list[Interval]] = [[] for _ in DAY_KEYS]
        for key, intervals in weekly.items():
            if key not in DAY_KEYS:
                raise ValueError(f"unknown weekday {key!r}, expected one of {DAY_KEYS}")
            for interval in intervals:
                if len(interval) != 2:
                    raise ValueError(f"interval must be [start, end], got {interval!r}")
                start = _parse_clock(interval[0], is_end=False)
                end = _parse_clock(interval[1], is_end=True)
                if start >= end:
                    raise ValueError(f"interval must not be empty or reversed: {interval!r}")
                days[DAY_KEYS.index(key)].append((start, end))
        self._weekly: tuple[tuple[Interval, ...], ...] = tuple(tuple(sorted(day)) for day in days)
        self._closed: frozenset[date] = frozenset(date.fromisoformat(d) for d in closed_dates)

    @classmethod
    def always(cls) -> OpeningHours:
        """Hours that are open around the clock, every day."""
        return cls({day: [["00:00", "24:00"]] for day in DAY_KEYS}, tz="UTC")

    @property
    def tz_name(self) -> str:
        """The IANA time zone name the hours are expressed in."""
        return self._tz_name

    def is_open(self, now: float) -> bool:
        """Whether the service is open at ``now`` (UNIX epoch seconds)."""
        local = datetime.fromtimestamp(now, self._tz)
        if local.date() in self._closed:
            return False
        of_day = (
            local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1_000_000
        )
        return any(start <= of_day < end for start, end in self._weekly[local.weekday()])

    def next_opening(self, now: float) -> float | None:
        """Epoch seconds of the next instant the service opens.

        Returns ``now`` itself when the service is open at ``now``; ``None`` when it
        does not open within the next ``LOOKAHEAD_DAYS`` local calendar days.
        """
        if self.is_open(now):
            return now
        today = datetime.fromtimestamp(now, self._tz).date()
        best: float | None = None
        found_on: int | None = None
        for offset in range(LOOKAHEAD_DAYS + 1):
            # A DST fold is shorter than a day, so once a day has yielded a candidate,
            # only the following day could still (in zones that shift at midnight)
            # hold an earlier instant.
            if found_on is not None and offset > found_on + 1:
                break
            day = today + timedelta(days=offset)
            if day in self._closed:
                continue
            for start, _end in self._weekly[day.weekday()]:
                for instant in self._instants_reaching(day, start):
                    if instant > now and (best is None or instant < best) and self.is_open(instant):
                        best = instant
                        found_on = offset if found_on is None else found_on
        return best

    def local_date(self, now: float) -> date:
        """The local calendar date at ``now`` in the hours' time zone."""
        return datetime.fromtimestamp(now, self._tz).date()

    def closes_on(self, day: date) -> float | None:
        """Epoch seconds when the service closes for the last time on local ``day`` (the end
        of its latest interval), or None when it does not open that day."""
        if day in self._closed or not self._weekly[day.weekday()]:
            return None
        end = max(e for _s, e in self._weekly[day.weekday()])
        return max(self._instants_reaching(day, end))

    def _wall(self, instant: float) -> datetime:
        return datetime.fromtimestamp(instant, self._tz).replace(tzinfo=None, fold=0)

    def _instants_reaching(self, day: date, of_day: int) -> list[float]:
        """Instants at which the local wall clock reaches ``day`` + ``of_day``.

        Usually one; two in an autumn fold; for a wall time skipped by spring
        forward, the instant of the jump (the first instant past that wall time).
        """
        naive = datetime.combine(day, time()) + timedelta(seconds=of_day)
        stamps = [naive.replace(tzinfo=self._tz, fold=fold).timestamp() for fold in (0, 1)]
        existing = sorted({t for t in stamps if self._wall(t) == naive})
        if existing:
            return existing
        # Nonexistent wall time: one fold interpretation lands before the jump and
        # the other after it, so bisect for the first whole second at or past it.
        lo, hi = math.floor(min(stamps)), math.ceil(max(stamps))
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._wall(mid) >= naive:
                hi = mid
            else:
                lo = mid
        return [float(hi)]

    def _key(self) -> tuple[object, ...]:
        return (self._tz_name, self._weekly, self._closed)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OpeningHours):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        def clock(seconds: int) -> str:
            return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"

        week = {
            DAY_KEYS[i]: [f"{clock(s)}-{clock(e)}" for s, e in day]
            for i, day in enumerate(self._weekly)
            if day
        }
        closed = sorted(d.isoformat() for d in self._closed)
        return f"OpeningHours({week!r}, tz={self._tz_name!r}, closed_dates={closed!r})"
