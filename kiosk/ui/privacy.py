"""A short privacy notice (what is and is not recorded) with consent."""

from __future__ import annotations

from PyQt6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk import wording
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.ui.widgets import FlowGrid, ScreenBase, ScrollPage, button, label

BULLET = "•  "


class PrivacyScreen(ScreenBase):
    """Five plain sentences and one button to go on; they scroll when the text is large."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__(presenter, catalogue)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(120, 30, 120, 20)
        layout.setSpacing(16)
        self.title = label("h1")
        self.service = label("h2")
        layout.addWidget(self.title)
        layout.addWidget(self.service)
        self.page = ScrollPage()
        self.page.body.setSpacing(18)
        self.intro = label("body")
        self.page.body.addWidget(self.intro)
        self.points = [label("body") for _ in wording.PRIVACY_POINTS]
        for point in self.points:
            self.page.body.addWidget(point)
        self.page.body.addStretch(1)
        layout.addWidget(self.page, 1)
        notes = QHBoxLayout()
        notes.setSpacing(20)
        self.more_time_given = label("body")
        notes.addWidget(self.page.hint)
        notes.addStretch(1)
        notes.addWidget(self.more_time_given)
        layout.addLayout(notes)
        self.back = button("secondary")
        self.back.clicked.connect(presenter.back)
        self.more_time = button("secondary")
        self.more_time.clicked.connect(presenter.request_more_time)
        self.accept = button("primary")
        self.accept.clicked.connect(presenter.accept_privacy)
        self.buttons = FlowGrid(last_right=True)
        self.buttons.set_items([self.back, self.more_time, self.accept])
        layout.addWidget(self.buttons)

    def refresh(self) -> None:
        p = self.presenter
        self.title.setText(self.tr_("privacy.title"))
        self.service.setText(self.hy(wording.chosen_service_name(p)))
        self.intro.setText(self.tr_("privacy.intro"))
        for point, key in zip(self.points, wording.PRIVACY_POINTS, strict=True):
            point.setText(BULLET + self.hy(self.tr_(f"privacy.{key}")))
        self.back.setText(self.tr_("common.back"))
        self.page.hint.setText(self.tr_("common.more_below"))
        self.more_time.setText(self.tr_("more_time.button"))
        self.more_time.setVisible(not p.citizen.more_time)
        self.more_time_given.setText(wording.more_time_line(p, self.catalogue))
        self.more_time_given.setVisible(p.citizen.more_time)
        self.accept.setText(self.tr_("privacy.accept"))
        self.buttons.reflow()
