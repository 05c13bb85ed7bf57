"""Microphone and speaker through PyAV's PulseAudio or ALSA devices.

Both are probed when opened and come back as ``None`` when there is no
usable device (a container, a kiosk whose USB headset fell off); callers
then send :class:`~client_core.media_synthetic.SyntheticAudioTrack` and
rely on :class:`~client_core.media_sink.AudioSink` alone to consume the
remote audio.  PulseAudio is tried first because it shares the device with
other programs; plain ALSA ``default`` is the fallback.  The PyAV wheels
bundle ALSA but not always PulseAudio, so only the backends this PyAV
knows are tried.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import av
from aiortc.contrib.media import MediaPlayer, MediaRecorder
from aiortc.mediastreams import MediaStreamTrack

from client_core.media_synthetic import SyntheticAudioTrack

log = logging.getLogger(__name__)

BACKENDS: Final = ("pulse", "alsa")
_RATE: Final = 48000
SYSTEM_ALSA_CONFIG: Final = Path("/usr/share/alsa/alsa.conf")

# The ALSA library inside PyAV's wheel looks for its configuration under the path it was
# built with (``/tmp/vendor/share/alsa``), finds nothing there and then knows no device at
# all, not even ``default``.  Point it at the system's configuration (Debian's
# libasound2-data) unless the environment already chose one.
if SYSTEM_ALSA_CONFIG.exists():
    os.environ.setdefault("ALSA_CONFIG_PATH", str(SYSTEM_ALSA_CONFIG))


def available_backends(wanted: Sequence[str] = BACKENDS) -> list[str]:
    """The audio device formats this PyAV build can open, in order."""
    return [name for name in wanted if name in av.formats_available]


def _open_player(device: str, backend: str) -> MediaPlayer:
    return MediaPlayer(device, format=backend, options={"sample_rate": str(_RATE), "channels": "1"})


def _probe_output(device: str, backend: str) -> None:
    # MediaRecorder only opens the device when the first packet is muxed, in
    # its own task where a failure would go unnoticed: write 20 ms of
    # silence here first so a missing speaker fails now.
    container = av.open(device, mode="w", format=backend)
    try:
        stream = container.add_stream("pcm_s16le", rate=_RATE, layout="mono")
        frame = av.AudioFrame(format="s16", layout="mono", samples=_RATE // 50)
        frame.planes[0].update(bytes(frame.planes[0].buffer_size))
        frame.sample_rate = _RATE
        frame.time_base = fractions.Fraction(1, _RATE)
        frame.pts = 0
        for packet in stream.encode(frame):
            container.mux(packet)
    finally:
        container.close()


async def open_microphone(
    device: str = "default", backends: Sequence[str] = BACKENDS
) -> MediaStreamTrack | None:
    """The microphone as an audio track, or ``None`` when there is none."""
    for backend in available_backends(backends):
        try:
            player = await asyncio.to_thread(_open_player, device, backend)
        except (OSError, ValueError, av.FFmpegError) as exc:
            log.info("no microphone via %s %r: %s", backend, device, exc)
            continue
        track: MediaStreamTrack | None = player.audio
        if track is not None:
            log.info("microphone via %s %r", backend, device)
            return track
    return None


async def open_speaker(
    device: str = "default", backends: Sequence[str] = BACKENDS
) -> MediaRecorder | None:
    """A ``MediaRecorder`` playing to the speaker, or ``None`` when there is none.

    Give it a remote audio track with ``addTrack`` then ``await start()``;
    ``await stop()`` at the end of the call.
    """
    for backend in available_backends(backends):
        try:
            await asyncio.to_thread(_probe_output, device, backend)
            recorder = MediaRecorder(device, format=backend)
        except (OSError, ValueError, av.FFmpegError) as exc:
            log.info("no speaker via %s %r: %s", backend, device, exc)
            continue
        log.info("speaker via %s %r", backend, device)
        return recorder
    return None


async def open_microphone_or_tone(device: str = "default") -> MediaStreamTrack:
    """The microphone if there is one, else the synthetic 440 Hz tone."""
    track = await open_microphone(device)
    if track is None:
        log.warning("no microphone: sending a synthetic tone")
        return SyntheticAudioTrack()
    return track
