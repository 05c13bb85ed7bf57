"""A widget that paints the newest video frame, scaled to fit, with a caption when there is none."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PyQt6.QtCore import QRect, Qt
from PyQt6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PyQt6.QtWidgets import QSizePolicy, QWidget

FrameGetter = Callable[[], tuple[int, Any]]


class VideoView(QWidget):
    """Shows frames from ``getter`` (``(count, array)``), repainting only when the count moves.

    ``rgb`` says whether arrays are RGB (self view) or BGR (remote decoded frames).
    """

    def __init__(self, getter: FrameGetter | None, *, rgb: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.getter = getter
        self.rgb = rgb
        self.caption = ""
        self.frames_painted = 0
        self._count = -1
        self._image: QImage | None = None
        self._buffer: Any = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def set_caption(self, text: str) -> None:
        """Text shown when there is no picture (connecting, camera off)."""
        if text != self.caption:
            self.caption = text
            self.update()

    def clear(self) -> None:
        """Forget the last picture."""
        self._image = None
        self._buffer = None
        self._count = -1
        self.update()

    def set_image_array(self, array: Any, *, rgb: bool | None = None) -> None:
        """Show a still picture (tests and screenshots)."""
        self._set_array(array, self.rgb if rgb is None else rgb)
        self.update()

    def poll(self) -> bool:
        """Fetch a new frame if there is one; True if the picture changed."""
        if self.getter is None or not self.isVisible():
            return False
        count, array = self.getter()
        if array is None:
            if self._image is not None and count == 0:
                self.clear()
            return False
        if count == self._count:
            return False
        self._count = count
        self._set_array(array, self.rgb)
        self.update()
        return True

    def _set_array(self, array: Any, rgb: bool) -> None:
        frame = np.ascontiguousarray(array)
        height, width = frame.shape[:2]
        fmt = QImage.Format.Format_RGB888 if rgb else QImage.Format.Format_BGR888
        self._buffer = frame  # QImage does not copy: keep the memory alive
        self._image = QImage(frame.data, width, height, 3 * width, fmt)  # type: ignore[call-overload]

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#111827"))
        image = self._image
        if image is not None and not image.isNull():
            target = _fit(image.width(), image.height(), self.rect())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
            painter.drawImage(target, image)
            self.frames_painted += 1
        if self.caption and image is None:
            painter.setPen(QColor("#e5e7eb"))
            font = painter.font()
            font.setPointSize(max(10, min(18, self.height() // 14)))
            painter.setFont(font)
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.caption
            )
        painter.end()


def _fit(width: int, height: int, area: QRect) -> QRect:
    """The largest rectangle of ``width``:``height`` centred in ``area``."""
    if width <= 0 or height <= 0:
        return area
    scale = min(area.width() / width, area.height() / height)
    w, h = int(width * scale), int(height * scale)
    return QRect(area.x() + (area.width() - w) // 2, area.y() + (area.height() - h) // 2, w, h)
