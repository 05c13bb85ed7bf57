"""The operator dashboard's texts in Finnish, Swedish and English, and its Finnish-time formats.

The catalogues are ``signaling/dashboard/i18n/{fi,sv,en}.toml``, in the format the kiosk and
the console use (loaded by the shared :mod:`i18n` package; the server imports no client code).
How to add a translated page is written at the top of ``en.toml``.

The operator's language is their choice, remembered in the :data:`LANG_COOKIE` cookie; without
one, the browser's ``Accept-Language``; without a match, Finnish. Dates and times are always
Finnish time (``Europe/Helsinki``), formatted by catalogue templates so the server's pages and
the live script (which gets :meth:`Texts.js_texts`) write them the same way.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from i18n import Catalogue
from wire.types import LANGUAGES, Language

__all__ = [
    "CATALOGUE",
    "DEFAULT_LANGUAGE",
    "HELSINKI",
    "JS_SECTIONS",
    "LANG_COOKIE",
    "Texts",
    "negotiate",
    "texts",
]

CATALOGUE_DIR: Final = Path(__file__).with_name("dashboard") / "i18n"
CATALOGUE: Final = Catalogue.load(CATALOGUE_DIR)
"""Every dashboard text in every language, read once."""

HELSINKI: Final = ZoneInfo("Europe/Helsinki")
LANG_COOKIE: Final = "etapiste_lang"
DEFAULT_LANGUAGE: Final[Language] = "fi"

JS_SECTIONS: Final = (
    "top", "kiosks", "state", "device", "device_name", "quality", "agent_state", "reason",
    "alerts", "queues", "agents", "language", "time", "number",
)
"""Catalogue sections the live script needs; the page embeds them as JSON."""

SAME_IN_ALL_LANGUAGES: Final = frozenset({
    "app.name", "lang.fi", "lang.sv", "lang.en", "alert.kiosk_at_site", "time.seconds",
    "time.minutes", "time.hours", "time.none",
})
"""Keys deliberately written the same in every language (names, unit symbols)."""

SAME_IN_FI_AND_SV: Final = frozenset({
    "time.date", "number.decimal", "number.percent", "device_name.camera", "kiosks.camera",
    "alert.device_fault", "audit.when", "interpretation.ti",
})
"""Keys Finnish and Swedish write the same way (``16.1.2026``, decimal comma, Kamera)."""

SAME_IN_SV_AND_EN: Final = frozenset({
    "appointments.hours",
    "time.days", "kiosks.kiosk", "admin.kiosk", "kiosks.version", "kiosks.disk", "report.period",
    "title.admin", "nav.admin", "reason.lunch",
})
"""Keys Swedish and English happen to share (Kiosk, Version, Administration, lunch)."""


def _quality(part: str) -> tuple[str, float]:
    name, _, params = part.strip().partition(";")
    q = 1.0
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key == "q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
            if not math.isfinite(q):
                q = 0.0
    return name.strip().lower(), q


def negotiate(cookie: str | None, accept_language: str | None) -> Language:
    """The dashboard language: the remembered choice, else the browser's, else Finnish."""
    if cookie in LANGUAGES:
        return cookie
    ranked = sorted(
        (_quality(part) for part in (accept_language or "").split(",")[:20] if part.strip()),
        key=lambda item: -item[1],
    )
    for tag, q in ranked:
        primary = tag.split("-")[0]
        if q > 0 and primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


class Texts:
    """The dashboard's texts and formats in one language."""

    def __init__(self, lang: Language) -> None:
        self.lang: Language = lang

    def t(self, key: str, **fields: object) -> str:
        """The text of ``key``; raises :class:`i18n.MissingTranslation` for an unknown key."""
        return CATALOGUE.tr(self.lang, key, **fields)

    def has(self, key: str) -> bool:
        """Whether the catalogue has ``key``."""
        return CATALOGUE.lookup(self.lang, key) is not None

    def label(self, section: str, code: str | None) -> str:
        """A code's label from a catalogue section (``device.failed``), else the code."""
        if not code:
            return ""
        key = f"{section}.{code}"
        return self.t(key) if self.has(key) else code.replace("_", " ")

    def name(self, names: Mapping[str, str], fallback: str) -> str:
        """A name from a ``{language: name}`` mapping, in this language, else Finnish."""
        return names.get(self.lang) or names.get("fi") or fallback

    def language(self, code: str) -> str:
        """A queue language's name (``ruotsi``, ``Swedish``); unknown codes as they are."""
        return self.t(f"language.{code}") if code in LANGUAGES else code

    # ------------------------------------------------------------------------ formats

    def datetime(self, ts: float) -> str:
        """Epoch seconds as a Finnish-time date and time, e.g. ``16.1.2026 klo 9.05``."""
        at = dt.datetime.fromtimestamp(ts, HELSINKI)
        return self.t(
            "time.datetime", day=at.day, month=at.month, year=at.year, hour=at.hour,
            minute=f"{at.minute:02d}",
        )

    def date(self, day: dt.date) -> str:
        """A calendar date, e.g. ``16.1.2026``."""
        return self.t("time.date", day=day.day, month=day.month, year=day.year)

    def week(self, iso_label: str) -> str:
        """An ISO week label (``2026-W03``) as ``vko 3/2026``; other text as it is."""
        year, sep, week = iso_label.partition("-W")
        if not (sep and year.isdigit() and week.isdigit()):
            return iso_label
        return self.t("time.week", week=int(week), year=int(year))

    def duration(self, seconds: float | None) -> str:
        """``45 s``, ``5 min 03 s``, ``2 h 5 min``, ``3 pv``; a dash for no value."""
        if seconds is None:
            return self.t("time.none")
        s = max(0, round(seconds))
        if s < 60:
            return self.t("time.seconds", s=s)
        m = s // 60
        if m < 60:
            return self.t("time.minutes", m=m, ss=f"{s % 60:02d}")
        h = m // 60
        if h < 48:
            return self.t("time.hours", h=h, m=m % 60)
        return self.t("time.days", d=h // 24)

    def decimal(self, value: float, digits: int = 1) -> str:
        """A number with this language's decimal mark (``4,3``)."""
        return f"{value:.{digits}f}".replace(".", self.t("number.decimal"))

    def percent(self, value: float) -> str:
        """A whole percentage (``85 %``)."""
        return self.t("number.percent", value=round(value))

    def js_texts(self) -> dict[str, str]:
        """The texts the live script uses (the :data:`JS_SECTIONS`)."""
        prefixes = tuple(f"{section}." for section in JS_SECTIONS)
        return {k: v for k, v in CATALOGUE.texts[self.lang].items() if k.startswith(prefixes)}


@cache
def texts(lang: Language) -> Texts:
    """The (shared) :class:`Texts` of a language."""
    return Texts(lang)
