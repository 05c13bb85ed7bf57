"""How bookings look on the wire: a clerk's day list, a kiosk's wait, a holder's booking.

Pure reads of the store and the directory for :mod:`signaling.hub.bookings`.
"""

from __future__ import annotations

from datetime import date

from signaling.booking.model import BookingRecord
from signaling.booking_office import BookingOffice
from signaling.directory import Directory
from signaling.errors import BookingError
from signaling.store import Store
from wire import booking_messages as B

__all__ = ["BookingViews", "day_of"]


def day_of(text: str) -> date:
    """A ``YYYY-MM-DD`` the wire's pattern let through, as a date (``2026-02-30`` is not)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BookingError("bad_message", "no such day") from None


class BookingViews:
    """Renders bookings for clerks and kiosks (no code is ever read back: only digests are
    kept)."""

    def __init__(self, store: Store, office: BookingOffice, directory: Directory) -> None:
        self._store, self._office, self._directory = store, office, directory

    def day_list(
        self, agent_id: str, skills: frozenset[str], day: date, ref: str | None
    ) -> B.Bookings:
        """The bookings of ``day`` for services in ``skills``, every site."""
        start, end = self._office.day_bounds(day)
        items = []
        for b in self._store.bookings_between(start, end):
            site = self._directory.site_ref(b.site_id)
            if b.service_id not in skills or site is None or b.start_at < start:
                continue
            kiosk = b.checked_in_kiosk
            items.append(
                B.BookingItem(
                    booking_id=b.id, service=b.service_id,
                    language=b.language,  # type: ignore[arg-type]
                    site=site, start=b.start_at, end=b.end_at, state=b.state,
                    clerk_id=b.agent_id,
                    clerk_name=self._directory.agent_name(b.agent_id) if b.agent_id else None,
                    checked_in_at=b.checked_in_at,
                    kiosk=self._directory.kiosk_label(kiosk)[0] if kiosk else None,
                )
            )
        return B.Bookings(ref=ref, day=day.isoformat(), bookings=items[:5000])

    def wait(self, booking: BookingRecord, state: str) -> B.BookingWait:
        """A checked-in citizen's wait."""
        name = self._directory.agent_name(booking.agent_id) if booking.agent_id else None
        return B.BookingWait(
            booking_id=booking.id, state=state,  # type: ignore[arg-type]
            start=booking.start_at, end=booking.end_at, clerk_name=name,
        )

    def info(self, code: str, booking: BookingRecord) -> B.BookingInfo:
        """A booking as its holder sees it, with its code."""
        site = self._directory.site_ref(booking.site_id)
        assert site is not None
        name = self._directory.agent_name(booking.agent_id) if booking.agent_id else None
        return B.BookingInfo(
            code=code, booking_id=booking.id, service=booking.service_id,
            language=booking.language,  # type: ignore[arg-type]
            site=site, start=booking.start_at, end=booking.end_at, clerk_name=name,
            state=booking.state, qr_url=self._office.qr_payload(code),
        )
