"""The kiosk camera as an aiortc video track, captured in its own thread.

``cv2.VideoCapture.read()`` blocks until the device has a frame (and up to
the V4L2 select timeout when it has none), so it runs in a dedicated
thread and never in the event loop.  The thread hands over only the latest
frame: if the encoder falls behind, old frames are dropped, never queued.

Failure model: a camera that cannot be opened, or opens but never delivers
a frame, raises :class:`CameraUnavailable` from :meth:`CameraVideoTrack.open`.
A camera that stops delivering later (unplugged, driver hang, end of a test
file) moves the track to ``CameraState.FAILED`` after ``stall_timeout_s``
and calls ``on_state_change`` so the UI can tell the operator.  The track
then keeps producing a dark placeholder frame at the configured rate: the
call goes on with sound and chat, and the far end's
"no video" watchdog does not mistake a broken camera for a broken network
path and renegotiate for nothing.  If frames resume, the state goes back to
``RUNNING``.

The measuring strip of :mod:`client_core.frame_stamp` is painted only with
``stamp_frames=True`` (benchmarks and tests that measure latency): in a
real call the other side sees the whole captured picture.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import fractions
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Final, Protocol

import cv2
import numpy as np
import numpy.typing as npt
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import VideoFrame

from client_core.errors import ClientError
from client_core.frame_stamp import now_us, stamp, stamp_height
from client_core.media_synthetic import placeholder_i420

log = logging.getLogger(__name__)

VIDEO_TIME_BASE: Final = fractions.Fraction(1, 90000)
_WATCHDOG_PERIOD_S: Final = 0.25
_READ_RETRY_S: Final = 0.05
_JOIN_TIMEOUT_S: Final = 3.0
_BROKEN_LUMA: Final = 40

U8Array = npt.NDArray[np.uint8]


class CameraError(ClientError):
    """Base class for camera problems."""


class CameraUnavailable(CameraError, OSError):
    """The camera cannot be opened or delivers no frame at all."""


class CameraState(enum.Enum):
    """Life cycle of a :class:`CameraVideoTrack`."""

    STARTING = "starting"
    RUNNING = "running"
    FAILED = "failed"
    STOPPED = "stopped"


class VideoCaptureLike(Protocol):
    """The part of ``cv2.VideoCapture`` the track uses."""

    def isOpened(self) -> bool: ...

    def read(self) -> tuple[bool, Any]: ...

    def release(self) -> None: ...


CaptureFactory = Callable[[], VideoCaptureLike]
StateCallback = Callable[[CameraState, CameraState], None]


def opencv_capture(device: int | str, width: int, height: int, fps: float) -> VideoCaptureLike:
    """Open ``device`` (V4L2 index or path) with OpenCV, asking for the size and rate."""
    capture = cv2.VideoCapture(device)
    if capture.isOpened():
        # Requests only: a camera that cannot do it picks its nearest mode,
        # and the track scales whatever arrives.
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        capture.set(cv2.CAP_PROP_FPS, fps)
    return capture


def _to_i420(image: Any, width: int, height: int, stamped: bool) -> U8Array:
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[1] != width or image.shape[0] != height:
        image = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
    i420 = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420), dtype=np.uint8)
    if not stamped:
        return i420
    # Neutral chroma under the stamp so its blocks are black and white: in
    # the packed I420 layout one row holds two chroma rows of each plane.
    packed_rows = (stamp_height(width) + 3) // 4
    i420[height : height + packed_rows] = 128
    quarter = height + height // 4
    i420[quarter : quarter + packed_rows] = 128
    return i420


class CameraVideoTrack(MediaStreamTrack):
    """A camera as a ``yuv420p`` video track of fixed size.

    Create it with :meth:`open`.  Frames are scaled to ``width`` x ``height``
    in the capture thread and never delivered faster than ``fps``.  With
    ``stamp_frames`` they carry a counter (per frame handed to the sender)
    and their capture time in a strip over the top rows.
    """

    kind = "video"

    def __init__(
        self,
        capture: VideoCaptureLike,
        *,
        width: int = 640,
        height: int = 480,
        fps: float = 30.0,
        stall_timeout_s: float = 2.0,
        on_state_change: StateCallback | None = None,
        stamp_frames: bool = False,
    ) -> None:
        super().__init__()
        self.stamp_frames = stamp_frames
        self.width = width
        self.height = height
        self.fps = fps
        self.stall_timeout_s = stall_timeout_s
        self.on_state_change = on_state_change
        self.state = CameraState.STARTING
        self.failure_reason: str | None = None
        self.frames_captured = 0
        self.frames_dropped = 0
        self.frames_sent = 0
        self._capture = capture
        self._interval = 1.0 / fps
        self._event_loop = asyncio.get_running_loop()
        self._lock = threading.Lock()
        self._slot: tuple[U8Array, int, float] | None = None
        self._last_capture = time.monotonic()
        self._frame_ready = asyncio.Event()
        self._stopping = threading.Event()
        self._t0 = time.monotonic()
        self._last_pts = -1
        self._last_sent = 0.0
        self._thread = threading.Thread(
            target=self._capture_loop, name="camera-capture", daemon=True
        )
        self._thread.start()
        self._watchdog = asyncio.create_task(self._watch(), name="camera-watchdog")

    @classmethod
    async def open(
        cls,
        device: int | str = 0,
        *,
        width: int = 640,
        height: int = 480,
        fps: float = 30.0,
        capture_factory: CaptureFactory | None = None,
        stall_timeout_s: float = 2.0,
        first_frame_timeout_s: float = 5.0,
        on_state_change: StateCallback | None = None,
        stamp_frames: bool = False,
    ) -> CameraVideoTrack:
        """Open the camera and wait for its first frame.

        ``capture_factory`` replaces ``cv2.VideoCapture(device)`` (tests feed
        a capture reading a video file).  Raises :class:`CameraUnavailable`.
        """

        def default_factory() -> VideoCaptureLike:
            return opencv_capture(device, width, height, fps)

        factory = capture_factory or default_factory
        capture = await asyncio.to_thread(factory)
        if not capture.isOpened():
            await asyncio.to_thread(capture.release)
            raise CameraUnavailable(f"cannot open camera {device!r}")
        track = cls(
            capture,
            width=width,
            height=height,
            fps=fps,
            stall_timeout_s=stall_timeout_s,
            on_state_change=on_state_change,
            stamp_frames=stamp_frames,
        )
        try:
            await asyncio.wait_for(track._frame_ready.wait(), first_frame_timeout_s)
        except TimeoutError:
            await track.close()
            raise CameraUnavailable(
                f"camera {device!r} opened but gave no frame in {first_frame_timeout_s} s"
            ) from None
        track._set_state(CameraState.RUNNING, None)
        return track

    def _capture_loop(self) -> None:
        next_due = time.monotonic()
        try:
            while not self._stopping.is_set():
                try:
                    ok, image = self._capture.read()
                except cv2.error:
                    log.exception("camera read failed")
                    ok, image = False, None
                if not ok or image is None:
                    # A missing device fails at once: don't spin on it.
                    self._stopping.wait(_READ_RETRY_S)
                    continue
                ts = now_us()
                i420 = _to_i420(image, self.width, self.height, self.stamp_frames)
                now = time.monotonic()
                with self._lock:
                    if self._slot is not None:
                        self.frames_dropped += 1
                    self._slot = (i420, ts, now)
                    self.frames_captured += 1
                    self._last_capture = now
                with contextlib.suppress(RuntimeError):  # loop already closed
                    self._event_loop.call_soon_threadsafe(self._frame_ready.set)
                next_due = max(next_due + self._interval, now)
                if next_due > now:
                    self._stopping.wait(next_due - now)
        finally:
            self._capture.release()

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(_WATCHDOG_PERIOD_S)
            with self._lock:
                silent = time.monotonic() - self._last_capture
            if silent > self.stall_timeout_s:
                self._set_state(CameraState.FAILED, f"no frame for {silent:.1f} s")
            elif self.state is not CameraState.RUNNING and self.frames_captured:
                self._set_state(CameraState.RUNNING, None)

    def _set_state(self, state: CameraState, reason: str | None) -> None:
        old = self.state
        if old is state:
            return
        self.state = state
        self.failure_reason = reason
        log.info("camera %s -> %s%s", old.value, state.value, f" ({reason})" if reason else "")
        if self.on_state_change is not None:
            try:
                self.on_state_change(old, state)
            except Exception:
                log.exception("camera on_state_change callback failed")

    def _take(self) -> tuple[U8Array, int, float] | None:
        with self._lock:
            item, self._slot = self._slot, None
        return item

    async def recv(self) -> VideoFrame:
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            self._frame_ready.clear()
            item = self._take()
            if item is not None:
                break
            if self.state is CameraState.FAILED:
                wait = self._last_sent + self._interval - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if self._slot is None and self.readyState == "live":
                    dark = placeholder_i420(self.width, self.height, _BROKEN_LUMA)
                    item = (dark, now_us(), time.monotonic())
                    break
                continue
            # Wake up at least once per frame interval to notice a failure.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._frame_ready.wait(), self._interval)
        i420, ts, captured_at = item
        if self.stamp_frames:
            stamp(i420, self.frames_sent, ts)
        frame = VideoFrame.from_ndarray(i420, format="yuv420p")
        pts = max(int((captured_at - self._t0) * 90000), self._last_pts + 1)
        frame.pts = self._last_pts = pts
        frame.time_base = VIDEO_TIME_BASE
        self.frames_sent += 1
        self._last_sent = time.monotonic()
        return frame

    def stop(self) -> None:
        """End the track and ask the capture thread to finish (non-blocking)."""
        self._stopping.set()
        self._watchdog.cancel()
        if self.state is not CameraState.STOPPED:
            self._set_state(CameraState.STOPPED, None)
        super().stop()

    async def close(self) -> None:
        """Stop, then wait for the capture thread to release the device."""
        self.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await self._watchdog
        await asyncio.to_thread(self._thread.join, _JOIN_TIMEOUT_S)
        if self._thread.is_alive():
            log.warning("camera thread still blocked in read() after %s s", _JOIN_TIMEOUT_S)
