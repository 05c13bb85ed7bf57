"""The sentences of the callback screens (issue 14), from the presenter's state and the
catalogue: the reason, the offer, what happens to the number, and the promised day. Plain
functions, no Qt; views show them and spoken guidance can say them."""

from __future__ import annotations

import datetime as dt
from typing import Final

from kiosk import wording
from kiosk.flow import KioskPresenter
from kiosk.i18n import LOCAL_TZ, Catalogue

NUMBER_DAYS: Final = 7
"""The longest a number is kept (the server's ``retention_callback_numbers_days`` default;
``tests/kiosk/test_callback_flow.py`` keeps the two in step)."""


DONE_NUMBER_LINE: Final = 3
"""The line of :func:`done_lines` that shows the number's last digits (never spoken aloud)."""


def _names(p: KioskPresenter) -> tuple[str, str]:
    info = p.service(p.citizen.callback.service_id if p.citizen.callback else None)
    if info is None:
        return "", ""
    return wording.service_name(p, info), getattr(info.agency_names, p.language)


def request_lines(p: KioskPresenter, cat: Catalogue) -> list[str]:
    """Title, reason and offer of the callback screen."""
    form, lang = p.citizen.callback, p.language
    if form is None:
        return [cat.tr(lang, "callback.title"), "", ""]
    service, agency = _names(p)
    info = p.service(form.service_id)
    if form.reason == "closed" and info is not None and info.next_opening is not None:
        when = cat.when(lang, info.next_opening, p.wall_clock())
        reason = cat.tr(lang, "callback.reason_closed_until", service=service, when=when)
    else:
        reason = cat.tr(lang, f"callback.reason_{form.reason}", service=service)
    offer = cat.tr(lang, "callback.offer", agency=agency,
                   in_language=wording.in_language(p, cat, form.language))
    return [cat.tr(lang, "callback.title"), reason, offer]


def consent_lines(p: KioskPresenter, cat: Catalogue) -> list[str]:
    """What the number is used for, when it is deleted, and that sending is agreeing."""
    lang = p.language
    service, agency = _names(p)
    return [
        cat.tr(lang, "callback.consent_use", agency=agency, service=service),
        cat.tr(lang, "callback.consent_delete", days=NUMBER_DAYS),
        cat.tr(lang, "callback.consent_agree"),
    ]


def error_line(p: KioskPresenter, cat: Catalogue) -> str:
    """Why the number was not taken, or nothing."""
    form = p.citizen.callback
    return cat.tr(p.language, f"callback.{form.error}") if form and form.error else ""


def promised_day(p: KioskPresenter, cat: Catalogue, due_at: float) -> tuple[str, str]:
    """("today" / "tomorrow" / "on Monday 8/12", "16.00") for a promise due at ``due_at``."""
    lang = p.language
    at = dt.datetime.fromtimestamp(due_at, LOCAL_TZ)
    today = dt.datetime.fromtimestamp(p.wall_clock(), LOCAL_TZ).date()
    days = (at.date() - today).days
    if days <= 0:
        day = cat.tr(lang, "callback.day_today")
    elif days == 1:
        day = cat.tr(lang, "callback.day_tomorrow")
    else:
        weekday = cat.tr(lang, f"when.weekday_{at.weekday()}")
        day = cat.tr(lang, "callback.day_other", weekday=weekday, day=at.day, month=at.month)
    return day, cat.clock(lang, at)


def done_lines(p: KioskPresenter, cat: Catalogue) -> list[str]:
    """Thanks, when and in which language the clerk calls, which number, and its deletion."""
    form, lang = p.citizen.callback, p.language
    if form is None or form.due_at is None:
        return [cat.tr(lang, "callback.done_title")]
    _service, agency = _names(p)
    day, time = promised_day(p, cat, form.due_at)
    digits = "".join(ch for ch in form.typed if ch.isdigit())
    language = wording.in_language(p, cat, form.language)
    return [
        cat.tr(lang, "callback.done_title"),
        cat.tr(lang, "callback.done_when", agency=agency, day=day, time=time),
        cat.tr(lang, "callback.done_language", language=language),
        cat.tr(lang, "callback.done_number", last=digits[-4:]),
        cat.tr(lang, "callback.done_deleted"),
    ]
