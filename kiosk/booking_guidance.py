"""What spoken guidance says on the appointment screens (check-in, booking, the booked wait):
the screen's own sentences, so what a citizen hears is what the screen shows.  No Qt."""

from __future__ import annotations

from kiosk import booking_wording, wording
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.state import Screen
from wire.types import Language

Line = tuple[Language, str]


def booking_lines(p: KioskPresenter, cat: Catalogue) -> tuple[list[str], list[str]] | None:
    """``(intro, state)`` sentences for an appointment screen, or None for any other."""
    lang, tr, visit = p.language, cat.tr, p.citizen.booking
    if p.screen == Screen.CHECK_IN and visit.check_in is not None:
        intro = [tr(lang, "booking.check_in_title"), tr(lang, "booking.check_in_hint")]
        return intro, [booking_wording.check_in_status(p, cat, visit.check_in)]
    if p.screen == Screen.WAITING and visit.appointment is not None:
        a = visit.appointment
        title, status, clerk = booking_wording.appointment_lines(p, cat, a)
        intro = [title, wording.chosen_service_name(p)]
        notice = booking_wording.appointment_notice(p, cat, a)
        return intro, [notice, status, clerk, tr(lang, "waiting.sound_hint")]
    if p.screen == Screen.BOOKING and visit.offer is not None:
        offer = visit.offer
        if offer.made is not None:
            lines = booking_wording.made_lines(p, cat, offer)
            spelled = booking_wording.code_for_reading(offer.made.code)
            return lines[:2], [tr(lang, "booking.code_label") + ": " + spelled, *lines[3:]]
        title, why, status = booking_wording.offer_lines(p, cat, offer)
        slots = [booking_wording.slot_text(p, cat, s.start) for s in offer.slots]
        shown = slots if offer.phase in ("slots", "failed") else []
        return [title, why], [status, *shown]
    return None
