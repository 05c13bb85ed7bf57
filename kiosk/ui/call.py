"""In call: the clerk large, the citizen small, big controls, chat and plain quality.

In a call of three or four the pictures are tiles (:mod:`kiosk.ui.members`): the
interpreter's (else the clerk's) large, the others and the citizen's own small, each with
role and name underneath, and a banner across the screen while a supervisor is in the call
saying what they do.

The on-screen keyboard opens in the side panel beside the video, never under it: the
clerk's picture keeps its size while the citizen types (lip-reading goes on).  The self
view's label sits under the citizen's own picture, not over it, and a camera that is off or
broken shows a placeholder there, not the live picture.
"""

from __future__ import annotations

import html

from PyQt6.QtGui import QResizeEvent
from PyQt6.QtWidgets import QHBoxLayout, QLineEdit, QTextBrowser, QVBoxLayout, QWidget

from client_core.frame_slot import FrameSlot
from client_qt.video_view import VideoView
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.members import CallMember, MemberSlots, banner_keys, role_key, role_text
from kiosk.ui import theme
from kiosk.ui.bars import CHECK
from kiosk.ui.keyboard import OnScreenKeyboard
from kiosk.ui.members import MemberStage, TileContent
from kiosk.ui.widgets import FlowGrid, ScreenBase, button, label, restyle
from wire.types import DeviceStatus

PANEL_WIDTH = 780


class RemoteVideo(VideoView):
    """The clerk's picture with the citizen's own picture in a corner."""

    def __init__(self) -> None:
        super().__init__(theme.video_style(1.3))
        self.self_view = VideoView(theme.video_style(0.8, label_below=True))
        self.self_view.setParent(self)

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        # A quarter of the width, at least 220 px: big enough to check one's own face and
        # to read "camera off" in it; its label strip sits below the picture.
        w = max(220, self.width() // 4)
        h = min(w * 3 // 4 + 40, self.height() * 55 // 100)
        self.self_view.setGeometry(self.width() - w - 16, self.height() - h - 16, w, h)
        super().resizeEvent(event)


class CallScreen(ScreenBase):
    """The call; every control is a big button."""

    def __init__(
        self,
        presenter: KioskPresenter,
        catalogue: Catalogue,
        remote: FrameSlot,
        own: FrameSlot,
        slots: MemberSlots | None = None,
    ) -> None:
        super().__init__(presenter, catalogue)
        self.own = own
        self.slots = slots or MemberSlots(remote)
        page = QVBoxLayout(self)
        page.setContentsMargins(24, 16, 24, 16)
        page.setSpacing(12)
        self.banner = label("banner")
        page.addWidget(self.banner)
        outer = QHBoxLayout()
        outer.setSpacing(24)
        page.addLayout(outer, 1)

        left = QVBoxLayout()
        left.setSpacing(12)
        self.clerk = label("h2")
        left.addWidget(self.clerk)
        self.video = RemoteVideo()
        self.video.set_slot(remote)
        self.video.self_view.set_slot(own)
        left.addWidget(self.video, 1)
        self.stage = MemberStage()
        left.addWidget(self.stage, 1)
        # Notices sit in the side panel, or under the video while the keyboard fills the
        # panel (then the panel holds only the chat).
        self.notices = [label("notice") for _ in range(3)]
        self.notices_left = [label("notice") for _ in range(3)]
        for notice in self.notices_left:
            left.addWidget(notice)
        self.mute = button("secondary")
        self.mute.clicked.connect(presenter.toggle_mute)
        self.camera = button("secondary")
        self.camera.clicked.connect(presenter.toggle_camera)
        self.chat_button = button("secondary")
        self.chat_button.setCheckable(True)
        self.chat_button.clicked.connect(lambda _=False: presenter.toggle_chat())
        self.end = button("danger")
        self.end.clicked.connect(presenter.end_call)
        self.controls = FlowGrid(last_right=True)  # "end call" apart from the rest
        self.controls.set_items([self.mute, self.camera, self.chat_button, self.end])
        left.addWidget(self.controls)
        outer.addLayout(left, 1)

        panel = QWidget()
        panel.setObjectName("panel")
        panel.setFixedWidth(PANEL_WIDTH)
        right = QVBoxLayout(panel)
        right.setContentsMargins(20, 20, 20, 20)
        right.setSpacing(12)
        self.quality = label("quality_unknown")
        self.chat_title = label("h2")
        self.history = QTextBrowser()
        self.history.setOpenLinks(False)
        self.entry = QLineEdit()
        self.entry.setMaxLength(1000)
        self.entry.returnPressed.connect(self._send)
        self.keyboard = OnScreenKeyboard()
        self.keyboard.typed.connect(self.entry.insert)
        self.keyboard.backspace.connect(self.entry.backspace)
        self.keyboard.send.connect(self._send)
        right.addWidget(self.quality)
        for notice in self.notices:
            right.addWidget(notice)
        right.addWidget(self.chat_title)
        right.addWidget(self.history, 1)
        right.addWidget(self.entry)
        right.addWidget(self.keyboard)
        outer.addWidget(panel)
        self._chat_shown: object = None

    def _send(self) -> None:
        text = self.entry.text()
        self.entry.clear()
        self.presenter.send_chat(text)

    def refresh(self) -> None:
        p, c = self.presenter, self.presenter.citizen
        scale = theme.text_scale(c.large_text)
        self.video.style_ = theme.video_style(1.3, text_scale=scale, framed=c.high_contrast)
        self.video.self_view.style_ = theme.video_style(
            0.8, text_scale=scale, label_below=True, framed=True
        )
        self.clerk.setText(self.tr_("call.clerk", name=c.clerk_name) if c.clerk_name else "")
        self._render_members(scale)
        # Typing in large text under a supervisor banner: the keyboard needs the line.
        self.quality.setVisible(not (c.chat_open and c.large_text and not self.banner.isHidden()))
        grade = c.quality if c.quality in ("good", "fair", "poor") else "unknown"
        restyle(self.quality, f"quality_{grade}")
        self.quality.setText(self.tr_(f"call.quality_{grade}"))
        notices = []
        camera_ok = p.devices.camera == DeviceStatus.OK
        if not camera_ok:
            notices.append(self.tr_("call.camera_broken"))
        elif c.camera_off:
            notices.append(self.tr_("call.camera_off_notice"))
        if p.devices.microphone != DeviceStatus.OK:
            notices.append(self.tr_("call.microphone_broken"))
        elif c.muted:
            notices.append(self.tr_("call.muted_notice"))
        if c.clerk_away:
            notices.append(self.tr_("call.clerk_away"))
        shown, hidden = (
            (self.notices_left, self.notices) if c.chat_open else (self.notices, self.notices_left)
        )
        for i, notice in enumerate(shown):
            notice.setVisible(i < len(notices))
            notice.setText(self.hy(notices[i]) if i < len(notices) else "")
        for notice in hidden:
            notice.setVisible(False)
        self.mute.setText(self.tr_("call.unmute" if c.muted else "call.mute"))
        self.camera.setText(self.tr_("call.camera_on" if c.camera_off else "call.camera_off"))
        self.camera.setEnabled(camera_ok)
        self.mute.setEnabled(p.devices.microphone == DeviceStatus.OK)
        self.end.setText(self.tr_("call.end"))
        self.chat_button.setChecked(c.chat_open)
        self.chat_button.setText((CHECK if c.chat_open else "") + self.tr_("call.chat"))
        self.controls.reflow()
        self.chat_title.setText(self.tr_("call.chat_title"))
        self.chat_title.setVisible(not c.chat_open)
        self.entry.setVisible(c.chat_open)
        self.keyboard.setVisible(c.chat_open)
        self.entry.setPlaceholderText(self.tr_("call.chat_placeholder"))
        if not c.chat_open or not p.in_call:
            self.entry.clear()
        self.keyboard.retranslate(
            self.tr_("keyboard.space"), self.tr_("keyboard.backspace"), self.tr_("call.send")
        )
        self.video.set_caption(self.tr_("call.waiting_video"))
        own = self.video.self_view
        own.corner_label = self.tr_("call.self_view")
        if not camera_ok:
            own.set_placeholder(self.tr_("video.camera_broken"))
        elif c.camera_off:
            own.set_placeholder(self.tr_("video.camera_off"))
        else:
            own.set_placeholder("")
        self._render_chat()

    def _member_text(self, member: CallMember, main: bool) -> str:
        role = role_text(self.catalogue, self.presenter.language, member)
        # A small tile: role and name on lines of their own, so a name never breaks.
        return self.hy(f"{role}: {member.name}" if main else f"{role}\n{member.name}")

    def _render_members(self, scale: float) -> None:
        p, c = self.presenter, self.presenter.citizen
        several = p.several_members
        self.clerk.setVisible(not several)
        self.video.setVisible(not several)
        self.stage.setVisible(several)
        keys = banner_keys(c.members)
        self.banner.setVisible(keys is not None)
        if keys is not None:
            self.banner.setText(self.hy(" ".join(self.tr_(k) for k in keys)))
        if not several:
            return
        members = c.members  # ordered: the large picture first
        tiles = [
            TileContent(
                m.member_id,
                self.slots.for_member(m),
                self._member_text(m, i == 0),
                self.tr_("members.away") if m.away
                else "" if m.camera_on else self.tr_("members.camera_off"),
            )
            for i, m in enumerate(members)
        ]
        own_placeholder = ""
        if p.devices.camera != DeviceStatus.OK:
            own_placeholder = self.tr_("video.camera_broken")
        elif c.camera_off:
            own_placeholder = self.tr_("video.camera_off")
        tiles.append(TileContent("self", self.own, self.tr_("call.self_view"), own_placeholder))
        framed = c.high_contrast
        self.stage.set_caption(self.tr_("call.waiting_video"))
        self.stage.show_tiles(
            tiles[0], tiles[1:],
            theme.video_style(1.3, text_scale=scale, framed=framed),
            theme.video_style(0.8, text_scale=scale, framed=framed),
        )

    def _render_chat(self) -> None:
        c = self.presenter.citizen
        colours = theme.palette(c.high_contrast)
        lines = [(line.mine, line.text, line.sender) for line in c.chat]
        shown = (colours.name, lines, [(m.member_id, m.name) for m in c.members])
        if shown == self._chat_shown:
            return
        self._chat_shown = shown
        if not lines:
            empty = "call.chat_empty_all" if self.presenter.several_members else "call.chat_empty"
            self.history.setHtml(
                f"<p style='color:{colours.subtle_ink}'>"
                f"{html.escape(self.tr_(empty))}</p>"
            )
            return
        parts = []
        for line in c.chat:
            mine, text = line.mine, line.text
            sender = self.presenter.chat_sender(line)
            if mine:
                who = self.tr_("call.you")
            elif sender is not None and self.presenter.several_members:
                who = f"{self.tr_(role_key(sender))} {sender.name}"
            else:
                who = self.tr_("call.clerk_short")
            bg = colours.chat_mine if mine else colours.chat_theirs
            parts.append(
                f"<p style='background:{bg}; color:{colours.ink}; margin:6px'>"
                f"<b>{html.escape(who)}:</b> {html.escape(text)}</p>"
            )
        self.history.setHtml("".join(parts))
        bar = self.history.verticalScrollBar()
        if bar is not None:
            bar.setValue(bar.maximum())

    def set_language_changed(self) -> None:
        """Force the chat to re-render (speaker names are translated)."""
        self._chat_shown = None
