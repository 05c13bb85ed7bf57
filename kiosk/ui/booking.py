"""Booking a time at this kiosk: free times as big buttons, then the code and its QR code to
take away (written down or photographed: the kiosk has no printer and keeps nothing)."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from kiosk import booking_wording
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.ui.qr_image import qr_pixmap
from kiosk.ui.widgets import FlowGrid, ScreenBase, ScrollPage, button, label, restyle

QR_PX = 360
QR_PX_LARGE = 420


class BookingScreen(ScreenBase):
    """Free times of one service, or the booking just made."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__(presenter, catalogue)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(60, 24, 60, 20)
        outer.setSpacing(14)
        self.title = label("h1")
        self.why = label("body")
        self.status = label("h2")
        for widget in (self.title, self.why, self.status):
            outer.addWidget(widget)
        # The free times.
        self.page = ScrollPage()
        self.slots = FlowGrid(spacing=18, max_columns=4)
        self.page.body.addWidget(self.slots)
        self.page.body.addStretch(1)
        outer.addWidget(self.page, 1)
        self.slot_buttons: list[QPushButton] = []
        # The booking made: the QR code beside the code and what to do with it.
        self.made = QWidget()
        made_row = QHBoxLayout(self.made)
        made_row.setContentsMargins(0, 0, 0, 0)
        made_row.setSpacing(40)
        self.qr = label("qr", wrap=False)
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        made_row.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.setSpacing(16)
        self.made_when = label("h2")
        self.code = label("code", wrap=False)
        self.code.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.code.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
        self.keep = label("body")
        self.arrive = label("body")
        for widget in (self.made_when, self.code, self.keep, self.arrive):
            text.addWidget(widget)
        text.addStretch(1)
        made_row.addLayout(text, 1)
        outer.addWidget(self.made, 1)
        row = QHBoxLayout()
        row.addWidget(self.page.hint)
        row.addStretch(1)
        self.back = button("secondary")
        self.back.clicked.connect(presenter.leave_booking)
        row.addWidget(self.back)
        outer.addLayout(row)
        self._qr_text: tuple[str, int] | None = None

    def refresh(self) -> None:
        p = self.presenter
        offer = p.citizen.booking.offer
        self.page.hint.setText(self.tr_("common.more_below"))
        if offer is None:
            return
        made = offer.made
        self.page.setVisible(made is None)
        self.made.setVisible(made is not None)
        self.back.setText(self.tr_("booking.done" if made is not None else "common.back"))
        restyle(self.back, "primary" if made is not None else "secondary")
        if made is not None:
            lines = booking_wording.made_lines(p, self.catalogue, offer)
            self.title.setText(lines[0])
            self.why.setVisible(False)
            self.status.setVisible(False)
            self.made_when.setText(self.hy(lines[1]))
            self.code.setText(lines[2])
            self.keep.setText(self.hy(lines[3]))
            self.arrive.setText(lines[4])
            size = QR_PX_LARGE if p.citizen.large_text else QR_PX
            if self._qr_text != (made.qr_text, size):
                self._qr_text = (made.qr_text, size)
                self.qr.setPixmap(qr_pixmap(made.qr_text, size))
            return
        title, why, status = booking_wording.offer_lines(p, self.catalogue, offer)
        self.title.setText(self.hy(title))
        self.why.setText(self.hy(why))
        self.why.setVisible(True)
        self.status.setText(self.hy(status))
        self.status.setVisible(bool(status))
        shown = offer.slots if offer.phase in ("slots", "failed") else []
        if len(self.slot_buttons) < len(shown):
            while len(self.slot_buttons) < len(shown):
                b = button("secondary")
                b.setProperty("start", 0.0)
                b.clicked.connect(
                    lambda _=False, btn=b: p.choose_slot(float(btn.property("start")))
                )
                self.slot_buttons.append(b)
            # Parent the new buttons before showing them: a parentless button shown is a
            # window of its own, and re-parenting hides it again (the times were missing
            # until a second refresh).
            self.slots.set_items(self.slot_buttons)
        for i, b in enumerate(self.slot_buttons):
            if i < len(shown):
                b.setProperty("start", shown[i].start)
                b.setText(booking_wording.slot_text(p, self.catalogue, shown[i].start))
            b.setVisible(i < len(shown))
        self.slots.reflow()
