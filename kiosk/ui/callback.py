"""Call me back (issue 14): the number on a big keypad, what happens to it, and the promise.

The request screen keeps the reading on the left (why, the offer, what the number is used for
and when it is deleted; it scrolls with large text) and the typing on the right (the number as
typed, a 3×4 keypad with delete and space), so neither hides the other. Sending is agreeing:
the button says so, and the text above it too.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk import callback_wording
from kiosk.callback_flow import KEYPAD
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.ui.widgets import FlowGrid, ScreenBase, ScrollPage, button, label, restyle

BULLET = "•  "


class CallbackScreen(ScreenBase):
    """Type a number, read the consent, agree and send."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__(presenter, catalogue)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(60, 24, 60, 20)
        layout.setSpacing(14)
        self.title = label("h1")
        layout.addWidget(self.title)
        columns = QHBoxLayout()
        columns.setSpacing(40)
        self.page = ScrollPage()
        self.page.body.setSpacing(16)
        # An error heads the reading column, beside the number: the keypad keeps its height.
        self.error = label("notice")
        self.page.body.addWidget(self.error)
        self.reason = label("h2")
        self.offer = label("body")
        self.hint = label("body")
        self.consent_title = label("h2")
        self.consent = [label("body") for _ in range(3)]
        for widget in (self.reason, self.offer, self.consent_title, *self.consent, self.hint):
            self.page.body.addWidget(widget)
        self.page.body.addStretch(1)
        columns.addWidget(self.page, 1)
        typing = QWidget()
        right = QVBoxLayout(typing)
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(10)
        self.number_label = label("h2")
        right.addWidget(self.number_label)
        self.number = label("phone")
        self.number.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        right.addWidget(self.number)
        # A phone's 3×4 keypad, with delete and space as tall keys on the right.
        grid = QGridLayout()
        grid.setSpacing(8)
        self.keys: list[QPushButton] = []
        places = {"+": (3, 0, 1, 1), "0": (3, 1, 1, 2), " ": (2, 3, 2, 1)}
        for i, char in enumerate(KEYPAD):
            key = button("keypad")
            key.setText(char if char != " " else "")
            key.clicked.connect(lambda _=False, c=char: presenter.callback_key(c))
            grid.addWidget(key, *places.get(char, (i // 3, i % 3, 1, 1)))
            self.keys.append(key)
        self.space = self.keys[KEYPAD.index(" ")]
        self.delete = button("keypad")
        self.delete.clicked.connect(presenter.callback_delete)
        grid.addWidget(self.delete, 0, 3, 2, 1)
        for key in (*self.keys, self.delete):
            key.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        for row in range(4):
            grid.setRowStretch(row, 1)
        right.addLayout(grid)
        right.addStretch(1)
        columns.addWidget(typing, 1)
        layout.addLayout(columns, 1)
        self.back = button("secondary")
        self.back.clicked.connect(presenter.callback_back)
        self.send = button("primary")
        self.send.clicked.connect(presenter.send_callback)
        # "More below" sits among the buttons: the keypad needs the height.
        self.buttons = FlowGrid(last_right=True)
        self.buttons.set_items([self.back, self.page.hint, self.send])
        layout.addWidget(self.buttons)

    def refresh(self) -> None:
        p, cat = self.presenter, self.catalogue
        form = p.citizen.callback
        title, reason, offer = callback_wording.request_lines(p, cat)
        self.title.setText(self.hy(title))
        self.reason.setText(self.hy(reason))
        self.offer.setText(self.hy(offer))
        self.consent_title.setText(self.hy(self.tr_("callback.consent_title")))
        for widget, line in zip(self.consent, callback_wording.consent_lines(p, cat),
                                strict=True):
            widget.setText(BULLET + self.hy(line))
        self.number_label.setText(self.tr_("callback.number_label"))
        typed = form.typed if form is not None else ""
        if typed:
            self.number.setText(typed)
            restyle(self.number, "phone")
        else:
            self.number.setText(self.tr_("callback.number_empty"))
            restyle(self.number, "phone_empty")
        error = callback_wording.error_line(p, cat)
        self.error.setText(self.hy(error))
        self.error.setVisible(bool(error))
        self.hint.setText(self.hy(self.tr_("callback.number_hint")))
        self.space.setText(self.tr_("callback.space"))
        self.delete.setText("⌫ " + self.tr_("callback.delete"))
        sending = form is not None and form.sending
        self.send.setText(self.tr_("callback.sending" if sending else "callback.send"))
        self.send.setEnabled(form is not None and bool(typed.strip()) and not sending)
        self.back.setText(self.tr_("callback.back"))
        self.page.hint.setText(self.tr_("common.more_below"))
        self.buttons.reflow()


class CallbackDoneScreen(ScreenBase):
    """The promise: who calls, on which day and by what time, in which language."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__(presenter, catalogue)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(120, 40, 120, 20)
        layout.setSpacing(20)
        self.title = label("h1")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title)
        self.page = ScrollPage()
        self.page.body.setSpacing(20)
        self.when = label("h1")
        self.lines = [label("h2"), label("body"), label("body")]
        for widget in (self.when, *self.lines):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.page.body.addWidget(widget)
        self.page.body.addStretch(1)
        layout.addWidget(self.page, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.page.hint)
        bottom.addStretch(1)
        self.done = button("primary")
        self.done.clicked.connect(presenter.callback_finish)
        bottom.addWidget(self.done)
        layout.addLayout(bottom)

    def refresh(self) -> None:
        lines = callback_wording.done_lines(self.presenter, self.catalogue)
        self.title.setText(self.hy(lines[0]))
        rest = lines[1:] + [""] * (1 + len(self.lines) - len(lines[1:]))
        self.when.setText(self.hy(rest[0]))
        for widget, text in zip(self.lines, rest[1:], strict=False):
            widget.setText(self.hy(text))
            widget.setVisible(bool(text))
        self.done.setText(self.tr_("callback.done_finish"))
        self.page.hint.setText(self.tr_("common.more_below"))
