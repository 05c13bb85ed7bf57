"""Audio devices: probing falls back cleanly when there is no sound card."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from client_core.audio_devices import (
    available_backends,
    open_microphone,
    open_microphone_or_tone,
    open_speaker,
)
from client_core.media_synthetic import SyntheticAudioTrack

no_sound_card = pytest.mark.skipif(
    os.path.exists("/dev/snd") or bool(os.environ.get("PULSE_SERVER")),
    reason="this host has a sound device",
)


def test_backends_are_known_to_pyav() -> None:
    assert set(available_backends()) <= {"pulse", "alsa"}
    assert available_backends(["nonexistent"]) == []


@no_sound_card
async def test_no_device_gives_none_quickly() -> None:
    start = time.monotonic()
    assert await asyncio.wait_for(open_microphone(), 5) is None
    assert await asyncio.wait_for(open_speaker(), 5) is None
    assert time.monotonic() - start < 3


@no_sound_card
async def test_fallback_is_the_tone() -> None:
    track = await asyncio.wait_for(open_microphone_or_tone(), 5)
    assert isinstance(track, SyntheticAudioTrack)
    track.stop()
