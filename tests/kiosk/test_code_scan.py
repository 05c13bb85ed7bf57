"""Reading a booking's QR code through the kiosk's camera path: the synthetic camera holds a
QR code up (as a phone would), the gated track carries it to the self view and the scanner,
and OpenCV's detector reads it off the UI thread."""

from __future__ import annotations

import asyncio
import contextlib

import cv2
import numpy as np

from client_core.media_synthetic import SyntheticVideoTrack
from kiosk.code_scan import CodeScanner
from kiosk.devices import KioskDevices
from wire.booking_code import normalise_code

URL = "https://etapiste.example/book/ACE479"


def qr_picture(text: str, size: int = 300) -> np.ndarray:
    """A QR code as printed or on a phone: black modules on white, with a quiet zone."""
    modules = cv2.QRCodeEncoder.create().encode(text)
    scale = max(1, size // modules.shape[0])
    return cv2.resize(modules, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)


async def _scan(show: str | None, seconds: float) -> tuple[list[str], int, int]:
    devices = KioskDevices.synthetic()
    gate = devices.media.video
    assert gate is not None and isinstance(gate.source, SyntheticVideoTrack)
    if show is not None:
        gate.source.show(qr_picture(show))
    read: list[str] = []
    got = asyncio.Event()

    def on_text(text: str) -> None:
        read.append(text)
        got.set()

    scanner = CodeScanner(devices.media, on_text, scans_per_s=5)
    seq_before = devices.preview.seq
    scanner.start()
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(got.wait(), seconds)
    finally:
        await scanner.stop()
        previewed = devices.preview.seq - seq_before
        await devices.close()
    return read, scanner.scans, previewed


def test_a_qr_code_shown_to_the_synthetic_camera_is_read_and_previewed() -> None:
    read, _, previewed = asyncio.run(_scan(URL, 10.0))
    assert read[:1] == [URL] and normalise_code(read[0]) == "ACE479"
    assert previewed > 0  # the citizen saw the camera's picture while it was read


def test_the_test_picture_alone_reads_as_nothing() -> None:
    read, scans, _ = asyncio.run(_scan(None, 1.5))
    assert read == [] and scans >= 3  # looked several times, found no QR code


def test_the_qr_code_on_the_booking_screen_reads_back(qapp) -> None:  # type: ignore[no-untyped-def]
    """What a citizen photographs off the kiosk screen reads back as the booking's address."""
    from PyQt6.QtGui import QImage

    from kiosk.ui.qr_image import qr_pixmap

    image = qr_pixmap(URL, 360).toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    ptr = image.constBits()
    assert ptr is not None
    ptr.setsize(image.sizeInBytes())
    rows = np.frombuffer(ptr, np.uint8).reshape(image.height(), image.bytesPerLine())
    grey = np.ascontiguousarray(rows[:, : image.width()])
    assert image.width() >= 300
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(grey)
    assert text == URL
