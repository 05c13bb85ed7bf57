"""In call: the clerk large, the citizen small, big controls, chat and plain quality."""

from __future__ import annotations

import html

from PyQt6.QtGui import QResizeEvent
from PyQt6.QtWidgets import QHBoxLayout, QLineEdit, QTextBrowser, QVBoxLayout, QWidget

from client_core.frame_slot import FrameSlot
from client_qt.video_view import VideoView
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.ui import theme
from kiosk.ui.keyboard import OnScreenKeyboard
from kiosk.ui.widgets import ScreenBase, button, label
from wire.types import DeviceStatus


class RemoteVideo(VideoView):
    """The clerk's picture with the citizen's own picture in a corner."""

    def __init__(self) -> None:
        super().__init__(theme.video_style(1.3))
        self.self_view = VideoView(theme.video_style(0.8))
        self.self_view.setParent(self)

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        h = max(90, min(self.width() // 4 * 3 // 4, self.height() * 35 // 100))
        w = h * 4 // 3
        self.self_view.setGeometry(self.width() - w - 16, self.height() - h - 16, w, h)
        super().resizeEvent(event)


class CallScreen(ScreenBase):
    """The call; every control is a big button."""

    def __init__(
        self, presenter: KioskPresenter, catalogue: Catalogue, remote: FrameSlot, own: FrameSlot
    ) -> None:
        super().__init__(presenter, catalogue)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 20)
        outer.setSpacing(24)

        left = QVBoxLayout()
        left.setSpacing(14)
        self.video = RemoteVideo()
        self.video.set_slot(remote)
        self.video.self_view.set_slot(own)
        left.addWidget(self.video, 1)
        self.entry = QLineEdit()
        self.entry.setMaxLength(1000)
        self.entry.returnPressed.connect(self._send)
        left.addWidget(self.entry)
        self.keyboard = OnScreenKeyboard()
        self.keyboard.typed.connect(self.entry.insert)
        self.keyboard.backspace.connect(self.entry.backspace)
        self.keyboard.send.connect(self._send)
        left.addWidget(self.keyboard)
        controls = QHBoxLayout()
        controls.setSpacing(14)
        self.mute = button("secondary")
        self.mute.clicked.connect(presenter.toggle_mute)
        self.camera = button("secondary")
        self.camera.clicked.connect(presenter.toggle_camera)
        self.quieter = button("secondary")
        self.quieter.clicked.connect(lambda: presenter.change_volume(-1))
        self.volume = label("body", wrap=False)
        self.louder = button("secondary")
        self.louder.clicked.connect(lambda: presenter.change_volume(+1))
        self.end = button("danger")
        self.end.clicked.connect(presenter.end_call)
        controls.addWidget(self.mute)
        controls.addWidget(self.camera)
        controls.addStretch(1)
        controls.addWidget(self.end)
        left.addLayout(controls)
        outer.addLayout(left, 3)

        panel = QWidget()
        panel.setObjectName("panel")
        panel.setMinimumWidth(600)
        panel.setMaximumWidth(720)
        right = QVBoxLayout(panel)
        right.setContentsMargins(22, 22, 22, 22)
        right.setSpacing(14)
        self.clerk = label("h2")
        self.quality = label("quality_unknown")
        self.notices = [label("notice") for _ in range(3)]
        self.chat_title = label("h2")
        self.history = QTextBrowser()
        self.history.setOpenLinks(False)
        self.chat_button = button("primary")
        self.chat_button.clicked.connect(presenter.toggle_chat)
        for widget in (self.clerk, self.quality, *self.notices, self.volume):
            right.addWidget(widget)
        volume_row = QHBoxLayout()
        volume_row.addWidget(self.quieter)
        volume_row.addWidget(self.louder)
        right.addLayout(volume_row)
        right.addWidget(self.chat_title)
        right.addWidget(self.history, 1)
        right.addWidget(self.chat_button)
        outer.addWidget(panel, 1)
        self._chat_shown: list[tuple[bool, str]] | None = None

    def _send(self) -> None:
        text = self.entry.text()
        self.entry.clear()
        self.presenter.send_chat(text)

    def refresh(self) -> None:
        p, c = self.presenter, self.presenter.citizen
        self.clerk.setText(self.tr_("call.clerk", name=c.clerk_name) if c.clerk_name else "")
        grade = c.quality if c.quality in ("good", "fair", "poor") else "unknown"
        self.quality.setObjectName(f"quality_{grade}")
        self.quality.setText(self.tr_(f"call.quality_{grade}"))
        self.quality.style().unpolish(self.quality)  # type: ignore[union-attr]
        self.quality.style().polish(self.quality)  # type: ignore[union-attr]
        notices = []
        if p.devices.camera != DeviceStatus.OK:
            notices.append(self.tr_("call.camera_broken"))
        elif c.camera_off:
            notices.append(self.tr_("call.camera_off_notice"))
        if p.devices.microphone != DeviceStatus.OK:
            notices.append(self.tr_("call.microphone_broken"))
        elif c.muted:
            notices.append(self.tr_("call.muted_notice"))
        if c.clerk_away:
            notices.append(self.tr_("call.clerk_away"))
        for i, notice in enumerate(self.notices):
            notice.setVisible(i < len(notices))
            notice.setText(notices[i] if i < len(notices) else "")
        self.mute.setText(self.tr_("call.unmute" if c.muted else "call.mute"))
        self.camera.setText(self.tr_("call.camera_on" if c.camera_off else "call.camera_off"))
        self.camera.setEnabled(p.devices.camera == DeviceStatus.OK)
        self.mute.setEnabled(p.devices.microphone == DeviceStatus.OK)
        self.quieter.setText(self.tr_("call.volume_down"))
        self.louder.setText(self.tr_("call.volume_up"))
        self.volume.setText(self.tr_("call.volume", level=c.volume))
        self.end.setText(self.tr_("call.end"))
        self.chat_title.setText(self.tr_("call.chat_title"))
        self.chat_button.setText(self.tr_("keyboard.hide" if c.chat_open else "call.chat"))
        self.entry.setVisible(c.chat_open)
        self.keyboard.setVisible(c.chat_open)
        self.entry.setPlaceholderText(self.tr_("call.chat_placeholder"))
        if not c.chat_open or not p.in_call:
            self.entry.clear()
        self.keyboard.retranslate(
            self.tr_("keyboard.space"), self.tr_("keyboard.backspace"), self.tr_("call.send")
        )
        self.video.set_caption(self.tr_("call.waiting_video"))
        self.video.self_view.corner_label = self.tr_("call.self_view")
        self._render_chat()

    def _render_chat(self) -> None:
        c = self.presenter.citizen
        lines = [(line.mine, line.text) for line in c.chat]
        if lines == self._chat_shown:
            return
        self._chat_shown = lines
        if not lines:
            self.history.setHtml(
                f"<p style='color:{theme.MUTED_INK}'>{html.escape(self.tr_('call.chat_empty'))}</p>"
            )
            return
        parts = []
        for mine, text in lines:
            who = self.tr_("call.you" if mine else "call.clerk_short")
            bg = theme.PAIRS["chat mine" if mine else "chat theirs"][1]
            parts.append(
                f"<p style='background:{bg}; margin:6px'><b>{html.escape(who)}:</b> "
                f"{html.escape(text)}</p>"
            )
        self.history.setHtml("".join(parts))
        bar = self.history.verticalScrollBar()
        if bar is not None:
            bar.setValue(bar.maximum())

    def set_language_changed(self) -> None:
        """Force the chat to re-render (speaker names are translated)."""
        self._chat_shown = None
