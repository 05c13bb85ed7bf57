"""Camera track: real cv2 failure path and a real cv2 capture from a file."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from client_core.camera import CameraState, CameraUnavailable, CameraVideoTrack
from client_core.errors import ClientError
from client_core.frame_stamp import stamp_height
from client_core.media_sink import read_frame_stamp
from client_core.media_synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from client_core.media_tuning import MediaTuning
from client_core.peer import CallPeer
from tests.media.conftest import negotiate, wait_until

FRAMES = 24


def gray_level(i: int) -> int:
    return 30 + i * 8


def write_video(path: Path, width: int, height: int, frames: int = FRAMES) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30, (width, height))
    assert writer.isOpened()
    for i in range(frames):
        writer.write(np.full((height, width, 3), gray_level(i), np.uint8))
    writer.release()


async def test_missing_device_is_unavailable() -> None:
    start = time.monotonic()
    with pytest.raises(CameraUnavailable):
        await asyncio.wait_for(CameraVideoTrack.open(99), 10)
    with pytest.raises(CameraUnavailable):
        await asyncio.wait_for(CameraVideoTrack.open("/nonexistent/video.avi"), 10)
    assert time.monotonic() - start < 5
    assert issubclass(CameraUnavailable, OSError) and issubclass(CameraUnavailable, ClientError)


class SilentCapture:
    """Opens, then never delivers a frame (a camera whose driver hangs)."""

    released = False

    def isOpened(self) -> bool:
        return True

    def read(self) -> tuple[bool, Any]:
        time.sleep(0.01)
        return False, None

    def release(self) -> None:
        SilentCapture.released = True


async def test_opened_but_silent_camera_is_unavailable() -> None:
    with pytest.raises(CameraUnavailable, match="no frame"):
        await asyncio.wait_for(
            CameraVideoTrack.open(capture_factory=SilentCapture, first_frame_timeout_s=0.3), 5
        )
    assert SilentCapture.released


async def test_file_capture_then_failure(tmp_path: Path) -> None:
    path = tmp_path / "camera.avi"
    write_video(path, 640, 480)
    states: list[tuple[CameraState, CameraState]] = []
    track = await asyncio.wait_for(
        CameraVideoTrack.open(
            capture_factory=lambda: cv2.VideoCapture(str(path)),
            fps=30,
            stall_timeout_s=0.5,
            on_state_change=lambda old, new: states.append((old, new)),
            stamp_frames=True,
        ),
        10,
    )
    try:
        assert track.state is CameraState.RUNNING
        start = time.monotonic()
        levels: list[float] = []
        counters: list[int] = []
        pts: list[int] = []
        while len(levels) < FRAMES // 2:
            frame = await asyncio.wait_for(track.recv(), 2)
            stamp = read_frame_stamp(frame)
            assert stamp is not None
            counters.append(stamp.counter)
            assert frame.pts is not None
            pts.append(frame.pts)
            y = frame.to_ndarray()[stamp_height(640) : 480]
            levels.append(float(y.mean()))
        elapsed = time.monotonic() - start
        assert counters == list(range(len(counters)))
        assert pts == sorted(set(pts))
        assert elapsed > 0.25  # the file is read at 30 fps, not as fast as it decodes
        # Frames arrive in file order (some may be dropped, none reordered).
        assert levels == sorted(levels)
        # BGR gray g becomes luma 16 + g * 219 / 255; we start near the file's start.
        assert 16 + gray_level(0) * 219 / 255 - 3 < levels[0] < 16 + gray_level(3) * 219 / 255

        # The file ends: frames stop, the track reports the failure ...
        await wait_until(lambda: track.state is CameraState.FAILED, 3)
        assert (CameraState.RUNNING, CameraState.FAILED) in states
        assert track.failure_reason and "no frame" in track.failure_reason
        # ... and keeps the call fed with (here stamped) placeholder frames.
        before = track.frames_sent
        placeholders = [await asyncio.wait_for(track.recv(), 1) for _ in range(3)]
        got = [read_frame_stamp(f) for f in placeholders]
        assert [s.counter for s in got if s] == [before, before + 1, before + 2]
        assert float(placeholders[-1].to_ndarray()[100:480].mean()) < 80
    finally:
        await asyncio.wait_for(track.close(), 5)
    final: CameraState = track.state
    assert final is CameraState.STOPPED
    assert not track._thread.is_alive()


async def test_file_capture_is_scaled(tmp_path: Path) -> None:
    path = tmp_path / "small.avi"
    write_video(path, 320, 240, frames=10)
    track = await CameraVideoTrack.open(
        capture_factory=lambda: cv2.VideoCapture(str(path)), width=640, height=480
    )
    try:
        frame = await asyncio.wait_for(track.recv(), 2)
        assert (frame.width, frame.height, frame.format.name) == (640, 480, "yuv420p")
        assert read_frame_stamp(frame) is None  # no measuring strip unless asked for
    finally:
        await track.close()


@pytest.mark.slow
async def test_broken_camera_does_not_fail_the_media_path(tmp_path: Path) -> None:
    """The far end keeps getting (placeholder) frames: no renegotiation for a camera fault."""
    path = tmp_path / "camera.avi"
    write_video(path, 640, 480, frames=15)
    camera = await CameraVideoTrack.open(
        capture_factory=lambda: cv2.VideoCapture(str(path)), stall_timeout_s=0.3, stamp_frames=True
    )
    kiosk = CallPeer([], video=camera, audio=SyntheticAudioTrack(), name="kiosk")
    agent = CallPeer([], video=SyntheticVideoTrack(320, 240), name="agent", media_timeout_s=1.0)
    try:
        await negotiate(kiosk, agent)
        await wait_until(lambda: camera.state is CameraState.FAILED, 3)
        failed_at = agent.video_sink.frames_received
        await asyncio.sleep(1.5)
        assert agent.video_sink.frames_received > failed_at + 20
        assert not agent.media_failed.is_set()
        assert agent.video_sink.out_of_order == 0 and agent.video_sink.unstamped == 0
    finally:
        await kiosk.close()
        await agent.close()
        await camera.close()


class PictureCapture:
    """A synthetic capture device: the same picture at 30 fps, through the camera code path."""

    def __init__(self, image: np.ndarray) -> None:
        self.image = image

    def isOpened(self) -> bool:
        return True

    def read(self) -> tuple[bool, Any]:
        time.sleep(1 / 30)
        return True, self.image.copy()

    def release(self) -> None:
        pass


def captured_picture(width: int = 640, height: int = 480) -> np.ndarray:
    """Smooth colour gradients under bold shapes; the top rows a band of mid-tone colours."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    image = np.stack(
        [60 + 120 * x / width, 80 + 100 * y / height, 200 - 120 * x / width], axis=-1
    ).astype(np.uint8)
    for i, colour in enumerate([(40, 160, 220), (200, 120, 60), (90, 200, 90), (160, 80, 180)]):
        image[:48, i * width // 4 : (i + 1) * width // 4] = colour
    cv2.circle(image, (width // 2, height // 2), height // 5, (230, 220, 200), -1)
    cv2.rectangle(image, (40, 300), (200, 440), (30, 30, 120), -1)
    return image


@pytest.mark.slow
async def test_camera_picture_arrives_whole_in_a_normal_call() -> None:
    """A real call (two aiortc peers, VP8) shows the citizen's captured picture, top rows too.

    Only a bench or test that asks for it gets the measuring strip over rows 0-47.
    """
    picture = captured_picture()
    camera = await CameraVideoTrack.open(capture_factory=lambda: PictureCapture(picture))
    # The full picture from the first frame: the video ladder would start it at 320x240.
    steady = MediaTuning(video_ladder=False)
    kiosk = CallPeer([], video=camera, audio=SyntheticAudioTrack(), name="kiosk", tuning=steady)
    agent = CallPeer([], audio=SyntheticAudioTrack(), name="agent", tuning=steady)
    try:
        await negotiate(kiosk, agent)
        # Let the encoder settle past its first, coarse keyframe.
        await wait_until(lambda: agent.video_sink.frames_received >= 45, 10)
        frame = agent.video_sink.slot.frame
        assert frame is not None and (frame.width, frame.height) == (640, 480)
        assert read_frame_stamp(frame) is None and agent.video_sink.unstamped > 0
        shown = frame.to_ndarray(format="bgr24").astype(np.int16)
        diff = np.abs(shown - picture.astype(np.int16))
        # Codec loss and two colour conversions stay within a few levels on average; a
        # stamp strip (black and white blocks) over the coloured band would be off by ~100.
        assert float(diff[:48].mean()) < 12, f"rows 0-47 differ by {diff[:48].mean():.1f}"
        assert float(diff[48:].mean()) < 12, f"rows 48+ differ by {diff[48:].mean():.1f}"
        for i in range(4):  # each colour block of the top band arrives as that colour
            block = diff[8:40, i * 160 + 16 : (i + 1) * 160 - 16]
            assert float(block.mean()) < 12
    finally:
        await kiosk.close()
        await agent.close()
        await camera.close()
