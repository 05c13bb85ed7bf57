"""Document photo: live preview, a countdown, then the still goes to the clerk."""

from __future__ import annotations

from PyQt6.QtWidgets import QHBoxLayout, QVBoxLayout

from client_core.frame_slot import FrameSlot
from client_qt.video_view import VideoView
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.ui import theme
from kiosk.ui.widgets import FlowGrid, ScreenBase, ScrollPage, button, label, restyle


class PhotoScreen(ScreenBase):
    """Shown when the clerk asks for a photo; with large text the instructions get half the
    width and scroll rather than being cut."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue, own: FrameSlot) -> None:
        super().__init__(presenter, catalogue)
        self.outer = QHBoxLayout(self)
        self.outer.setContentsMargins(40, 24, 40, 20)
        self.outer.setSpacing(36)
        self.preview = VideoView(theme.video_style(1.2))
        self.preview.set_slot(own)
        self.outer.addWidget(self.preview, 3)
        side = QVBoxLayout()
        side.setSpacing(16)
        self.title = label("h1")
        self.page = ScrollPage()
        self.page.body.setSpacing(18)
        self.prompt = label("notice")
        self.instructions = label("body")
        self.status = label("big")
        for widget in (self.title, self.prompt, self.instructions, self.status):
            self.page.body.addWidget(widget)
        self.page.body.addStretch(1)
        side.addWidget(self.page, 1)
        side.addWidget(self.page.hint)
        self.take = button("primary")
        self.take.clicked.connect(presenter.take_photo)
        self.cancel = button("secondary")
        self.cancel.clicked.connect(presenter.cancel_photo)
        self.buttons = FlowGrid()
        self.buttons.set_items([self.take, self.cancel])
        side.addWidget(self.buttons)
        self.outer.addLayout(side, 2)

    def refresh(self) -> None:
        p = self.presenter
        large = p.citizen.large_text
        self.preview.style_ = theme.video_style(
            1.2, text_scale=theme.text_scale(large), framed=p.citizen.high_contrast
        )
        self.outer.setStretch(0, 1 if large else 3)
        self.outer.setStretch(1, 1 if large else 2)
        photo = p.citizen.photo
        phase = photo.phase if photo else "ready"
        self.title.setText(self.hy(self.tr_("photo.title")))
        self.prompt.setVisible(bool(photo and photo.prompt))
        self.prompt.setText(self.tr_("photo.prompt", prompt=photo.prompt) if photo else "")
        self.instructions.setText(
            self.hy(
                self.tr_("photo.unavailable" if phase == "unavailable" else "photo.instructions")
            )
        )
        countdown = p.countdown()
        status = {
            "countdown": self.tr_("photo.countdown", seconds=countdown or 1),
            "sending": self.tr_("photo.sending"),
            "sent": self.tr_("photo.sent"),
            "failed": self.tr_("photo.failed"),
        }.get(phase, "")
        restyle(self.status, "big" if phase == "countdown" else "h2")
        self.status.setText(self.hy(status))
        self.status.setVisible(bool(status))
        self.take.setText(self.tr_("photo.take"))
        self.page.hint.setText(self.tr_("common.more_below"))
        self.take.setVisible(phase in ("ready", "failed"))
        self.cancel.setText(self.tr_("common.back" if phase == "sent" else "common.cancel"))
        self.cancel.setVisible(phase not in ("sending",))
        self.preview.set_caption(self.tr_("call.waiting_video"))
        self.buttons.reflow()
