"""The kiosk window: an information strip, the screens, and the controls bar at the bottom.

Kiosk mode: fullscreen, no frame, no escape shortcuts (:class:`KioskGuard`), close refused.
Any touch restarts the presenter's idle timer; a 250 ms timer drives the presenter's clock.
The "are you still there?" prompt is an overlay over everything (:mod:`kiosk.ui.prompt`).
"""

from __future__ import annotations

from PyQt6.QtCore import QEvent, QObject, Qt, QTimer
from PyQt6.QtGui import QCloseEvent, QKeyEvent, QResizeEvent
from PyQt6.QtWidgets import QLayout, QStackedWidget, QVBoxLayout, QWidget

from client_core.frame_slot import FrameSlot
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.members import MemberSlots
from kiosk.state import Screen
from kiosk.ui.bars import BottomBar, TopBar
from kiosk.ui.booking import BookingScreen
from kiosk.ui.call import CallScreen
from kiosk.ui.callback import CallbackDoneScreen, CallbackScreen
from kiosk.ui.check import DeviceCheckScreen
from kiosk.ui.check_in import CheckInScreen
from kiosk.ui.end import EndScreen
from kiosk.ui.language_help import LanguageHelpScreen
from kiosk.ui.other_ways import OtherWaysScreen
from kiosk.ui.out_of_service import OutOfServiceScreen
from kiosk.ui.photo import PhotoScreen
from kiosk.ui.privacy import PrivacyScreen
from kiosk.ui.prompt import PromptOverlay
from kiosk.ui.reconnecting import ReconnectingScreen
from kiosk.ui.services import ServicesScreen
from kiosk.ui.theme import stylesheet
from kiosk.ui.waiting import WaitingScreen
from kiosk.ui.welcome import WelcomeScreen
from kiosk.ui.widgets import ScreenBase

TICK_MS = 250
_TOUCH_EVENTS = frozenset(
    {QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress}
)


class KioskGuard(QObject):
    """Application event filter: touches reset the idle timer; escape keys are swallowed."""

    def __init__(self, presenter: KioskPresenter, lock_keys: bool) -> None:
        super().__init__()
        self.presenter = presenter
        self.lock_keys = lock_keys
        self.swallowed = 0

    def eventFilter(self, obj: QObject | None, event: QEvent | None) -> bool:
        if event is None:
            return False
        kind = event.type()
        if kind in _TOUCH_EVENTS:
            self.presenter.touch()
        if self.lock_keys and kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            assert isinstance(event, QKeyEvent)
            if self._escape_key(event):
                self.swallowed += 1
                return True
        return False

    @staticmethod
    def _escape_key(event: QKeyEvent) -> bool:
        mods = event.modifiers()
        if mods & (
            Qt.KeyboardModifier.AltModifier
            | Qt.KeyboardModifier.ControlModifier
            | Qt.KeyboardModifier.MetaModifier
        ):
            return True
        key = event.key()
        return key == Qt.Key.Key_Escape or Qt.Key.Key_F1 <= key <= Qt.Key.Key_F35


class KioskWindow(QWidget):
    """The whole kiosk UI bound to one presenter."""

    def __init__(
        self,
        presenter: KioskPresenter,
        catalogue: Catalogue,
        remote: FrameSlot,
        own: FrameSlot,
        *,
        kiosk_mode: bool = False,
        slots: MemberSlots | None = None,
    ) -> None:
        super().__init__()
        self.presenter = presenter
        self.catalogue = catalogue
        self.kiosk_mode = kiosk_mode
        self.allow_close = not kiosk_mode
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        # The window is the screen: content never makes it grow (off-screen, in fullscreen);
        # what does not fit must reflow or scroll, and the screen test finds what is cut.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.topbar = TopBar(presenter, catalogue)
        layout.addWidget(self.topbar)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self.bottombar = BottomBar(presenter, catalogue)
        layout.addWidget(self.bottombar)
        self.screens: dict[Screen, ScreenBase] = {
            Screen.WELCOME: WelcomeScreen(presenter, catalogue),
            Screen.SERVICES: ServicesScreen(presenter, catalogue),
            Screen.LANGUAGE_HELP: LanguageHelpScreen(presenter, catalogue),
            Screen.PRIVACY: PrivacyScreen(presenter, catalogue),
            Screen.DEVICE_CHECK: DeviceCheckScreen(presenter, catalogue, own),
            Screen.WAITING: WaitingScreen(presenter, catalogue),
            Screen.CALL: CallScreen(presenter, catalogue, remote, own, slots),
            Screen.PHOTO: PhotoScreen(presenter, catalogue, own),
            Screen.RECONNECTING: ReconnectingScreen(presenter, catalogue),
            Screen.END: EndScreen(presenter, catalogue),
            Screen.OUT_OF_SERVICE: OutOfServiceScreen(presenter, catalogue),
            Screen.CHECK_IN: CheckInScreen(presenter, catalogue, own),
            Screen.BOOKING: BookingScreen(presenter, catalogue),
            Screen.CALLBACK: CallbackScreen(presenter, catalogue),
            Screen.CALLBACK_DONE: CallbackDoneScreen(presenter, catalogue),
            Screen.OTHER_WAYS: OtherWaysScreen(presenter, catalogue),
        }
        for screen in self.screens.values():
            self.stack.addWidget(screen)
        self.prompt = PromptOverlay(self, presenter, catalogue)
        self._shown: tuple[Screen, int, str] | None = None
        self._style: tuple[bool, bool] | None = None
        self._citizen: int | None = None  # the presenter's ``resets`` last shown
        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(TICK_MS)
        self.tick_timer.timeout.connect(presenter.tick)
        self.tick_timer.start()
        presenter.subscribe(self.refresh)
        if kiosk_mode:
            self.setWindowFlags(
                Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
            )
            self.setCursor(Qt.CursorShape.BlankCursor)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.refresh()

    def refresh(self) -> None:
        """Show the presenter's state: current screen, texts, text size.

        Only the screen on show is refreshed, and a hidden one when it is shown (every change
        of screen refreshes the new one before it appears), so a change of screen, language
        or text size costs one screen's work, not sixteen.  A new citizen refreshes every
        screen: nothing of the one who left may stay in a hidden widget.
        """
        p = self.presenter
        style = (p.citizen.large_text, p.citizen.high_contrast)
        if style != self._style:
            self._style = style
            self.setStyleSheet(stylesheet(*style))
            self._shown = None  # sizes changed: the chat renders anew
        key = (p.screen, p.resets, p.language)
        if key != self._shown:
            self._shown = key
            call = self.screens[Screen.CALL]
            assert isinstance(call, CallScreen)
            call.set_language_changed()  # new screen, citizen or language: the chat too
        current = self.screens[p.screen]
        if p.resets != self._citizen:
            self._citizen = p.resets
            for screen in self.screens.values():
                screen.refresh()
        else:
            current.refresh()
        self.stack.setCurrentWidget(current)
        self.topbar.refresh()
        self.bottombar.refresh()
        self.prompt.refresh()

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        super().resizeEvent(event)
        if self.prompt.isVisible():
            self.prompt.setGeometry(self.rect())

    def closeEvent(self, event: QCloseEvent | None) -> None:
        if event is not None and not self.allow_close:
            event.ignore()
            return
        super().closeEvent(event)
