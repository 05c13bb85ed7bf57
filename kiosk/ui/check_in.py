"""Check-in for an appointment: the code typed on a keyboard of the code's characters, or its
QR code held up to the camera (the camera's picture shows where to hold it)."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QHBoxLayout, QVBoxLayout

from client_core.frame_slot import FrameSlot
from client_qt.video_view import VideoView
from kiosk import booking_wording
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.ui import theme
from kiosk.ui.keyboard import CODE_ROWS, OnScreenKeyboard
from kiosk.ui.widgets import ScreenBase, button, label, restyle
from wire.types import DeviceStatus


class CheckInScreen(ScreenBase):
    """The code and its keyboard on the left; the camera, for the QR code, on the right."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue, own: FrameSlot) -> None:
        super().__init__(presenter, catalogue)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 20, 40, 16)
        outer.setSpacing(12)
        self.title = label("h1")
        self.hint = label("body")
        outer.addWidget(self.title)
        outer.addWidget(self.hint)
        middle = QHBoxLayout()
        middle.setSpacing(36)
        left = QVBoxLayout()
        left.setSpacing(12)
        code_row = QHBoxLayout()
        code_row.setSpacing(20)
        self.code_label = label("h2", wrap=False)
        self.code = label("code", wrap=False)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        code_row.addWidget(self.code_label)
        code_row.addWidget(self.code, 1)
        left.addLayout(code_row)
        left.addStretch(1)
        self.keyboard = OnScreenKeyboard(CODE_ROWS, space=False, key_style="code_key")
        self.keyboard.typed.connect(presenter.type_code)
        self.keyboard.backspace.connect(presenter.delete_code_char)
        self.keyboard.send.connect(presenter.submit_code)
        for key in (self.keyboard.delete, self.keyboard.send_button):
            key.setMinimumHeight(theme.BUTTON_HEIGHT_PX)
        left.addWidget(self.keyboard)
        middle.addLayout(left, 11)
        right = QVBoxLayout()
        right.setSpacing(12)
        self.camera = VideoView(theme.video_style(1.0, label_below=True))
        self.camera.set_slot(own)
        right.addWidget(self.camera, 1)
        # Beside the keys, not above them: with large text a refusal takes four lines.
        self.status = label("notice")
        right.addWidget(self.status)
        self.back = button("secondary")
        self.back.clicked.connect(presenter.leave_check_in)
        back_row = QHBoxLayout()
        back_row.addStretch(1)
        back_row.addWidget(self.back)
        right.addLayout(back_row)
        middle.addLayout(right, 8)
        outer.addLayout(middle, 1)

    def refresh(self) -> None:
        p = self.presenter
        check = p.citizen.booking.check_in
        self.title.setText(self.tr_("booking.check_in_title"))
        self.hint.setText(self.tr_("booking.check_in_hint"))
        self.code_label.setText(self.tr_("booking.code_label"))
        self.keyboard.retranslate("", self.tr_("keyboard.backspace"), self.tr_("booking.ok"))
        self.back.setText(self.tr_("common.back"))
        scale = theme.text_scale(p.citizen.large_text)
        self.camera.style_ = theme.video_style(
            1.0, text_scale=scale, label_below=True, framed=p.citizen.high_contrast
        )
        self.camera.corner_label = self.tr_("booking.camera_hint")
        camera_ok = p.devices.camera == DeviceStatus.OK
        self.camera.setVisible(camera_ok)
        self.camera.set_caption(self.tr_("call.waiting_video"))
        if check is None:
            return
        self.code.setText(booking_wording.typed_code(check))
        status = booking_wording.check_in_status(p, self.catalogue, check)
        self.status.setText(self.hy(status))
        self.status.setVisible(bool(status))
        restyle(self.status, "notice" if check.phase == "refused" else "h2")
        # Keys stay live while checking (the presenter ignores them): a flicker of greyed
        # keys would only confuse; "check in" waits for a whole code and for the answer.
        self.keyboard.send_button.setEnabled(check.phase != "checking" and p.code_complete())
