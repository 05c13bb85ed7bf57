"""Waiting: place in the queue and an honest estimate, updated live; cancel."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk import booking_wording, wording
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
        self.cancel.clicked.connect(presenter.leave_wait)
        row.addWidget(self.cancel)
        row.addStretch(1)
        self.book = button("secondary")  # a long wait: book a time instead
        self.book.clicked.connect(
            lambda: presenter.offer_booking(presenter.citizen.service_id or "", "long_wait")
        )
        row.addWidget(self.book)
        layout.addLayout(row)

    def refresh(self) -> None:
        p = self.presenter
        self.book.setText(self.tr_("booking.book_instead"))
        self.book.setVisible(p.booking_instead_of_wait())
        if p.citizen.booking.appointment is not None:
            self._refresh_appointment()
            return
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

    def _refresh_appointment(self) -> None:
        """A booked citizen: the time, a countdown, the clerk, and any change of clerk."""
        p = self.presenter
        a = p.citizen.booking.appointment
        assert a is not None
        title, status, clerk = booking_wording.appointment_lines(p, self.catalogue, a)
        self.title.setText(self.hy(title))
        self.service.setText(self.hy(wording.chosen_service_name(p)))
        other = wording.queue_language_line(p, self.catalogue)
        self.queue_language.setText(other)
        self.queue_language.setVisible(bool(other))
        notice = booking_wording.appointment_notice(p, self.catalogue, a)
        self.notice.setText(self.hy(notice))
        self.notice.setVisible(bool(notice))
        self.position.setText(self.hy(status))
        self.estimate.setText(clerk)
        self.hint.setText(self.tr_("waiting.sound_hint"))
        self.cancel.setText(self.tr_("booking.leave"))
