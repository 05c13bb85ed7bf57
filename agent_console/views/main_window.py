"""The console window: status strip, notices, and the page for the current phase."""

from __future__ import annotations

from PyQt6.QtCore import QTimer
from PyQt6.QtGui import QCloseEvent
from PyQt6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from agent_console.console_state import Phase
from agent_console.i18n import Catalogue, UiLanguage
from agent_console.views.bookings import BookingsPanel
from agent_console.views.call import CallView
from agent_console.views.callbacks import CallbackList, CallbackTaskPanel
from agent_console.views.context import ViewContext
from agent_console.views.history import HistoryPanel
from agent_console.views.login import LoginView
from agent_console.views.member_offer import MemberOfferPanel
from agent_console.views.offer import IdlePanel, OfferPanel
from agent_console.views.password import PasswordView
from agent_console.views.queues import QueuePanel
from agent_console.views.status_bar import StatusBar
from agent_console.views.style import STYLESHEET
from agent_console.views.team import TeamPanel
from agent_console.views.wrapup import WrapUpPanel

TICK_MS = 200


class WorkPage(QWidget):
    """Between calls: queues and today's calls on the left; idle, offer or wrap-up on the right."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("page")
        self.queues = QueuePanel(ctx)
        self.history = HistoryPanel(ctx)
        self.team = TeamPanel(ctx)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.queues, "")
        self.tabs.addTab(self.history, "")
        self.bookings = BookingsPanel(ctx, ctx.bookings) if ctx.bookings is not None else None
        if self.bookings is not None:
            self.tabs.addTab(self.bookings, "")
        self.callback_list: CallbackList | None = None
        self.callback_task: CallbackTaskPanel | None = None
        if ctx.callbacks is not None:  # issue 14
            self.callback_list = CallbackList(ctx, ctx.callbacks)
            self.callback_task = CallbackTaskPanel(ctx, ctx.callbacks)
            self.tabs.addTab(self.callback_list, "")
            ctx.callbacks.subscribe(self._callbacks_changed)
        self.tabs.addTab(self.team, "")
        self.tabs.currentChanged.connect(self._tab_changed)
        self.idle = IdlePanel(ctx)
        self.offer = OfferPanel(ctx)
        self.wrapup = WrapUpPanel(ctx)
        self.member_offer = MemberOfferPanel(ctx)
        self.action = QStackedWidget()
        for panel in (self.idle, self.offer, self.wrapup, self.callback_task,
                      self.member_offer):
            if panel is not None:
                self.action.addWidget(panel)
        self.action.setMinimumWidth(460)
        layout = QHBoxLayout(self)
        layout.addWidget(self.tabs, 3)
        layout.addWidget(self.action, 2)
        ctx.presenter.subscribe(
            lambda topic: self.refresh() if topic in ("phase", "member_offer") else None
        )
        self.retranslate()

    def retranslate(self) -> None:
        """Texts from the catalogue."""
        self.tabs.setTabText(0, self.ctx.t("tab.queues"))
        self.tabs.setTabText(1, self.ctx.t("tab.history"))
        if self.bookings is not None:
            self.tabs.setTabText(self.tabs.indexOf(self.bookings), self.ctx.t("tab.bookings"))
        self._callback_tab_text()
        self.tabs.setTabText(self.tabs.indexOf(self.team), self.ctx.t("tab.team"))
        for panel in (self.queues, self.history, self.idle, self.offer, self.wrapup,
                      self.bookings, self.callback_list, self.callback_task, self.member_offer,
                      self.team):
            if panel is not None:
                panel.retranslate()
        self.refresh()

    def refresh(self) -> None:
        """The right-hand panel for the phase (and a supervisor's team tab)."""
        session = self.ctx.presenter.session
        self.tabs.setTabVisible(self.tabs.indexOf(self.team),
                                session is not None and session.info.supervisor)
        phase = self.ctx.presenter.phase
        if self.ctx.presenter.member_offer is not None and phase is not Phase.IN_CALL:
            self.action.setCurrentWidget(self.member_offer)
            self.member_offer.refresh()
        elif phase is Phase.OFFERED and self.ctx.presenter.offer is not None:
            self.action.setCurrentWidget(self.offer)
            self.offer.refresh()
        elif phase is Phase.WRAP_UP and self.ctx.presenter.wrapup is not None:
            self.action.setCurrentWidget(self.wrapup)
            self.wrapup.refresh()
        elif self.callback_task is not None and self.ctx.callbacks is not None and (
            self.ctx.callbacks.taken is not None or self.ctx.callbacks.offer is not None
        ):
            self.action.setCurrentWidget(self.callback_task)
            self.callback_task.refresh()
        else:
            self.action.setCurrentWidget(self.idle)
            self.idle.refresh()

    def _callback_tab_text(self) -> None:
        if self.ctx.callbacks is not None and self.callback_list is not None:
            count = len(self.ctx.callbacks.tasks)
            self.tabs.setTabText(self.tabs.indexOf(self.callback_list),
                                 self.ctx.t("tab.callbacks", count=count))

    def _callbacks_changed(self) -> None:
        """A task offered or taken takes the right-hand side; the tab shows the count."""
        self._callback_tab_text()
        self.refresh()

    def _tab_changed(self, index: int) -> None:
        if index == 1:
            self.ctx.presenter.refresh_history()
        elif self.bookings is not None and index == self.tabs.indexOf(self.bookings):
            assert self.ctx.bookings is not None
            self.ctx.bookings.refresh()
        elif index == self.tabs.indexOf(self.team):
            self.ctx.presenter.request_team_calls()


class MainWindow(QMainWindow):
    """The agent console."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setStyleSheet(STYLESHEET)
        self.resize(1280, 800)
        self.status = StatusBar(ctx)
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.login = LoginView(ctx, self.set_language)
        self.password = PasswordView(ctx)
        self.work = WorkPage(ctx)
        self.call = CallView(ctx)
        self.pages = QStackedWidget()
        for page in (self.login, self.password, self.work, self.call):
            self.pages.addWidget(page)
        central = QWidget()
        central.setObjectName("page")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 4, 8, 8)
        layout.addWidget(self.status)
        layout.addWidget(self.notice)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(ctx.presenter.tick)
        self.timer.start()
        ctx.presenter.subscribe(self._on_change)
        self.retranslate()

    def set_language(self, language: str) -> None:
        """Switch the UI language."""
        if language != self.ctx.catalogue.language:
            self.ctx.catalogue = Catalogue(language)  # type: ignore[arg-type]
            self.retranslate()

    @property
    def language(self) -> UiLanguage:
        """The UI language in use."""
        return self.ctx.catalogue.language

    def retranslate(self) -> None:
        """Every text from the current catalogue."""
        self.setWindowTitle(self.ctx.t("app.title"))
        self.status.retranslate()
        self.login.retranslate()
        self.password.retranslate()
        self.work.retranslate()
        self.call.retranslate()
        self.refresh()

    def refresh(self) -> None:
        """The page for the phase."""
        p = self.ctx.presenter
        phase = p.phase
        if phase in (Phase.LOGGED_OUT, Phase.LOGGING_IN):
            self.pages.setCurrentWidget(self.login)
        elif phase is Phase.CHANGE_PASSWORD:
            self.pages.setCurrentWidget(self.password)
        elif phase is Phase.IN_CALL and p.call is not None:
            self.pages.setCurrentWidget(self.call)
        else:
            self.pages.setCurrentWidget(self.work)
        self.status.setVisible(p.session is not None)
        self.notice.setText(self.ctx.t(p.notice) if p.notice else "")
        self.notice.setVisible(bool(p.notice) and p.session is not None)

    def _on_change(self, topic: str) -> None:
        if topic in ("phase", "notice", "session", "call"):
            self.refresh()

    def closeEvent(self, event: QCloseEvent | None) -> None:
        """Refuse to close in a call (the citizen would be cut off without a word)."""
        if self.ctx.presenter.phase is Phase.IN_CALL and event is not None:
            self.ctx.presenter.notice = "close.in_call"
            self.refresh()
            event.ignore()
            return
        self.timer.stop()
        super().closeEvent(event)
