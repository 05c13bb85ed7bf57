"""Synthetic sources: format, stamps and pacing."""

from __future__ import annotations

import asyncio
import math
import time

import numpy as np
from aiortc.mediastreams import MediaStreamError

from client_core.frame_stamp import now_us
from client_core.media_sink import read_frame_stamp
from client_core.media_synthetic import SyntheticAudioTrack, SyntheticVideoTrack, voice_like


async def test_video_frames_are_stamped_yuv420p_and_paced() -> None:
    track = SyntheticVideoTrack(stamp_frames=True)
    frames = []
    start = time.monotonic()
    for _ in range(10):
        frames.append(await asyncio.wait_for(track.recv(), 1))
    elapsed = time.monotonic() - start
    track.stop()
    assert 0.25 < elapsed < 1.0  # nine intervals of 33 ms
    assert {(f.width, f.height, f.format.name) for f in frames} == {(640, 480, "yuv420p")}
    assert [f.pts for f in frames] == [i * 3000 for i in range(10)]
    stamps = [read_frame_stamp(f) for f in frames]
    assert [s.counter for s in stamps if s] == list(range(10))
    assert all(s and abs(now_us() - s.ts_us) < 2_000_000 for s in stamps)
    # The picture moves.
    first, last = frames[0].to_ndarray(), frames[-1].to_ndarray()
    assert np.mean(np.abs(first[100:400].astype(int) - last[100:400])) > 5


async def test_video_skips_ahead_instead_of_bursting() -> None:
    track = SyntheticVideoTrack(320, 240, stamp_frames=True)
    await track.recv()
    await asyncio.sleep(0.5)  # the consumer stalls: 15 frames are "owed"
    frames = []
    start = time.monotonic()
    while time.monotonic() - start < 0.3:
        frames.append(await asyncio.wait_for(track.recv(), 1))
    track.stop()
    # At most the real-time rate (9 in 0.3 s, plus edges), not a burst of 15 + 9.
    assert len(frames) <= 12
    pts = [f.pts or 0 for f in frames]
    assert pts[0] >= 0.45 * 90000  # pts stay in real time
    assert pts == sorted(set(pts))
    stamps = [read_frame_stamp(f) for f in frames]
    # The counter counts frames handed out: no gap for the skipped time.
    assert [s.counter for s in stamps if s] == list(range(1, len(frames) + 1))


async def test_no_stamp_unless_asked() -> None:
    track = SyntheticVideoTrack(320, 240)
    frames = [await asyncio.wait_for(track.recv(), 1) for _ in range(3)]
    track.stop()
    assert [read_frame_stamp(f) for f in frames] == [None, None, None]


async def test_stopped_track_raises() -> None:
    track = SyntheticVideoTrack(320, 240)
    track.stop()
    try:
        await track.recv()
    except MediaStreamError:
        pass
    else:
        raise AssertionError("expected MediaStreamError")


async def test_audio_tone() -> None:
    track = SyntheticAudioTrack()
    frames = [await asyncio.wait_for(track.recv(), 1) for _ in range(5)]
    track.stop()
    f = frames[-1]
    assert (f.samples, f.sample_rate, f.format.name, f.layout.name) == (960, 48000, "s16", "mono")
    assert [x.pts for x in frames] == [i * 960 for i in range(5)]
    pcm = np.concatenate([x.to_ndarray()[0] for x in frames]).astype(float) / 32768
    assert math.isclose(float(np.sqrt(np.mean(pcm**2))), 0.25 / math.sqrt(2), rel_tol=0.02)
    # Continuous across frames: no click where one frame meets the next.
    assert float(np.max(np.abs(np.diff(pcm)))) < 0.02


async def test_voice_like_audio_loops_without_a_click_and_is_not_a_tone() -> None:
    wave = voice_like()
    assert wave.shape == (4 * 48000,) and float(np.max(np.abs(wave))) == 1.0
    assert abs(float(wave[0] - wave[-1])) < 0.05  # the loop joins up
    spectrum = np.abs(np.fft.rfft(wave))
    strongest = np.argsort(spectrum)[-20:] / 4  # Hz (4 s of signal)
    assert strongest.min() > 80 and strongest.max() < 1200  # harmonics of ~150 Hz
    track = SyntheticAudioTrack(voice=True)
    frame = await track.recv()
    assert frame.samples == 960 and frame.sample_rate == 48000
    track.stop()
