"""Document photo: live preview, a countdown, then the still goes to the clerk."""

from __future__ import annotations

from PyQt6.QtWidgets import QHBoxLayout, QVBoxLayout

from client_core.frame_slot import FrameSlot
from client_qt.video_view import VideoView
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.ui import theme
from kiosk.ui.widgets import ScreenBase, button, label


class PhotoScreen(ScreenBase):
    """Shown when the clerk asks for a photo."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue, own: FrameSlot) -> None:
        super().__init__(presenter, catalogue)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(40, 30, 40, 30)
        outer.setSpacing(36)
        self.preview = VideoView(theme.video_style(1.2))
        self.preview.set_slot(own)
        outer.addWidget(self.preview, 3)
        side = QVBoxLayout()
        side.setSpacing(22)
        self.title = label("h1")
        self.prompt = label("notice")
        self.instructions = label("body")
        self.status = label("big")
        for widget in (self.title, self.prompt, self.instructions, self.status):
            side.addWidget(widget)
        side.addStretch(1)
        self.take = button("primary")
        self.take.clicked.connect(presenter.take_photo)
        self.cancel = button("secondary")
        self.cancel.clicked.connect(presenter.cancel_photo)
        side.addWidget(self.take)
        side.addWidget(self.cancel)
        outer.addLayout(side, 2)

    def refresh(self) -> None:
        p = self.presenter
        photo = p.citizen.photo
        phase = photo.phase if photo else "ready"
        self.title.setText(self.tr_("photo.title"))
        self.prompt.setVisible(bool(photo and photo.prompt))
        self.prompt.setText(self.tr_("photo.prompt", prompt=photo.prompt) if photo else "")
        self.instructions.setText(
            self.tr_("photo.unavailable" if phase == "unavailable" else "photo.instructions")
        )
        countdown = p.countdown()
        status = {
            "countdown": self.tr_("photo.countdown", seconds=countdown or 1),
            "sending": self.tr_("photo.sending"),
            "sent": self.tr_("photo.sent"),
            "failed": self.tr_("photo.failed"),
        }.get(phase, "")
        self.status.setObjectName("big" if phase == "countdown" else "h2")
        self.status.style().unpolish(self.status)  # type: ignore[union-attr]
        self.status.style().polish(self.status)  # type: ignore[union-attr]
        self.status.setText(status)
        self.take.setText(self.tr_("photo.take"))
        self.take.setVisible(phase in ("ready", "failed"))
        self.cancel.setText(self.tr_("common.back" if phase == "sent" else "common.cancel"))
        self.cancel.setVisible(phase not in ("sending",))
        self.preview.set_caption(self.tr_("call.waiting_video"))
