"""The other side's tracks of one peer connection: received, consumed, measured and played.

aiortc announces remote tracks while the remote description is applied, before the codecs
are settled; :meth:`RemoteMedia.start` (once negotiated) decides per kind how its packets
become frames:

* VP8 video: :class:`~client_core.video_receive.VideoReceivePath` (frame assembly with NACK
  retries and keyframe requests, adaptive playout delay), unless switched off;
* Opus audio: :class:`~client_core.audio_receive.AudioReceivePath` (jitter buffer with loss
  concealment and in-band FEC), unless switched off or libopus is missing;
* anything else, or when a hook does not fit the installed aiortc: aiortc's own receiver.

The :attr:`video_sink` and :attr:`audio_sink` read the resulting tracks (always: memory,
aiortc #554/#1423); remote audio also goes to the speaker through a ``MediaRelay``.
:meth:`last_media_at` says when media of a kind last arrived, for the dead-path watcher.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from aiortc import RTCRtpReceiver
from aiortc.contrib.media import MediaRecorder, MediaRelay
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from client_core import aiortc_hooks, opus_native
from client_core.audio_receive import AudioReceivePath
from client_core.frame_slot import FrameSlot
from client_core.media_sink import AudioSink, VideoSink
from client_core.media_tuning import MediaTuning
from client_core.speaker_gate import SpeakerGate
from client_core.video_receive import VideoReceivePath

log = logging.getLogger(__name__)


class RemoteMedia:
    """Sinks, receive paths and speaker output for the remote tracks of one connection."""

    def __init__(
        self,
        name: str,
        tuning: MediaTuning,
        *,
        expected_fps: float = 30.0,
        slot: FrameSlot | None = None,
        audio_output: MediaRecorder | None = None,
    ) -> None:
        self.name = name
        self.tuning = tuning
        self.video_sink = VideoSink(name=f"{name}-video", expected_fps=expected_fps, slot=slot)
        self.audio_sink = AudioSink(name=f"{name}-audio")
        self.video_path: VideoReceivePath | None = None
        self.audio_path: AudioReceivePath | None = None
        self._audio_output = audio_output
        self._relay: MediaRelay | None = None
        self._speaker_gate: SpeakerGate | None = None
        self.audible = True
        """Whether the other side is heard on this side's speaker (a member silenced in a
        call of three or four is not; their sound is still received and measured)."""
        self._pending: dict[str, tuple[MediaStreamTrack, RTCRtpReceiver | None]] = {}
        self._extra_sinks: list[VideoSink | AudioSink] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._started = False
        self.rtt_hint: Callable[[], float | None] = lambda: None
        """The round trip of the path, when the send side knows it (set by the peer)."""

    def on_track(self, track: MediaStreamTrack, receiver: RTCRtpReceiver | None) -> None:
        """A remote track was announced (``receiver`` is its RTP receiver)."""
        if track.kind in ("video", "audio") and track.kind not in self._pending:
            self._pending[track.kind] = (track, receiver)
            if self._started:
                self._start_kind(track.kind, None)
            return
        # A further track (a browser adding screen share): it must be read all the same,
        # but it does not count for the call's stats.
        extra = VideoSink(name=f"{self.name}-extra") if track.kind == "video" else None
        sink = extra or AudioSink(name=f"{self.name}-extra")
        sink.attach(track)
        self._extra_sinks.append(sink)

    def start(self, codecs: dict[str, RTCRtpCodecParameters | None]) -> None:
        """Negotiated: connect each announced track with the codec the remote sends."""
        if self._started:
            return
        self._started = True
        for kind in list(self._pending):
            self._start_kind(kind, codecs.get(kind))

    def _start_kind(self, kind: str, codec: RTCRtpCodecParameters | None) -> None:
        track, receiver = self._pending[kind]
        tuned: MediaStreamTrack | None = None
        if receiver is not None and codec is not None:
            tuned = self._tuned(kind, receiver, codec)
        if tuned is not None:
            self._spawn(self._drain(track))  # aiortc's own track: read to its end
        source = tuned or track
        log.info("%s: remote %s via %s", self.name, kind, "tuned path" if tuned else "aiortc")
        if kind == "video":
            self.video_sink.attach(source)
            return
        if self.audio_path is not None:
            self.audio_sink.concealment = self.audio_path.counters
        if self._audio_output is None:
            self.audio_sink.attach(source)
            return
        self._relay = self._relay or MediaRelay()
        self._speaker_gate = SpeakerGate(self._relay.subscribe(source))
        self._speaker_gate.audible = self.audible
        self._audio_output.addTrack(self._speaker_gate)
        self.audio_sink.attach(self._relay.subscribe(source, buffered=False))
        self._spawn(self._audio_output.start())

    def set_audible(self, audible: bool) -> None:
        """Hear the other side on the speaker, or silence them there only."""
        self.audible = audible
        if self._speaker_gate is not None:
            self._speaker_gate.audible = audible

    def _tuned(
        self, kind: str, receiver: RTCRtpReceiver, codec: RTCRtpCodecParameters
    ) -> MediaStreamTrack | None:
        mime = codec.mimeType.lower()
        if kind == "video" and self.tuning.video_receive and mime == "video/vp8":
            video = VideoReceivePath(
                receiver, codec, name=f"{self.name}-video",
                playout_enabled=self.tuning.video_playout, rtt_hint=self.rtt_hint,
            )
            if aiortc_hooks.tap_receiver(receiver, video.on_packet) is None:
                self._spawn(video.close())
                return None
            self.video_path = video
            return video.track
        if (
            kind == "audio" and self.tuning.audio_receive and mime == "audio/opus"
            and opus_native.available()
        ):
            audio = AudioReceivePath(fec=self.tuning.audio_fec)
            if aiortc_hooks.tap_receiver(receiver, audio.on_packet) is None:
                return None
            self.audio_path = audio
            return audio.track
        return None

    async def _drain(self, track: MediaStreamTrack) -> None:
        """Read aiortc's (idle) remote track until the receiver stops it, then end ours."""
        with contextlib.suppress(MediaStreamError):
            while True:
                await track.recv()
        await self._close_paths()

    async def _close_paths(self) -> None:
        for path in (self.video_path, self.audio_path):
            if path is not None:
                await path.close()

    def last_media_at(self, kind: str) -> float | None:
        """When a packet (tuned path) or frame (aiortc's) of ``kind`` last arrived."""
        if kind == "video":
            path_v = self.video_path
            return path_v.last_packet_at if path_v is not None else self.video_sink.last_frame_at
        path_a = self.audio_path
        return path_a.last_packet_at if path_a is not None else self.audio_sink.last_frame_at

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Stop the sinks and receive paths and wait for their tasks (after the pc closed)."""
        await self._close_paths()
        await self.video_sink.stop()
        await self.audio_sink.stop()
        for sink in self._extra_sinks:
            await sink.stop()
        for task in list(self._tasks):
            if not task.done():
                task.cancel()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await task
        if self._audio_output is not None:
            await self._audio_output.stop()
