"""The kiosk's camera, microphone and speaker: opened once, watched, reported honestly.

:meth:`KioskDevices.synthetic` gives the test picture and tone (development, tests, a host
without devices); :meth:`KioskDevices.hardware` opens the real devices and marks each one
``missing`` when it cannot be opened.  A device that dies later turns ``failed`` and
``on_change(kind, status)`` fires: the controller tells the citizen, the clerk and the
operator, and the call carries on with what still works.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal

from aiortc.contrib.media import MediaRecorder

from client_core.audio_devices import open_microphone, open_speaker
from client_core.camera import CameraState, CameraUnavailable, CameraVideoTrack, opencv_capture
from client_core.frame_slot import FrameSlot
from client_core.local_media import GatedAudioTrack, GatedVideoTrack, LocalMedia, SourceKind
from client_core.media_synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from kiosk.stills import CaptureTap, StillSource, SyntheticStill
from wire.types import DeviceStatus

log = logging.getLogger("etapiste.kiosk.devices")

DeviceKind = Literal["camera", "microphone", "speaker"]
ChangeCallback = Callable[[DeviceKind, DeviceStatus], None]


class KioskDevices:
    """Local media sources (gated, see :class:`~client_core.local_media.LocalMedia`), their
    status and the still camera."""

    def __init__(self) -> None:
        self.media = LocalMedia(on_failed=self._source_failed)
        self.still: StillSource | None = None
        self.camera_track: CameraVideoTrack | None = None
        self.camera = DeviceStatus.MISSING
        self.microphone = DeviceStatus.MISSING
        self.speaker = DeviceStatus.MISSING
        self.speaker_device: str | None = None
        self.on_change: ChangeCallback | None = None

    @property
    def preview(self) -> FrameSlot:
        """The citizen's own picture as sent, for the self view."""
        return self.media.preview

    @property
    def video(self) -> GatedVideoTrack | None:
        """The gated camera (or test picture) every call sends."""
        return self.media.video

    @property
    def audio(self) -> GatedAudioTrack | None:
        """The gated microphone (or tone) every call sends."""
        return self.media.audio

    # --------------------------------------------------------------------- construction

    @classmethod
    def synthetic(
        cls, width: int = 640, height: int = 480, *, stamp_frames: bool = False
    ) -> KioskDevices:
        """Test picture, tone and a drawn document; every device reported ``ok``.

        ``stamp_frames`` paints the measuring strip into the picture (benchmarks).
        """
        devices = cls()
        video = SyntheticVideoTrack(width, height, stamp_frames=stamp_frames)
        devices.media.use_video(video, width, height)
        devices.media.use_audio(SyntheticAudioTrack())
        devices.still = SyntheticStill()
        devices.camera = devices.microphone = DeviceStatus.OK
        devices.speaker = DeviceStatus.OK
        return devices

    @classmethod
    async def hardware(
        cls,
        camera: int | str = 0,
        audio_device: str = "default",
        *,
        capture_width: int = 1920,
        capture_height: int = 1080,
        send_width: int = 640,
        send_height: int = 360,
    ) -> KioskDevices:
        """Open the real devices; whatever is absent is ``missing``, never faked."""
        devices = cls()
        tap: CaptureTap | None = None

        def factory() -> CaptureTap:
            nonlocal tap
            tap = CaptureTap(opencv_capture(camera, capture_width, capture_height, 30))
            return tap

        try:
            track = await CameraVideoTrack.open(
                camera,
                width=send_width,
                height=send_height,
                capture_factory=factory,
                on_state_change=devices._camera_state,
            )
        except CameraUnavailable as exc:
            log.warning("no camera: %s", exc)
        else:
            devices.camera_track = track
            devices.media.use_video(track, send_width, send_height)
            devices.still = tap
            devices.camera = DeviceStatus.OK
        mic = await open_microphone(audio_device)
        if mic is not None:
            devices.media.use_audio(mic)
            devices.microphone = DeviceStatus.OK
        speaker = await open_speaker(audio_device)
        if speaker is not None:
            devices.speaker_device = audio_device
            devices.speaker = DeviceStatus.OK
            await speaker.stop()
        return devices

    @classmethod
    async def from_camera_track(cls, track: CameraVideoTrack, still: StillSource) -> KioskDevices:
        """A given camera track (tests: a fake capture) with the synthetic tone."""
        devices = cls()
        track.on_state_change = devices._camera_state
        devices.camera_track = track
        devices.media.use_video(track, track.width, track.height)
        devices.media.use_audio(SyntheticAudioTrack())
        devices.still = still
        devices.camera = DeviceStatus.OK
        devices.microphone = devices.speaker = DeviceStatus.OK
        return devices

    # ------------------------------------------------------------------------- status

    def _source_failed(self, kind: SourceKind, reason: str) -> None:
        self._set(kind, DeviceStatus.FAILED)

    def _camera_state(self, old: CameraState, new: CameraState) -> None:
        if new is CameraState.FAILED:
            self._set("camera", DeviceStatus.FAILED)
        elif new is CameraState.RUNNING and old is CameraState.FAILED:
            self._set("camera", DeviceStatus.OK)

    def _set(self, kind: DeviceKind, status: DeviceStatus) -> None:
        if getattr(self, kind) == status:
            return
        log.warning("%s: %s -> %s", kind, getattr(self, kind), status)
        setattr(self, kind, status)
        if self.on_change is not None:
            self.on_change(kind, status)

    def set_camera_enabled(self, on: bool) -> None:
        """The citizen's camera switch."""
        self.media.set_camera(on)

    def set_microphone_enabled(self, on: bool) -> None:
        """The citizen's mute switch."""
        self.media.set_microphone(on)

    async def speaker_for_call(self) -> MediaRecorder | None:
        """A fresh speaker output for one call, or None (remote audio is still consumed)."""
        if self.speaker_device is None:
            return None
        recorder = await open_speaker(self.speaker_device)
        if recorder is None:
            self._set("speaker", DeviceStatus.FAILED)
        return recorder

    def forget(self) -> None:
        """Drop every picture of the previous citizen held in memory."""
        self.preview.clear()
        if self.still is not None:
            self.still.disarm()

    async def close(self) -> None:
        """Release the devices."""
        await self.media.close()
