"""The bookings tab's sample day for ``python -m tools.console_screenshots``: bookings in
every state, free times found for a citizen on the phone, and a booking just made."""

from __future__ import annotations

from agent_console.bookings import BookingsPresenter
from wire import booking_messages as B
from wire.types import Names, SiteRef

NURMES = SiteRef(
    id="nurmes",
    names=Names(
        fi="Nurmeksen yhteispalvelupiste",
        sv="Nurmes gemensamma serviceställe",
        en="Nurmes joint service point",
    ),
)


def fill_bookings(bookings: BookingsPresenter, now: float, lieksa: SiteRef) -> None:
    """Give the presenter a plausible day (times relative to ``now``, on the half hour)."""
    base = (now // 1800) * 1800
    day = bookings.days(1)[0]
    rows = [
        ("b1", "kela.benefits", "fi", lieksa, -2, "done", "Aino Virtanen", None, None),
        ("b2", "vero.tax", "sv", NURMES, -1, "no_show", None, None, None),
        ("b3", "kela.benefits", "fi", lieksa, 0, "in_call", "Aino Virtanen", None,
         "Lieksa kiosk 1"),
        ("b4", "dvv.population", "fi", NURMES, 0.5, "checked_in", None, None, "Nurmes kiosk"),
        ("b5", "kela.benefits", "sv", lieksa, 1, "booked", "Aino Virtanen", "ACE479", None),
        ("b6", "vero.tax", "fi", lieksa, 2, "booked", None, None, None),
        ("b7", "kela.benefits", "fi", NURMES, 3, "cancelled", None, None, None),
    ]
    items = [
        B.BookingItem(
            booking_id=bid, service=service, language=lang, site=site,  # type: ignore[arg-type]
            start=base + hours * 3600, end=base + hours * 3600 + 1800, state=state,  # type: ignore[arg-type]
            clerk_id="a1" if clerk else None, clerk_name=clerk, code=code,
            checked_in_at=base + hours * 3600 - 300 if kiosk else None, kiosk=kiosk,
        )
        for bid, service, lang, site, hours, state, clerk, code, kiosk in rows
    ]
    bookings.on_bookings(B.Bookings(day=day, bookings=items))
    bookings.set_form(service="kela.benefits", language="fi", day=bookings.days(2)[1])
    bookings.find_slots()
    slots = [
        B.Slot(start=base + h * 3600, end=base + h * 3600 + 1800, site=site, clerks_free=n)
        for h, site, n in ((20, lieksa, 2), (20.5, lieksa, 1), (21, NURMES, 1), (23, lieksa, 2))
    ]
    bookings.on_slots(B.BookingSlots(service="kela.benefits", language="fi", slots=slots))
    made = B.BookingInfo(
        code="FHJ347", booking_id="b8", service="kela.benefits", language="fi", site=lieksa,
        start=base + 19.5 * 3600, end=base + 20 * 3600, clerk_name="Aino Virtanen",
    )
    bookings.form.busy = True
    bookings.on_made(B.BookingMade(booking=made))


def booked_offer(now: float) -> B.OfferBooking:
    """The offer of a citizen who booked this clerk for the coming half hour."""
    start = (now // 1800 + 1) * 1800
    return B.OfferBooking(booking_id="b5", start=start, end=start + 1800, named=True)
