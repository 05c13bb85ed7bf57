"""High-resolution document stills, without keeping anything on the kiosk.

The call sends the camera downscaled (640 px); a document needs more.  The camera is opened at
its full resolution through a :class:`CaptureTap`, which the call track
(:class:`client_core.camera.CameraVideoTrack`, through its ``capture_factory``) reads as
usual; only while a photo is requested (:meth:`CaptureTap.arm`) does the tap keep the newest
full-resolution image, and taking the still disarms it and drops the reference.  Without a
camera, :class:`SyntheticStill` draws a document-like test picture.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Protocol

import cv2
import numpy as np
import numpy.typing as npt

from client_core.camera import VideoCaptureLike

BGR = npt.NDArray[np.uint8]


class StillUnavailable(Exception):
    """No still can be taken (no camera, or it gave no frame while armed)."""


class StillSource(Protocol):
    """Where document stills come from."""

    def arm(self) -> None: ...
    def disarm(self) -> None: ...
    async def capture(self, timeout: float = 2.0) -> BGR: ...


class CaptureTap:
    """A ``VideoCaptureLike`` that forwards reads and, while armed, keeps the newest image."""

    def __init__(self, inner: VideoCaptureLike) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self._armed = False
        self._latest: Any = None

    def isOpened(self) -> bool:
        return self._inner.isOpened()

    def read(self) -> tuple[bool, Any]:
        ok, image = self._inner.read()
        if ok and image is not None:
            with self._lock:
                if self._armed:
                    self._latest = image
        return ok, image

    def release(self) -> None:
        self._inner.release()

    def arm(self) -> None:
        """Start keeping the newest full-resolution image."""
        with self._lock:
            self._armed = True
            self._latest = None

    def disarm(self) -> None:
        """Stop keeping images and drop the one held."""
        with self._lock:
            self._armed = False
            self._latest = None

    async def capture(self, timeout: float = 2.0) -> BGR:
        """The newest full-resolution image (waits for one after arming); disarms."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            with self._lock:
                image, self._latest = self._latest, None
                if image is not None:
                    self._armed = False
                    return np.asarray(image, dtype=np.uint8)
            if loop.time() >= deadline:
                self.disarm()
                raise StillUnavailable("no camera frame for the still")
            await asyncio.sleep(0.02)


class SyntheticStill:
    """A 1920×1080 document-like picture for kiosks (and tests) without a camera."""

    width = 1920
    height = 1080

    def __init__(self) -> None:
        self.armed = False
        self.taken = 0

    def arm(self) -> None:
        self.armed = True

    def disarm(self) -> None:
        self.armed = False

    async def capture(self, timeout: float = 2.0) -> BGR:
        self.armed = False
        self.taken += 1
        return await asyncio.to_thread(self._draw, self.taken)

    def _draw(self, n: int) -> BGR:
        image = np.full((self.height, self.width, 3), (70, 90, 110), dtype=np.uint8)
        cv2.rectangle(image, (460, 90), (1460, 990), (245, 245, 240), -1)
        cv2.putText(image, "DOCUMENT", (560, 230), cv2.FONT_HERSHEY_SIMPLEX, 3, (30, 30, 30), 6)
        for i in range(12):
            y = 330 + i * 52
            cv2.line(image, (560, y), (1360 - (i * 37) % 300, y), (80, 80, 80), 6)
        cv2.putText(image, f"#{n}", (560, 950), cv2.FONT_HERSHEY_SIMPLEX, 2, (0, 0, 160), 4)
        return image


def encode_jpeg(image: BGR, quality: int = 88) -> bytes:
    """JPEG bytes of a BGR image (run it in a worker thread: ~20 ms at 1080p)."""
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise StillUnavailable("JPEG encoding failed")
    return bytes(buf)
