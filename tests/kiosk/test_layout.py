"""Layout promises a citizen relies on, checked on the real window: the clerk stays large
while typing, the self view is never covered and shows a placeholder when the camera is off,
controls sit low, disabled buttons look different, the welcome says what the kiosk is for."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from PyQt6.QtCore import QRect
from PyQt6.QtWidgets import QApplication

from client_core.frame_slot import FrameSlot
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.state import Screen
from kiosk.ui.call import CallScreen
from kiosk.ui.services import ServicesScreen
from kiosk.ui.theme import HIGH_CONTRAST, NORMAL
from kiosk.ui.window import KioskWindow
from tests.kiosk import render_checks as rc
from tests.kiosk.conftest import visible_texts
from tools.kiosk_screenshots import NullEffects, drawn_frame
from tools.shots import catalogue_services, settle
from wire.types import LANGUAGES, DeviceStatus

CAT = Catalogue.load()


class Kiosk:
    def __init__(self) -> None:
        now = time.time()
        self.remote, self.own = FrameSlot(), FrameSlot()
        self.p = KioskPresenter(NullEffects(), wall_clock=lambda: now)  # type: ignore[arg-type]
        self.w = KioskWindow(self.p, CAT, self.remote, self.own)
        self.w.resize(1920, 1080)
        self.w.show()
        self.p.on_services(catalogue_services(now))
        self.p.devices.online = True

    def in_call(self) -> CallScreen:
        p = self.p
        p.choose_language("fi")
        p.in_call = True
        p.citizen.clerk_name = "Aino Virtanen"
        p.screen = Screen.CALL
        self.remote.put(drawn_frame("clerk"))
        self.own.put(drawn_frame("citizen", 640, 480))
        self.show()
        call = self.w.screens[Screen.CALL]
        assert isinstance(call, CallScreen)
        return call

    def show(self) -> None:
        self.w.refresh()
        settle(self.w)


@pytest.fixture
def kiosk(qapp: QApplication) -> Iterator[Kiosk]:
    k = Kiosk()
    yield k
    k.w.allow_close = True
    k.w.close()


def in_window(widget, rect: QRect | None = None) -> QRect:  # type: ignore[no-untyped-def]
    rect = rect if rect is not None else widget.rect()
    return QRect(widget.mapTo(widget.window(), rect.topLeft()), rect.size())


def test_the_clerk_stays_large_while_the_keyboard_is_open(kiosk: Kiosk) -> None:
    call = kiosk.in_call()
    closed = call.video.size()
    kiosk.p.toggle_chat()
    kiosk.show()
    assert call.keyboard.isVisible()
    opened = call.video.size()
    assert opened == closed  # the keyboard opens beside the video, not under it
    assert opened.width() >= 1000 and opened.height() >= 560
    assert not in_window(call.keyboard).intersects(in_window(call.video))


def test_the_self_view_label_never_covers_the_picture(kiosk: Kiosk) -> None:
    call = kiosk.in_call()
    own = call.video.self_view
    assert own.has_image()
    assert own.label_rect().isValid() and not own.label_rect().intersects(own.picture_rect())


def test_camera_off_shows_a_placeholder_not_the_live_picture(kiosk: Kiosk) -> None:
    call = kiosk.in_call()
    own = call.video.self_view
    kiosk.p.toggle_camera()
    kiosk.own.put(drawn_frame("citizen", 640, 480))  # even if a frame arrives
    kiosk.show()
    assert not own.has_image() and own.placeholder == CAT.tr("fi", "video.camera_off")
    image = rc.pixels(kiosk.w)
    box = in_window(own, own.picture_rect())
    region = image[box.top() : box.bottom(), box.left() : box.right()]
    colours = {int(c) for c in region.ravel()}
    assert 0x3c6e3c not in colours  # the drawn citizen's green sweater is not on screen
    assert (region == 0).mean() > 0.8  # black, with the placeholder's words
    kiosk.p.devices.camera = DeviceStatus.FAILED
    kiosk.p.toggle_camera()  # camera "on" again, but it is broken
    kiosk.show()
    assert own.placeholder == CAT.tr("fi", "video.camera_broken")


@pytest.mark.parametrize("palette", [NORMAL, HIGH_CONTRAST], ids=lambda c: c.name)
def test_a_disabled_button_looks_disabled(kiosk: Kiosk, palette) -> None:  # type: ignore[no-untyped-def]
    call = kiosk.in_call()
    kiosk.p.citizen.high_contrast = palette is HIGH_CONTRAST
    kiosk.p.devices.camera = DeviceStatus.FAILED
    kiosk.show()
    assert not call.camera.isEnabled() and call.mute.isEnabled()
    image = rc.pixels(kiosk.w)

    def look(button) -> tuple[int, int]:  # type: ignore[no-untyped-def]
        box = in_window(button)
        inside = image[box.center().y(), box.left() + 30]
        edge = image[box.top() + 1, box.left() + 20 : box.right() - 20]
        changes = int((edge[1:] != edge[:-1]).sum())
        return int(inside), changes

    disabled_fill, disabled_edge_changes = look(call.camera)
    _, enabled_edge_changes = look(call.mute)
    assert f"#{disabled_fill:06x}" == palette.disabled_bg
    assert disabled_edge_changes >= 10 and enabled_edge_changes <= 4  # dashed vs solid


@pytest.mark.parametrize("palette", [NORMAL, HIGH_CONTRAST], ids=lambda c: c.name)
def test_a_closed_tile_is_told_apart_by_more_than_its_shade(kiosk: Kiosk, palette) -> None:  # type: ignore[no-untyped-def]
    """Open and closed tiles once differed only by a 1.24:1 background: a closed one now has
    a dashed edge (open ones a solid one) in both themes, as the services hint says."""
    kiosk.p.choose_language("sv")
    kiosk.p.citizen.high_contrast = palette is HIGH_CONTRAST
    kiosk.show()
    screen = kiosk.w.screens[Screen.SERVICES]
    assert isinstance(screen, ServicesScreen)
    changes: dict[str, int] = {}
    for state in ("open", "closed"):
        tile = next(t for t in screen.tiles if t.isVisible() and t.state == state)
        screen.area.ensureWidgetVisible(tile)
        settle(kiosk.w)
        image = rc.pixels(kiosk.w)
        box = in_window(tile)
        edge = image[box.top() + 1, box.left() + 20 : box.right() - 20]
        changes[state] = int((edge[1:] != edge[:-1]).sum())
        assert tile.isEnabled()  # a closed one offers a booking here or a call back
    assert changes["closed"] >= 10 and changes["open"] <= 4, changes  # dashed vs solid
    assert "streckad" in CAT.tr("sv", "services.hint")  # the hint names the same sign


def test_controls_sit_in_the_lower_part_of_every_screen(kiosk: Kiosk) -> None:
    bar = kiosk.w.bottombar
    for screen in (Screen.WELCOME, Screen.SERVICES, Screen.PRIVACY, Screen.WAITING):
        for large in (False, True):
            kiosk.p.screen = screen
            kiosk.p.citizen.service_id = "kela.benefits"
            kiosk.p.citizen.large_text = large
            kiosk.show()
            controls = [bar.bigtext, bar.contrast, bar.speech, bar.quieter, bar.louder]
            if screen != Screen.WELCOME:
                controls += list(bar.langs.values())
            for control in controls:
                assert control.isVisible()
                assert in_window(control).top() >= 1080 * 0.7, (screen, large, control.text())


def test_the_welcome_screen_says_what_the_kiosk_is_for(kiosk: Kiosk) -> None:
    kiosk.show()
    texts = [t.replace("\u00ad", "") for t in visible_texts(kiosk.w)]
    for lang in LANGUAGES:
        assert CAT.tr(lang, "welcome.subtitle") in texts
        assert CAT.tr(lang, "bar.speech") in " ".join(texts)  # read aloud, in each language


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_with_large_text_the_more_below_hint_takes_no_row_from_the_services(
    kiosk: Kiosk, language: str
) -> None:
    """At large text the list showed one row of services and a sliver: "more below" had a row
    of its own. It now sits in the buttons' row, and the list is the screen's tallest part."""
    kiosk.p.choose_language(language)  # type: ignore[arg-type]
    kiosk.p.citizen.large_text = True
    kiosk.p.screen = Screen.SERVICES
    kiosk.show()
    screen = kiosk.w.screens[Screen.SERVICES]
    assert isinstance(screen, ServicesScreen)
    hint = screen.area.hint
    assert hint.isVisible()  # nine services do not fit at large text
    assert abs(in_window(hint).center().y() - in_window(screen.back).center().y()) < 20
    assert screen.area.viewport().height() >= 290  # type: ignore[union-attr]
    hint.click()
    settle(kiosk.w)
    assert screen.area.verticalScrollBar().value() > 0  # type: ignore[union-attr]


def test_free_times_show_on_the_booking_screen_s_first_refresh(kiosk: Kiosk) -> None:
    """Times already there when the booking screen is first drawn were built as parentless
    buttons, shown, then hidden again by their re-parenting: "Touch a time to book it" over
    an empty list until something refreshed the screen again."""
    from kiosk.booking_state import SlotChoice
    from kiosk.ui.booking import BookingScreen

    kiosk.p.choose_language("en")
    kiosk.show()
    now = time.time()
    kiosk.p.offer_booking("mml.property", "closed")
    offer = kiosk.p.citizen.booking.offer
    assert offer is not None
    # As the screenshot tool sets it up: the times are there before the screen is drawn.
    offer.phase = "slots"
    offer.slots = [SlotChoice(now + h * 3600, now + h * 3600 + 1800) for h in (2, 3, 4)]
    kiosk.show()  # one refresh: the screen is new, and the times are there
    screen = kiosk.w.screens[Screen.BOOKING]
    assert isinstance(screen, BookingScreen)
    shown = [b for b in screen.slot_buttons if b.isVisible()]
    assert len(shown) == 3 and all(b.window() is kiosk.w for b in shown)
    assert all(in_window(b).height() > 40 for b in shown)
