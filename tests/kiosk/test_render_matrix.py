"""Every kiosk screen in every language × text size × theme (one test per language, size
and theme, so each stays well inside the time limit on a busy machine), checked on the
rendered picture: no text cut or overlapping, every text at least 4.5:1 as drawn, big
targets, no other language.  Uses the renderer of ``python -m tools.kiosk_screenshots``."""

from __future__ import annotations

import pytest
from PyQt6.QtWidgets import QAbstractButton, QApplication, QWidget

from kiosk.hyphenation import plain
from kiosk.ui.theme import MIN_TARGET_PX
from tests.kiosk import render_checks as rc
from tests.kiosk.conftest import visible_texts
from tests.kiosk.test_screens import foreign_texts
from tools.kiosk_screenshots import SIZES, THEMES, render_all
from wire.types import LANGUAGES, Language


@pytest.mark.timeout(360)  # ~5 s on an idle CI machine; a minute when it is shared
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
def test_every_screen_language_size_and_theme(
    qapp: QApplication, theme: str, size: str, language: Language
) -> None:
    """One language, theme and text size per test: the whole matrix at once ran past the
    per-test time limit on a busy two-core machine."""
    foreign = foreign_texts()
    problems: list[str] = []
    seen: list[str] = []
    lowest = [21.0]

    def check(stem: str, window: QWidget) -> None:
        seen.append(stem)
        lang = stem.split("-")[2]
        if (window.width(), window.height()) != (1920, 1080):
            problems.append(f"{stem}: the window grew to {window.width()}x{window.height()}")
        overlay = window.prompt if window.prompt.isVisible() else None  # type: ignore[attr-defined]
        items = rc.texts(window, overlay)
        found = rc.fit_problems(items, window) + rc.overlap_problems(items)
        image = rc.pixels(window)
        bad_contrast, low = rc.contrast_problems(items, image)
        lowest[0] = min(lowest[0], low)
        found += bad_contrast
        for button in (overlay or window).findChildren(QAbstractButton):
            if button.isVisible():
                size = button.size()
                if min(size.width(), size.height()) < MIN_TARGET_PX:
                    found.append(f"target {button.text()!r} is {size.width()}x{size.height()}")
        if "welcome" not in stem:  # the welcome screen greets in all three on purpose
            for text in visible_texts(window):
                if plain(text) in foreign[lang]:
                    found.append(f"other language's text {text!r}")
        problems.extend(f"{stem}: {p}" for p in found)

    render_all(None, (language,), on_state=check, themes=(theme,), sizes=(size,))
    assert len(seen) >= 49
    print(f"{len(seen)} renders checked; lowest text contrast {lowest[0]:.2f}:1")
    assert problems == [], "\n".join(problems[:200]) + f"\n({len(problems)} problems)"
