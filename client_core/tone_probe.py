"""Which test tones a stretch of received audio holds: an FFT read at known frequencies.

Each member of a test call sends its own sine tone (:class:`~client_core.media_synthetic.
SyntheticAudioTrack` with ``frequency_hz``); a receiver records a second of what each peer
connection brought (:meth:`~client_core.media_sink.AudioSink.record`) and this module says which
tones arrived, so a test can tell from the audio itself who was heard (a whisper reaches the
clerk only). Measuring only: nothing here runs unless a test or bench asks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

__all__ = ["HEARD_DBFS", "tone_levels"]

HEARD_DBFS = -40.0
"""A tone at least this loud (dBFS of its sine) counts as heard; the test tones are sent at
about -12 dBFS and a gated pair sends digital silence."""


def tone_levels(
    samples: npt.NDArray[np.float64], rate: int, frequencies: Iterable[float]
) -> dict[float, float]:
    """The level (dBFS of an equivalent sine) at each frequency in ``samples`` (-1..1 mono).

    A Hann window keeps one tone from leaking into the bins of another 150 Hz away; the
    strongest bin within ±10 Hz counts (Opus and resampling shift nothing, but the window
    spreads a tone over neighbouring bins). Fewer than 0.1 s of samples gives -inf."""
    freqs = list(frequencies)
    if samples.size < rate // 10:
        return {f: -math.inf for f in freqs}
    window = np.hanning(samples.size)
    spectrum = np.abs(np.fft.rfft(samples * window))
    # A full-scale sine of amplitude A gives a peak of A * sum(window) / 2.
    scale = 2.0 / float(np.sum(window))
    bins = np.fft.rfftfreq(samples.size, 1.0 / rate)
    out: dict[float, float] = {}
    for f in freqs:
        near = (bins >= f - 10) & (bins <= f + 10)
        peak = float(np.max(spectrum[near])) * scale if near.any() else 0.0
        out[f] = 20 * math.log10(peak) if peak > 0 else -math.inf
    return out
