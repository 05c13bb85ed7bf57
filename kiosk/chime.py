"""The "a clerk answered" chime: two soft tones, played on the speaker in a worker thread.

Best effort: a kiosk without a speaker logs it (the screen change is the cue then).
"""

from __future__ import annotations

import asyncio
import fractions
import logging
from typing import Final

import av
import numpy as np

from client_core.audio_devices import available_backends

log = logging.getLogger("etapiste.kiosk.chime")

RATE: Final = 48000


def chime_pcm(volume: float = 0.3) -> bytes:
    """About 0.7 s of mono s16: E6 then C6, each with a soft decay."""
    parts = []
    for freq, length in ((1318.5, 0.25), (1046.5, 0.45)):
        t = np.arange(int(RATE * length)) / RATE
        envelope = np.exp(-4.0 * t / length) * np.minimum(1.0, t / 0.01)
        parts.append(volume * 32767 * envelope * np.sin(2 * np.pi * freq * t))
    return np.concatenate(parts).astype("<i2").tobytes()


def _play(device: str, pcm: bytes) -> bool:
    for backend in available_backends():
        try:
            container = av.open(device, mode="w", format=backend)
        except (OSError, ValueError, av.FFmpegError):
            continue
        try:
            stream = container.add_stream("pcm_s16le", rate=RATE, layout="mono")
            frame = av.AudioFrame(format="s16", layout="mono", samples=len(pcm) // 2)
            frame.planes[0].update(pcm)
            frame.sample_rate = RATE
            frame.time_base = fractions.Fraction(1, RATE)
            frame.pts = 0
            for packet in stream.encode(frame):
                container.mux(packet)
        finally:
            container.close()
        return True
    return False


class Chime:
    """Plays the chime; counts how often it was asked to (tests read :attr:`played`)."""

    def __init__(self, device: str | None = "default") -> None:
        self.device = device
        self.played = 0
        self._pcm = chime_pcm()

    def play(self) -> None:
        """Start the chime without waiting for it."""
        self.played += 1
        if self.device is None:
            log.info("chime (no speaker)")
            return
        task = asyncio.ensure_future(asyncio.to_thread(_play, self.device, self._pcm))
        task.add_done_callback(self._done)

    @staticmethod
    def _done(task: asyncio.Future[bool]) -> None:
        if task.cancelled() or task.exception() is not None or not task.result():
            log.info("chime not played: no usable speaker")
