"""Translation catalogues of the kiosk: one TOML file per language (fi, sv, en).

Views never hold user-visible text; they ask a :class:`Catalogue` for it by key.  Keys are
dotted (``"waiting.position"``), values are :meth:`str.format` templates.  A missing key raises
:class:`MissingTranslation` (tests check every catalogue has every key, filled and translated).
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from wire.types import LANGUAGES, Language

CATALOGUE_DIR: Final = Path(__file__).resolve().parent
LOCAL_TZ: Final = ZoneInfo("Europe/Helsinki")

SAME_IN_ALL_LANGUAGES: Final = frozenset({"app.title", "lang.fi", "lang.sv", "lang.en"})
"""Keys whose text is deliberately identical in every language (names, not prose)."""

SAME_IN_FI_AND_SV: Final = frozenset({"when.time"})
"""Keys that Finnish and Swedish write the same way (the ``9.00`` clock format)."""


class MissingTranslation(KeyError):
    """A key is missing from a language's catalogue."""


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, f"{name}."))
        elif isinstance(value, str):
            out[name] = value
        else:
            raise TypeError(f"{name}: translations are strings, not {type(value).__name__}")
    return out


class Catalogue:
    """Every interface text in fi, sv and en, loaded from ``<dir>/<lang>.toml``."""

    def __init__(self, texts: Mapping[Language, Mapping[str, str]]) -> None:
        self.texts: dict[Language, dict[str, str]] = {lang: dict(texts[lang]) for lang in LANGUAGES}

    @classmethod
    def load(cls, directory: Path = CATALOGUE_DIR) -> Catalogue:
        """Read the three TOML catalogues."""
        texts: dict[Language, dict[str, str]] = {}
        for lang in LANGUAGES:
            with (directory / f"{lang}.toml").open("rb") as f:
                texts[lang] = _flatten(tomllib.load(f))
        return cls(texts)

    def keys(self, lang: Language) -> set[str]:
        """Every key of one language."""
        return set(self.texts[lang])

    def tr(self, lang: Language, key: str, **params: object) -> str:
        """The text of ``key`` in ``lang``, formatted with ``params``."""
        try:
            template = self.texts[lang][key]
        except KeyError:
            raise MissingTranslation(f"{lang}: {key}") from None
        return template.format(**params) if params else template

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
