"""The new-password page after a login with a temporary password an administrator set."""

from __future__ import annotations

from PyQt6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from agent_console.console_state import Phase
from agent_console.views.card import CARD_MARGIN, centred_card
from agent_console.views.context import ViewContext

CARD_WIDTH = 520
TEXT_WIDTH = CARD_WIDTH - 2 * CARD_MARGIN
FIELD_HEIGHT = 28  # as the login page's fields come out with the stylesheet


class PasswordView(QWidget):
    """Two password fields, what the rule is, and why a try was refused."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("page")
        self.title = QLabel()
        self.title.setObjectName("title")
        self.intro = QLabel()
        self.intro.setObjectName("subtle")
        self.intro.setWordWrap(True)
        self.new = QLineEdit()
        self.again = QLineEdit()
        for field in (self.new, self.again):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setMinimumHeight(FIELD_HEIGHT)
        self.new.returnPressed.connect(self.again.setFocus)
        self.again.returnPressed.connect(self._submit)
        self.new_label, self.again_label = QLabel(), QLabel()
        self.new_label.setBuddy(self.new)
        self.again_label.setBuddy(self.again)
        form = QFormLayout()
        form.addRow(self.new_label, self.new)
        form.addRow(self.again_label, self.again)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.submit = QPushButton()
        self.submit.setObjectName("primary")
        self.submit.setDefault(True)
        self.submit.clicked.connect(self._submit)
        self.cancel = QPushButton()
        self.cancel.clicked.connect(ctx.presenter.cancel_password_change)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel)
        buttons.addStretch(1)
        buttons.addWidget(self.submit)
        centred_card(self, CARD_WIDTH, [self.title, self.intro, form, self.error, buttons])
        ctx.presenter.subscribe(self._on_change)
        self.retranslate()

    def retranslate(self) -> None:
        """Set every text from the current catalogue."""
        t = self.ctx.t
        self.title.setText(t("password.title"))
        self.intro.setText(t("password.intro"))
        # Wrapped labels in a fixed-width card: give them the height their lines need, or the
        # card is laid out for fewer lines and squeezes the fields.
        self.intro.setMinimumHeight(self.intro.heightForWidth(TEXT_WIDTH))
        self.new_label.setText(t("password.new"))
        self.again_label.setText(t("password.again"))
        self.cancel.setText(t("password.cancel"))
        self.refresh()

    def refresh(self) -> None:
        """Show the presenter's state."""
        form = self.ctx.presenter.password
        self.submit.setEnabled(not form.busy)
        self.submit.setText(self.ctx.t("password.busy" if form.busy else "password.submit"))
        self.error.setText(self.ctx.t(form.error) if form.error else "")
        self.error.setMinimumHeight(self.error.heightForWidth(TEXT_WIDTH) if form.error else 0)
        self.error.setVisible(bool(form.error))

    def _submit(self) -> None:
        self.ctx.presenter.change_password(self.new.text(), self.again.text())

    def _on_change(self, topic: str) -> None:
        if topic in ("password", "phase"):
            self.refresh()
            if self.ctx.presenter.phase is not Phase.CHANGE_PASSWORD:
                self.new.clear()
                self.again.clear()
            elif topic == "phase":
                self.new.setFocus()
