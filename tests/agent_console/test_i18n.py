"""The catalogues: same keys in every language, fields that format, fallbacks."""

from __future__ import annotations

import re
import string

import pytest

from agent_console.i18n import UI_LANGUAGES, Catalogue, format_duration, keys

KEY_USE = re.compile(r'(?<![A-Za-z_])(?:t|_set_notice|_system)\(\s*"([a-z_]+\.[a-z_.]+)"')


def test_every_language_has_every_key():
    assert keys("fi") == keys("sv") == keys("en")


@pytest.mark.parametrize("language", UI_LANGUAGES)
def test_fields_match_the_finnish_text(language):
    fi, other = Catalogue("fi"), Catalogue(language)

    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    for key in keys("fi"):
        assert fields(fi.t(key)) == fields(other.t(key)), key


def test_fallbacks():
    cat = Catalogue("sv")
    assert cat.t("no.such.key") == "no.such.key"
    assert cat.disposition("resolved") == "Ärendet skött"
    assert cat.disposition("custom_code") == "custom code"
    assert cat.not_ready_reason("missed_offers") == "obesvarade erbjudanden"


def test_every_key_used_in_the_code_exists():
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2] / "agent_console"
    used = set()
    for path in root.rglob("*.py"):
        if "i18n" in path.parts:
            continue
        used |= set(KEY_USE.findall(path.read_text()))
    missing = {k for k in used if k not in keys("fi")}
    assert not missing


def test_format_duration():
    assert format_duration(-3) == "0:00"
    assert format_duration(75.9) == "1:15"
    assert format_duration(3725) == "1:02:05"
