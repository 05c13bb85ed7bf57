"""The sentences of the appointment screens, built from the presenter's state and the
catalogue (views show them, spoken guidance says them).  Plain functions, no Qt."""

from __future__ import annotations

import datetime as dt
import math

from kiosk.booking_state import Appointment, BookingOffer, CheckIn
from kiosk.flow import KioskPresenter
from kiosk.i18n import LOCAL_TZ, Catalogue
from kiosk.wording import in_language, service_name
from wire.booking_code import CODE_LENGTH, display_code


def clock_text(p: KioskPresenter, cat: Catalogue, epoch: float) -> str:
    """``14.30`` in the interface language's clock format."""
    return cat.clock(p.language, dt.datetime.fromtimestamp(epoch, LOCAL_TZ))


def when_text(p: KioskPresenter, cat: Catalogue, epoch: float) -> str:
    """"today at 14.30", "tomorrow at 9.00", "on Monday at 10.00"."""
    return cat.when(p.language, epoch, p.wall_clock())


def slot_text(p: KioskPresenter, cat: Catalogue, epoch: float) -> str:
    """A free time on its button: "Today at 14.30", "Tomorrow at 9.00", "On Monday at …"."""
    text = when_text(p, cat, epoch)
    return text[:1].upper() + text[1:]


def typed_code(check: CheckIn) -> str:
    """The typed characters spaced out, a line for each one still missing: ``A C E – 4 _ _``."""
    padded = check.typed.ljust(CODE_LENGTH, "_")
    return " ".join(padded[:3]) + "  –  " + " ".join(padded[3:])


def check_in_status(p: KioskPresenter, cat: Catalogue, check: CheckIn) -> str:
    """What the check-in screen says under the code: checking, or why it was refused."""
    lang, tr = p.language, cat.tr
    if check.phase == "checking":
        return tr(lang, "booking.checking")
    if check.phase != "refused" or check.refusal is None:
        return ""
    reason = check.refusal
    if reason == "too_early" and check.check_in_from is not None and check.start is not None:
        return tr(
            lang,
            "booking.refused_too_early",
            when=when_text(p, cat, check.check_in_from),
            start=when_text(p, cat, check.start),
        )
    if reason == "too_early":
        return tr(lang, "booking.refused_busy")
    if reason == "wrong_site":
        if check.site_name:
            return tr(lang, "booking.refused_wrong_site", site=check.site_name)
        return tr(lang, "booking.refused_wrong_site_unknown")
    return tr(lang, f"booking.refused_{reason}")


def appointment_lines(p: KioskPresenter, cat: Catalogue, a: Appointment) -> tuple[str, str, str]:
    """The booked wait: title with the time, the countdown (or that the clerk is coming), and
    the clerk's name."""
    lang, tr = p.language, cat.tr
    title = tr(lang, "booking.appointment_title", when=when_text(p, cat, a.start))
    left = p.appointment_seconds_left() or 0
    if a.state == "offered":
        status = tr(lang, "booking.offered")
    elif a.state == "other_clerk":
        status = tr(lang, "waiting.estimate_soon")
    elif a.state == "before_slot" and left > 60:
        minutes = math.ceil(left / 60)
        status = tr(lang, "booking.countdown", minutes=minutes)
    elif a.state == "before_slot" and left > 0:
        status = tr(lang, "booking.countdown_one")
    else:
        status = tr(lang, "booking.starting")
    clerk = tr(lang, "booking.appointment_clerk", name=a.clerk_name) if a.clerk_name else ""
    return title, status, clerk


def appointment_notice(p: KioskPresenter, cat: Catalogue, a: Appointment) -> str:
    """"Your clerk is not here, another clerk will serve you" when the server says so."""
    return cat.tr(p.language, "booking.other_clerk") if a.state == "other_clerk" else ""


def reservation_line(p: KioskPresenter, cat: Catalogue) -> str:
    """"This kiosk is booked for an appointment at 14.30–15.00" when that is soon."""
    at, until = p.reservation.at, p.reservation.until
    if not p.reserved_soon() or at is None:
        return ""
    end = clock_text(p, cat, until if until is not None else at)
    return cat.tr(p.language, "booking.reserved_notice", time=clock_text(p, cat, at), until=end)


def offer_lines(p: KioskPresenter, cat: Catalogue, offer: BookingOffer) -> tuple[str, str, str]:
    """The booking screen's title, why a booking is offered, and its status line."""
    lang, tr = p.language, cat.tr
    service = service_name(p, p.service(offer.service_id)) or tr(lang, "common.service")
    title = tr(lang, "booking.book_title", service=service)
    why = {"closed": "book_closed", "long_wait": "book_long_wait", "language": "book_language"}.get(
        offer.reason, "book_reserved"
    )
    status = {
        "loading": tr(lang, "booking.book_loading"),
        "slots": tr(lang, "booking.book_choose"),
        "none": tr(lang, "booking.book_none"),
        "making": tr(lang, "booking.book_making"),
        "made": "",
        "failed": tr(
            lang,
            "booking.book_slot_taken" if offer.problem == "slot_taken" else "booking.book_failed",
        ),
    }[offer.phase]
    spoken_in = in_language(p, cat, offer.language)
    reason = tr(lang, f"booking.{why}", in_language=spoken_in)
    if offer.language != lang and why != "book_language":
        reason += " " + tr(lang, "booking.book_meeting_language", in_language=spoken_in)
    return title, reason, status


def made_lines(p: KioskPresenter, cat: Catalogue, offer: BookingOffer) -> list[str]:
    """The confirmation: title, what and when, the code, how to keep it."""
    made = offer.made
    if made is None:
        return []
    lang, tr = p.language, cat.tr
    service = service_name(p, p.service(offer.service_id)) or tr(lang, "common.service")
    return [
        tr(lang, "booking.made_title"),
        tr(lang, "booking.made_when", service=service, when=when_text(p, cat, made.start)),
        tr(lang, "booking.made_code", code=display_code(made.code)),
        tr(lang, "booking.made_keep"),
        tr(lang, "booking.made_arrive"),
    ]


def code_for_reading(code: str) -> str:
    """The code spelled out for speech: ``A C E, 4 7 9``."""
    shown = display_code(code)
    return ", ".join(" ".join(part) for part in shown.split("-"))
