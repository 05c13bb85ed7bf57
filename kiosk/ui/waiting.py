"""Waiting: place in the queue and an honest estimate, updated live; cancel."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk import wording
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.ui.widgets import ScreenBase, button, label


class WaitingScreen(ScreenBase):
    """Shows the queue position pushed by the server."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__(presenter, catalogue)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 30, 80, 20)
        layout.setSpacing(16)
        self.title = label("h1")
        self.service = label("h2")
        self.queue_language = label("notice")
        self.notice = label("notice")
        self.position = label("big")
        self.estimate = label("h2")
        self.hint = label("body")
        for widget in (self.title, self.service, self.queue_language, self.notice):
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
        self.callback = button("secondary")  # issue 14: a long wait offers a call back
        self.callback.clicked.connect(lambda: presenter.offer_callback("long_wait"))
        row.addWidget(self.callback)
        layout.addLayout(row)

    def refresh(self) -> None:
        p = self.presenter
        self.title.setText(self.tr_("waiting.title"))
        self.service.setText(self.hy(wording.chosen_service_name(p)))
        other = wording.queue_language_line(p, self.catalogue)
        self.queue_language.setText(other)
        self.queue_language.setVisible(bool(other))
        notice = p.waiting_notice_key
        self.notice.setVisible(notice is not None)
        self.notice.setText(self.tr_(notice) if notice is not None else "")
        position, estimate = wording.waiting_lines(p, self.catalogue)
        self.position.setText(position)
        self.estimate.setText(estimate)
        self.hint.setText(self.tr_("waiting.sound_hint"))
        self.cancel.setText(self.tr_("waiting.cancel"))
        self.callback.setText(self.tr_("callback.instead"))
        self.callback.setVisible(p.long_wait())
