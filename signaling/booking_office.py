"""The booking office: free slots, making and cancelling bookings, for every booking path
(the public page, the kiosk, the clerk's console). Reads the store; the caller passes ``now``.

A new booking's code is drawn here (:mod:`signaling.booking.codes`) and returned once to the
one who booked; the store keeps its digest. Logs show only :func:`wire.booking_code.code_hint`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from jsonlog import fields
from signaling.booking.capacity import Capacity
from signaling.booking.codes import code_digest, new_code
from signaling.booking.model import BookingRecord, MadeBy
from signaling.booking.slots import FreeSlot, free_slots
from signaling.catalogue import Catalogue
from signaling.errors import BookingError
from signaling.store import Store
from wire.booking_code import code_hint, normalise_code

__all__ = ["BookingOffice", "Made"]

log = logging.getLogger("etapiste.booking")

MAX_DAYS_AHEAD = 60
"""How far ahead a slot can be booked."""


@dataclass(frozen=True, slots=True)
class Made:
    """A new booking and its code (the only time the code exists outside the citizen's hands)."""

    code: str
    booking: BookingRecord


class BookingOffice:
    """Slots and bookings over the store (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        catalogue: Catalogue,
        timezone: str = "Europe/Helsinki",
        public_url: str = "",
    ) -> None:
        self._store = store
        self._catalogue = catalogue
        self._zone = ZoneInfo(timezone)
        self.public_url = public_url.rstrip("/")

    # ------------------------------------------------------------ reading

    def bookable(self) -> list[Capacity]:
        """Service × language pairs with clerk time set aside, of services still offered."""
        known = {s.id for s in self._catalogue.services}
        return [c for c in self._store.capacities() if c.service_id in known and c.clerks > 0]

    def sites_with_kiosks(self) -> dict[str, list[str]]:
        """Every site that has kiosks in service → their ids."""
        out: dict[str, list[str]] = {}
        for kiosk in self._store.list_kiosks():
            if kiosk.revoked_at is None:
                out.setdefault(kiosk.site_id, []).append(kiosk.id)
        return out

    def today(self, now: float) -> date:
        """The local calendar day of ``now``."""
        return datetime.fromtimestamp(now, self._zone).date()

    def day_bounds(self, day: date) -> tuple[float, float]:
        """Epoch seconds of a local day's start and the next day's start."""
        start = datetime.combine(day, time(), self._zone).timestamp()
        end = datetime.combine(day + timedelta(days=1), time(), self._zone).timestamp()
        return start, end

    def slots(
        self,
        service_id: str,
        language: str,
        site_id: str | None,
        now: float,
        *,
        first_day: date | None = None,
        days: int = 1,
        named_agent: str | None = None,
    ) -> list[FreeSlot]:
        """Free slots of a service × language from ``first_day`` (today) for ``days`` days at
        one site or (``site_id`` None) every site with kiosks; none when nothing is set aside."""
        capacity = self._store.capacity(service_id, language)
        if capacity is None or service_id not in {s.id for s in self._catalogue.services}:
            return []
        today = self.today(now)
        first = max(first_day or today, today)
        days = min(days, (today + timedelta(days=MAX_DAYS_AHEAD) - first).days)
        if days <= 0:
            return []  # beyond the booking horizon (or a day the calendar cannot reach)
        sites = self.sites_with_kiosks()
        if site_id is not None:
            sites = {site_id: sites[site_id]} if site_id in sites else {}
        start, _ = self.day_bounds(first)
        _, end = self.day_bounds(first + timedelta(days=max(days, 1)))
        bookings = self._store.bookings_between(start - 86400, end + 86400, active_only=True)
        return free_slots(capacity, first, days, sites, bookings, now, named_agent=named_agent)

    def find(self, raw_code: str) -> BookingRecord | None:
        """The booking for a code as typed or scanned, or None."""
        code = normalise_code(raw_code)
        return None if code is None else self._store.booking_by_code(code_digest(code))

    def qr_payload(self, code: str) -> str:
        """What a booking's QR code holds: the public page's address ending in the code, or
        the bare code when the server has no public address set."""
        return f"{self.public_url}/book/{code}" if self.public_url else code

    # ------------------------------------------------------------ changing

    def make(
        self,
        service_id: str,
        language: str,
        site_id: str,
        start: float,
        now: float,
        *,
        made_by: MadeBy,
        agent_id: str | None = None,
        made_by_agent: str | None = None,
    ) -> Made:
        """Book the slot starting at ``start``; raises :class:`BookingError` if it cannot."""
        capacity = self._store.capacity(service_id, language)
        if service_id not in {s.id for s in self._catalogue.services}:
            raise BookingError("unknown_service", "no such service")
        if not now < start <= now + MAX_DAYS_AHEAD * 86400.0:
            raise BookingError("slot_taken", "no such slot")
        if capacity is None or capacity.clerks <= 0:
            raise BookingError("no_booking_capacity", "no booked meetings for this service")
        day = capacity.local_day(start)
        slot = next((s for s in capacity.slots_on(day) if s[0] == start), None)
        if slot is None or start <= now:
            raise BookingError("slot_taken", "no such slot")
        for _attempt in range(5):  # a code already in use (rare): draw another
            code = new_code()
            if self._store.booking_by_code(code_digest(code)) is not None:
                continue
            booking = self._store.make_booking(
                code_digest=code_digest(code),
                code_hint=code_hint(code),
                service_id=service_id,
                language=language,
                site_id=site_id,
                start_at=slot[0],
                end_at=slot[1],
                agent_id=agent_id,
                made_by=made_by,
                made_by_agent=made_by_agent,
                now=now,
            )
            if booking is None:
                raise BookingError("slot_taken", "the slot was just taken")
            log.info(
                "booking made",
                extra=fields(
                    booking=booking.id,
                    code=code_hint(code),
                    service=service_id,
                    language=language,
                    site=site_id,
                    start=start,
                    by=made_by,
                ),
            )
            return Made(code, booking)
        raise BookingError("slot_taken", "could not draw a free code")

    def cancel(self, booking: BookingRecord, now: float, *, by: str) -> BookingRecord:
        """Cancel a booking not yet served; raises :class:`BookingError` if it cannot be."""
        done = self._store.cancel_booking(booking.id, now=now)
        if done is None:
            raise BookingError("unknown_booking", "the booking cannot be cancelled")
        log.info(
            "booking cancelled", extra=fields(booking=booking.id, code=booking.code_hint, by=by)
        )
        return done
