"""The call screen with three and four members, drawn offscreen: every member's name and
role under their picture, the interpreter's picture largest, the citizen's own picture
uncovered, the supervisor banner saying the mode, and the controls within reach."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import QRect
from PyQt6.QtWidgets import QApplication

from client_core.frame_slot import FrameSlot
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.members import CallMember, MemberSlots
from kiosk.state import Screen
from kiosk.ui.call import CallScreen
from kiosk.ui.window import KioskWindow
from tools.kiosk_screenshots import NullEffects, drawn_frame
from tools.shots import settle

CAT = Catalogue.load()
CLERK = CallMember("m1", "Aino Virtanen", "clerk")
SIGN = CallMember("m2", "Sanna Korhonen", "interpreter", language="fi-sign")
BOSS = CallMember("m3", "Pirjo Mäkinen", "supervisor", mode="listen")


def _window(qapp: QApplication, lang: str, large: bool) -> tuple[KioskPresenter, KioskWindow]:
    remote, own = FrameSlot(), FrameSlot()
    slots = MemberSlots(remote)
    remote.put(drawn_frame("clerk"))
    own.put(drawn_frame("citizen", 640, 480))
    for member_id in ("m2", "m3"):
        slots.slot(member_id).put(drawn_frame("interpreter"))
    p = KioskPresenter(NullEffects())  # type: ignore[arg-type]
    window = KioskWindow(p, CAT, remote, own, slots=slots)
    window.resize(1920, 1080)
    window.show()
    p.citizen.language = lang  # type: ignore[assignment]
    p.citizen.large_text = large
    p.devices.online = True
    p.on_call_started("Aino Virtanen")
    return p, window


def _global(widget) -> QRect:  # type: ignore[no-untyped-def]
    return QRect(widget.mapToGlobal(widget.rect().topLeft()), widget.size())


@pytest.mark.parametrize(("lang", "large"), [("fi", False), ("sv", True), ("en", True)])
def test_four_members_each_named_interpreter_largest_self_view_uncovered(
    qapp: QApplication, lang: str, large: bool
) -> None:
    p, window = _window(qapp, lang, large)
    p.on_members([CLERK, SIGN, BOSS])
    settle(window)
    screen = window.screens[Screen.CALL]
    assert isinstance(screen, CallScreen)
    stage = screen.stage
    assert stage.isVisible() and not screen.video.isVisible()
    labels = [stage.main.label.text(), *(t.label.text() for t in stage.small if t.isVisible())]
    plain = [text.replace("\u00ad", "") for text in labels]
    assert CAT.tr(lang, "members.role_sign_interpreter") in plain[0] and "Sanna" in plain[0]
    assert any(CAT.tr(lang, "members.role_clerk") in t and "Aino" in t for t in plain[1:])
    assert any(CAT.tr(lang, "members.role_supervisor") in t and "Pirjo" in t for t in plain[1:])
    assert plain[-1] == CAT.tr(lang, "call.self_view")
    main = stage.main.video
    assert all(main.width() * main.height() > t.video.width() * t.video.height()
               for t in stage.small if t.isVisible())
    tiles = [stage.main, *(t for t in stage.small if t.isVisible())]
    own = _global(tiles[-1])
    assert all(not own.intersects(_global(t)) for t in tiles[:-1])
    assert window.rect().contains(QRect(window.mapFromGlobal(own.topLeft()), own.size()))
    banner = screen.banner.text().replace("\u00ad", "")
    assert screen.banner.isVisible()
    assert banner == f"{CAT.tr(lang, 'members.supervisor_banner')} " \
                     f"{CAT.tr(lang, 'members.supervisor_listen')}"
    # The end-call button stays in the lower part of the screen (reachable seated).
    end = _global(screen.end)
    assert end.bottom() > window.height() * 0.55 and end.height() >= 96
    window.allow_close = True
    window.close()


def test_banner_follows_the_supervisors_mode_and_goes_when_they_leave(qapp: QApplication) -> None:
    p, window = _window(qapp, "fi", False)
    screen = window.screens[Screen.CALL]
    assert isinstance(screen, CallScreen)
    said = []
    for mode in ("listen", "whisper", "barge"):
        p.on_members([CLERK, CallMember("m3", "Pirjo", "supervisor", mode=mode)])  # type: ignore[arg-type]
        said.append(screen.banner.text())
    assert len(set(said)) == 3 and screen.banner.isVisible()
    p.on_members([CLERK])
    assert not screen.banner.isVisible() and screen.video.isVisible()
    window.allow_close = True
    window.close()
