"""The offer chime: a short two-tone WAV through QtMultimedia, or the system beep without it.

QtMultimedia is imported only when the real app starts (it needs an audio backend that an
offscreen test run may not have); the alert's timing is :class:`agent_console.alert.OfferAlert`.
"""

from __future__ import annotations

import logging
import math
import struct
import tempfile
import wave
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QObject, QUrl
from PyQt6.QtWidgets import QApplication

log = logging.getLogger("etapiste.console.sound")


def write_chime(path: Path, rate: int = 44_100) -> Path:
    """Write the chime (880 Hz then 660 Hz, 0.18 s each, soft edges) as 16-bit mono WAV."""
    samples: list[int] = []
    for freq in (880.0, 660.0):
        count = int(rate * 0.18)
        for i in range(count):
            edge = min(1.0, i / (rate * 0.01), (count - i) / (rate * 0.03))
            samples.append(int(0.45 * 32767 * edge * math.sin(2 * math.pi * freq * i / rate)))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return path


class Chime(QObject):
    """Plays the chime; ``played`` counts requests (also when only the beep was possible)."""

    def __init__(self, parent: QObject | None = None, *, use_multimedia: bool = True) -> None:
        super().__init__(parent)
        self.played = 0
        self._effect: Any = None
        if use_multimedia:
            self._effect = self._open_effect()

    def _open_effect(self) -> Any:
        try:
            from PyQt6.QtMultimedia import QMediaDevices, QSoundEffect
        except ImportError:
            log.info("QtMultimedia not available: the chime is the system beep")
            return None
        if not QMediaDevices.audioOutputs():
            log.info("no audio output: the chime is the system beep")
            return None
        folder = Path(tempfile.mkdtemp(prefix="etapiste-chime-"))
        effect = QSoundEffect(self)
        effect.setSource(QUrl.fromLocalFile(str(write_chime(folder / "chime.wav"))))
        effect.setVolume(0.8)
        return effect

    @property
    def audible(self) -> bool:
        """Whether a real sound device plays the chime."""
        return self._effect is not None

    def play(self) -> None:
        """Sound the chime once."""
        self.played += 1
        if self._effect is not None:
            self._effect.play()
        else:
            QApplication.beep()
