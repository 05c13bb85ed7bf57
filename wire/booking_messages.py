"""Messages about appointments (bookings): check-in at a kiosk, booking, cancelling, lists.

Both directions live here; :mod:`wire.client_messages` and :mod:`wire.server_messages` join
them into their unions. /work/notes/book-wire.md (and the project README's protocol section)
say who sends what and when.

A booking holds one kiosk of a site and one clerk (a named one, or any with the service's
skill and the language) for a slot. It is known by its *code* (:mod:`wire.booking_code`), a
bearer secret a citizen holds; lists shown to clerks carry a ``booking_id`` instead and the
code only to the clerk who made or is named in the booking. No personal data exists in a
booking to send.

Times are epoch seconds, as everywhere in the protocol.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from wire.bases import ClientBase as _ClientBase
from wire.bases import ServerBase as _ServerBase
from wire.types import Ident, Language, ShortText, SiteRef, WireModel

BookingState = Literal["booked", "checked_in", "in_call", "no_show", "cancelled", "done"]
"""Life of a booking: ``booked`` → ``checked_in`` (at the kiosk) → ``in_call`` → ``done``;
or ``no_show`` (not checked in by the end of the grace after the slot start: the slot is
freed and the no-show recorded), or ``cancelled`` (by code, by a clerk, or by an admin)."""

RawCode = Annotated[
    str, StringConstraints(min_length=1, max_length=300, pattern=r"^[^\x00-\x1f\x7f]*$")
]
"""A code as typed or read from a QR code: the bare code in any case with spaces or dashes,
or a URL ending in it. The server reduces it with :func:`wire.booking_code.normalise_code`."""

Day = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
"""A calendar day in the server's time zone, ``YYYY-MM-DD``."""


# ---------------------------------------------------------------- shared models


class BookingInfo(WireModel):
    """A booking as its holder (the citizen at the kiosk, the clerk who made it) sees it."""

    code: Annotated[str, StringConstraints(min_length=6, max_length=6)]
    """The bare code (show it as ``ABC-DEF``, :func:`wire.booking_code.display_code`)."""
    booking_id: Ident
    service: Ident
    language: Language
    site: SiteRef
    start: float
    end: float
    clerk_name: ShortText | None = None
    """The named clerk, when the booking names one (else any eligible clerk serves)."""
    state: BookingState = "booked"
    qr_url: Annotated[str, StringConstraints(max_length=300)] | None = None
    """What the booking's QR code holds (a URL of the public booking page ending in the
    code), so a console or kiosk can draw the same QR code the page shows."""


class Slot(WireModel):
    """A free slot: a kiosk of ``site`` and at least one eligible clerk are free then."""

    start: float
    end: float
    site: SiteRef
    clerks_free: Annotated[int, Field(ge=1)]


class BookingItem(WireModel):
    """One booking in a clerk's list of the day."""

    booking_id: Ident
    service: Ident
    language: Language
    site: SiteRef
    start: float
    end: float
    state: BookingState
    clerk_id: Ident | None = None
    clerk_name: ShortText | None = None
    code: Annotated[str, StringConstraints(min_length=6, max_length=6)] | None = None
    """Only for the clerk who made the booking or is named in it (a bearer secret)."""
    checked_in_at: float | None = None
    kiosk: ShortText | None = None
    """The kiosk's name, once checked in."""


class OfferBooking(WireModel):
    """Added to an ``offer`` whose citizen has a booking."""

    booking_id: Ident
    start: float
    end: float
    named: bool
    """True when the booking names this clerk; False when it fell back to any clerk."""


# ---------------------------------------------------------------- client → server


class BookingCheckIn(_ClientBase):
    """Kiosk: the citizen checks in with a code (typed, or read from a QR code).

    Answer: ``booking_checked_in`` then ``booking_wait`` updates, or ``booking_refused``."""

    type: Literal["booking_check_in"] = "booking_check_in"
    code: RawCode
    source: Literal["typed", "qr"] = "typed"


class BookingSlotsGet(_ClientBase):
    """Kiosk or agent: free slots for a service × language from ``day`` (default today) on,
    for ``days`` days. A kiosk gets its own site's slots (``site`` must be None or its own);
    an agent names a site, or None for every site. Answer: ``booking_slots``."""

    type: Literal["booking_slots_get"] = "booking_slots_get"
    service: Ident
    language: Language
    site: Ident | None = None
    day: Day | None = None
    days: Annotated[int, Field(ge=1, le=14)] = 1


class BookingMake(_ClientBase):
    """Kiosk or agent: book the slot starting at ``start``. A kiosk books at its own site; an
    agent names the site, and with ``with_me`` the booking names this agent as the clerk.
    Answer: ``booking_made``, or ``error`` ``slot_taken`` / ``unknown_service`` /
    ``not_allowed``."""

    type: Literal["booking_make"] = "booking_make"
    service: Ident
    language: Language
    start: float = Field(allow_inf_nan=False)
    site: Ident | None = None
    with_me: bool = False


class BookingCancel(_ClientBase):
    """Agent: cancel a booking by its code (as the citizen reads it) or by ``booking_id``
    (from the list). Answer: ``booking_cancelled`` or ``error`` ``unknown_booking``."""

    type: Literal["booking_cancel"] = "booking_cancel"
    code: RawCode | None = None
    booking_id: Ident | None = None


class BookingsGet(_ClientBase):
    """Agent: the bookings of ``day`` (default today) for the agent's skills, every site.
    Answer: ``bookings``; the server also pushes ``bookings`` when one of them changes."""

    type: Literal["bookings_get"] = "bookings_get"
    day: Day | None = None


# ---------------------------------------------------------------- server → client


class BookingCheckedIn(_ServerBase):
    """Kiosk: the check-in worked; the citizen now waits for the slot (``booking_wait``
    follows and repeats whenever the state changes). ``queue_leave`` gives up the wait (the
    booking goes back to ``booked`` and can be checked in again within the window)."""

    type: Literal["booking_checked_in"] = "booking_checked_in"
    booking: BookingInfo


BookingRefusal = Literal[
    "unknown_code", "too_early", "too_late", "wrong_site", "cancelled", "used", "busy"
]
"""Why a check-in failed: no such code; before the early window (``check_in_from`` says
when it opens); after the late window (a no-show, the slot was freed); booked at another
site (``site`` says which); cancelled; already used (checked in elsewhere, in a call, done);
the kiosk is busy (already queued or in a call)."""


class BookingRefused(_ServerBase):
    """Kiosk: the check-in failed, with a typed reason (nothing about the booking is told
    for ``unknown_code``)."""

    type: Literal["booking_refused"] = "booking_refused"
    reason: BookingRefusal
    check_in_from: float | None = None
    start: float | None = None
    site: SiteRef | None = None


class BookingWait(_ServerBase):
    """Kiosk: a checked-in citizen's wait, sent on check-in and at every change.

    ``state``: ``before_slot`` (count down to ``start``); ``waiting_clerk`` (the slot has
    started, the booked clerk is being offered the call); ``other_clerk`` (the booked clerk
    is not there: another clerk will serve, say so); ``offered`` (a clerk is answering).
    A ``call_start`` follows when the clerk accepts, as for a walk-in."""

    type: Literal["booking_wait"] = "booking_wait"
    booking_id: Ident
    state: Literal["before_slot", "waiting_clerk", "other_clerk", "offered"]
    start: float
    end: float
    clerk_name: ShortText | None = None


class KioskSchedule(_ServerBase):
    """Kiosk: the kiosk's next reservation by a booking, sent after ``welcome`` and whenever
    it changes. A walk-in is admitted only if the expected call ends by ``reserved_at``; a
    refused join is ``error`` ``kiosk_reserved`` with the same times."""

    type: Literal["kiosk_schedule"] = "kiosk_schedule"
    reserved_at: float | None = None
    reserved_until: float | None = None


class BookingSlots(_ServerBase):
    """Answer to ``booking_slots_get``: free slots, earliest first (none: an empty list)."""

    type: Literal["booking_slots"] = "booking_slots"
    service: Ident
    language: Language
    slots: list[Slot] = Field(max_length=2000)


class BookingMade(_ServerBase):
    """Answer to ``booking_make``: the booking with its code."""

    type: Literal["booking_made"] = "booking_made"
    booking: BookingInfo


class BookingCancelled(_ServerBase):
    """Answer to ``booking_cancel``."""

    type: Literal["booking_cancelled"] = "booking_cancelled"
    booking_id: Ident


class Bookings(_ServerBase):
    """An agent's view of a day's bookings (answer to ``bookings_get``, or pushed)."""

    type: Literal["bookings"] = "bookings"
    day: Day
    bookings: list[BookingItem] = Field(max_length=5000)


BOOKING_KIOSK_TYPES = frozenset({"booking_check_in", "booking_slots_get", "booking_make"})
"""Booking messages a kiosk may send."""

BOOKING_AGENT_TYPES = frozenset(
    {"booking_slots_get", "booking_make", "booking_cancel", "bookings_get"}
)
"""Booking messages an agent may send."""
