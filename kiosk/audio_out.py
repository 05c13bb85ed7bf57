"""The kiosk's own sounds on its loudspeaker (or headphones): chimes, spoken guidance, tests.

One :class:`AudioOut` plays one clip at a time through PyAV's ALSA (or PulseAudio) output,
in a single worker thread so clips never overlap; a new clip interrupts the one playing
(spoken guidance for a screen the citizen has already left is worth nothing).  The device is
a name as ALSA knows it: ``default`` on a kiosk; tests give ALSA's ``file`` plugin, so what
they capture went through exactly the code a speaker gets.

Best effort: a kiosk without a speaker logs it and the screen carries the message.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Final

import av
import numpy as np
import numpy.typing as npt

from client_core.audio_devices import available_backends

log = logging.getLogger("etapiste.kiosk.audio_out")

RATE: Final = 48000
CHUNK_S: Final = 0.05
"""Clips are written in chunks this long; an interruption takes effect between chunks."""


@dataclass(frozen=True)
class Clip:
    """Mono 16-bit sound at ``rate`` samples per second."""

    pcm: npt.NDArray[np.int16]
    rate: int

    @property
    def seconds(self) -> float:
        """How long the clip plays."""
        return len(self.pcm) / self.rate if self.rate else 0.0

    def at_rate(self, rate: int) -> Clip:
        """The same sound resampled to ``rate`` (PyAV's swresample)."""
        if rate == self.rate or len(self.pcm) == 0:
            return Clip(self.pcm, rate) if len(self.pcm) == 0 else self
        frame = av.AudioFrame.from_ndarray(self.pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = self.rate
        resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
        parts = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
        parts += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
        return Clip(np.concatenate(parts).astype(np.int16), rate)

    @staticmethod
    def silence(seconds: float, rate: int = RATE) -> Clip:
        """A pause."""
        return Clip(np.zeros(int(seconds * rate), dtype=np.int16), rate)

    @staticmethod
    def join(clips: list[Clip], pause_s: float = 0.0, rate: int = RATE) -> Clip:
        """The clips one after another at ``rate``, with ``pause_s`` of silence between."""
        gap = np.zeros(int(pause_s * rate), dtype=np.int16)
        parts: list[npt.NDArray[np.int16]] = []
        for i, clip in enumerate(clips):
            if i:
                parts.append(gap)
            parts.append(clip.at_rate(rate).pcm)
        pcm = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
        return Clip(pcm.astype(np.int16), rate)


class AudioOut:
    """Plays clips on one output device, one at a time; counts what it played."""

    def __init__(self, device: str | None = "default") -> None:
        self.device = device
        self.played: list[tuple[str, float]] = []
        """``(label, seconds)`` of every clip played to its end (tests and logs read it)."""
        self.on_played: Callable[[str, float], None] | None = None
        self._generation = 0
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="audio-out")
        self._last: asyncio.Future[bool] | None = None

    def play(self, clip: Clip, label: str, *, interrupt: bool = True) -> asyncio.Future[bool]:
        """Play ``clip`` (stopping the one playing when ``interrupt``); the future says
        whether it played to the end."""
        with self._lock:
            if interrupt:
                self._generation += 1
            generation = self._generation
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._worker, self._play, clip, label, generation)
        self._last = future
        return future

    def interrupt(self) -> None:
        """Stop whatever plays and drop what is queued."""
        with self._lock:
            self._generation += 1

    async def drain(self) -> None:
        """Wait until every clip asked for so far has played (or was dropped)."""
        while self._last is not None and not self._last.done():
            last = self._last
            await asyncio.wait([last])

    def _current(self, generation: int) -> bool:
        with self._lock:
            return generation == self._generation

    def _play(self, clip: Clip, label: str, generation: int) -> bool:
        if not self._current(generation):
            return False
        if self.device is None:
            log.info("%s (%.1f s): no speaker", label, clip.seconds)
            return False
        pcm = clip.at_rate(RATE).pcm
        for backend in available_backends():
            try:
                container = av.open(self.device, mode="w", format=backend)
            except (OSError, ValueError, av.FFmpegError):
                continue
            try:
                done = self._write(container, pcm, generation)
            except (OSError, av.FFmpegError) as exc:
                log.info("%s not played via %s: %s", label, backend, exc)
                continue
            finally:
                container.close()
            if done:
                self.played.append((label, clip.seconds))
                if self.on_played is not None:
                    self.on_played(label, clip.seconds)
            return done
        log.info("%s not played: no usable speaker", label)
        return False

    def _write(self, container: av.container.OutputContainer, pcm: npt.NDArray[np.int16],
               generation: int) -> bool:
        stream = container.add_stream("pcm_s16le", rate=RATE, layout="mono")
        step = int(RATE * CHUNK_S)
        for start in range(0, len(pcm), step):
            if not self._current(generation):
                return False
            chunk = pcm[start : start + step]
            frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = RATE
            frame.time_base = fractions.Fraction(1, RATE)
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
        return True

    def close(self) -> None:
        """Stop playing and end the worker thread."""
        self.interrupt()
        self._worker.shutdown(wait=False, cancel_futures=True)
