"""The call page: the citizen large, self view, controls, quality, chat and document photo."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QImage, QPixmap, QResizeEvent
from PyQt6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from agent_console.call_presenter import Media
from agent_console.i18n import format_duration
from agent_console.views.chat import ChatPanel
from agent_console.views.context import ViewContext
from agent_console.views.invite import InviteDialog
from agent_console.views.members import MemberGrid, MembersBar
from agent_console.views.photo_panel import PhotoPanel
from agent_console.views.style import QUALITY_COLOURS
from agent_console.views.transfer import TransferDialog
from client_qt.video_view import VideoStyle, VideoView

SELF_VIEW_INTERVAL_MS = 100
"""The self view refreshes at about 10 fps: enough to frame oneself."""
VIDEO_STYLE = VideoStyle(background="#111827", ink="#e5e7eb")
SELF_VIEW_STYLE = VideoStyle(background="#111827", ink="#e5e7eb", border="#ffffff")


class CallVideo(QWidget):
    """The remote picture filling the area, the self view in the lower right corner."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.remote = VideoView(VIDEO_STYLE, parent=self)
        self.own = VideoView(SELF_VIEW_STYLE, interval_ms=SELF_VIEW_INTERVAL_MS, parent=self)
        if ctx.feeds is not None:
            self.remote.set_slot(ctx.feeds.remote)
            self.own.set_slot(ctx.feeds.own)
        self.setMinimumSize(480, 300)

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        self.remote.setGeometry(self.rect())
        w = max(120, self.width() // 5)
        h = w * 3 // 4
        self.own.setGeometry(self.width() - w - 12, self.height() - h - 12, w, h)
        self.own.raise_()
        super().resizeEvent(event)


class CallView(QWidget):
    """Everything the agent needs during a call."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("page")
        self.service = QLabel()
        self.service.setObjectName("title")
        self.details = QLabel()
        self.details.setObjectName("subtle")
        self.elapsed = QLabel()
        self.elapsed.setObjectName("title")
        self.quality = QLabel()
        self.quality.setObjectName("statePill")
        self.link = QLabel()
        self.link.setObjectName("notice")
        self.link.setWordWrap(True)
        self.video = CallVideo(ctx)
        self.photo_large = QLabel()
        self.photo_large.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo_large.setStyleSheet("background: #111827;")
        self._large_image: QImage | None = None
        self.grid = MemberGrid(ctx)
        self.members_bar = MembersBar(ctx)
        self.members_bar.invite.clicked.connect(self.open_invite)
        self.invite_dialog: InviteDialog | None = None
        self.stage = QStackedWidget()
        self.stage.addWidget(self.video)
        self.stage.addWidget(self.photo_large)
        self.stage.addWidget(self.grid)
        self.mute = QPushButton()
        self.mute.clicked.connect(lambda: self._call_do("toggle_mute"))
        self.camera = QPushButton()
        self.camera.clicked.connect(lambda: self._call_do("toggle_camera"))
        self.transfer = QPushButton()
        self.transfer.clicked.connect(self.open_transfer)
        self.end = QPushButton()
        self.end.setObjectName("danger")
        self.end.clicked.connect(ctx.presenter.end_call)
        self.transfer_dialog: TransferDialog | None = None
        self.chat = ChatPanel(ctx)
        self.photo = PhotoPanel(ctx, self._show_large)

        head = QHBoxLayout()
        names = QVBoxLayout()
        names.addWidget(self.service)
        names.addWidget(self.details)
        head.addLayout(names, 1)
        head.addWidget(self.quality)
        head.addSpacing(12)
        head.addWidget(self.elapsed)
        controls = QHBoxLayout()
        for button in (self.mute, self.camera, self.transfer):
            button.setMinimumHeight(44)
            controls.addWidget(button)
        controls.addStretch(1)
        self.end.setMinimumHeight(44)
        self.end.setMinimumWidth(160)
        controls.addWidget(self.end)
        left = QVBoxLayout()
        left.addLayout(head)
        left.addWidget(self.link)
        left.addWidget(self.members_bar)
        left.addWidget(self.stage, 1)
        left.addLayout(controls)
        side = QFrame()
        side.setObjectName("card")
        side.setFixedWidth(380)
        right = QVBoxLayout(side)
        right.addWidget(self.photo)
        right.addWidget(self.chat, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(side)
        ctx.presenter.subscribe(self._on_change)
        self.retranslate()

    def retranslate(self) -> None:
        """Texts from the catalogue."""
        self.transfer.setText(self.ctx.t("call.transfer"))
        self.end.setText(self.ctx.t("call.end"))
        self.chat.retranslate()
        self.photo.retranslate()
        self.refresh()

    def open_transfer(self) -> TransferDialog:
        """The transfer dialog (window-modal, does not block the event loop)."""
        dialog = TransferDialog(self.ctx, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.transfer_dialog = dialog
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        dialog.open()
        return dialog

    def _dialog_closed(self, dialog: TransferDialog) -> None:
        if self.transfer_dialog is dialog:
            self.transfer_dialog = None
        dialog.deleteLater()

    def open_invite(self) -> InviteDialog:
        """The invitation dialog (window-modal); asks the server whom it could be."""
        call = self.ctx.presenter.call
        if call is not None:
            call.members.request_directory()
        dialog = InviteDialog(self.ctx, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.invite_dialog = dialog
        dialog.finished.connect(lambda _r: self._invite_closed(dialog))
        dialog.open()
        return dialog

    def _invite_closed(self, dialog: InviteDialog) -> None:
        if self.invite_dialog is dialog:
            self.invite_dialog = None
        dialog.deleteLater()

    def _render_members(self) -> None:
        call = self.ctx.presenter.call
        if call is None:
            return
        members = call.members
        several = members.several
        answering = members.answering
        self.members_bar.setVisible(several or answering)
        self.members_bar.refresh(members)
        self.transfer.setVisible(answering)
        self.end.setVisible(answering)
        self.photo.setVisible(answering)  # the answering clerk asks for documents
        if several:
            self.grid.refresh(members)
            if self.stage.currentWidget() is self.video:
                self.stage.setCurrentWidget(self.grid)
        elif self.stage.currentWidget() is self.grid:
            self.stage.setCurrentWidget(self.video)

    def refresh(self) -> None:
        """Show the call's state."""
        call = self.ctx.presenter.call
        if call is None:
            return
        t = self.ctx.t
        self.service.setText(self.ctx.service(call.service))
        language = self.ctx.language(call.language)
        if call.site is None and call.members.several:  # joined as an added member
            self.details.setText(f"{language} · {call.peer_name}")
        else:
            site = self.ctx.site(call.site.names if call.site else None)
            self.details.setText(
                t("call.details", language=language, site=site, kiosk=call.peer_name)
            )
        self.mute.setText(t("call.unmute" if call.muted else "call.mute"))
        self.mute.setObjectName("toggleOn" if call.muted else "")
        self.camera.setText(t("call.camera_on" if not call.camera_on else "call.camera_off"))
        self.camera.setObjectName("toggleOn" if not call.camera_on else "")
        for button in (self.mute, self.camera):
            button.setStyleSheet("")  # re-polish after the object name changed
        self.end.setEnabled(not call.ending)
        self.transfer.setEnabled(not call.ending)
        if call.media is Media.CONNECTING:
            caption = t("call.connecting")
        elif call.media is Media.RECOVERING:
            caption = t("call.recovering")
        elif not call.citizen_camera_on:
            caption = t("call.citizen_camera_off")
        else:
            caption = ""
        self.video.remote.set_caption(caption)
        self.video.own.set_caption(t("call.your_camera_off") if not call.camera_on else "")
        problem = None
        if call.media is Media.RECOVERING:
            problem = t("call.recovering")
        elif call.peer_link != "connected":
            problem = t("call.citizen_reconnecting")
        self.link.setText(problem or "")
        self.link.setVisible(problem is not None)
        self._render_quality()
        self._render_time()
        self._render_members()

    def _render_quality(self) -> None:
        call = self.ctx.presenter.call
        if call is None:
            return
        grade = call.quality
        text = self.ctx.t(f"quality.{grade}" if grade else "quality.unknown")
        if call.rtt_ms is not None:
            text = f"{text} · {call.rtt_ms:.0f} ms"
        self.quality.setText(text)
        self.quality.setStyleSheet(f"background: {QUALITY_COLOURS.get(grade or '', '#6b7280')};")

    def _render_time(self) -> None:
        call = self.ctx.presenter.call
        if call is not None:
            self.elapsed.setText(format_duration(call.elapsed_s()))

    def _show_large(self, image: QImage | None) -> None:
        self._large_image = image
        if image is None:
            call = self.ctx.presenter.call
            several = call is not None and call.members.several
            self.stage.setCurrentWidget(self.grid if several else self.video)
            return
        self.photo_large.setPixmap(
            QPixmap.fromImage(image).scaled(
                self.stage.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        self.stage.setCurrentWidget(self.photo_large)

    def _call_do(self, method: str) -> None:
        call = self.ctx.presenter.call
        if call is not None:
            getattr(call, method)()

    def _on_change(self, topic: str) -> None:
        if topic == "tick":
            self._render_time()
        elif topic == "quality":
            self._render_quality()
        elif topic == "members":
            self._render_members()
            if self.invite_dialog is not None:
                self.invite_dialog.refresh()
        elif topic == "directory" and self.invite_dialog is not None:
            self.invite_dialog.refresh()
        elif topic in ("call", "phase"):
            self.refresh()
            dialog = self.transfer_dialog
            if dialog is not None and self.ctx.presenter.call is None:
                dialog.reject()
