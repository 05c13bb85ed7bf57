"""This side's camera and microphone as a call sends them: gated, watched, shown to oneself.

Kiosk and console alike send their sources through two gates, reused by every call:

* :class:`GatedVideoTrack` sends a dark placeholder picture while the camera is switched
  off, and keeps sending it (at a low rate) after the source ended, so RTP keeps flowing
  and the other side's no-video watchdog never renegotiates over a camera fault.  Every
  frame it forwards also lands in a :class:`~client_core.frame_slot.FrameSlot` for the self
  view, which therefore costs no second consumer of the camera.
* :class:`GatedAudioTrack` sends silence while muted, and paced silence after the
  microphone died.

:class:`LocalMedia` holds the pair, the self-view slot and the speaker, and says when a
source fails (the kiosk tells the citizen, the clerk and the operator).
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import logging
import time
from collections.abc import Callable
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame, VideoFrame

from client_core.call import MediaSources, SpeakerFactory
from client_core.frame_slot import FrameSlot
from client_core.media_synthetic import SyntheticAudioTrack, SyntheticVideoTrack, placeholder_i420

log = logging.getLogger(__name__)

SourceKind = Literal["camera", "microphone"]
FailureCallback = Callable[[SourceKind, str], None]

_FALLBACK_FPS: Final = 15.0
_AUDIO_RATE: Final = 48000
_AUDIO_PTIME: Final = 0.020
_VIDEO_TIME_BASE: Final = fractions.Fraction(1, 90000)


class GatedVideoTrack(MediaStreamTrack):
    """Forwards a video source; a dark picture while switched off or after the source ended."""

    kind = "video"

    def __init__(
        self,
        source: MediaStreamTrack,
        *,
        preview: FrameSlot | None = None,
        on_failed: Callable[[str], None] | None = None,
        width: int = 640,
        height: int = 480,
    ) -> None:
        super().__init__()
        self.source = source
        self.preview = preview if preview is not None else FrameSlot()
        self.on_failed = on_failed
        self.failed = False
        self.frames = 0
        """Frames handed to the sender, pictures and placeholders alike."""
        self._enabled = True
        self._size = (width, height)
        self._dark: dict[tuple[int, int], npt.NDArray[np.uint8]] = {}
        self._t0 = time.monotonic()

    @property
    def enabled(self) -> bool:
        """Whether the camera's picture is sent (False: the placeholder)."""
        return self._enabled

    @enabled.setter
    def enabled(self, on: bool) -> None:
        self._enabled = on
        if not on:
            self.preview.clear()  # a camera switched off shows nothing, here either

    def _placeholder(self, like: VideoFrame | None) -> VideoFrame:
        size = (like.width, like.height) if like is not None else self._size
        if size not in self._dark:
            self._dark[size] = placeholder_i420(*size)
        frame = VideoFrame.from_ndarray(self._dark[size], format="yuv420p")
        if like is not None:
            frame.pts, frame.time_base = like.pts, like.time_base
        else:
            frame.pts = int((time.monotonic() - self._t0) * 90000)
            frame.time_base = _VIDEO_TIME_BASE
        return frame

    async def recv(self) -> VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self.failed:
            await asyncio.sleep(1 / _FALLBACK_FPS)
            self.frames += 1
            return self._placeholder(None)
        try:
            received = await self.source.recv()
        except MediaStreamError:
            self._fail("video source ended")
            return await self.recv()
        if not isinstance(received, VideoFrame):
            raise MediaStreamError
        self.frames += 1
        if not self._enabled:
            return self._placeholder(received)
        self.preview.put(received)
        return received

    def _fail(self, reason: str) -> None:
        self.failed = True
        self.preview.clear()
        log.warning("video source failed: %s", reason)
        if self.on_failed is not None:
            self.on_failed(reason)


class GatedAudioTrack(MediaStreamTrack):
    """Forwards an audio source; silence while muted or after the source ended."""

    kind = "audio"

    def __init__(
        self, source: MediaStreamTrack, *, on_failed: Callable[[str], None] | None = None
    ) -> None:
        super().__init__()
        self.source = source
        self.on_failed = on_failed
        self.enabled = True
        """Whether the microphone is heard (False: muted)."""
        self.failed = False
        self._samples = int(_AUDIO_RATE * _AUDIO_PTIME)
        self._pts = 0
        self._next = 0.0

    def _silence(self, like: AudioFrame | None) -> AudioFrame:
        if like is None:
            frame = AudioFrame(format="s16", layout="mono", samples=self._samples)
            frame.sample_rate = _AUDIO_RATE
            frame.time_base = fractions.Fraction(1, _AUDIO_RATE)
            frame.pts = self._pts
            self._pts += self._samples
        else:
            frame = AudioFrame(
                format=like.format.name, layout=like.layout.name, samples=like.samples
            )
            frame.sample_rate = like.sample_rate
            frame.time_base = like.time_base
            frame.pts = like.pts
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        return frame

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self.failed:
            now = time.monotonic()
            self._next = max(self._next + _AUDIO_PTIME, now)
            await asyncio.sleep(self._next - now)
            return self._silence(None)
        try:
            received = await self.source.recv()
        except MediaStreamError:
            self.failed = True
            log.warning("audio source ended")
            if self.on_failed is not None:
                self.on_failed("audio source ended")
            return await self.recv()
        if not isinstance(received, AudioFrame):
            raise MediaStreamError
        return received if self.enabled else self._silence(received)


class LocalMedia:
    """The gated camera and microphone, the self-view slot and the speaker, for every call.

    A source may be absent (no camera: that kind is receive-only).  ``on_failed(kind,
    reason)`` runs when a source ends during use; the gate then sends its placeholder.
    """

    def __init__(
        self,
        video: MediaStreamTrack | None = None,
        audio: MediaStreamTrack | None = None,
        *,
        speaker: SpeakerFactory | None = None,
        on_failed: FailureCallback | None = None,
        width: int = 640,
        height: int = 480,
    ) -> None:
        self.preview = FrameSlot()
        self.speaker = speaker
        self.on_failed = on_failed
        self.video: GatedVideoTrack | None = None
        self.audio: GatedAudioTrack | None = None
        if video is not None:
            self.use_video(video, width, height)
        if audio is not None:
            self.use_audio(audio)

    @classmethod
    def synthetic(
        cls, width: int = 640, height: int = 480, fps: float = 30.0, *, stamp_frames: bool = False
    ) -> LocalMedia:
        """A test picture and tone (tests, demos, screenshots, a host without devices)."""
        return cls(
            SyntheticVideoTrack(width, height, fps, stamp_frames=stamp_frames),
            SyntheticAudioTrack(),
            width=width,
            height=height,
        )

    def use_video(self, source: MediaStreamTrack, width: int, height: int) -> None:
        """Send ``source`` as this side's video from the next call on."""
        self.video = GatedVideoTrack(
            source,
            preview=self.preview,
            on_failed=lambda reason: self._failed("camera", reason),
            width=width,
            height=height,
        )

    def use_audio(self, source: MediaStreamTrack) -> None:
        """Send ``source`` as this side's audio from the next call on."""
        self.audio = GatedAudioTrack(
            source, on_failed=lambda reason: self._failed("microphone", reason)
        )

    def _failed(self, kind: SourceKind, reason: str) -> None:
        if self.on_failed is not None:
            try:
                self.on_failed(kind, reason)
            except Exception:
                log.exception("on_failed callback failed")

    def set_camera(self, on: bool) -> None:
        """Send the camera's picture (True) or the placeholder (False)."""
        if self.video is not None:
            self.video.enabled = on
        else:
            self.preview.clear()

    def set_microphone(self, on: bool) -> None:
        """Send the microphone (True) or silence (False)."""
        if self.audio is not None:
            self.audio.enabled = on

    def reset(self) -> None:
        """Camera on and microphone on again, for the next call."""
        self.set_camera(True)
        self.set_microphone(True)

    def sources(self, remote_video: FrameSlot | None = None) -> MediaSources:
        """What a :class:`~client_core.call.CallSession` sends, and where remote video goes."""
        return MediaSources(
            video=self.video, audio=self.audio, speaker=self.speaker, remote_video=remote_video
        )

    async def close(self) -> None:
        """Stop the gates and release the sources (a camera waits for its capture thread)."""
        self.preview.clear()
        for gate in (self.video, self.audio):
            if gate is None:
                continue
            gate.stop()
            close = getattr(gate.source, "close", None)
            if close is not None and asyncio.iscoroutinefunction(close):
                with contextlib.suppress(Exception):
                    await close()
            else:
                gate.source.stop()
