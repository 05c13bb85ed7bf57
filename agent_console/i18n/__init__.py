"""The console's catalogues (``fi.toml``, ``sv.toml``, ``en.toml`` beside this file).

Loading is :mod:`i18n`'s, shared with the kiosk. Staff in Finland work in Finnish
or Swedish; English is the third. The console shows one language at a time, chosen by the
agent: :class:`Catalogue` is that language's view. A key missing from it falls back to
Finnish, then to the key itself, so a gap shows up as a readable key rather than a crash in
the middle of a call (the parity tests keep the catalogues complete).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from i18n import Catalogue as Texts
from wire.types import LANGUAGES, Language

UiLanguage = Language
UI_LANGUAGES: tuple[UiLanguage, ...] = LANGUAGES
CATALOGUE_DIR: Final = Path(__file__).resolve().parent
TEXTS: Final = Texts.load(CATALOGUE_DIR)
"""Every console text in every language, read once."""


class Catalogue:
    """User-visible strings of one UI language, looked up by key with ``str.format`` fields."""

    def __init__(self, language: UiLanguage = "fi") -> None:
        if language not in UI_LANGUAGES:
            raise ValueError(f"no catalogue for {language!r}")
        self.language: UiLanguage = language

    def t(self, key: str, **fields: object) -> str:
        """The text for ``key`` with ``fields`` filled in."""
        text = TEXTS.lookup(self.language, key) or TEXTS.lookup("fi", key) or key
        return text.format(**fields) if fields else text

    def has(self, key: str) -> bool:
        """Whether this language (or the Finnish fallback) knows ``key``."""
        return TEXTS.lookup(self.language, key) is not None or TEXTS.lookup("fi", key) is not None

    def disposition(self, code: str) -> str:
        """A disposition code's label; unknown codes (configured server-side) show as is."""
        key = f"disposition.{code}"
        return self.t(key) if self.has(key) else code.replace("_", " ")

    def not_ready_reason(self, code: str | None) -> str:
        """A not-ready reason's label."""
        key = f"reason.{code or 'unspecified'}"
        return self.t(key) if self.has(key) else (code or "").replace("_", " ")


def keys(language: UiLanguage) -> set[str]:
    """Every key a language's catalogue defines (tests compare them)."""
    return TEXTS.keys(language)


def format_duration(seconds: float) -> str:
    """``m:ss`` under an hour, ``h:mm:ss`` above; negative counts as zero."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
