"""The agent's own camera, microphone and speaker, opened for the desktop console.

Everything else about them (mute, camera off, the self view, the placeholder picture) is the
client core's :class:`~client_core.local_media.LocalMedia`, the same as the kiosk's.
"""

from __future__ import annotations

import logging

from aiortc.mediastreams import MediaStreamTrack

from client_core.audio_devices import open_microphone_or_tone, open_speaker
from client_core.camera import CameraUnavailable, CameraVideoTrack
from client_core.local_media import LocalMedia
from client_core.media_synthetic import SyntheticVideoTrack

log = logging.getLogger("etapiste.console.media")


async def open_devices(
    camera: str, width: int = 640, height: int = 480, fps: float = 30.0
) -> LocalMedia:
    """The real camera and microphone, each falling back to a synthetic source."""
    video: MediaStreamTrack
    try:
        device: int | str = int(camera) if camera.isdigit() else camera
        video = await CameraVideoTrack.open(device, width=width, height=height, fps=fps)
    except CameraUnavailable as exc:
        log.warning("no camera (%s): sending a test picture", exc)
        video = SyntheticVideoTrack(width, height, fps)
    audio = await open_microphone_or_tone()
    # The citizen must be heard: play remote audio on the default output when one exists.
    return LocalMedia(video, audio, speaker=open_speaker, width=width, height=height)
