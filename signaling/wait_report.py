"""How honest the waits shown to citizens were: per service and day, from the stored waits.

Each queue place's *first* estimate (what the citizen saw on joining) is scored against the
wait that followed, by the one definition in :mod:`signaling.wait_accuracy` that the simulated
day (``bench/sim_day.py``) also uses: median absolute error and the share within ±2 minutes
over the citizens who were answered, how often "no estimate" and "soon" were said, and how
many told "soon" were still waiting ten minutes later. Days are local calendar days of the
place's joining. Pure: the caller reads the :class:`~signaling.store.records.WaitRecord` rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from signaling.store.records import WaitRecord
from signaling.wait_accuracy import Accuracy, ShownWait, accuracy

__all__ = [
    "DayAccuracy", "accuracy_by_day", "accuracy_by_service", "first_estimate", "overall",
]


@dataclass(frozen=True, slots=True)
class DayAccuracy:
    """The first estimates of one service's citizens who joined on one local day."""

    day: dt.date
    service_id: str
    figures: Accuracy


def first_estimate(wait: WaitRecord) -> ShownWait | None:
    """A place's first shown estimate with how its wait ended; None if none was shown."""
    if wait.first_at is None or wait.first_kind is None:
        return None
    answered = wait.ended_at if wait.answered else None
    left = wait.ended_at if wait.answered is False else None
    return ShownWait(wait.first_at, wait.first_s, wait.first_kind, answered, left)


def accuracy_by_service(waits: Iterable[WaitRecord], *, until: float) -> dict[str, Accuracy]:
    """Accuracy of the first estimates per service; ``until`` ends the waits still open."""
    shown: dict[str, list[ShownWait]] = defaultdict(list)
    for wait in waits:
        first = first_estimate(wait)
        if first is not None:
            shown[wait.service_id].append(first)
    return {service: accuracy(items, until=until) for service, items in sorted(shown.items())}


def overall(waits: Iterable[WaitRecord], *, until: float) -> Accuracy:
    """Accuracy of the first estimates of every service together."""
    return accuracy(
        [first for w in waits if (first := first_estimate(w)) is not None], until=until
    )


def accuracy_by_day(
    waits: Iterable[WaitRecord], tz: ZoneInfo, *, until: float
) -> list[DayAccuracy]:
    """Accuracy per local day and service, newest day first, services by id."""
    groups: dict[dt.date, list[WaitRecord]] = defaultdict(list)
    for wait in waits:
        groups[dt.datetime.fromtimestamp(wait.queued_at, tz).date()].append(wait)
    rows = []
    for day in sorted(groups, reverse=True):
        for service, figures in accuracy_by_service(groups[day], until=until).items():
            rows.append(DayAccuracy(day, service, figures))
    return rows
