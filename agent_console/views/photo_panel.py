"""A document photo from the kiosk: shown in memory; saved only when the agent says so."""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QImage, QPixmap
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from agent_console.call_presenter import PhotoState
from agent_console.views.context import ViewContext


def decode(data: bytes) -> QImage:
    """A JPEG or PNG as a QImage (null if undecodable)."""
    image = QImage()
    image.loadFromData(data)
    return image


class PhotoPanel(QWidget):
    """Request, progress, thumbnail, show large, save, discard."""

    def __init__(self, ctx: ViewContext, on_show_large: Callable[[QImage | None], None]) -> None:
        super().__init__()
        self.ctx = ctx
        self._on_show_large = on_show_large
        self._image: QImage | None = None
        self._large = False
        self.title = QLabel()
        self.title.setObjectName("title")
        self.state = QLabel()
        self.state.setObjectName("subtle")
        self.state.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.thumb = QLabel()
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumb.setMinimumHeight(140)
        self.thumb.setStyleSheet("background: #e5e7eb; border-radius: 4px;")
        self.request = QPushButton()
        self.request.clicked.connect(self._request)
        self.cancel = QPushButton()
        self.cancel.clicked.connect(lambda: self._call_do("cancel_photo"))
        self.large = QPushButton()
        self.large.clicked.connect(self._toggle_large)
        self.save = QPushButton()
        self.save.clicked.connect(lambda: self._call_do("save_photo"))
        self.discard = QPushButton()
        self.discard.clicked.connect(lambda: self._call_do("discard_photo"))
        actions = QHBoxLayout()
        for button in (self.large, self.save, self.discard):
            actions.addWidget(button)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.request)
        top.addWidget(self.cancel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.state)
        layout.addWidget(self.progress)
        layout.addWidget(self.thumb)
        layout.addLayout(actions)
        ctx.presenter.subscribe(self._on_change)
        self.retranslate()

    def retranslate(self) -> None:
        """Texts from the catalogue."""
        t = self.ctx.t
        self.title.setText(t("photo.title"))
        self.request.setText(t("photo.request"))
        self.cancel.setText(t("photo.cancel"))
        self.save.setText(t("photo.save"))
        self.discard.setText(t("photo.discard"))
        self.refresh()

    def refresh(self) -> None:
        """Show the photo state."""
        call = self.ctx.presenter.call
        t = self.ctx.t
        state = call.photo_state if call else PhotoState.IDLE
        self.request.setVisible(state in (PhotoState.IDLE, PhotoState.RECEIVED, PhotoState.FAILED))
        self.request.setText(t("photo.request_again" if call and call.photo else "photo.request"))
        self.cancel.setVisible(state in (PhotoState.REQUESTED, PhotoState.RECEIVING))
        self.progress.setVisible(state is PhotoState.RECEIVING)
        if call is not None:
            self.progress.setValue(int(call.photo_progress * 100))
        status = t(f"photo.state.{state.value}")
        if call is not None and call.saved_path is not None:
            status = t("photo.saved", path=str(call.saved_path))
        elif call is not None and call.photo is not None and call.photo_folder is None:
            status = f"{status} {t('photo.no_folder')}"
        self.state.setText(status)
        photo = call.photo if call else None
        if photo is None:
            self._image = None
            self.thumb.clear()
            self.thumb.setText(t("photo.none"))
            if self._large:
                self._toggle_large()
        else:
            self._image = decode(photo.data)
            pixmap = QPixmap.fromImage(self._image).scaled(
                max(100, self.thumb.width() - 8),
                180,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            self.thumb.setPixmap(pixmap)
        has_photo = photo is not None
        self.thumb.setVisible(has_photo or state is not PhotoState.IDLE)
        self.large.setVisible(has_photo)
        self.large.setText(t("photo.show_video" if self._large else "photo.show_large"))
        self.save.setVisible(has_photo)
        self.save.setEnabled(bool(call and call.can_save_photo and call.saved_path is None))
        self.save.setToolTip("" if call and call.photo_folder else t("photo.no_folder"))
        self.discard.setVisible(has_photo)

    def _request(self) -> None:
        call = self.ctx.presenter.call
        if call is not None:
            call.request_photo(self.ctx.t("photo.prompt"))

    def _call_do(self, method: str) -> None:
        call = self.ctx.presenter.call
        if call is not None:
            getattr(call, method)()

    def _toggle_large(self) -> None:
        self._large = not self._large and self._image is not None
        self._on_show_large(self._image if self._large else None)
        self.large.setText(self.ctx.t("photo.show_video" if self._large else "photo.show_large"))

    def _on_change(self, topic: str) -> None:
        if topic in ("photo", "call"):
            self.refresh()
