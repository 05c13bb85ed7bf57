"""Silencing one member on this side's speaker: the speaker gets silence of the same length
and timing, while the member's sound is still received and measured."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np

from client_core.media_synthetic import SyntheticAudioTrack
from client_core.media_tuning import MediaTuning
from client_core.remote_media import RemoteMedia


class Speaker:
    """Stands in for the speaker's MediaRecorder: keeps the track it is given."""

    def __init__(self) -> None:
        self.tracks: list[Any] = []

    def addTrack(self, track: Any) -> None:  # aiortc names it so
        self.tracks.append(track)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


def _peak(frame: Any) -> int:
    return int(np.abs(frame.to_ndarray()).max())


async def test_a_silenced_member_is_silent_on_the_speaker_only() -> None:
    speaker = Speaker()
    remote = RemoteMedia("pair", MediaTuning(), audio_output=speaker)  # type: ignore[arg-type]
    remote.on_track(SyntheticAudioTrack(650.0, 0.5), None)
    remote.start({})
    gate = speaker.tracks[0]
    heard = await asyncio.wait_for(gate.recv(), 2.0)
    assert _peak(heard) > 1000
    remote.set_audible(False)
    silenced = await asyncio.wait_for(gate.recv(), 2.0)
    assert _peak(silenced) == 0
    assert (silenced.samples, silenced.sample_rate) == (heard.samples, heard.sample_rate)
    assert silenced.pts > heard.pts  # the speaker's timing goes on
    before = remote.audio_sink.frames_received
    await asyncio.sleep(0.3)
    assert remote.audio_sink.frames_received > before  # still received and measured
    remote.set_audible(True)
    assert _peak(await asyncio.wait_for(gate.recv(), 2.0)) > 1000
    await remote.close()


async def test_silenced_before_the_track_arrives_starts_silent() -> None:
    speaker = Speaker()
    remote = RemoteMedia("pair", MediaTuning(), audio_output=speaker)  # type: ignore[arg-type]
    remote.set_audible(False)
    remote.on_track(SyntheticAudioTrack(650.0, 0.5), None)
    remote.start({})
    assert _peak(await asyncio.wait_for(speaker.tracks[0].recv(), 2.0)) == 0
    await remote.close()
