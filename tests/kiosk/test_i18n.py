"""Translation catalogues: complete, filled, translated, and every used key present."""

from __future__ import annotations

import re
from pathlib import Path

from kiosk.i18n import SAME_IN_ALL_LANGUAGES, SAME_IN_FI_AND_SV, Catalogue, MissingTranslation
from tests import i18n_parity as parity

CAT = Catalogue.load()
KIOSK = Path(__file__).resolve().parents[2] / "kiosk"
SECTIONS = {key.split(".")[0] for key in CAT.keys("en")}
KEY_LITERAL = re.compile(r"""["']((?:{})\.[a-z0-9_]+)["']""".format("|".join(sorted(SECTIONS))))


def test_every_language_has_every_key() -> None:
    parity.same_keys(CAT)


def test_no_empty_or_untranslated_text() -> None:
    parity.filled_and_translated(CAT, SAME_IN_ALL_LANGUAGES, SAME_IN_FI_AND_SV)


def test_placeholders_match_across_languages() -> None:
    parity.same_placeholders(CAT)


def test_every_key_used_in_the_code_exists() -> None:
    used: set[str] = set()
    for path in KIOSK.rglob("*.py"):
        used |= set(KEY_LITERAL.findall(path.read_text(encoding="utf-8")))
    assert len(used) > 50
    missing = sorted(key for key in used if key not in CAT.keys("en"))
    assert missing == []


def test_missing_key_raises() -> None:
    try:
        CAT.tr("fi", "nope.nothing")
    except MissingTranslation:
        return
    raise AssertionError("no error for a missing key")


def test_opening_times_read_naturally() -> None:
    monday_9 = 1767596400.0  # Mon 2026-01-05 09:00 Helsinki
    saturday = monday_9 - 2 * 86400
    assert CAT.when("fi", monday_9, saturday) == "maanantaina klo 9.00"
    assert CAT.when("sv", monday_9, saturday) == "på måndag kl. 9.00"
    assert CAT.when("en", monday_9, monday_9 - 86400) == "tomorrow at 9:00"
    assert CAT.when("fi", monday_9, monday_9 - 3600) == "tänään klo 9.00"
    assert CAT.minutes(61) == 2 and CAT.minutes(5) == 1
