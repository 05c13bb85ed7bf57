"""Appointments in the usage report: bookings and no-shows per site and service, and how each
site's kiosk time went: held for booked meetings, used by walk-in calls, or idle. Pure
functions of store records.

Idle time is measured against :data:`KIOSK_DAY` on weekdays (a service point's usual hours;
sites keep no opening hours of their own): per kiosk, those hours minus booked and walk-in
time, never below zero. Booked time is the slots held by bookings that were not cancelled
(a no-show held the kiosk too, until its grace ran out); walk-in time is answered calls that
were not booked meetings, from answer to end.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from signaling.booking.model import BookingRecord
from signaling.store.records import CallRecord

__all__ = ["KIOSK_DAY", "AppointmentRow", "KioskTime", "appointment_rows", "kiosk_time"]

KIOSK_DAY = (time(8, 0), time(16, 0))
"""The hours of a weekday against which idle kiosk time is counted."""


@dataclass(frozen=True, slots=True)
class AppointmentRow:
    """Bookings of one site and service whose slot started in the period."""

    site_id: str
    service_id: str
    booked: int
    done: int
    no_show: int
    cancelled: int


@dataclass(frozen=True, slots=True)
class KioskTime:
    """One site's kiosk time in the period, in seconds."""

    site_id: str
    kiosks: int
    booked_s: float
    walk_in_s: float
    idle_s: float


def appointment_rows(bookings: Iterable[BookingRecord], start: float,
                     end: float) -> list[AppointmentRow]:
    """Counts per site and service of bookings whose slot starts in ``[start, end)``;
    ``booked`` counts every booking made for those slots, the others their outcome."""
    counts: dict[tuple[str, str], list[int]] = {}
    for b in bookings:
        if not start <= b.start_at < end:
            continue
        row = counts.setdefault((b.site_id, b.service_id), [0, 0, 0, 0])
        row[0] += 1
        if b.state == "done":
            row[1] += 1
        elif b.state == "no_show":
            row[2] += 1
        elif b.state == "cancelled":
            row[3] += 1
    return [AppointmentRow(site, service, *row) for (site, service), row in sorted(counts.items())]


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def kiosk_day_seconds(start: float, end: float, tz: ZoneInfo) -> float:
    """Seconds of :data:`KIOSK_DAY` on weekdays within ``[start, end)``."""
    total = 0.0
    day = datetime.fromtimestamp(start, tz).date()
    last = datetime.fromtimestamp(end, tz).date()
    while day <= last:
        if day.weekday() < 5:
            open_at = datetime.combine(day, KIOSK_DAY[0], tz).timestamp()
            close_at = datetime.combine(day, KIOSK_DAY[1], tz).timestamp()
            total += _overlap(open_at, close_at, start, end)
        day += timedelta(days=1)
    return total


def kiosk_time(
    bookings: Sequence[BookingRecord], calls: Iterable[CallRecord],
    kiosks: Mapping[str, int], start: float, end: float, tz: ZoneInfo,
) -> list[KioskTime]:
    """Booked, walk-in and idle kiosk time per site (``kiosks``: site → kiosks in service)."""
    booked_calls = {b.call_id for b in bookings if b.call_id}
    booked: dict[str, float] = {}
    for b in bookings:
        if b.state != "cancelled":
            booked[b.site_id] = booked.get(b.site_id, 0.0) + _overlap(
                b.start_at, b.end_at, start, end)
    walk_in: dict[str, float] = {}
    for c in calls:
        if c.answered_at is None or c.id in booked_calls:
            continue
        stop = c.ended_at if c.ended_at is not None else end
        walk_in[c.site_id] = walk_in.get(c.site_id, 0.0) + _overlap(c.answered_at, stop, start,
                                                                        end)
    day_s = kiosk_day_seconds(start, end, tz)
    out = []
    for site in sorted(set(kiosks) | set(booked) | set(walk_in)):
        count = kiosks.get(site, 0)
        used = booked.get(site, 0.0) + walk_in.get(site, 0.0)
        out.append(KioskTime(site, count, booked.get(site, 0.0), walk_in.get(site, 0.0),
                             max(0.0, count * day_s - used)))
    return out
