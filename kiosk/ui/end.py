"""End: thanks, what was deleted, a 1–5 rating, then back to welcome."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout

from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.ui.widgets import ScreenBase, ScrollPage, button, label


class EndScreen(ScreenBase):
    """After the call; the explanations scroll when the text is large, the rating stays."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__(presenter, catalogue)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(100, 30, 100, 20)
        layout.setSpacing(16)
        self.title = label("h1")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title)
        self.page = ScrollPage()
        self.page.body.setSpacing(16)
        self.ended = label("h2")
        self.wiped = label("body")
        for widget in (self.ended, self.wiped):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.page.body.addWidget(widget)
        self.page.body.addStretch(1)
        layout.addWidget(self.page, 1)
        self.rate = label("body")
        self.rate.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.rate)
        row = QHBoxLayout()
        row.setSpacing(28)
        row.addStretch(1)
        self.stars: list[QPushButton] = []
        for value in range(1, 6):
            star = button("rating")
            star.setCheckable(True)
            star.setText(str(value))
            star.clicked.connect(lambda _=False, v=value: presenter.rate(v))
            self.stars.append(star)
            row.addWidget(star)
        row.addStretch(1)
        layout.addLayout(row)
        self.thanks = label("h2")
        self.thanks.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.thanks)
        bottom = QHBoxLayout()
        bottom.addWidget(self.page.hint)
        bottom.addStretch(1)
        self.done = button("primary")
        self.done.clicked.connect(presenter.finish)
        bottom.addWidget(self.done)
        layout.addLayout(bottom)

    def refresh(self) -> None:
        c = self.presenter.citizen
        self.title.setText(self.tr_("end.title"))
        self.ended.setText(self.tr_(self.presenter.end_message_key))
        self.wiped.setText(self.tr_("end.wiped"))
        self.rate.setText(self.tr_("end.rate"))
        for value, star in enumerate(self.stars, start=1):
            star.setChecked(c.rating == value)
            star.setEnabled(c.rating is None or c.rating == value)
        self.thanks.setText(self.tr_("end.rating_thanks") if c.rating is not None else "")
        self.thanks.setVisible(c.rating is not None)
        self.done.setText(self.tr_("end.done"))
        self.page.hint.setText(self.tr_("common.more_below"))
