"""The login page: username, password, UI language."""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from agent_console.console_state import Phase
from agent_console.i18n import UI_LANGUAGES
from agent_console.views.card import centred_card
from agent_console.views.context import ViewContext


class LoginView(QWidget):
    """Username and password in; the presenter does the rest."""

    def __init__(self, ctx: ViewContext, on_language: Callable[[str], None]) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("page")
        self.title = QLabel()
        self.title.setObjectName("title")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("subtle")
        self.subtitle.setWordWrap(True)
        self.username = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.language = QComboBox()
        for code in UI_LANGUAGES:
            self.language.addItem(code, code)
        self.language.setCurrentIndex(UI_LANGUAGES.index(ctx.catalogue.language))
        self.language.currentIndexChanged.connect(
            lambda i: on_language(str(self.language.itemData(i)))
        )
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.submit = QPushButton()
        self.submit.setObjectName("primary")
        self.submit.setDefault(True)
        self.submit.clicked.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        self.username.returnPressed.connect(self.password.setFocus)
        form = QFormLayout()
        self.user_label, self.pass_label, self.lang_label = QLabel(), QLabel(), QLabel()
        form.addRow(self.user_label, self.username)
        form.addRow(self.pass_label, self.password)
        form.addRow(self.lang_label, self.language)
        centred_card(self, 460, [self.title, self.subtitle, form, self.error, self.submit])
        ctx.presenter.subscribe(self._on_change)
        self.retranslate()

    def retranslate(self) -> None:
        """Set every text from the current catalogue."""
        t = self.ctx.t
        self.title.setText(t("app.title"))
        self.subtitle.setText(t("login.intro"))
        self.user_label.setText(t("login.username"))
        self.pass_label.setText(t("login.password"))
        self.lang_label.setText(t("login.language"))
        for i, code in enumerate(UI_LANGUAGES):
            self.language.setItemText(i, t(f"ui_lang.{code}"))
        self.refresh()

    def refresh(self) -> None:
        """Show the presenter's state."""
        p = self.ctx.presenter
        busy = p.phase is Phase.LOGGING_IN
        self.submit.setEnabled(not busy)
        self.submit.setText(self.ctx.t("login.busy" if busy else "login.submit"))
        self.error.setText(self.ctx.t(p.login_error) if p.login_error else "")
        self.error.setVisible(bool(p.login_error))

    def _submit(self) -> None:
        self.ctx.presenter.login(self.username.text(), self.password.text())

    def _on_change(self, topic: str) -> None:
        if topic in ("login", "phase"):
            self.refresh()
            if self.ctx.presenter.phase is Phase.LOGGED_OUT and topic == "phase":
                self.password.clear()
