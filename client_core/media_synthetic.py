"""Synthetic media sources: a moving picture (stamped on request) and a sine tone.

Used by headless clients, tests, demos and load runs, and as the fallback
when a kiosk has no camera or microphone.  Both tracks pace themselves on
the wall clock like aiortc's ``VideoStreamTrack``/``AudioStreamTrack``, but
never burst to "catch up" after a stall (a paused consumer, a renegotiated
peer picking the track up again): they skip ahead instead, so the encoder
never gets a flood of frames at once.
"""

from __future__ import annotations

import asyncio
import fractions
import math
import time
from typing import Final

import numpy as np
import numpy.typing as npt
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame, VideoFrame

from client_core.frame_stamp import now_us, stamp, stamp_height

VIDEO_CLOCK_RATE: Final = 90000
VIDEO_TIME_BASE: Final = fractions.Fraction(1, VIDEO_CLOCK_RATE)
AUDIO_SAMPLE_RATE: Final = 48000
AUDIO_PTIME: Final = 0.020
# Late by more than this, a track resynchronises its clock instead of
# producing the frames it owes back to back.
_MAX_LAG_S: Final = 0.1
_SCROLL_PX_PER_FRAME: Final = 4

U8Array = npt.NDArray[np.uint8]


class _Pacer:
    """Wall-clock pacing in units of a media clock, skipping ahead when late."""

    def __init__(self, clock_rate: int, step: int) -> None:
        self._clock_rate = clock_rate
        self._step = step
        self._start: float | None = None
        self._timestamp = 0

    async def next(self) -> int:
        if self._start is None:
            self._start = time.time()
            return 0
        self._timestamp += self._step
        due = self._start + self._timestamp / self._clock_rate
        lag = time.time() - due
        if lag > _MAX_LAG_S:
            # Keep pts in real time (the receiver's jitter buffer expects
            # that) but drop the frames we are late for.
            behind = int(lag * self._clock_rate) // self._step * self._step
            self._timestamp += behind
        elif lag < 0:
            await asyncio.sleep(-lag)
        return self._timestamp


def _test_pattern(width: int, height: int) -> tuple[U8Array, U8Array, U8Array]:
    """A colourful picture, twice as wide as the frame, to scroll through."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    luma = (
        128
        + 45 * np.sin(2 * math.pi * 3 * x / width) * np.cos(2 * math.pi * 2 * y / height)
        + 35 * (((x // 32) + (y // 32)) % 2 * 2 - 1)
    )
    cy, cx = np.mgrid[0 : height // 2, 0 : width // 2].astype(np.float32)
    u = 128 + 60 * np.sin(2 * math.pi * cx / (width / 2))
    v = 128 + 60 * np.cos(2 * math.pi * cy / (height / 2))
    planes = [np.clip(p, 16, 240).astype(np.uint8) for p in (luma, u, v)]
    # Neutral chroma under the stamp, so its blocks stay black and white.
    chroma_rows = (stamp_height(width) + 1) // 2
    planes[1][:chroma_rows] = 128
    planes[2][:chroma_rows] = 128
    y_big, u_big, v_big = (np.concatenate([p, p], axis=1) for p in planes)
    return y_big, u_big, v_big


PLACEHOLDER_LUMA: Final = 16
"""Black in video range: what the other side sees of a camera switched off."""


def placeholder_i420(width: int, height: int, luma: int = PLACEHOLDER_LUMA) -> U8Array:
    """A flat picture of ``luma`` with neutral chroma, as a packed I420 array."""
    i420 = np.full((height * 3 // 2, width), 128, dtype=np.uint8)
    i420[:height] = luma
    return i420


def _plane_view(frame: VideoFrame, index: int) -> U8Array:
    plane = frame.planes[index]
    rows = np.frombuffer(memoryview(plane), dtype=np.uint8)
    view: U8Array = rows.reshape(plane.height, plane.line_size)[:, : plane.width]
    return view


class SyntheticVideoTrack(MediaStreamTrack):
    """A scrolling test picture with a bouncing box.

    Frames are ``yuv420p`` (what the VP8 and H.264 encoders want, so there
    is no conversion per frame), pts in 1/90000, paced at ``fps``.  With
    ``stamp_frames`` (benchmarks and tests that measure) each frame carries
    a counter (0, 1, 2 ... per frame handed out) and the wall time at which
    it was produced, in the stamp strip over its top rows.
    """

    kind = "video"

    def __init__(
        self,
        width: int = 640,
        height: int = 480,
        fps: float = 30.0,
        *,
        stamp_frames: bool = False,
    ) -> None:
        super().__init__()
        self.stamp_frames = stamp_frames
        if width % 2 or height % 2:
            raise ValueError("yuv420p needs even width and height")
        self.width = width
        self.height = height
        self.fps = fps
        self.frames_sent = 0
        self._pacer = _Pacer(VIDEO_CLOCK_RATE, round(VIDEO_CLOCK_RATE / fps))
        self._y, self._u, self._v = _test_pattern(width, height)
        self._box = max(8, height // 8) // 2 * 2
        self._shown: U8Array | None = None

    def show(self, picture: U8Array | None) -> None:
        """Hold ``picture`` (8-bit grey, e.g. a QR code on paper) up to the camera, in the
        middle of every frame from now on; None takes it away.  A test shows a kiosk a
        booking's QR code this way, and the kiosk reads it through its camera path."""
        if picture is None:
            self._shown = None
            return
        if picture.ndim != 2 or picture.shape[0] > self.height or picture.shape[1] > self.width:
            raise ValueError("a grey picture no larger than the frame")
        self._shown = np.ascontiguousarray(picture, dtype=np.uint8)

    async def recv(self) -> VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        pts = await self._pacer.next()
        if self.readyState != "live":
            raise MediaStreamError
        n = self.frames_sent
        w, h = self.width, self.height
        off = (n * _SCROLL_PX_PER_FRAME) % w
        frame = VideoFrame(width=w, height=h, format="yuv420p")
        y = _plane_view(frame, 0)
        y[:] = self._y[:, off : off + w]
        _plane_view(frame, 1)[:] = self._u[:, off // 2 : off // 2 + w // 2]
        _plane_view(frame, 2)[:] = self._v[:, off // 2 : off // 2 + w // 2]
        # Bounce a box vertically so there is motion the scroll can't predict.
        top = stamp_height(w)
        span = max(1, h - top - self._box)
        bx = (n * 7) % max(1, w - self._box)
        by = top + abs((n * 5) % (2 * span) - span)
        y[by : by + self._box, bx : bx + self._box] = 235
        shown = self._shown
        if shown is not None:
            rows, cols = shown.shape
            top_, left = (h - rows) // 4 * 2, (w - cols) // 4 * 2  # even: chroma aligns
            y[top_ : top_ + rows, left : left + cols] = shown
            grey = (
                slice(top_ // 2, (top_ + rows + 1) // 2),
                slice(left // 2, (left + cols + 1) // 2),
            )
            _plane_view(frame, 1)[grey] = 128
            _plane_view(frame, 2)[grey] = 128
        if self.stamp_frames:
            stamp(y, n, now_us())
        frame.pts = pts
        frame.time_base = VIDEO_TIME_BASE
        self.frames_sent = n + 1
        return frame


def voice_like(seconds: int = 4, rate: int = AUDIO_SAMPLE_RATE) -> npt.NDArray[np.float64]:
    """A speech-like test signal in -1..1: a buzz of harmonics whose pitch glides around
    150 Hz, opened and closed 3.5 times a second like syllables.

    Speech codecs treat speech and a steady tone differently: Opus's voice detector calls a
    pure tone background, and sends no in-band FEC for it; this it codes as speech.  Every
    modulation completes whole cycles in ``seconds``, so the signal loops without a click.
    """
    t = np.arange(seconds * rate, dtype=np.float64) / rate
    pitch = 150.0 + 40.0 * np.sin(2 * math.pi * 0.75 * t)
    phase = 2 * math.pi * np.cumsum(pitch) / rate
    buzz = sum((0.6 / k) * np.sin(k * phase) for k in range(1, 12))
    syllables = 0.5 * (1 - np.cos(2 * math.pi * 3.5 * t))
    wave: npt.NDArray[np.float64] = buzz * syllables
    return wave / float(np.max(np.abs(wave)))


class SyntheticAudioTrack(MediaStreamTrack):
    """A continuous sine tone (or, with ``voice``, :func:`voice_like` speech): 48 kHz mono
    s16 in 20 ms frames, paced.

    The tone is at a quarter of full scale (about -15 dBFS RMS), loud enough
    that a receiver can tell it from silence after Opus.
    """

    kind = "audio"

    def __init__(
        self, frequency_hz: float = 440.0, amplitude: float = 0.25, *, voice: bool = False
    ) -> None:
        super().__init__()
        self.frames_sent = 0
        self._samples = int(AUDIO_SAMPLE_RATE * AUDIO_PTIME)
        self._pacer = _Pacer(AUDIO_SAMPLE_RATE, self._samples)
        if voice:
            wave = amplitude * 1.4 * 32767 * voice_like()
        else:
            # One second of tone holds a whole number of frames, and a whole number of
            # cycles for any integer frequency: precompute it once.
            t = np.arange(AUDIO_SAMPLE_RATE, dtype=np.float64) / AUDIO_SAMPLE_RATE
            wave = amplitude * 32767 * np.sin(2 * math.pi * frequency_hz * t)
        pcm = wave.astype("<i2").tobytes()
        step = self._samples * 2
        self._chunks = [pcm[i : i + step] for i in range(0, len(pcm), step)]

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        pts = await self._pacer.next()
        if self.readyState != "live":
            raise MediaStreamError
        frame = AudioFrame(format="s16", layout="mono", samples=self._samples)
        frame.planes[0].update(self._chunks[(pts // self._samples) % len(self._chunks)])
        frame.pts = pts
        frame.sample_rate = AUDIO_SAMPLE_RATE
        frame.time_base = fractions.Fraction(1, AUDIO_SAMPLE_RATE)
        self.frames_sent += 1
        return frame
