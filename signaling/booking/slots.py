"""Which slots can still be booked: a clerk set aside, a kiosk of the site, and (for a
booking that names a clerk) that clerk, all free for the whole slot."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from signaling.booking.capacity import Capacity
from signaling.booking.model import BookingRecord

__all__ = ["FreeSlot", "free_slots", "pick_kiosk"]


@dataclass(frozen=True, slots=True)
class FreeSlot:
    """A bookable slot at a site; ``kiosk_id`` is the kiosk a booking would hold."""

    start: float
    end: float
    site_id: str
    kiosk_id: str
    clerks_free: int


def pick_kiosk(
    kiosks: Sequence[str], bookings: Iterable[BookingRecord], start: float, end: float
) -> str | None:
    """A kiosk of the site with no active booking overlapping ``[start, end)``: the one with
    the fewest bookings that day, so that walk-ins find a free kiosk more often; ties by id."""
    held: dict[str, int] = dict.fromkeys(kiosks, 0)
    busy: set[str] = set()
    for booking in bookings:
        if not booking.active or booking.kiosk_id not in held:
            continue
        held[booking.kiosk_id] += 1
        if booking.overlaps(start, end):
            busy.add(booking.kiosk_id)
    free = [k for k in sorted(kiosks) if k not in busy]
    return min(free, key=lambda k: held[k]) if free else None


def free_slots(
    capacity: Capacity,
    first_day: date,
    days: int,
    site_kiosks: Mapping[str, Sequence[str]],
    bookings: Sequence[BookingRecord],
    now: float,
    *,
    named_agent: str | None = None,
) -> list[FreeSlot]:
    """Free slots of ``capacity`` on ``days`` days from ``first_day`` at each site of
    ``site_kiosks`` (site → its kiosks in service), starting after ``now``; earliest first,
    then by site. ``bookings`` must hold every active booking that may overlap (any service:
    kiosks and named clerks are shared)."""
    out: list[FreeSlot] = []
    live = [b for b in bookings if b.active]
    for offset in range(days):
        for start, end in capacity.slots_on(first_day + timedelta(days=offset)):
            if start <= now:
                continue
            overlapping = [b for b in live if b.overlaps(start, end)]
            pool = sum(
                1
                for b in overlapping
                if (b.service_id, b.language) == (capacity.service_id, capacity.language)
            )
            clerks_free = capacity.clerks - pool
            if clerks_free <= 0:
                continue
            if named_agent is not None and any(b.agent_id == named_agent for b in overlapping):
                continue
            for site_id in sorted(site_kiosks):
                kiosk = pick_kiosk(site_kiosks[site_id], live, start, end)
                if kiosk is not None:
                    out.append(FreeSlot(start, end, site_id, kiosk, clerks_free))
    return out
