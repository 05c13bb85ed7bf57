"""Waiting: place in the queue and an honest estimate, updated live; cancel."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.ui.widgets import ScreenBase, button, label

SHORT_WAIT_S = 60.0


class WaitingScreen(ScreenBase):
    """Shows the queue position pushed by the server."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__(presenter, catalogue)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(120, 60, 120, 60)
        layout.setSpacing(26)
        self.title = label("h1")
        self.service = label("h2")
        self.notice = label("notice")
        self.position = label("big")
        self.estimate = label("h2")
        self.hint = label("body")
        for widget in (self.title, self.service, self.notice):
            layout.addWidget(widget)
        layout.addStretch(1)
        for widget in (self.position, self.estimate, self.hint):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(widget)
        layout.addStretch(2)
        row = QHBoxLayout()
        self.cancel = button("secondary")
        self.cancel.clicked.connect(presenter.cancel_wait)
        row.addWidget(self.cancel)
        row.addStretch(1)
        layout.addLayout(row)

    def refresh(self) -> None:
        p, c = self.presenter, self.presenter.citizen
        info = p.service(c.service_id)
        self.title.setText(self.tr_("waiting.title"))
        self.service.setText(getattr(info.names, p.language) if info else "")
        notice = p.waiting_notice_key
        self.notice.setVisible(notice is not None)
        self.notice.setText(self.tr_(notice) if notice is not None else "")
        if c.position is None:
            self.position.setText(self.tr_("waiting.joining"))
            self.estimate.setText("")
        else:
            key = "waiting.position_first" if c.position == 1 else "waiting.position"
            self.position.setText(self.tr_(key, position=c.position))
            wait = c.estimated_wait_s
            if wait is None:
                self.estimate.setText(self.tr_("waiting.estimate_unknown"))
            elif wait < SHORT_WAIT_S:
                self.estimate.setText(self.tr_("waiting.estimate_short"))
            else:
                minutes = self.catalogue.minutes(wait)
                self.estimate.setText(self.tr_("waiting.estimate", minutes=minutes))
        self.hint.setText(self.tr_("waiting.sound_hint"))
        self.cancel.setText(self.tr_("waiting.cancel"))
