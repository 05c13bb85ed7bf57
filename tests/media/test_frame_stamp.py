"""Frame stamps: round trips, corruption, and survival through VP8/H.264."""

from __future__ import annotations

import numpy as np
import pytest
from aiortc.codecs import depayload, get_decoder, get_encoder
from aiortc.codecs.h264 import H264Encoder
from aiortc.codecs.vpx import Vp8Encoder
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from av import VideoFrame
from hypothesis import given, settings
from hypothesis import strategies as st

from client_core.frame_stamp import (
    Stamp,
    block_size,
    now_us,
    read_stamp,
    stamp,
    stamp_height,
)
from client_core.media_sink import read_frame_stamp
from client_core.media_synthetic import SyntheticVideoTrack


def picture(h: int = 480, w: int = 640, channels: int | None = 3) -> np.ndarray:
    rng = np.random.default_rng(1)
    shape = (h, w, channels) if channels else (h, w)
    return rng.integers(0, 256, size=shape, dtype=np.uint8)


@given(counter=st.integers(0, 2**32 - 1), ts=st.integers(0, 2**64 - 1))
@settings(max_examples=60, deadline=None)
def test_round_trip_any_values(counter: int, ts: int) -> None:
    for arr in (picture(), picture(channels=None)):
        stamp(arr, counter, ts)
        assert read_stamp(arr) == Stamp(counter, ts)


def test_geometry_and_sizes() -> None:
    assert block_size(640) == 16 and stamp_height(640) == 48
    assert stamp_height(1280) == 96
    for w, h in ((320, 240), (1280, 720), (656, 480)):
        arr = picture(h, w)
        stamp(arr, 7, 123)
        assert read_stamp(arr) == Stamp(7, 123)
    # Packed I420: the top rows are the Y plane.
    i420 = picture(720, 640, channels=None)
    stamp(i420, 9, 99)
    assert read_stamp(i420[:480]) == Stamp(9, 99)


def test_too_small() -> None:
    with pytest.raises(ValueError):
        stamp(picture(100, 100), 1, 1)
    assert read_stamp(picture(100, 100)) is None


def test_unstamped_and_corrupted_reads_are_rejected() -> None:
    assert read_stamp(np.zeros((480, 640, 3), np.uint8)) is None
    assert read_stamp(picture()) is None
    arr = picture(channels=None)
    stamp(arr, 1234, now_us())
    b = block_size(640)
    # Invert single data blocks, in the counter, the timestamp and the CRC.
    for index in (10, 50, 110):
        bad = arr.copy()
        row, col = divmod(index, 40)
        block = bad[row * b : (row + 1) * b, col * b : (col + 1) * b]
        block[...] = 251 - block
        assert read_stamp(bad) is None, index
    # A washed-out strip (no contrast) is not trusted.
    flat = arr.copy()
    flat[: 3 * b] = 128
    assert read_stamp(flat) is None


def test_survives_level_shift() -> None:
    arr = picture(channels=None)
    stamp(arr, 42, 4242)
    dim = (arr.astype(np.float32) * 0.6 + 30).astype(np.uint8)
    assert read_stamp(dim) == Stamp(42, 4242)


@pytest.mark.parametrize(
    ("mime", "frames", "bitrate"),
    [("video/VP8", 40, 250_000), ("video/H264", 12, 500_000)],
)
async def test_survives_real_codec(mime: str, frames: int, bitrate: int) -> None:
    """Encode and decode with aiortc's own codecs at their lowest bitrate."""
    codec = RTCRtpCodecParameters(mimeType=mime, clockRate=90000, payloadType=96)
    encoder, decoder = get_encoder(codec), get_decoder(codec)
    assert isinstance(encoder, Vp8Encoder | H264Encoder)
    encoder.target_bitrate = bitrate
    track = SyntheticVideoTrack(fps=1000, stamp_frames=True)  # pacing would only slow the test
    read: list[Stamp | None] = []
    try:
        for _ in range(frames):
            frame = await track.recv()
            payloads, timestamp = encoder.encode(frame)
            data = b"".join(depayload(codec, p) for p in payloads)
            for out in decoder.decode(JitterFrame(data=data, timestamp=timestamp)):
                assert isinstance(out, VideoFrame)
                read.append(read_frame_stamp(out))
    finally:
        track.stop()
    assert len(read) == frames
    assert [s.counter if s else None for s in read] == list(range(frames))
