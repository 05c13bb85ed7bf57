"""A video surface that shows the newest frame of a :class:`~client_core.frame_slot.FrameSlot`.

At display rate (a timer, only while visible) it checks whether the slot holds a newer
frame; if so, and no conversion is in flight, a worker thread scales and converts that frame
to an RGB :class:`QImage` at the widget's size (PyAV's swscale, which releases the GIL) and
hands it back by a queued signal.  Frames that arrive meanwhile simply replace each other in
the slot: no queue, and the UI thread only paints a ready image.  A small view (a self view)
converts a small picture, so it costs little.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Final

from av import VideoFrame
from PyQt6.QtCore import QRect, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QShowEvent,
)
from PyQt6.QtWidgets import QSizePolicy, QWidget

from client_core.frame_slot import FrameSlot

_CONVERTER: Final = ThreadPoolExecutor(max_workers=2, thread_name_prefix="frame-convert")
DISPLAY_INTERVAL_MS: Final = 33


@dataclass(frozen=True)
class VideoStyle:
    """Colours and caption size of a view; ``caption_px`` None scales with the height.

    ``border`` draws a 2-pixel frame (a self view over the remote picture).
    ``label_below`` puts the corner label in a strip under the picture instead of over its
    top left corner, so it never hides part of the picture (a kiosk's self view, where the
    citizen checks their own face).
    """

    background: str = "#000000"
    ink: str = "#ffffff"
    caption_px: int | None = None
    label_px: int = 22
    border: str | None = None
    label_below: bool = False


def fit(width: int, height: int, box_w: int, box_h: int) -> tuple[int, int]:
    """The largest even size of aspect ``width:height`` inside ``box_w x box_h``."""
    if width <= 0 or height <= 0 or box_w <= 0 or box_h <= 0:
        return 0, 0
    scale = min(box_w / width, box_h / height)
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def to_qimage(frame: VideoFrame, box_w: int, box_h: int) -> QImage:
    """Scale and convert one frame (in a worker thread)."""
    w, h = fit(frame.width, frame.height, box_w, box_h)
    rgb = frame.to_ndarray(width=w, height=h, format="rgb24")
    pixels = rgb.tobytes()
    image = QImage(pixels, w, h, 3 * w, QImage.Format.Format_RGB888)
    return image.copy()  # own the pixels; ``pixels`` goes away


class VideoView(QWidget):
    """Paints the newest frame of a slot, scaled to fit; a caption when there is none.

    ``corner_label`` (e.g. "You") is drawn in the top left corner over the picture, or in a
    strip below it (``VideoStyle.label_below``).  A ``placeholder`` text (e.g. "Your camera is
    off") replaces the picture entirely, whatever the slot holds.
    """

    converted = pyqtSignal(int, QImage)

    def __init__(
        self,
        style: VideoStyle | None = None,
        *,
        interval_ms: int = DISPLAY_INTERVAL_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.style_ = style or VideoStyle()
        self.slot: FrameSlot | None = None
        self.caption = ""
        self.corner_label = ""
        self.placeholder = ""
        self.frames_shown = 0
        self._image: QImage | None = None
        self._shown_seq = -1
        self._busy = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._poll)
        self.converted.connect(self._on_converted)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_slot(self, slot: FrameSlot | None) -> None:
        """Show frames from ``slot`` (None: nothing)."""
        self.slot = slot
        self._shown_seq = -1
        self._image = None
        self.update()

    def set_caption(self, text: str) -> None:
        """What to show while there is no picture."""
        if text != self.caption:
            self.caption = text
            self.update()

    def set_placeholder(self, text: str) -> None:
        """Show ``text`` instead of the picture ("" shows the picture again)."""
        if text != self.placeholder:
            self.placeholder = text
            self.update()

    def has_image(self) -> bool:
        """Whether a converted frame is on screen."""
        return self._image is not None and not self.placeholder

    def settled(self) -> bool:
        """Whether what the view shows is final: a placeholder, no frame to show, or the
        slot's newest frame converted at the current size (screenshots wait for this)."""
        if self.placeholder or self.slot is None:
            return True
        seq, frame = self.slot.get()
        if frame is None:
            return True
        return not self._busy and self._shown_seq == seq and self._image is not None

    def _label_height(self) -> int:
        if not self.corner_label or not self.style_.label_below:
            return 0
        font = QFont(self.font())
        font.setPixelSize(self.style_.label_px)
        font.setBold(True)
        return QFontMetrics(font).height() + 12

    def picture_rect(self) -> QRect:
        """Where the picture (or caption) is drawn: the view minus the label strip."""
        return self.rect().adjusted(0, 0, 0, -self._label_height())

    def label_rect(self) -> QRect:
        """Where the corner label is drawn (empty without one)."""
        if not self.corner_label:
            return QRect()
        font = QFont(self.font())
        font.setPixelSize(self.style_.label_px)
        font.setBold(True)
        metrics = QFontMetrics(font)
        if self.style_.label_below:
            h = self._label_height()
            return QRect(0, self.height() - h, self.width(), h)
        return QRect(8, 8, metrics.horizontalAdvance(self.corner_label) + 24,
                     metrics.height() + 12)

    def showEvent(self, event: QShowEvent | None) -> None:
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event: object) -> None:
        self._timer.stop()

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        self._shown_seq = -1  # reconvert at the new size
        super().resizeEvent(event)

    def _poll(self) -> None:
        slot = self.slot
        if slot is None or self._busy:
            return
        seq, frame = slot.get()
        if seq == self._shown_seq:
            return
        if frame is None:
            self._shown_seq = seq
            if self._image is not None:
                self._image = None
                self.update()
            return
        self._busy = True
        box = self.picture_rect()
        _CONVERTER.submit(self._convert, seq, frame, box.width(), box.height())

    def _convert(self, seq: int, frame: VideoFrame, box_w: int, box_h: int) -> None:
        try:
            image = to_qimage(frame, box_w, box_h)
        except Exception:  # a bad frame must not stop the view
            image = QImage()
        with contextlib.suppress(RuntimeError):  # the widget is gone
            self.converted.emit(seq, image)

    def _on_converted(self, seq: int, image: QImage) -> None:
        self._busy = False
        if self.slot is None or (self.slot.seq != seq and self.slot.get()[1] is None):
            return
        if not image.isNull():
            self._image = image
            self.frames_shown += 1
        self._shown_seq = seq
        self.update()

    def caption_font(self) -> QFont:
        """The font of the caption and placeholder."""
        font = QFont(self.font())
        area = self.picture_rect()
        font.setPixelSize(self.style_.caption_px or max(13, min(24, area.height() // 14)))
        return font

    def caption_rect(self) -> QRect:
        """The box the caption or placeholder is wrapped into."""
        area = self.picture_rect()
        margin = max(4, min(20, area.width() // 12, area.height() // 12))
        return area.adjusted(margin, margin, -margin, -margin)

    def paintEvent(self, event: QPaintEvent | None) -> None:
        style = self.style_
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(style.background))
        area = self.picture_rect()
        image = None if self.placeholder else self._image
        text = self.placeholder or self.caption
        if image is not None:
            w, h = image.width(), image.height()
            if w > area.width() or h > area.height():  # resized since converted
                w, h = fit(w, h, area.width(), area.height())
            x, y = (area.width() - w) // 2, (area.height() - h) // 2
            painter.drawImage(QRect(x, y, w, h), image)
        elif text:
            painter.setFont(self.caption_font())
            painter.setPen(QColor(style.ink))
            painter.drawText(
                self.caption_rect(),
                int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                text,
            )
        if self.corner_label:
            font = QFont(painter.font())
            font.setPixelSize(style.label_px)
            font.setBold(True)
            painter.setFont(font)
            box = self.label_rect()
            painter.fillRect(box, QColor(style.background))
            painter.setPen(QColor(style.ink))
            painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), self.corner_label)
        if style.border:
            painter.setPen(QPen(QColor(style.border), 2))
            painter.drawRect(self.rect().adjusted(1, 1, -1, -1))
        painter.end()
