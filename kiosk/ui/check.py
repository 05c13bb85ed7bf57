"""Device check before queueing: own picture, a microphone level, a test sound, and any
failing device named in plain words with what to do instead."""

from __future__ import annotations

from PyQt6.QtCore import QRectF
from PyQt6.QtGui import QColor, QPainter, QPaintEvent
from PyQt6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from client_core.frame_slot import FrameSlot
from client_qt.video_view import VideoView
from kiosk import wording
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.ui import theme
from kiosk.ui.widgets import ScreenBase, ScrollPage, button, label
from wire.types import DeviceStatus


class LevelMeter(QWidget):
    """A horizontal bar that grows with the microphone level."""

    def __init__(self) -> None:
        super().__init__()
        self.level = 0.0
        self.colours = (theme.NORMAL.meter, theme.NORMAL.meter_bg, theme.NORMAL.ink)
        self.setMinimumHeight(48)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_level(self, level: float, palette: theme.Palette) -> None:
        """Show ``level`` (0 to 1) in ``palette``'s colours."""
        self.level = level
        self.colours = (palette.meter, palette.meter_bg, palette.ink)
        self.update()

    def paintEvent(self, event: QPaintEvent | None) -> None:
        fill, empty, edge = (QColor(c) for c in self.colours)
        painter = QPainter(self)
        box = QRectF(self.rect()).adjusted(1.5, 1.5, -1.5, -1.5)
        painter.fillRect(box, empty)
        painter.fillRect(QRectF(box.x(), box.y(), box.width() * self.level, box.height()), fill)
        painter.setPen(edge)
        painter.drawRect(box)
        painter.end()


class DeviceCheckScreen(ScreenBase):
    """The self view on the left, the checks on the right, "join the queue" below."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue, own: FrameSlot) -> None:
        super().__init__(presenter, catalogue)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 24, 40, 20)
        outer.setSpacing(16)
        self.title = label("h1")
        outer.addWidget(self.title)
        middle = QHBoxLayout()
        middle.setSpacing(36)
        self.self_view = VideoView(theme.video_style(1.0, label_below=True))
        self.self_view.set_slot(own)
        middle.addWidget(self.self_view, 5)
        self.page = ScrollPage()
        self.page.body.setSpacing(14)
        self.seen = label("body")
        self.speak = label("body")
        self.meter = LevelMeter()
        self.heard_mic = label("h2")
        self.play = button("secondary")
        self.play.clicked.connect(presenter.play_test_sound)
        self.question = label("h2")
        answers = QHBoxLayout()
        answers.setSpacing(16)
        self.yes = button("secondary")
        self.yes.clicked.connect(lambda: presenter.heard_test_sound(True))
        self.no = button("secondary")
        self.no.clicked.connect(lambda: presenter.heard_test_sound(False))
        answers.addWidget(self.yes)
        answers.addWidget(self.no)
        answers.addStretch(1)
        self.result = label("body")
        self.problems = [label("notice") for _ in range(4)]
        # What is wrong comes first (visible without scrolling), then the checks.
        self.page.body.addWidget(self.seen)
        for problem in self.problems:
            self.page.body.addWidget(problem)
        for widget in (self.speak, self.meter, self.heard_mic, self.play, self.question):
            self.page.body.addWidget(widget)
        self.page.body.addLayout(answers)
        self.page.body.addWidget(self.result)
        self.page.body.addStretch(1)
        column = QVBoxLayout()
        column.addWidget(self.page, 1)
        column.addWidget(self.page.hint)
        middle.addLayout(column, 6)
        outer.addLayout(middle, 1)
        row = QHBoxLayout()
        self.back = button("secondary")
        self.back.clicked.connect(presenter.back)
        self.join = button("primary")
        self.join.clicked.connect(presenter.join_queue)
        row.addWidget(self.back)
        row.addStretch(1)
        row.addWidget(self.join)
        outer.addLayout(row)

    def refresh(self) -> None:
        p, check = self.presenter, self.presenter.citizen.check
        palette = theme.palette(p.citizen.high_contrast)
        scale = theme.text_scale(p.citizen.large_text)
        self.self_view.style_ = theme.video_style(
            1.0, text_scale=scale, label_below=True, framed=p.citizen.high_contrast
        )
        self.title.setText(self.tr_("check.title"))
        self.self_view.corner_label = self.tr_("call.self_view")
        camera_ok = p.devices.camera == DeviceStatus.OK
        self.self_view.set_placeholder("" if camera_ok else self.tr_("video.camera_broken"))
        self.self_view.set_caption(self.tr_("call.waiting_video"))
        self.seen.setText(self.tr_("check.self_view"))
        mic_ok = p.devices.microphone == DeviceStatus.OK
        self.speak.setText(self.tr_("check.microphone"))
        for widget in (self.speak, self.meter):
            widget.setVisible(mic_ok)
        self.meter.set_level(check.microphone_level, palette)
        self.heard_mic.setText(self.tr_("check.microphone_ok"))
        self.heard_mic.setVisible(mic_ok and p.microphone_heard())
        speaker_ok = p.devices.speaker == DeviceStatus.OK
        self.play.setText(self.tr_("check.play_sound"))
        self.play.setVisible(speaker_ok)
        asked = speaker_ok and check.test_sound_played
        self.question.setText(self.tr_("check.heard_question"))
        self.yes.setText(self.tr_("check.yes"))
        self.no.setText(self.tr_("check.no"))
        for answer in (self.question, self.yes, self.no):
            answer.setVisible(asked and check.heard is None)
        self.result.setText(self.tr_("check.heard"))
        self.result.setVisible(check.heard is True)
        lines = wording.check_lines(p, self.catalogue)
        for i, problem in enumerate(self.problems):
            problem.setText(self.hy(lines[i]) if i < len(lines) else "")
            problem.setVisible(i < len(lines))
        self.back.setText(self.tr_("common.back"))
        self.page.hint.setText(self.tr_("common.more_below"))
        self.join.setText(self.tr_("booking.continue" if p.checking_in() else "check.join"))
