"""Reconnecting: the connection dropped; the citizen keeps their place and sees progress."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk import wording
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.ui.widgets import ScreenBase, button, label


class ReconnectingScreen(ScreenBase):
    """Shown over waiting or a call while the link is being rebuilt.  After a while the
    presenter asks whether to keep waiting; it never starts over silently."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__(presenter, catalogue)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(120, 40, 120, 30)
        layout.setSpacing(24)
        self.title = label("h1")
        self.body = label("h2")
        self.steps = [label("body") for _ in range(3)]
        for widget in (self.title, self.body, *self.steps):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addSpacing(10)
        for step in self.steps:
            layout.addWidget(step)
        layout.addStretch(2)
        row = QHBoxLayout()
        self.give_up = button("secondary")
        self.give_up.clicked.connect(presenter.give_up)
        row.addStretch(1)
        row.addWidget(self.give_up)
        row.addStretch(1)
        layout.addLayout(row)

    def refresh(self) -> None:
        self.title.setText(self.tr_("reconnecting.title"))
        self.body.setText(self.tr_("reconnecting.body"))
        lines = wording.reconnect_lines(self.presenter, self.catalogue)
        for i, step in enumerate(self.steps):
            step.setText(lines[i] if i < len(lines) else "")
            step.setVisible(i < len(lines))
        self.give_up.setText(self.tr_("reconnecting.give_up"))
