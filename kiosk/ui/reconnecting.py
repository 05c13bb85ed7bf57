"""Reconnecting: the connection dropped; the citizen keeps their place meanwhile."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.ui.widgets import ScreenBase, button, label


class ReconnectingScreen(ScreenBase):
    """Shown over waiting or a call while the link is being rebuilt."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__(presenter, catalogue)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(120, 80, 120, 60)
        layout.setSpacing(30)
        self.title = label("h1")
        self.body = label("h2")
        for widget in (self.title, self.body):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
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
        self.give_up.setText(self.tr_("reconnecting.give_up"))
