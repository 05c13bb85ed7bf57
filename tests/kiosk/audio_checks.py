"""Is this sound speech, how long is it, and is it the speech we expected?

Plain NumPy on mono 16-bit samples: log band energies every 10 ms (a coarse spectrogram)
to compare two recordings frame by frame, the share of energy in the voice band, how much
of the time something is said, and the syllable rhythm of the loudness envelope.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

RATE = 48000
HOP = RATE // 100  # 10 ms
WINDOW = 1024
BANDS = np.geomspace(80, 8000, 41)

Samples = npt.NDArray[np.int16]
Floats = npt.NDArray[np.float64]


def read_raw(path: str, start: int = 0) -> Samples:
    """Raw s16le mono samples, as ALSA's file plugin writes them, from sample ``start`` on
    (whole samples only: a half-written last one is left for the next read)."""
    with open(path, "rb") as f:
        f.seek(2 * start)
        data = f.read()
    return np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(np.int16)


def read_raw_empty() -> Samples:
    """No samples."""
    return np.zeros(0, dtype=np.int16)


def trim(samples: Samples, floor: float = 0.002) -> Samples:
    """Without the silence before the first and after the last sound."""
    loud = np.flatnonzero(np.abs(samples.astype(np.float64)) / 32768 > floor)
    return samples[loud[0] : loud[-1] + 1] if loud.size else samples[:0]


def seconds(samples: Samples) -> float:
    """Duration at :data:`RATE`."""
    return len(samples) / RATE


def bands(samples: Samples) -> Floats:
    """Log energy in 40 bands (80 Hz–8 kHz), one row per 10 ms."""
    x = samples.astype(np.float64) / 32768
    if len(x) < WINDOW:
        x = np.pad(x, (0, WINDOW - len(x)))
    frames = np.lib.stride_tricks.sliding_window_view(x, WINDOW)[::HOP] * np.hanning(WINDOW)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    freqs = np.fft.rfftfreq(WINDOW, 1 / RATE)
    edges = np.searchsorted(freqs, BANDS)
    energy = np.stack(
        [power[:, a:b].sum(axis=1) for a, b in itertools.pairwise(edges)], axis=1
    )
    return np.log10(energy + 1e-9)


def similarity(a: Samples, b: Samples) -> float:
    """Correlation of two recordings' spectrograms, frame by frame (1: the same sound)."""
    fa, fb = bands(a), bands(b)
    n = min(len(fa), len(fb))
    if n < 10:
        return 0.0
    x, y = fa[:n].ravel(), fb[:n].ravel()
    return float(np.corrcoef(x, y)[0, 1])


@dataclass(frozen=True)
class SpeechShape:
    """What makes a recording look like speech."""

    voice_band: float
    """Share of the energy between 100 Hz and 4 kHz."""
    active: float
    """Share of 20 ms frames within 35 dB of the loudest."""
    rhythm_hz: float
    """Strongest frequency of the loudness envelope above 1.5 Hz (for reports: in long
    speech the pauses between sentences may beat the syllables)."""
    syllabic: float
    """Share of the envelope's modulation (1.5–20 Hz) at syllable rates, 2–8 Hz."""

    def is_speech(self) -> bool:
        """Voice-band energy, pauses between words, and a syllable rhythm."""
        return (
            self.voice_band >= 0.8
            and 0.3 <= self.active <= 0.97
            and self.syllabic >= 0.4
        )


def fast_length(n: int) -> int:
    """The smallest 2^a·3^b·5^c at least ``n``: a length NumPy's FFT is quick at (a
    recording's own length may have a large prime factor and take 10-50 times longer)."""
    best = 1 << max(0, n - 1).bit_length()
    fives = 1
    while fives < best:
        threes = fives
        while threes < best:
            twos = threes
            while twos < n:
                twos *= 2
            best = min(best, twos)
            threes *= 3
        fives *= 5
    return best


def shape(samples: Samples) -> SpeechShape:
    """Measure :class:`SpeechShape`."""
    x = samples.astype(np.float64) / 32768
    # Zero-padded to a quick length: the same spectrum sampled a little more finely, so
    # the voice band's share of the energy is the same to a few parts in ten thousand.
    n = fast_length(len(x))
    spectrum = np.abs(np.fft.rfft(x, n)) ** 2
    freqs = np.fft.rfftfreq(n, 1 / RATE)
    voice = spectrum[(freqs >= 100) & (freqs <= 4000)].sum() / max(spectrum.sum(), 1e-12)
    frame = RATE // 50
    usable = len(x) // frame * frame
    rms = np.sqrt((x[:usable].reshape(-1, frame) ** 2).mean(axis=1) + 1e-12)
    db = 20 * np.log10(rms / rms.max())
    active = float((db > -35).mean())
    hop = RATE // 100
    usable = len(x) // hop * hop
    envelope = np.sqrt((x[:usable].reshape(-1, hop) ** 2).mean(axis=1))
    envelope -= envelope.mean()
    mod = np.abs(np.fft.rfft(envelope)) ** 2
    mod_freqs = np.fft.rfftfreq(len(envelope), 1 / 100)
    keep = (mod_freqs >= 1.5) & (mod_freqs <= 20)
    rhythm = float(mod_freqs[keep][np.argmax(mod[keep])]) if keep.any() else 0.0
    syllables = (mod_freqs >= 2) & (mod_freqs <= 8)
    syllabic = float(mod[syllables].sum() / max(mod[keep].sum(), 1e-12))
    return SpeechShape(float(voice), active, rhythm, syllabic)
