"""The dashboard's catalogues: fi, sv and en complete and alike, every used key present, the
language choice, and Finnish-time formats (the same checks as the kiosk's and the console's)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from signaling.dashboard_pages import NAV
from signaling.dashboard_texts import (
    CATALOGUE,
    JS_SECTIONS,
    SAME_IN_ALL_LANGUAGES,
    SAME_IN_FI_AND_SV,
    SAME_IN_SV_AND_EN,
    negotiate,
    texts,
)
from tests import i18n_parity as parity
from wire.types import LANGUAGES

SIGNALING = Path(__file__).resolve().parents[2] / "signaling"
ASSETS = SIGNALING / "dashboard"
KEYS = CATALOGUE.keys("en")

# Literal keys: t("a.b") / t.t("a.b") in Python and script, {{a.b}} in templates and shells.
CALL_KEY = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_]+)["']""")
TEMPLATE_KEY = re.compile(r"\{\{\s*([a-z0-9_]+\.[a-z0-9_]+)\s*\}\}")
# Keys built at run time: t("section." + code), label("section", code), badge("section", code),
# t.t(f"section.{x}").
DYNAMIC_SECTION = re.compile(
    r"""(?:\bt\(\s*["']|(?:label|badge)\(\s*["']|t\.t\(f["']|t\(f["'])([a-z_]+)[."']"""
)


def _sources() -> dict[str, str]:
    files = [*SIGNALING.glob("*.py"), *ASSETS.glob("*.html"), ASSETS / "dashboard.js"]
    return {p.name: p.read_text(encoding="utf-8") for p in files}


def test_every_language_has_every_key() -> None:
    parity.same_keys(CATALOGUE)


def test_no_empty_or_untranslated_text() -> None:
    parity.filled_and_translated(
        CATALOGUE, SAME_IN_ALL_LANGUAGES, SAME_IN_FI_AND_SV, SAME_IN_SV_AND_EN
    )


def test_placeholders_match_across_languages() -> None:
    parity.same_placeholders(CATALOGUE)


def test_every_key_the_code_and_templates_use_exists() -> None:
    used: set[str] = set()
    for text in _sources().values():
        used |= set(CALL_KEY.findall(text)) | set(TEMPLATE_KEY.findall(text))
    assert len(used) > 120  # the scan found the texts
    assert sorted(used - KEYS) == []


def test_every_key_is_used() -> None:
    """No dead texts: each key is named literally, or its section is built at run time."""
    sources = _sources()
    used: set[str] = set()
    dynamic: set[str] = set()
    for text in sources.values():
        used |= set(CALL_KEY.findall(text)) | set(TEMPLATE_KEY.findall(text))
        dynamic |= set(DYNAMIC_SECTION.findall(text))
    unused = sorted(k for k in KEYS if k not in used and k.split(".")[0] not in dynamic)
    assert unused == []


def test_the_script_gets_every_section_it_reads() -> None:
    script = (ASSETS / "dashboard.js").read_text(encoding="utf-8")
    sections = {key.split(".")[0] for key in CALL_KEY.findall(script)}
    sections |= set(DYNAMIC_SECTION.findall(script))
    assert sections and sections <= set(JS_SECTIONS), sections - set(JS_SECTIONS)
    assert set(texts("sv").js_texts()) == {
        k for k in KEYS if k.split(".")[0] in JS_SECTIONS
    }


def test_every_page_has_a_menu_label_and_a_title() -> None:
    for section in NAV:
        assert f"nav.{section}" in KEYS and f"title.{section}" in KEYS


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, None, "fi"),
        (None, "", "fi"),
        (None, "sv-FI,sv;q=0.9,en;q=0.8", "sv"),
        (None, "de-DE,en;q=0.5", "en"),
        (None, "de, fr;q=0.8", "fi"),
        (None, "en;q=0.2, sv;q=0.7", "sv"),
        (None, "fi;q=0, sv;q=0.1", "sv"),
        (None, "sv;q=nan, en;q=bogus, fi;q=0.01", "fi"),
        ("en", "sv-FI", "en"),  # the remembered choice wins
        ("xx", "sv", "sv"),  # a forged cookie is ignored
    ],
)
def test_language_choice(cookie: str | None, header: str | None, expected: str) -> None:
    assert negotiate(cookie, header) == expected


def test_dates_and_times_are_finnish_time_in_each_language() -> None:
    winter = dt.datetime(2026, 1, 5, 7, 5, tzinfo=dt.UTC).timestamp()  # 9.05 in Helsinki
    summer = dt.datetime(2026, 7, 5, 21, 30, tzinfo=dt.UTC).timestamp()  # 0.30 next day
    assert texts("fi").datetime(winter) == "5.1.2026 klo 9.05"
    assert texts("sv").datetime(winter) == "5.1.2026 kl. 9.05"
    assert texts("en").datetime(winter) == "5/1/2026 9:05"
    assert texts("fi").datetime(summer) == "6.7.2026 klo 0.30"
    assert texts("sv").date(dt.date(2026, 3, 2)) == "2.3.2026"
    assert texts("fi").week("2026-W03") == "vko 3/2026"
    assert texts("sv").week("2026-W03") == "v. 3/2026"
    assert texts("en").week("2026-W03") == "week 3/2026"


def test_durations_numbers_and_names() -> None:
    fi, sv, en = (texts(lang) for lang in LANGUAGES)
    assert [fi.duration(s) for s in (None, 42, 303, 7300, 3 * 86400)] == [
        "–", "42 s", "5 min 03 s", "2 h 1 min", "3 pv"
    ]
    assert sv.duration(3 * 86400) == "3 d"
    assert (fi.decimal(4.25, 2), en.decimal(4.25, 2)) == ("4,25", "4.25")
    assert (fi.percent(85.4), en.percent(85.4)) == ("85 %", "85%")
    assert (fi.language("sv"), sv.language("fi"), en.language("xx")) == ("ruotsi", "finska", "xx")
    names = {"fi": "Kiteen yhteispalvelupiste", "sv": "Kides gemensamma serviceställe"}
    assert sv.name(names, "kitee") == "Kides gemensamma serviceställe"
    assert en.name(names, "kitee") == "Kiteen yhteispalvelupiste"  # no English: Finnish
