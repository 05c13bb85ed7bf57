"""Parity checks every catalogue passes (kiosk, console, dashboard: one TOML format)."""

from __future__ import annotations

import string
from collections.abc import Set

from i18n import Catalogue
from wire.types import LANGUAGES


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def same_keys(cat: Catalogue) -> None:
    """Every language has exactly the English keys."""
    reference = cat.keys("en")
    for lang in LANGUAGES:
        assert cat.keys(lang) == reference, f"{lang}: {cat.keys(lang) ^ reference}"


def filled_and_translated(
    cat: Catalogue,
    same_in_all: Set[str] = frozenset(),
    same_in_fi_and_sv: Set[str] = frozenset(),
    same_in_sv_and_en: Set[str] = frozenset(),
) -> None:
    """No empty text; Finnish and Swedish differ from English and from each other, except
    for the keys that are deliberately the same (names, formats, shared words)."""
    for key in cat.keys("en"):
        for lang in LANGUAGES:
            assert cat.texts[lang][key].strip(), f"{lang}: {key} is empty"
        if key in same_in_all:
            continue
        assert cat.texts["fi"][key] != cat.texts["en"][key], f"fi: {key} is English"
        if key not in same_in_sv_and_en:
            assert cat.texts["sv"][key] != cat.texts["en"][key], f"sv: {key} is English"
        if key not in same_in_fi_and_sv:
            assert cat.texts["fi"][key] != cat.texts["sv"][key], f"sv: {key} is Finnish"


def same_placeholders(cat: Catalogue) -> None:
    """Every language's template of a key has the same ``{fields}``."""
    for key in cat.keys("en"):
        expected = _fields(cat.texts["en"][key])
        for lang in LANGUAGES:
            assert _fields(cat.texts[lang][key]) == expected, f"{lang}: {key}"
