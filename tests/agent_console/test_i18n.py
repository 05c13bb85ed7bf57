"""The catalogues: same keys in every language, filled and translated, fields that format,
fallbacks. The same parity checks as the kiosk's, on the same TOML format."""

from __future__ import annotations

import re

from agent_console.i18n import TEXTS, Catalogue, format_duration, keys
from tests import i18n_parity as parity

SAME_IN_ALL_LANGUAGES = frozenset(
    {"ui_lang.fi", "ui_lang.sv", "ui_lang.en", "call.details", "callbacks.minutes",
     "members.tile", "members.invite_line", "invite.colleague"}
)
"""Each language's own name (the language menu), and a layout of fields with no words."""
SAME_IN_SV_AND_EN = frozenset({"offer.kiosk", "reason.lunch"})
"""Words Swedish and English write alike ("Kiosk", "lunch")."""
KEY_USE = re.compile(r'(?<![A-Za-z_])(?:t|_set_notice|_system)\(\s*"([a-z_]+\.[a-z_.]+)"')


def test_every_language_has_every_key():
    assert keys("fi") == keys("sv") == keys("en")
    parity.same_keys(TEXTS)


def test_no_empty_or_untranslated_text():
    parity.filled_and_translated(TEXTS, SAME_IN_ALL_LANGUAGES, same_in_sv_and_en=SAME_IN_SV_AND_EN)


def test_placeholders_match_across_languages():
    parity.same_placeholders(TEXTS)


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


def test_every_phase_has_a_name_and_a_colour():
    """The password-change phase had neither: the status bar's refresh raised KeyError."""
    from agent_console.console_state import Phase
    from agent_console.views.style import STATE_COLOURS

    for phase in Phase:
        assert phase.value in STATE_COLOURS, phase
        for language in ("fi", "sv", "en"):
            assert Catalogue(language).t(f"phase.{phase.value}") != f"phase.{phase.value}"
