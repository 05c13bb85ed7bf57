"""The kiosk window: a top bar (language, larger text) over a stack of screens.

Kiosk mode: fullscreen, no frame, no escape shortcuts (:class:`KioskGuard`), close refused.
Any touch restarts the presenter's idle timer; a 250 ms timer drives the presenter's clock.
"""

from __future__ import annotations

from PyQt6.QtCore import QEvent, QObject, Qt, QTimer
from PyQt6.QtGui import QCloseEvent, QKeyEvent
from PyQt6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from client_core.frame_slot import FrameSlot
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.state import Screen
from kiosk.ui.call import CallScreen
from kiosk.ui.end import EndScreen
from kiosk.ui.photo import PhotoScreen
from kiosk.ui.privacy import PrivacyScreen
from kiosk.ui.reconnecting import ReconnectingScreen
from kiosk.ui.services import ServicesScreen
from kiosk.ui.theme import stylesheet
from kiosk.ui.waiting import WaitingScreen
from kiosk.ui.welcome import WelcomeScreen
from kiosk.ui.widgets import ScreenBase, button, label
from wire.types import LANGUAGES

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


class TopBar(QWidget):
    """App name, connection warning, larger-text toggle and the language switch."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__()
        self.setObjectName("topbar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.presenter = presenter
        self.catalogue = catalogue
        row = QHBoxLayout(self)
        row.setContentsMargins(30, 12, 30, 12)
        row.setSpacing(16)
        self.title = label("apptitle", wrap=False)
        self.offline = label("offline")
        row.addWidget(self.title)
        row.addSpacing(20)
        row.addWidget(self.offline, 1)
        row.addStretch(0)
        self.bigtext = button("bigtext")
        self.bigtext.clicked.connect(presenter.toggle_large_text)
        row.addWidget(self.bigtext)
        row.addSpacing(20)
        self.group = QButtonGroup(self)
        self.langs: dict[str, QPushButton] = {}
        for lang in LANGUAGES:
            b = button("lang")
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, code=lang: presenter.set_language(code))
            self.group.addButton(b)
            self.langs[lang] = b
            row.addWidget(b)

    def refresh(self) -> None:
        p = self.presenter
        lang = p.language
        self.title.setText(self.catalogue.tr(lang, "app.title"))
        why = "bar.untrusted" if p.devices.problem == "tls_untrusted" else "bar.offline"
        self.offline.setText(self.catalogue.tr(lang, why))
        self.offline.setVisible(not p.devices.online)
        key = "bar.normal_text" if p.citizen.large_text else "bar.larger_text"
        self.bigtext.setText(self.catalogue.tr(lang, key))
        for code, b in self.langs.items():
            b.setText(self.catalogue.tr(code, f"lang.{code}"))  # type: ignore[arg-type]
            b.setChecked(code == lang)


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
    ) -> None:
        super().__init__()
        self.presenter = presenter
        self.catalogue = catalogue
        self.kiosk_mode = kiosk_mode
        self.allow_close = not kiosk_mode
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.topbar = TopBar(presenter, catalogue)
        layout.addWidget(self.topbar)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self.screens: dict[Screen, ScreenBase] = {
            Screen.WELCOME: WelcomeScreen(presenter, catalogue),
            Screen.SERVICES: ServicesScreen(presenter, catalogue),
            Screen.PRIVACY: PrivacyScreen(presenter, catalogue),
            Screen.WAITING: WaitingScreen(presenter, catalogue),
            Screen.CALL: CallScreen(presenter, catalogue, remote, own),
            Screen.PHOTO: PhotoScreen(presenter, catalogue, own),
            Screen.RECONNECTING: ReconnectingScreen(presenter, catalogue),
            Screen.END: EndScreen(presenter, catalogue),
        }
        for screen in self.screens.values():
            self.stack.addWidget(screen)
        self._shown: tuple[Screen, int, str] | None = None
        self._large: bool | None = None
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
        """Show the presenter's state: current screen, texts, text size."""
        p = self.presenter
        if p.citizen.large_text != self._large:
            self._large = p.citizen.large_text
            self.setStyleSheet(stylesheet(self._large))
        key = (p.screen, p.resets, p.language)
        current = self.screens[p.screen]
        if key != self._shown:
            # A new screen, citizen or language: refresh every screen so no hidden one
            # keeps text of a previous state.
            self._shown = key
            call = self.screens[Screen.CALL]
            assert isinstance(call, CallScreen)
            call.set_language_changed()
            for screen in self.screens.values():
                screen.refresh()
        else:
            current.refresh()
        self.stack.setCurrentWidget(current)
        self.topbar.refresh()

    def closeEvent(self, event: QCloseEvent | None) -> None:
        if event is not None and not self.allow_close:
            event.ignore()
            return
        super().closeEvent(event)
