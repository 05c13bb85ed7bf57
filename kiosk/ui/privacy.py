"""A short privacy notice (what is and is not recorded) with consent."""

from __future__ import annotations

from PyQt6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.ui.widgets import ScreenBase, button, label

POINTS = ("point_video", "point_photos", "point_chat", "point_kept", "point_clerk")
BULLET = "•  "


class PrivacyScreen(ScreenBase):
    """Five plain sentences and one button to go on."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__(presenter, catalogue)
        layout = QVBoxLayout(self)
        # Tight vertical margins: in large text the five points need nearly the whole screen,
        # and a squeezed label loses its first and last lines (tests/kiosk/test_screens.py).
        layout.setContentsMargins(120, 24, 120, 24)
        layout.setSpacing(14)
        self.title = label("h1")
        self.service = label("h2")
        self.intro = label("body")
        layout.addWidget(self.title)
        layout.addWidget(self.service)
        layout.addWidget(self.intro)
        self.points = [label("body") for _ in POINTS]
        for point in self.points:
            layout.addWidget(point)
        layout.addStretch(1)
        row = QHBoxLayout()
        self.back = button("secondary")
        self.back.clicked.connect(presenter.back)
        self.accept = button("primary")
        self.accept.clicked.connect(presenter.accept_privacy)
        row.addWidget(self.back)
        row.addStretch(1)
        row.addWidget(self.accept)
        layout.addLayout(row)

    def refresh(self) -> None:
        p = self.presenter
        info = p.service(p.citizen.service_id)
        self.title.setText(self.tr_("privacy.title"))
        self.service.setText(getattr(info.names, p.language) if info else "")
        self.intro.setText(self.tr_("privacy.intro"))
        for point, key in zip(self.points, POINTS, strict=True):
            point.setText(BULLET + self.tr_(f"privacy.{key}"))
        self.back.setText(self.tr_("common.back"))
        self.accept.setText(self.tr_("privacy.accept"))
