"""The agent's own camera and microphone, with mute, camera-off and a self view.

The gates sit between the source and the peer connection: muted audio is sent as silence and
a camera turned off as a dark picture, so the call's media path (and the kiosk's no-video
watchdog) is undisturbed. The video gate keeps the newest outgoing frame for the self view,
which therefore costs no second consumer of the camera.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame, VideoFrame

from client_core.call import MediaSources, SpeakerFactory
from client_core.media_synthetic import SyntheticAudioTrack, SyntheticVideoTrack

log = logging.getLogger("etapiste.console.media")


class VideoGate(MediaStreamTrack):
    """Passes a video source through, or a dark frame of the same size when switched off."""

    kind = "video"

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self.source = source
        self.enabled = True
        self.latest: VideoFrame | None = None
        self.frames = 0
        self._dark: VideoFrame | None = None

    async def recv(self) -> VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        frame = await self.source.recv()
        assert isinstance(frame, VideoFrame)
        self.frames += 1
        if self.enabled:
            self.latest = frame
            return frame
        dark = self._dark_like(frame)
        self.latest = None
        return dark

    def _dark_like(self, frame: VideoFrame) -> VideoFrame:
        if self._dark is None or (self._dark.width, self._dark.height) != (
            frame.width,
            frame.height,
        ):
            black = np.zeros((frame.height, frame.width, 3), dtype=np.uint8)
            self._dark = VideoFrame.from_ndarray(black, format="bgr24").reformat(format="yuv420p")
        out = self._dark
        out.pts = frame.pts
        out.time_base = frame.time_base
        return out

    def latest_rgb(self, width: int | None = None) -> Any:
        """The newest frame sent as RGB (for the self view), scaled to ``width``; or None.

        Scaling and conversion are one swscale pass, far cheaper than a full-size conversion
        for a thumbnail.
        """
        frame = self.latest
        if frame is None:
            return None
        if width is None or width >= frame.width:
            return frame.to_ndarray(format="rgb24")
        height = max(2, round(frame.height * width / frame.width) // 2 * 2)
        return frame.reformat(width=width, height=height, format="rgb24").to_ndarray()


class AudioGate(MediaStreamTrack):
    """Passes an audio source through, or silence of the same shape when muted."""

    kind = "audio"

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self.source = source
        self.muted = False

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        frame = await self.source.recv()
        assert isinstance(frame, AudioFrame)
        if not self.muted:
            return frame
        silent = AudioFrame.from_ndarray(
            np.zeros_like(frame.to_ndarray()), format=frame.format.name, layout=frame.layout.name
        )
        silent.sample_rate = frame.sample_rate
        silent.pts = frame.pts
        silent.time_base = frame.time_base
        return silent


class AgentMedia:
    """The agent's gated sources, reused by every call of the session."""

    def __init__(
        self,
        video: MediaStreamTrack,
        audio: MediaStreamTrack,
        speaker: SpeakerFactory | None = None,
    ) -> None:
        self.video = VideoGate(video)
        self.audio = AudioGate(audio)
        self.speaker = speaker

    @classmethod
    def synthetic(cls, width: int = 640, height: int = 480, fps: float = 30.0) -> AgentMedia:
        """A test picture and tone (tests, demos, screenshots)."""
        return cls(SyntheticVideoTrack(width, height, fps), SyntheticAudioTrack())

    @classmethod
    async def open_devices(
        cls, camera: str, width: int = 640, height: int = 480, fps: float = 30.0
    ) -> AgentMedia:
        """The real camera and microphone, each falling back to a synthetic source."""
        from client_core.audio_devices import open_microphone_or_tone, open_speaker
        from client_core.camera import CameraUnavailable, CameraVideoTrack

        video: MediaStreamTrack
        try:
            device: int | str = int(camera) if camera.isdigit() else camera
            video = await CameraVideoTrack.open(device, width=width, height=height, fps=fps)
        except CameraUnavailable as exc:
            log.warning("no camera (%s): sending a test picture", exc)
            video = SyntheticVideoTrack(width, height, fps)
        audio = await open_microphone_or_tone()
        # The citizen must be heard: play remote audio on the default output when one exists.
        return cls(video, audio, speaker=open_speaker)

    def sources(self) -> MediaSources:
        """What a :class:`~client_core.call.CallSession` sends."""
        return MediaSources(video=self.video, audio=self.audio, speaker=self.speaker)

    def reset(self) -> None:
        """Unmute and camera on again for the next call."""
        self.video.enabled = True
        self.audio.muted = False
