"""Soft hyphens in long words, so large text wraps inside a word instead of being cut.

Finnish and Swedish build long compounds ("sysselsättningstjänster",
"väestötietovirasto") that do not fit a tile's line at large text; Qt breaks lines at a soft
hyphen (U+00AD) and draws the hyphen there.  Finnish goes through Voikko (Debian's
``libvoikko1`` + ``voikko-fi``, which knows Finnish compounds), Swedish and English through
Pyphen's LibreOffice patterns.  Without the library a word is left whole.  No Qt.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Final

from wire.types import Language

log = logging.getLogger("etapiste.kiosk.hyphenation")

SHY: Final = "\u00ad"
MIN_WORD: Final = 9
"""Shorter words are never broken."""
MIN_PART: Final = 3
"""No break leaves fewer letters than this on either side."""
_WORD: Final = re.compile(rf"\w{{{MIN_WORD},}}")
_PYPHEN: Final[dict[Language, str]] = {"sv": "sv", "en": "en_GB"}

Splitter = Callable[[str], list[int]]
"""A word's possible break positions (indexes into the word)."""


def _voikko() -> Splitter | None:
    try:
        import libvoikko  # type: ignore[import-untyped]

        voikko = libvoikko.Voikko("fi")
    except (ImportError, OSError) as exc:  # no library or no Finnish dictionary
        log.info("no Finnish hyphenation (Voikko): %s", exc)
        return None

    def split(word: str) -> list[int]:
        pattern = voikko.getHyphenationPattern(word)
        return [i for i, mark in enumerate(pattern) if mark in "-="]

    return split


def _pyphen(lang: Language) -> Splitter | None:
    try:
        import pyphen  # type: ignore[import-untyped]
    except ImportError as exc:
        log.info("no hyphenation for %s (Pyphen): %s", lang, exc)
        return None
    dic = pyphen.Pyphen(lang=_PYPHEN[lang], left=MIN_PART, right=MIN_PART)

    def split(word: str) -> list[int]:
        return list(dic.positions(word))

    return split


@functools.cache
def _splitter(lang: Language) -> Splitter | None:
    return _voikko() if lang == "fi" else _pyphen(lang)


@functools.lru_cache(maxsize=4096)
def hyphenate(text: str, lang: Language) -> str:
    """``text`` with soft hyphens at the good break points of its long words."""
    split = _splitter(lang)
    if split is None:
        return text

    def word(match: re.Match[str]) -> str:
        w = match.group(0)
        cuts: list[int] = []
        for i in split(w):
            # Never split off a lone syllable of one letter ("kansalaisuus-a-siat").
            if MIN_PART <= i <= len(w) - MIN_PART and (not cuts or i - cuts[-1] >= 2):
                cuts.append(i)
        if not cuts:
            return w
        parts = [w[a:b] for a, b in zip([0, *cuts], [*cuts, len(w)], strict=True)]
        return SHY.join(parts)

    return _WORD.sub(word, text)


def plain(text: str) -> str:
    """``text`` without soft hyphens (for comparing with the catalogue)."""
    return text.replace(SHY, "")
