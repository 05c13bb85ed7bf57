"""The public booking page's HTML: choose, pick a time, the confirmation with code and QR,
cancel. Pure functions of texts and data; :mod:`signaling.web_booking` serves them.

No personal data is asked. The pages work without scripts (one same-origin script shows the
print button), on a phone, and print as a clean ticket.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Final
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from i18n import Catalogue
from wire.booking_code import display_code
from wire.types import LANGUAGES, Language

__all__ = ["CATALOGUE", "Choice", "Page", "SlotChoice"]

ASSETS: Final = Path(__file__).with_name("booking_page")
CATALOGUE: Final = Catalogue.load(ASSETS / "i18n")


def e(value: object) -> str:
    """HTML-escape."""
    return html.escape("" if value is None else str(value), quote=True)


@dataclass(frozen=True, slots=True)
class Choice:
    """A radio button: its value and label (and a smaller second line)."""

    value: str
    label: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class SlotChoice:
    """A free time to book."""

    start: float
    label: str


class Page:
    """The texts and page frame in one language."""

    def __init__(self, lang: Language, zone: ZoneInfo) -> None:
        self.lang = lang
        self.zone = zone

    def say(self, key: str, **params: object) -> str:
        """A text of the page's language."""
        return CATALOGUE.tr(self.lang, key, **params)

    # ------------------------------------------------------------ formats

    def date(self, instant: float) -> str:
        """``tiistai 8.12.2026`` in the page's language, Finnish time."""
        local = datetime.fromtimestamp(instant, self.zone)
        return self.say("time.date", weekday=self.say(f"time.weekday_{local.weekday()}"),
                      day=local.day, month=local.month, year=local.year)

    def clock(self, instant: float) -> str:
        """``9.30`` / ``9:30``."""
        local = datetime.fromtimestamp(instant, self.zone)
        return self.say("time.clock", hour=local.hour, minute=local.minute)

    def slot(self, instant: float) -> str:
        """Date and time of a slot."""
        return self.say("time.slot", date=self.date(instant), clock=self.clock(instant))

    # ------------------------------------------------------------ frame

    def frame(self, title_key: str, body: str, *, path: str, query: dict[str, str]) -> str:
        """The whole document around ``body``."""
        links = "".join(
            f'<a href="{e(path)}?{e(urlencode({**query, "lang": lang}))}" lang="{lang}" '
            f'hreflang="{lang}"{" aria-current=true" if lang == self.lang else ""}>'
            f"{e(self.say(f'lang.{lang}'))}</a>"
            for lang in LANGUAGES
        )
        title = self.say(title_key)
        return (
            f'<!doctype html><html lang="{self.lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{e(self.say('app.page_title', title=title))}</title>"
            '<link rel="stylesheet" href="/book/static/book.css"></head><body>'
            f"<header><h1>{e(self.say('app.title'))}</h1>"
            f'<nav class="langs" aria-label="{e(self.say("lang.choose"))}">{links}</nav></header>'
            f'<main id="main">{body}</main>'
            '<script src="/book/static/book.js"></script></body></html>'
        )

    # ------------------------------------------------------------ pages

    def choose(self, services: Sequence[Choice], sites: Sequence[Choice], error: str = "") -> str:
        """Step 1 and 2: the matter (service × language) and the service point."""
        notice = f'<p class="error" role="alert">{e(self.say(error))}</p>' if error else ""
        if not services or not sites:
            body = (f'<p class="lead">{e(self.say("app.lead"))}</p>'
                    f'<p>{e(self.say("choose.none"))}</p>')
            return self.frame("app.title", body, path="/book", query={})
        radios = "".join(_radio("q", c, i == 0 and len(services) == 1)
                         for i, c in enumerate(services))
        places = "".join(_radio("site", c, len(sites) == 1) for c in sites)
        body = (
            f'<p class="lead">{e(self.say("app.lead"))}</p>{notice}'
            '<form method="get" action="/book/slots">'
            f'<input type="hidden" name="lang" value="{self.lang}">'
            f'<fieldset><legend>{e(self.say("choose.service"))}</legend>{radios}</fieldset>'
            f'<fieldset><legend>{e(self.say("choose.site"))}</legend>{places}</fieldset>'
            f'<button type="submit">{e(self.say("choose.show"))}</button></form>'
            f'<p class="noprint"><a href="/book/cancel?lang={self.lang}">'
            f'{e(self.say("cancel.title"))}</a></p>'
        )
        return self.frame("app.title", body, path="/book", query={})

    def slots(
        self, heading: str, slots: Sequence[SlotChoice], hidden: dict[str, str], csrf: str,
        query: dict[str, str], error: str = "",
    ) -> str:
        """Step 3: free times by day, each a button that books it."""
        notice = f'<p class="error" role="alert">{e(self.say(error))}</p>' if error else ""
        fields = "".join(f'<input type="hidden" name="{e(k)}" value="{e(v)}">'
                         for k, v in {**hidden, "csrf": csrf, "lang": self.lang}.items())
        days: dict[str, list[SlotChoice]] = {}
        for slot in slots:
            days.setdefault(self.date(slot.start), []).append(slot)
        if days:
            listing = "".join(
                f'<section class="day"><h3>{e(day)}</h3><div class="slots">'
                + "".join(
                    '<form method="post" action="/book">'
                    f'{fields}<input type="hidden" name="start" value="{s.start:.0f}">'
                    f'<button type="submit" aria-label="{e(self.say("slots.book", time=s.label))}">'
                    f"{e(self.clock(s.start))}</button></form>"
                    for s in items
                )
                + "</div></section>"
                for day, items in days.items()
            )
        else:
            listing = f"<p>{e(self.say('slots.none'))}</p>"
        body = (
            f'<h2>{e(self.say("slots.title"))}</h2><p><strong>{e(heading)}</strong></p>{notice}'
            f"{listing}"
            f'<p class="actions"><a class="button secondary" href="/book?lang={self.lang}">'
            f'{e(self.say("slots.back"))}</a></p>'
        )
        return self.frame("slots.title", body, path="/book/slots", query=query)

    def confirmation(
        self, code: str, when: float, site: str, matter: str, language: str, qr_svg: str,
        early_min: int,
    ) -> str:
        """The ticket: code, QR code, time, place; print and cancel."""
        shown = display_code(code)
        body = (
            f'<h2 class="ok" role="status">{e(self.say("done.title"))}</h2>'
            '<section class="ticket" aria-labelledby="code-label">'
            f'<p id="code-label"><strong>{e(self.say("done.code"))}</strong></p>'
            f'<p class="code" data-code="{e(code)}">{e(shown)}</p>'
            f'<div class="qr" role="img" aria-label="{e(self.say("done.qr_title", code=shown))}">'
            f"{qr_svg}</div>"
            f'<p>{e(self.say("done.code_help"))}</p>'
            f"<dl><dt>{e(self.say('done.when'))}</dt><dd>{e(self.slot(when))}</dd>"
            f"<dt>{e(self.say('done.where'))}</dt><dd>{e(site)}</dd>"
            f"<dt>{e(self.say('done.what'))}</dt><dd>{e(matter)}</dd>"
            f"<dt>{e(self.say('done.language'))}</dt><dd>{e(language)}</dd></dl>"
            f'<p>{e(self.say("done.arrive", early=early_min))}</p>'
            f'<p><strong>{e(self.say("done.keep"))}</strong></p></section>'
            '<p class="actions">'
            f'<button type="button" data-print hidden>{e(self.say("done.print"))}</button>'
            f'<a class="button secondary" href="/book/cancel?lang={self.lang}">'
            f'{e(self.say("done.cancel_link"))}</a></p>'
            f'<p class="noprint">{e(self.say("done.cancel_hint"))}</p>'
        )
        return self.frame("done.title", body, path=f"/book/{code}", query={})

    def cancel(self, csrf: str, message: str = "", ok: bool = False) -> str:
        """The cancel form (and its outcome)."""
        if ok:
            notice = f'<p class="ok" role="status">{e(self.say(message))}</p>'
        elif message:
            notice = f'<p class="error" role="alert">{e(self.say(message))}</p>'
        else:
            notice = ""
        body = (
            f'<h2>{e(self.say("cancel.title"))}</h2>{notice}'
            '<form method="post" action="/book/cancel">'
            f'<input type="hidden" name="csrf" value="{e(csrf)}">'
            f'<input type="hidden" name="lang" value="{self.lang}">'
            f'<p><label for="code">{e(self.say("cancel.code"))}</label><br>'
            '<input type="text" id="code" name="code" autocomplete="off" '
            'autocapitalize="characters" spellcheck="false" maxlength="16" required></p>'
            f'<button type="submit">{e(self.say("cancel.submit"))}</button></form>'
            f'<p class="actions"><a class="button secondary" href="/book?lang={self.lang}">'
            f'{e(self.say("cancel.another"))}</a></p>'
        )
        return self.frame("cancel.title", body, path="/book/cancel", query={})


def _radio(name: str, choice: Choice, checked: bool) -> str:
    small = f"<small>{e(choice.detail)}</small>" if choice.detail else ""
    mark = " checked" if checked else ""
    return (
        f'<label class="choice"><input type="radio" name="{e(name)}" value="{e(choice.value)}"'
        f' required{mark}><span>{e(choice.label)}{small}</span></label>'
    )


@cache
def page(lang: Language, tz: str) -> Page:
    """The page helper of a language (cached)."""
    return Page(lang, ZoneInfo(tz))
