"""Staffing forecast: clerks needed per service × language × hour of the week.

From the call records of the last weeks (any objects with the fields of
:class:`~signaling.store.records.CallRecord` that matter here, see :class:`CallSample`):

* **arrivals**: citizens who joined a queue (every outcome but ``"refused"``), counted per
  local hour of the week and divided by how many times that hour occurred in the window,
  so a window of 4 weeks and 3 days counts each hour 4 or 5 times;
* **handle time**: mean of ``ended_at − answered_at`` of answered (or transferred) calls of
  the service × language, of the service if the language has fewer than
  ``min_samples``, else the service's configured default;
* **patience** (for Erlang A): the exponential patience fitted to what was seen, per
  service: citizens who gave up (``"abandoned"``, ``"cancelled"``) divided by the total
  time everyone waited (the maximum-likelihood rate for censored exponential data), or
  none when nobody gave up;
* **clerks needed** for the target (default 80 % answered within 5 minutes) with Erlang C
  and with Erlang A (:mod:`signaling.erlang`), beside the clerks a caller says were
  logged in (``staffed``), if known.

Pure: the caller reads the records and says the window and the time zone.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from signaling import erlang
from signaling.errors import ForecastError

__all__ = [
    "CallSample", "ForecastCell", "HourOfWeek", "forecast", "hour_occurrences", "hour_of_week",
]

HourOfWeek = tuple[int, int]  # (weekday 0 = Monday, hour 0-23), local time
GAVE_UP = frozenset({"abandoned", "cancelled"})
ANSWERED = frozenset({"answered", "transferred"})


class CallSample(Protocol):
    """What the forecast reads of a call record (``CallRecord`` has these fields)."""

    @property
    def service_id(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def queued_at(self) -> float: ...
    @property
    def answered_at(self) -> float | None: ...
    @property
    def ended_at(self) -> float | None: ...
    @property
    def outcome(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class ForecastCell:
    """Forecast of one service × language queue in one local hour of the week."""

    service_id: str
    language: str
    weekday: int  # 0 = Monday
    hour: int
    arrivals_per_hour: float
    handle_s: float
    patience_s: float | None  # None: nobody gave up in the window
    agents_erlang_c: int
    agents_erlang_a: int  # equals agents_erlang_c when patience is unknown
    service_level_c: float  # Erlang C service level with agents_erlang_c clerks
    staffed: float | None  # clerks logged in on average in that hour, if the caller knows


def hour_of_week(at: float, tz: ZoneInfo) -> HourOfWeek:
    """Local (weekday, hour) of an epoch time."""
    local = dt.datetime.fromtimestamp(at, tz)
    return local.weekday(), local.hour


def hour_occurrences(since: float, until: float, tz: ZoneInfo) -> dict[HourOfWeek, int]:
    """How many times each local hour of the week starts in ``[since, until)``."""
    counts: dict[HourOfWeek, int] = defaultdict(int)
    t = math.floor(since / 3600) * 3600.0
    while t < until:
        if t >= since:
            counts[hour_of_week(t, tz)] += 1
        t += 3600.0
    return counts


def forecast(
    records: Iterable[CallSample],
    *,
    since: float,
    until: float,
    tz: str = "Europe/Helsinki",
    default_handle_s: Mapping[str, float],
    target_s: float = erlang.DEFAULT_TARGET_S,
    target_level: float = erlang.DEFAULT_TARGET_LEVEL,
    min_samples: int = 20,
    staffed: Mapping[tuple[str, str, int, int], float] | None = None,
) -> list[ForecastCell]:
    """Cells for every service × language × hour of the week that had arrivals in
    ``[since, until)``, sorted by service, language, weekday and hour.

    ``default_handle_s`` gives each known service's handle time when records are too few;
    records of services not in it are ignored. ``staffed`` maps
    ``(service, language, weekday, hour)`` to clerks logged in, to show beside the need.
    """
    if not until > since:
        raise ForecastError("the forecast window must not be empty")
    zone = ZoneInfo(tz)
    arrivals: dict[tuple[str, str, int, int], int] = defaultdict(int)
    handles: dict[tuple[str, str], list[float]] = defaultdict(list)
    gave_up: dict[str, int] = defaultdict(int)
    waited: dict[str, float] = defaultdict(float)
    for r in records:
        if r.service_id not in default_handle_s or not since <= r.queued_at < until:
            continue
        if r.outcome == "refused" or r.outcome is None:
            continue  # refused: never queued; None: still open
        day, hour = hour_of_week(r.queued_at, zone)
        arrivals[(r.service_id, r.language, day, hour)] += 1
        if r.outcome in ANSWERED and r.answered_at is not None:
            waited[r.service_id] += max(0.0, r.answered_at - r.queued_at)
            if r.ended_at is not None:
                handles[(r.service_id, r.language)].append(max(0.0, r.ended_at - r.answered_at))
        elif r.outcome in GAVE_UP and r.ended_at is not None:
            gave_up[r.service_id] += 1
            waited[r.service_id] += max(0.0, r.ended_at - r.queued_at)
    occurrences = hour_occurrences(since, until, zone)
    handle_of = _handle_times(handles, default_handle_s, min_samples)
    cells = []
    for (service, language, day, hour), count in sorted(arrivals.items()):
        rate = count / max(1, occurrences.get((day, hour), 0)) / 3600.0
        handle = handle_of(service, language)
        patience = waited[service] / gave_up[service] if gave_up[service] else None
        need_c = erlang.agents_needed(
            rate, handle, target_s=target_s, target_level=target_level
        )
        need_a = (
            need_c
            if patience is None
            else erlang.agents_needed(
                rate, handle, target_s=target_s, target_level=target_level, patience_s=patience
            )
        )
        cells.append(
            ForecastCell(
                service,
                language,
                day,
                hour,
                rate * 3600.0,
                handle,
                patience,
                need_c,
                need_a,
                erlang.erlang_c(need_c, rate, handle, target_s).service_level,
                None if staffed is None else staffed.get((service, language, day, hour)),
            )
        )
    return cells


def _handle_times(
    samples: Mapping[tuple[str, str], list[float]],
    defaults: Mapping[str, float],
    min_samples: int,
) -> _HandleOf:
    by_service: dict[str, list[float]] = defaultdict(list)
    for (service, _language), values in samples.items():
        by_service[service].extend(values)

    def handle_of(service: str, language: str) -> float:
        own = samples.get((service, language), [])
        if len(own) >= min_samples and sum(own) > 0:
            return math.fsum(own) / len(own)
        pooled = by_service.get(service, [])
        if len(pooled) >= min_samples and sum(pooled) > 0:
            return math.fsum(pooled) / len(pooled)
        return float(defaults[service])

    return handle_of


class _HandleOf(Protocol):
    def __call__(self, service: str, language: str) -> float: ...
