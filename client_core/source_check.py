"""A look at this side's camera and microphone before any call: :class:`SourceCheck`.

Outside a call nobody pulls the gated tracks of :class:`~client_core.local_media.LocalMedia`,
so the self view stays empty and nothing measures the microphone.  A check pulls both for
as long as it runs: every camera frame reaches the self-view slot through the gate (the same
path a call uses, so a camera switched off shows nothing here either), and the microphone's
level is reported a few times a second.  Stop it before a call starts: a track has one
consumer at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable
from typing import Final

import numpy as np
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame

from client_core.local_media import LocalMedia

log = logging.getLogger(__name__)

FLOOR_DB: Final = -60.0
"""Levels at or below this many dB of full scale read as 0 (silence)."""


def level_of(frame: AudioFrame) -> float:
    """An audio frame's loudness from 0 (at or below :data:`FLOOR_DB`) to 1 (full scale)."""
    samples = frame.to_ndarray().astype(np.float64)
    if samples.size == 0:
        return 0.0
    if frame.format.name.startswith("s16"):
        samples /= 32768.0
    elif frame.format.name.startswith("s32"):
        samples /= 2147483648.0
    rms = math.sqrt(float(np.mean(samples * samples)))
    if rms <= 0:
        return 0.0
    db = 20 * math.log10(rms)
    return min(1.0, max(0.0, (db - FLOOR_DB) / -FLOOR_DB))


class SourceCheck:
    """Pulls the local camera and microphone until stopped; reports the microphone level."""

    def __init__(
        self,
        media: LocalMedia,
        on_level: Callable[[float], None],
        *,
        interval_s: float = 0.1,
    ) -> None:
        self.media = media
        self.on_level = on_level
        self.interval_s = interval_s
        self.frames = 0
        """Video frames pulled (they went to the self view)."""
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def running(self) -> bool:
        """Whether the check pulls the sources now."""
        return bool(self._tasks)

    def start(self) -> None:
        """Begin pulling (idempotent)."""
        if self._tasks:
            return
        if self.media.video is not None:
            self._tasks.append(asyncio.ensure_future(self._pull_video()))
        if self.media.audio is not None:
            self._tasks.append(asyncio.ensure_future(self._pull_audio()))

    async def stop(self) -> None:
        """Stop pulling; returns when no recv() of the check is pending any more."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, MediaStreamError):
                await task

    async def _pull_video(self) -> None:
        video = self.media.video
        assert video is not None
        while True:
            await video.recv()  # the gate puts the picture into the self-view slot
            self.frames += 1

    async def _pull_audio(self) -> None:
        audio = self.media.audio
        assert audio is not None
        loudest, since = 0.0, time.monotonic()
        while True:
            frame = await audio.recv()
            loudest = max(loudest, level_of(frame))
            now = time.monotonic()
            if now - since >= self.interval_s:
                try:
                    self.on_level(loudest)
                except Exception:
                    log.exception("level callback failed")
                loudest, since = 0.0, now
