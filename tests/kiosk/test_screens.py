"""The themes' colour pairs, and what a tile's text is drawn in (not only what is asked)."""

from __future__ import annotations

import time
import tomllib
from pathlib import Path

from PyQt6.QtWidgets import QApplication

from client_core.frame_slot import FrameSlot
from kiosk.flow import KioskPresenter
from kiosk.i18n import SAME_IN_ALL_LANGUAGES, Catalogue
from kiosk.state import Screen
from kiosk.ui.services import ServicesScreen
from kiosk.ui.theme import PALETTES, contrast, pairs
from kiosk.ui.window import KioskWindow
from tests.kiosk import render_checks as rc
from tools.kiosk_screenshots import NullEffects
from tools.shots import catalogue_services, settle, without_clerk_in
from wire.types import LANGUAGES

CAT = Catalogue.load()
ROOT = Path(__file__).resolve().parents[2]


def foreign_texts() -> dict[str, set[str]]:
    """Per language: texts that belong only to the other languages (UI and service names)."""
    data = tomllib.loads((ROOT / "deploy" / "catalogue.toml").read_text(encoding="utf-8"))
    names = [*(a["names"] for a in data["agencies"]), *(s["names"] for s in data["services"])]
    own = {
        lang: {v for k, v in CAT.texts[lang].items() if k not in SAME_IN_ALL_LANGUAGES}
        | {n[lang] for n in names}
        for lang in LANGUAGES
    }
    # A text shown in every language on purpose ("English" on the language button) is not
    # foreign, even where another key of one language has the same words.
    everywhere = {CAT.texts[lang][k] for k in SAME_IN_ALL_LANGUAGES for lang in LANGUAGES}
    return {
        lang: set().union(*(own[o] for o in LANGUAGES if o != lang)) - own[lang] - everywhere
        for lang in LANGUAGES
    }


def test_contrast_of_every_colour_pair_in_both_themes() -> None:
    for palette in PALETTES:
        for name, (fg, bg) in pairs(palette).items():
            assert contrast(fg, bg) >= 4.5, f"{palette.name} {name}: {contrast(fg, bg):.2f}"


def test_tile_texts_are_drawn_in_the_colours_the_theme_asks(qapp: QApplication) -> None:
    """Open tiles' names used to come out #454b52 (a disabled-state rule leaking onto every
    tile); read the colours from the drawn pixels."""
    from kiosk.ui.theme import HIGH_CONTRAST, NORMAL

    now = time.time()
    presenter = KioskPresenter(NullEffects(), wall_clock=lambda: now)  # type: ignore[arg-type]
    window = KioskWindow(presenter, CAT, FrameSlot(), FrameSlot())
    window.resize(1920, 1080)
    window.show()
    try:
        for palette in (NORMAL, HIGH_CONTRAST):
            presenter.citizen.high_contrast = palette is HIGH_CONTRAST
            presenter.choose_language("sv")
            presenter.on_services(without_clerk_in(catalogue_services(now), "sv", now))
            window.refresh()
            settle(window)
            screen = window.screens[Screen.SERVICES]
            assert isinstance(screen, ServicesScreen)
            expected = {
                "open": (palette.ink, palette.heading),
                "other_language": (palette.option_ink, palette.notice_ink),
                "closed": (palette.disabled_ink, palette.disabled_ink),
            }
            states = set()
            bar = screen.area.verticalScrollBar()
            assert bar is not None
            for position in (0, bar.maximum()):  # the top of the list, then its end
                bar.setValue(position)
                settle(window)
                image = rc.pixels(window)
                items = rc.texts(window)
                for tile in screen.tiles:
                    if not tile.isVisible():
                        continue
                    for part, want in ((tile.name, expected[tile.state][0]),
                                       (tile.status, expected[tile.state][1])):
                        [item] = [t for t in items if t.widget is part]
                        if not item.visible.contains(item.ink_box):
                            continue  # scrolled out of view
                        states.add(tile.state)
                        measured = rc.measured_colours(image, item.ink_box)
                        assert measured is not None and measured[0] == want, (
                            palette.name, tile.state, part.text(), measured, want
                        )
            assert states == {"open", "other_language", "closed"}
            presenter.reset()
    finally:
        window.allow_close = True
        window.close()


def test_a_tap_on_a_tile_in_a_list_long_enough_to_scroll_chooses_it(qapp: QApplication) -> None:
    """Kinetic scrolling used to swallow taps once the list scrolled (large text); the
    "more below" button scrolls instead."""
    from PyQt6.QtCore import Qt
    from PyQt6.QtTest import QTest

    now = time.time()
    presenter = KioskPresenter(NullEffects(), wall_clock=lambda: now)  # type: ignore[arg-type]
    window = KioskWindow(presenter, CAT, FrameSlot(), FrameSlot())
    window.resize(1920, 1080)
    window.show()
    try:
        presenter.on_services(catalogue_services(now))
        presenter.toggle_large_text()
        presenter.choose_language("fi")
        settle(window)
        screen = window.screens[Screen.SERVICES]
        assert isinstance(screen, ServicesScreen)
        bar = screen.area.verticalScrollBar()
        assert bar is not None and bar.maximum() > 0  # the list does scroll
        assert screen.area.hint.isVisible()
        QTest.mouseClick(screen.area.hint, Qt.MouseButton.LeftButton)
        assert bar.value() > 0
        [tile] = [t for t in screen.tiles if t.service_id == "kela.benefits"]
        screen.area.ensureWidgetVisible(tile)
        QTest.mouseClick(tile, Qt.MouseButton.LeftButton)
        assert presenter.screen == Screen.PRIVACY
    finally:
        window.allow_close = True
        window.close()
