"""What the kiosk knows about appointments: a code being entered, a checked-in appointment, a
booking being made here, and when this kiosk is reserved.

Everything about one citizen lives in :class:`BookingVisit` (a field of
:class:`~kiosk.state.CitizenSession`), so it goes when they leave; :class:`Reservation` is
about the kiosk, not about anyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from wire.types import Language

CheckInPhase = Literal["entering", "checking", "refused"]
RefusalReason = Literal[
    "unknown_code", "too_early", "too_late", "wrong_site", "cancelled", "used", "busy", "offline"
]
AppointmentState = Literal["before_slot", "waiting_clerk", "other_clerk", "offered"]
BookingPhase = Literal["loading", "slots", "none", "making", "made", "failed"]
BookingReason = Literal["closed", "long_wait", "reserved", "asked", "language"]
"""Why the citizen is offered a booking: the service is closed, its wait is long, this
kiosk is reserved before a call would end, they asked, or no clerk speaks their language
now."""

LONG_WAIT_S: Final = 15 * 60.0
"""A walk-in wait from which the waiting screen offers to book a time instead."""
RESERVATION_NOTICE_S: Final = 2 * 3600.0
"""How far ahead the services screen says when this kiosk is reserved."""
SLOT_DAYS: Final = 7
"""Days of free slots the kiosk offers (today and the next six)."""
MAX_SLOTS_SHOWN: Final = 12
"""Slot buttons on the booking screen: the earliest ones (a long list helps nobody)."""


@dataclass
class CheckIn:
    """The code being typed or shown to the camera, and what the server said of it."""

    typed: str = ""
    """The characters typed so far (only characters of the code alphabet, at most six)."""
    phase: CheckInPhase = "entering"
    source: Literal["typed", "qr"] = "typed"
    refusal: RefusalReason | None = None
    check_in_from: float | None = None
    """For ``too_early``: when check-in opens."""
    start: float | None = None
    site_name: str | None = None
    """For ``wrong_site``: where the appointment is, in the citizen's language."""


@dataclass
class Appointment:
    """A checked-in appointment the citizen is waiting for at this kiosk."""

    booking_id: str
    service_id: str
    language: Language
    start: float
    end: float
    clerk_name: str | None = None
    state: AppointmentState = "before_slot"


@dataclass
class SlotChoice:
    """A free slot the citizen can take."""

    start: float
    end: float


@dataclass
class MadeBooking:
    """A booking made at this kiosk: what the citizen takes away."""

    code: str
    start: float
    end: float
    qr_text: str
    """What the QR code on screen holds (the booking page's address ending in the code)."""


@dataclass
class BookingOffer:
    """Booking a time at this kiosk for a service (the "book a time here instead" path)."""

    service_id: str
    language: Language
    reason: BookingReason
    phase: BookingPhase = "loading"
    slots: list[SlotChoice] = field(default_factory=list)
    made: MadeBooking | None = None
    problem: str | None = None
    """Why the last try did not work (``slot_taken``, ``offline``, …)."""


@dataclass
class BookingVisit:
    """Everything about the current citizen's appointment, if any."""

    check_in: CheckIn | None = None
    appointment: Appointment | None = None
    offer: BookingOffer | None = None


@dataclass
class Reservation:
    """This kiosk's next booked meeting (from the server's ``kiosk_schedule``)."""

    at: float | None = None
    until: float | None = None
