"""The kiosk's two signal sounds, played through :class:`~kiosk.audio_out.AudioOut`.

* the "a clerk answered" chime: two soft falling tones;
* the attention sound of an "are you still there?" prompt: three short rising beeps, so a
  waiting citizen never mistakes it for a clerk answering.

Best effort: a kiosk without a speaker logs it (the screen carries the message then).
"""

from __future__ import annotations

import asyncio
from typing import Final

import numpy as np

from kiosk.audio_out import RATE, AudioOut, Clip

_NOTES_ANSWERED: Final = ((1318.5, 0.25), (1046.5, 0.45))
_NOTES_ATTENTION: Final = ((880.0, 0.16), (0.0, 0.08), (987.8, 0.16), (0.0, 0.08), (1174.7, 0.3))


def tones(notes: tuple[tuple[float, float], ...], volume: float = 0.3) -> Clip:
    """Notes ``(Hz, seconds)`` (0 Hz: a rest), each with a soft decay, as one clip."""
    parts = []
    for freq, length in notes:
        t = np.arange(int(RATE * length)) / RATE
        if freq <= 0:
            parts.append(np.zeros_like(t))
            continue
        envelope = np.exp(-4.0 * t / length) * np.minimum(1.0, t / 0.01)
        parts.append(volume * 32767 * envelope * np.sin(2 * np.pi * freq * t))
    return Clip(np.concatenate(parts).astype(np.int16), RATE)


class Chime:
    """Plays the signal sounds; counts them (tests read :attr:`played` and :attr:`attentions`)."""

    def __init__(self, out: AudioOut | None = None) -> None:
        self.out = out or AudioOut(None)
        self.played = 0
        self.attentions = 0
        self._answered = tones(_NOTES_ANSWERED)
        self._attention = tones(_NOTES_ATTENTION)

    def play(self) -> None:
        """The "a clerk answered" chime, without waiting for it."""
        self.played += 1
        self._start(self._answered, "chime")

    def attention(self) -> None:
        """The prompt's attention sound, without waiting for it."""
        self.attentions += 1
        self._start(self._attention, "attention")

    def _start(self, clip: Clip, label: str) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no loop (a presenter test): nothing to play on
            return
        self.out.play(clip, label)
