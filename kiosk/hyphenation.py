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
MIN_WORD: Final = 13
"""Shorter words are never broken: they fit a line at any text size, and Qt's greedy line
breaking would otherwise split many words that could simply move to the next line."""
MIN_PART: Final = 3
"""No break leaves fewer letters than this on either side."""
_WORD: Final = re.compile(rf"\w{{{MIN_WORD},}}")
_PYPHEN: Final[dict[Language, str]] = {"sv": "sv", "en": "en_GB"}

Splitter = Callable[[str], tuple[list[int], set[int]]]
"""A word's possible break positions (indexes into the word), and which of them are
compound boundaries (the best places to break)."""


def _voikko() -> Splitter | None:
    try:
        import libvoikko  # type: ignore[import-untyped]

        voikko = libvoikko.Voikko("fi")
    except (ImportError, OSError) as exc:  # no library or no Finnish dictionary
        log.info("no Finnish hyphenation (Voikko): %s", exc)
        return None

    def split(word: str) -> tuple[list[int], set[int]]:
        pattern = voikko.getHyphenationPattern(word)
        cuts = {i for i, mark in enumerate(pattern) if mark in "-="}
        compounds: set[int] = set()
        analyses = voikko.analyze(word)
        if analyses:
            # STRUCTURE marks each morpheme's start with "=": "=ppppp=ppppppppp" is
            # video|yhteydellä.
            letters = 0
            for mark in analyses[0].get("STRUCTURE", ""):
                if mark == "=":
                    if letters:
                        compounds.add(letters)
                else:
                    letters += 1
        return sorted(cuts | compounds), compounds

    return split


def _pyphen(lang: Language) -> Splitter | None:
    try:
        import pyphen  # type: ignore[import-untyped]
    except ImportError as exc:
        log.info("no hyphenation for %s (Pyphen): %s", lang, exc)
        return None
    dic = pyphen.Pyphen(lang=_PYPHEN[lang], left=MIN_PART, right=MIN_PART)

    def split(word: str) -> tuple[list[int], set[int]]:
        return list(dic.positions(word)), set()

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
        points, compounds = split(w)
        cuts: list[int] = []
        for i in points:
            if not MIN_PART <= i <= len(w) - MIN_PART:
                continue
            if cuts and i - cuts[-1] < 2:
                # Never leave a lone letter on a line ("kansalaisuus-a-siat"); of the two
                # breaks around it keep the compound boundary ("video-yhteys").
                if i in compounds and cuts[-1] not in compounds:
                    cuts[-1] = i
                continue
            cuts.append(i)
        if not cuts:
            return w
        parts = [w[a:b] for a, b in zip([0, *cuts], [*cuts, len(w)], strict=True)]
        return SHY.join(parts)

    return _WORD.sub(word, text)


def plain(text: str) -> str:
    """``text`` without soft hyphens (for comparing with the catalogue)."""
    return text.replace(SHY, "")
