"""A QR code as a crisp picture for the screen (OpenCV's encoder; no extra library)."""

from __future__ import annotations

import cv2
import numpy as np
from PyQt6.QtGui import QImage, QPixmap


def qr_modules(text: str) -> np.ndarray:
    """The QR code of ``text``, one pixel per module, white quiet zone included (0 or 255)."""
    encoder = cv2.QRCodeEncoder.create()
    return np.ascontiguousarray(encoder.encode(text), dtype=np.uint8)


def qr_pixmap(text: str, size_px: int) -> QPixmap:
    """The QR code of ``text`` at about ``size_px`` square, modules scaled by whole pixels so
    edges stay sharp for a phone's camera."""
    modules = qr_modules(text)
    scale = max(1, size_px // modules.shape[0])
    big = np.ascontiguousarray(
        cv2.resize(modules, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    )
    height, width = big.shape
    data = big.tobytes()  # kept alive until the image is copied out of it
    image = QImage(data, width, height, width, QImage.Format.Format_Grayscale8)
    return QPixmap.fromImage(image.copy())
