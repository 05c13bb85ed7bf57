"""The store's interface for appointments: capacity set aside and bookings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from signaling.booking.capacity import Capacity
from signaling.booking.model import BookingRecord, BookingState, MadeBy

__all__ = ["BookingStore"]


class BookingStore(Protocol):
    """Clerk time set aside per service × language, and bookings (no personal data)."""

    def set_capacity(self, capacity: Capacity, *, now: float) -> None:
        """Set (or replace) the time set aside for one service × language."""
        ...

    def capacity(self, service_id: str, language: str) -> Capacity | None:
        """The time set aside for a service × language, if any."""
        ...

    def capacities(self) -> list[Capacity]:
        """Every service × language with time set aside."""
        ...

    def delete_capacity(self, service_id: str, language: str) -> bool:
        """Stop offering bookings for a service × language (booked ones stay)."""
        ...

    def make_booking(
        self,
        *,
        code_digest: str,
        code_hint: str,
        service_id: str,
        language: str,
        site_id: str,
        start_at: float,
        end_at: float,
        agent_id: str | None,
        made_by: MadeBy,
        made_by_agent: str | None = None,
        now: float,
    ) -> BookingRecord | None:
        """Take the slot atomically if a set-aside clerk, a kiosk of the site and the named
        clerk are free; None if not. :class:`StoreError` if nothing is set aside."""
        ...

    def booking(self, booking_id: str) -> BookingRecord | None:
        """A booking by id."""
        ...

    def booking_by_code(self, code_digest: str) -> BookingRecord | None:
        """A booking by the digest of its code."""
        ...

    def bookings_between(
        self, start: float, end: float, site_id: str | None = None, *, active_only: bool = False
    ) -> list[BookingRecord]:
        """Bookings whose slot overlaps ``[start, end)``, by start."""
        ...

    def update_booking(
        self, booking: BookingRecord, *, expect: Sequence[BookingState]
    ) -> BookingRecord | None:
        """Write a booking's state fields if its stored state is in ``expect``."""
        ...

    def cancel_booking(self, booking_id: str, *, now: float) -> BookingRecord | None:
        """Cancel a booking not yet served; the cancelled record, or None."""
        ...

    def booking_counts(self, start: float, end: float) -> list[tuple[str, str, str, int]]:
        """``(site_id, service_id, state, count)`` of bookings starting in ``[start, end)``."""
        ...
