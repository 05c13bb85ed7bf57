"""A booking as the booking core and the store see it (no personal data: a code digest,
times, a service, a language, a site, a kiosk and maybe a clerk)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["ACTIVE", "BookingRecord", "BookingState", "MadeBy"]

BookingState = Literal["booked", "checked_in", "in_call", "no_show", "cancelled", "done"]
MadeBy = Literal["public", "kiosk", "agent"]

ACTIVE: frozenset[str] = frozenset({"booked", "checked_in", "in_call"})
"""States in which a booking holds its kiosk and clerk."""


@dataclass(frozen=True, slots=True)
class BookingRecord:
    """One booking.

    ``kiosk_id`` is the kiosk of the site held for the slot; the citizen may check in at
    any kiosk of the site (``checked_in_kiosk``). ``agent_id`` is the named clerk, if any;
    ``served_by`` who answered."""

    id: str
    code_digest: str
    code_hint: str
    service_id: str
    language: str
    site_id: str
    kiosk_id: str
    start_at: float
    end_at: float
    agent_id: str | None
    made_by: MadeBy
    made_by_agent: str | None
    state: BookingState
    created_at: float
    updated_at: float
    checked_in_at: float | None = None
    checked_in_kiosk: str | None = None
    served_by: str | None = None
    call_id: str | None = None

    @property
    def active(self) -> bool:
        """Whether the booking still holds its kiosk and clerk."""
        return self.state in ACTIVE

    def overlaps(self, start: float, end: float) -> bool:
        """Whether the booking's slot overlaps ``[start, end)``."""
        return self.start_at < end and start < self.end_at
