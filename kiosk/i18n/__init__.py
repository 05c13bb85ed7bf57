"""The kiosk's catalogues (``fi.toml``, ``sv.toml``, ``en.toml`` beside this file).

Loading and lookup are :mod:`i18n`'s, shared with the console; a missing key
raises :class:`MissingTranslation`.  Here: the kiosk's phrases built from several keys
(waits in minutes, opening times).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Final

from i18n import LOCAL_TZ, MissingTranslation
from i18n import Catalogue as SharedCatalogue
from wire.types import Language

__all__ = [
    "LOCAL_TZ",
    "SAME_IN_ALL_LANGUAGES",
    "SAME_IN_FI_AND_SV",
    "Catalogue",
    "MissingTranslation",
]

CATALOGUE_DIR: Final = Path(__file__).resolve().parent

SAME_IN_ALL_LANGUAGES: Final = frozenset(
    {"app.title", "lang.fi", "lang.sv", "lang.en", "bar.quieter", "bar.louder",
     "members.with_language"}
)
"""Keys whose text is deliberately identical in every language (names and signs, not prose)."""

SAME_IN_FI_AND_SV: Final = frozenset({"when.time"})
"""Keys that Finnish and Swedish write the same way (the ``9.00`` clock format)."""


class Catalogue(SharedCatalogue):
    """Every kiosk text in fi, sv and en, loaded from ``kiosk/i18n/<lang>.toml``."""

    directory = CATALOGUE_DIR

    # ---------------------------------------------------------------- formatted phrases

    def minutes(self, seconds: float) -> int:
        """A wait in whole minutes, rounded up (an honest estimate never undersells)."""
        return max(1, math.ceil(seconds / 60))

    def clock(self, lang: Language, when: dt.datetime) -> str:
        """``9.00`` / ``9:00`` style local time."""
        return self.tr(lang, "when.time", hour=when.hour, minute=when.minute)

    def when(self, lang: Language, epoch: float, now: float) -> str:
        """A future opening time as "today at 9.00", "tomorrow at ..." or "on Monday at ..."."""
        at = dt.datetime.fromtimestamp(epoch, LOCAL_TZ)
        today = dt.datetime.fromtimestamp(now, LOCAL_TZ).date()
        time_text = self.clock(lang, at)
        days = (at.date() - today).days
        if days <= 0:
            return self.tr(lang, "when.today", time=time_text)
        if days == 1:
            return self.tr(lang, "when.tomorrow", time=time_text)
        weekday = self.tr(lang, f"when.weekday_{at.weekday()}")
        return self.tr(lang, "when.weekday", weekday=weekday, time=time_text)
