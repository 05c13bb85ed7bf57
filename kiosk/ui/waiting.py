"""Waiting: place in the queue and an honest estimate, updated live; cancel."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QVBoxLayout

from kiosk import booking_wording, wording
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.ui.widgets import FlowGrid, ScreenBase, button, label


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
        self.ways_hint = label("body")  # a long wait: what the two buttons below are for
        layout.addWidget(self.ways_hint)
        self.cancel = button("secondary")
        self.cancel.clicked.connect(presenter.leave_wait)
        # A long wait: a time booked here or a call back instead (issue 14), in the words of
        # the closed service's choice screen; the place in the queue is kept until one of
        # them is touched.
        self.book = button("secondary")
        self.book.clicked.connect(lambda: presenter.book_instead("long_wait"))
        self.callback = button("secondary")
        self.callback.clicked.connect(lambda: presenter.call_back_instead("long_wait"))
        # The two ways under the line that says what they are for; leaving stays apart, at
        # the right end (alone, it keeps its usual place on the left).
        self.buttons = FlowGrid(last_right=True)
        self.buttons.set_items([self.book, self.callback, self.cancel])
        layout.addWidget(self.buttons)

    def refresh(self) -> None:
        p = self.presenter
        for way, key in ((self.book, "other_ways.book"), (self.callback, "other_ways.callback")):
            way.setText(self.tr_(key))
            way.setVisible(p.long_wait())
        self.ways_hint.setText(self.hy(self.tr_("waiting.other_ways")))
        self.ways_hint.setVisible(p.long_wait())
        self.buttons.last_right = p.long_wait()  # alone, leaving keeps its size and place
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
        self.buttons.reflow()

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
        self.buttons.reflow()
