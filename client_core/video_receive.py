"""The tuned video receive path of one peer connection: packets -> frames -> decoder -> playout.

:func:`client_core.aiortc_hooks.tap_receiver` sends the receiver's packets here instead of
aiortc's jitter buffer.  The :class:`~client_core.video_assembly.VideoAssembler` turns them
into complete frames and retransmission/keyframe requests, which go out as RTCP through the
receiver; frames are decoded in a thread of their own (as aiortc does: a VP8 decode costs
milliseconds) and handed to a :class:`~client_core.playout.VideoPlayoutTrack` with their
playout time from a :class:`~client_core.playout.PlayoutDelay`.  :attr:`track` is what the
peer's sinks read instead of aiortc's remote track.

The lateness the playout delay learns from is the time a frame became complete (its last
packet or retransmission arrived), not its decode, so a slow decode on a busy machine does
not raise everyone's delay.  Keyframes, and the frames that complete within 300 ms after
one, are left out: they are late by the keyframe's size (10-30 packets through a narrow
link), not by the network's jitter; counted, one keyframe raised the delay to 340 ms for
the next ten seconds (measured at 3 % loss, +150 ms).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Final

import av
from aiortc import RTCRtpReceiver
from aiortc.codecs import get_decoder
from aiortc.codecs.base import Decoder
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtp import RtpPacket
from av import VideoFrame

from client_core import aiortc_hooks
from client_core.playout import DelayConfig, PlayoutDelay, VideoPlayoutTrack
from client_core.video_assembly import Actions, AssemblerConfig, EncodedFrame, VideoAssembler

log = logging.getLogger(__name__)

_POLL_S: Final = 0.02
_AFTER_KEYFRAME_S: Final = 0.3
"""Frames that complete this soon after a keyframe queued behind it on the link."""


class VideoReceivePath:
    """Assembler, decoder thread and playout for one remote video stream."""

    def __init__(
        self,
        receiver: RTCRtpReceiver,
        codec: RTCRtpCodecParameters,
        *,
        name: str = "video",
        assembler: AssemblerConfig | None = None,
        playout: DelayConfig | None = None,
        playout_enabled: bool = True,
        clock: Callable[[], float] = time.monotonic,
        rtt_hint: Callable[[], float | None] = lambda: None,
    ) -> None:
        self.name = name
        self.receiver = receiver
        self.codec = codec
        self.assembler = VideoAssembler(assembler)
        self.delay = PlayoutDelay(playout)
        self.playout_enabled = playout_enabled
        self.track = VideoPlayoutTrack()
        self.last_packet_at: float | None = None
        self.decode_errors = 0
        self._clock = clock
        self._rtt_hint = rtt_hint
        self._ssrc: int | None = None
        self._keyframe_until = 0.0
        self._last_completed = 0.0
        self._loop = asyncio.get_running_loop()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=f"{name}-decode")
        self._decoder_lock = threading.Lock()
        self._decoder: Decoder | None = get_decoder(codec)
        self._poller = asyncio.create_task(self._poll(), name=f"{name}-poll")
        self._closed = False

    @property
    def playout_delay_ms(self) -> float:
        """The current playout delay."""
        return self.delay.delay_s * 1000 if self.playout_enabled else 0.0

    def on_packet(self, packet: RtpPacket) -> None:
        """A media packet from the tap (aiortc's packet loop: must not block)."""
        now = self._clock()
        self.last_packet_at = now
        self._ssrc = packet.ssrc
        self._apply(self.assembler.add(packet, now))

    async def _poll(self) -> None:
        ticks = 0
        while True:
            await asyncio.sleep(_POLL_S)
            ticks += 1
            if ticks % 50 == 0 and (rtt := self._rtt_hint()) is not None:
                self.assembler.rtt_hint(rtt)
            self._apply(self.assembler.poll(self._clock()))

    def _apply(self, actions: Actions) -> None:
        if not actions or self._closed or self._ssrc is None:
            return
        if actions.nack:
            # Twice: a lost NACK costs a whole retry interval of frozen picture, a second
            # copy costs a few dozen bytes.
            for _ in range(2):
                aiortc_hooks.send_nack(self.receiver, self._ssrc, actions.nack)
        if actions.pli:
            aiortc_hooks.send_pli(self.receiver, self._ssrc)
        for frame in actions.frames:
            media_s = self.delay.media_time(frame.timestamp)
            if frame.keyframe:
                self._keyframe_until = frame.completed_at + _AFTER_KEYFRAME_S
            # One lateness sample per stall: frames completed by the same retransmission
            # all waited for it, and would otherwise count as many late events as there
            # were frames behind the hole.
            burst = frame.completed_at - self._last_completed < 0.005
            self._last_completed = frame.completed_at
            typical = not (frame.keyframe or burst) and frame.completed_at > self._keyframe_until
            self.delay.observe(media_s, frame.completed_at, lateness=typical,
                               recovered=frame.retransmitted)
            due = self.delay.due(media_s) if self.playout_enabled else 0.0
            future = self._executor.submit(self._decode, frame)
            future.add_done_callback(functools.partial(self._from_thread, due=due))

    def _from_thread(self, future: Future[list[VideoFrame]], *, due: float) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed: nobody is watching
            self._loop.call_soon_threadsafe(self._decoded, future, due)

    def _decode(self, frame: EncodedFrame) -> list[VideoFrame]:
        with self._decoder_lock:
            if self._decoder is None:
                return []
            jitter_frame = JitterFrame(data=frame.data, timestamp=frame.timestamp)
            return [f for f in self._decoder.decode(jitter_frame) if isinstance(f, VideoFrame)]

    def _decoded(self, future: Future[list[VideoFrame]], due: float) -> None:
        if self._closed:
            return
        try:
            frames = future.result()
        except av.FFmpegError as exc:
            self.decode_errors += 1
            log.info("%s: frame not decodable (%s): keyframe requested", self.name, exc)
            self._apply(self.assembler.decode_failed(self._clock()))
            return
        except Exception:
            log.exception("%s: decoder failed", self.name)
            return
        for decoded in frames:
            self.track.put(decoded, due)

    async def close(self) -> None:
        """Stop polling and decoding; the track ends once it is drained."""
        if self._closed:
            return
        self._closed = True
        self._poller.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._poller
        await asyncio.get_running_loop().run_in_executor(None, self._executor.shutdown, True)
        with self._decoder_lock:
            self._decoder = None
        self.track.end()
