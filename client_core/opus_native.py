"""libopus through ctypes: the decoder calls for loss concealment and in-band FEC, an encoder
that sends FEC.

Why not PyAV (FFmpeg) as aiortc does: FFmpeg's Opus decoders take an empty packet as the end
of the stream, so they never run libopus's packet loss concealment, and never ask for the
in-band FEC copy of a lost frame that the next packet carries (``opus_decode(..,
decode_fec=1)``); FFmpeg's encoder cannot tell libopus that the signal is speech, without
which it may pick CELT, which carries no FEC.  The handful of calls needed are bound here
(opuslib-next would bind them too, but also needs a system libopus and its own release
cadence; these six calls are stable libopus API since 1.0).

The library: Debian's ``libopus0`` (``libopus.so.0``, there with Chromium and FFmpeg), else
the copy inside PyAV's wheel.  :func:`available` says whether either loaded; callers fall back
to FFmpeg without concealment when not.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import glob
import logging
import os
from typing import Final

log = logging.getLogger(__name__)

SAMPLE_RATE: Final = 48000
FRAME_SAMPLES: Final = 960
"""20 ms at 48 kHz, the packet length WebRTC peers send."""
MAX_FRAME_SAMPLES: Final = 5760
"""120 ms, the longest Opus packet."""

_APPLICATION_VOIP: Final = 2048
_SET_BITRATE: Final = 4002
_SET_COMPLEXITY: Final = 4010
_SET_INBAND_FEC: Final = 4012
_SET_PACKET_LOSS_PERC: Final = 4014
_SET_SIGNAL: Final = 4024
_SIGNAL_VOICE: Final = 3001


class OpusError(RuntimeError):
    """libopus returned an error code (or could not be loaded)."""


@functools.cache
def _library() -> ctypes.CDLL | None:
    candidates: list[str] = []
    found = ctypes.util.find_library("opus")
    if found:
        candidates.append(found)
    candidates.append("libopus.so.0")
    try:
        import av

        libs = os.path.join(os.path.dirname(os.path.dirname(av.__file__)), "av.libs")
        candidates += sorted(glob.glob(os.path.join(libs, "libopus*.so*")))
    except ImportError:  # pragma: no cover - PyAV is a dependency
        pass
    for name in candidates:
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        _declare(lib)
        return lib
    log.warning("libopus not found: audio loss concealment and FEC are off")
    return None


def _declare(lib: ctypes.CDLL) -> None:
    c_int, c_void, c_int16p = ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int16)
    lib.opus_decoder_create.restype = c_void
    lib.opus_decoder_create.argtypes = [ctypes.c_int32, c_int, ctypes.POINTER(c_int)]
    lib.opus_decoder_destroy.argtypes = [c_void]
    lib.opus_decode.restype = c_int
    lib.opus_decode.argtypes = [c_void, ctypes.c_char_p, ctypes.c_int32, c_int16p, c_int, c_int]
    lib.opus_packet_get_nb_samples.restype = c_int
    lib.opus_packet_get_nb_samples.argtypes = [ctypes.c_char_p, ctypes.c_int32, ctypes.c_int32]
    lib.opus_encoder_create.restype = c_void
    lib.opus_encoder_create.argtypes = [ctypes.c_int32, c_int, c_int, ctypes.POINTER(c_int)]
    lib.opus_encoder_destroy.argtypes = [c_void]
    lib.opus_encode.restype = ctypes.c_int32
    lib.opus_encode.argtypes = [c_void, c_int16p, c_int, ctypes.c_char_p, ctypes.c_int32]
    lib.opus_encoder_ctl.restype = c_int  # variadic: every request used here takes one int


def available() -> bool:
    """Whether libopus could be loaded."""
    return _library() is not None


def _lib() -> ctypes.CDLL:
    lib = _library()
    if lib is None:
        raise OpusError("libopus is not available")
    return lib


def packet_samples(packet: bytes) -> int:
    """Samples per channel at 48 kHz that ``packet`` decodes to (0 if it is invalid)."""
    n = int(_lib().opus_packet_get_nb_samples(packet, len(packet), SAMPLE_RATE))
    return n if n > 0 else 0


class OpusDecoder:
    """One libopus decoder: 48 kHz, interleaved s16 ``channels``."""

    def __init__(self, channels: int = 2) -> None:
        self.channels = channels
        self._lib = _lib()
        err = ctypes.c_int()
        self._st = self._lib.opus_decoder_create(SAMPLE_RATE, channels, ctypes.byref(err))
        if err.value != 0 or not self._st:
            raise OpusError(f"opus_decoder_create failed ({err.value})")
        self._pcm = (ctypes.c_int16 * (MAX_FRAME_SAMPLES * channels))()

    def _run(self, data: bytes | None, samples: int, fec: bool) -> bytes:
        n = self._lib.opus_decode(
            self._st, data, len(data) if data else 0, self._pcm,
            min(samples, MAX_FRAME_SAMPLES), 1 if fec else 0,
        )
        if n < 0:
            raise OpusError(f"opus_decode failed ({n})")
        return ctypes.string_at(self._pcm, n * self.channels * 2)

    def decode(self, packet: bytes) -> bytes:
        """PCM of one received packet."""
        return self._run(packet, MAX_FRAME_SAMPLES, fec=False)

    def decode_fec(self, next_packet: bytes, samples: int = FRAME_SAMPLES) -> bytes:
        """The lost frame before ``next_packet``, rebuilt from its in-band FEC (or concealed,
        when it carries none); ``samples`` must be the lost frame's length."""
        return self._run(next_packet, samples, fec=True)

    def conceal(self, samples: int = FRAME_SAMPLES) -> bytes:
        """``samples`` of loss concealment (extrapolated speech, fading to silence)."""
        return self._run(None, samples, fec=False)

    def close(self) -> None:
        """Free the decoder (also on garbage collection)."""
        if self._st:
            self._lib.opus_decoder_destroy(self._st)
            self._st = None

    def __del__(self) -> None:
        self.close()


class OpusEncoder:
    """One libopus encoder for speech: 48 kHz, VoIP, in-band FEC for ``loss_pct`` loss."""

    def __init__(
        self, channels: int = 1, bitrate: int = 32000, *, fec: bool = True, loss_pct: int = 10
    ) -> None:
        self.channels = channels
        self._lib = _lib()
        err = ctypes.c_int()
        self._st = self._lib.opus_encoder_create(
            SAMPLE_RATE, channels, _APPLICATION_VOIP, ctypes.byref(err)
        )
        if err.value != 0 or not self._st:
            raise OpusError(f"opus_encoder_create failed ({err.value})")
        self._out = ctypes.create_string_buffer(4000)
        self._ctl(_SET_BITRATE, bitrate)
        self._ctl(_SET_SIGNAL, _SIGNAL_VOICE)
        self._ctl(_SET_COMPLEXITY, 5)  # half of the default's CPU, still wideband speech
        self._ctl(_SET_INBAND_FEC, 1 if fec else 0)
        self.set_expected_loss(loss_pct if fec else 0)

    def _ctl(self, request: int, value: int) -> None:
        rc = self._lib.opus_encoder_ctl(
            ctypes.c_void_p(self._st), ctypes.c_int(request), ctypes.c_int(value)
        )
        if rc != 0:
            raise OpusError(f"opus_encoder_ctl({request}, {value}) failed ({rc})")

    def set_expected_loss(self, loss_pct: int) -> None:
        """How much loss the FEC should be sized for (0..100)."""
        self._ctl(_SET_PACKET_LOSS_PERC, max(0, min(100, loss_pct)))

    def encode(self, pcm: bytes) -> bytes:
        """One packet from interleaved s16 PCM of 2.5..60 ms (20 ms: 960 samples)."""
        samples = len(pcm) // (2 * self.channels)
        buf = (ctypes.c_int16 * (samples * self.channels)).from_buffer_copy(pcm)
        n = self._lib.opus_encode(self._st, buf, samples, self._out, len(self._out))
        if n < 0:
            raise OpusError(f"opus_encode failed ({n})")
        return self._out.raw[:n]

    def close(self) -> None:
        """Free the encoder (also on garbage collection)."""
        if self._st:
            self._lib.opus_encoder_destroy(self._st)
            self._st = None

    def __del__(self) -> None:
        self.close()
