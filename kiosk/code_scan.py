"""Reading a booking's QR code with the kiosk camera: :class:`CodeScanner`.

While the check-in screen is up, the scanner pulls the gated camera track of
:class:`~client_core.local_media.LocalMedia` (the same path a call and the device check use,
so every frame also lands in the self-view slot: the citizen sees what the camera sees) and,
a few times a second, hands the newest frame to OpenCV's QR detector in a worker thread, so
the touch screen never waits for it.  Whatever text a QR code holds is reported; deciding
whether it is a booking code is the presenter's.  Nothing is kept: a frame is dropped as
soon as it was looked at.  Stop the scanner before a call or a device check: a track has one
consumer at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Final

import cv2
import numpy as np
import numpy.typing as npt
from aiortc.mediastreams import MediaStreamError
from av import VideoFrame

from client_core.local_media import LocalMedia

log = logging.getLogger("etapiste.kiosk.code_scan")

SCANS_PER_S: Final = 4.0
"""How often a frame is looked at: enough to feel immediate, cheap on two cores."""

REPEAT_S: Final = 3.0
"""The same QR text read again within this many seconds is not reported again."""

Grey = npt.NDArray[np.uint8]


def grey_of(frame: VideoFrame) -> Grey:
    """The luma of a video frame as an 8-bit grey image (no conversion for ``yuv420p``)."""
    if frame.format.name in ("yuv420p", "yuvj420p", "nv12", "gray"):
        plane = frame.planes[0]
        rows = np.frombuffer(memoryview(plane), dtype=np.uint8)
        return rows.reshape(plane.height, plane.line_size)[:, : plane.width].copy()
    return np.asarray(frame.to_ndarray(format="gray"), dtype=np.uint8)


class QrReader:
    """OpenCV's QR detector, one per scanner (it is not safe to share between threads)."""

    def __init__(self) -> None:
        self._detector = cv2.QRCodeDetector()

    def read(self, grey: Grey) -> str | None:
        """The text of a QR code in ``grey``, or None."""
        try:
            text, points, _ = self._detector.detectAndDecode(grey)
        except cv2.error:
            return None
        return text or None if points is not None else None


class CodeScanner:
    """Pulls the camera while running and reports each QR text it reads (``on_text``)."""

    def __init__(
        self,
        media: LocalMedia,
        on_text: Callable[[str], None],
        *,
        scans_per_s: float = SCANS_PER_S,
    ) -> None:
        self.media = media
        self.on_text = on_text
        self.interval_s = 1.0 / scans_per_s
        self.frames = 0
        """Frames pulled from the camera (they went to the self view)."""
        self.scans = 0
        """Frames looked at for a QR code."""
        self._latest: VideoFrame | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._reader = QrReader()

    @property
    def running(self) -> bool:
        """Whether the scanner is looking now."""
        return bool(self._tasks)

    def start(self) -> None:
        """Begin pulling and looking (idempotent; without a camera, nothing to do)."""
        if self._tasks or self.media.video is None:
            return
        self._tasks = [
            asyncio.ensure_future(self._pull()),
            asyncio.ensure_future(self._look()),
        ]

    async def stop(self) -> None:
        """Stop; returns when no recv() of the scanner is pending and no frame is held."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, MediaStreamError):
                await task
        self._latest = None

    async def _pull(self) -> None:
        video = self.media.video
        assert video is not None
        while True:
            frame = await video.recv()  # the gate puts the picture into the self-view slot
            self.frames += 1
            if video.enabled and not video.failed:
                self._latest = frame

    async def _look(self) -> None:
        loop = asyncio.get_running_loop()
        last: tuple[str, float] | None = None
        while True:
            await asyncio.sleep(self.interval_s)
            frame, self._latest = self._latest, None
            if frame is None:
                continue
            grey = grey_of(frame)
            del frame
            text = await asyncio.to_thread(self._reader.read, grey)
            self.scans += 1
            now = loop.time()
            if text is None or (last is not None and last[0] == text and now - last[1] < REPEAT_S):
                continue  # a code held up for a while is reported once every REPEAT_S
            last = (text, now)
            try:
                self.on_text(text)
            except Exception:
                log.exception("QR text callback failed")
