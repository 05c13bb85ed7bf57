"""The gated tracks both apps send: camera off, mute, a source that dies, the self view."""

from __future__ import annotations

import asyncio

import numpy as np

from client_core.local_media import LocalMedia
from client_core.media_synthetic import PLACEHOLDER_LUMA


async def test_camera_off_sends_the_placeholder_and_hides_the_self_view() -> None:
    media = LocalMedia.synthetic(320, 240)
    assert media.video is not None
    try:
        live = await asyncio.wait_for(media.video.recv(), 1)
        assert media.preview.frame is live  # the self view shows what is sent
        assert float(live.to_ndarray()[:240].std()) > 10  # a picture, not a flat field

        media.set_camera(False)
        assert media.preview.frame is None
        dark = await asyncio.wait_for(media.video.recv(), 1)
        y = dark.to_ndarray()[:240]
        assert (dark.width, dark.height) == (320, 240) and dark.pts is not None
        assert np.all(y == PLACEHOLDER_LUMA)
        assert media.preview.frame is None

        media.reset()  # the next call starts with the camera on
        again = await asyncio.wait_for(media.video.recv(), 1)
        assert media.preview.frame is again
    finally:
        await media.close()


async def test_mute_sends_silence_of_the_same_shape() -> None:
    media = LocalMedia.synthetic()
    assert media.audio is not None
    try:
        tone = await asyncio.wait_for(media.audio.recv(), 1)
        assert np.abs(tone.to_ndarray()).max() > 1000
        media.set_microphone(False)
        silent = await asyncio.wait_for(media.audio.recv(), 1)
        assert (silent.samples, silent.sample_rate) == (tone.samples, tone.sample_rate)
        assert silent.pts == tone.pts + tone.samples
        assert not np.any(silent.to_ndarray())
    finally:
        await media.close()


async def test_a_dying_source_is_reported_once_and_the_call_stays_fed() -> None:
    failures: list[tuple[str, str]] = []
    media = LocalMedia.synthetic(160, 120)
    media.on_failed = lambda kind, reason: failures.append((kind, reason))
    assert media.video is not None and media.audio is not None
    try:
        await media.video.recv()
        media.video.source.stop()  # unplugged
        media.audio.source.stop()
        frames = [await asyncio.wait_for(media.video.recv(), 1) for _ in range(3)]
        sound = [await asyncio.wait_for(media.audio.recv(), 1) for _ in range(3)]
        assert sorted(kind for kind, _ in failures) == ["camera", "microphone"]
        assert all(np.all(f.to_ndarray()[:120] == PLACEHOLDER_LUMA) for f in frames)
        assert [f.pts for f in frames] == sorted({f.pts for f in frames})
        assert all(not np.any(s.to_ndarray()) for s in sound)
        assert media.preview.frame is None
    finally:
        await media.close()
