"""The console's message catalogues: Finnish (default), Swedish and English.

Views never hold user-visible text; they ask a :class:`Catalogue` by key. Staff in Finland
work in Finnish or Swedish; English is the third. A key missing from a language falls back to
Finnish, then to the key itself, so a gap shows up as a readable key rather than a crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from agent_console.i18n import en, fi, sv

UiLanguage = Literal["fi", "sv", "en"]
UI_LANGUAGES: tuple[UiLanguage, ...] = ("fi", "sv", "en")

_CATALOGUES: dict[str, Mapping[str, str]] = {
    "fi": fi.MESSAGES,
    "sv": sv.MESSAGES,
    "en": en.MESSAGES,
}


class Catalogue:
    """User-visible strings of one UI language, looked up by key with ``str.format`` fields."""

    def __init__(self, language: UiLanguage = "fi") -> None:
        if language not in _CATALOGUES:
            raise ValueError(f"no catalogue for {language!r}")
        self.language: UiLanguage = language
        self._messages = _CATALOGUES[language]
        self._fallback = _CATALOGUES["fi"]

    def t(self, key: str, **fields: object) -> str:
        """The text for ``key`` with ``fields`` filled in."""
        text = self._messages.get(key) or self._fallback.get(key) or key
        return text.format(**fields) if fields else text

    def has(self, key: str) -> bool:
        """Whether this language (or the Finnish fallback) knows ``key``."""
        return key in self._messages or key in self._fallback

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
    return set(_CATALOGUES[language])


def format_duration(seconds: float) -> str:
    """``m:ss`` under an hour, ``h:mm:ss`` above; negative counts as zero."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
