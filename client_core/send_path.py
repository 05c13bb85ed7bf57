"""What this side sends, tuned once the codecs are known: Opus for speech, the video ladder.

:class:`SendPath` gives :class:`~client_core.peer.CallPeer` the tracks to add (the audio
wrapped in an :class:`~client_core.audio_send.OpusSendTrack`), and once negotiated switches
the Opus encoding on when the call sends Opus, installs the
:class:`~client_core.video_send.TunedVp8Encoder` when it sends VP8, and feeds the ladder the
receiver's loss reports (``remote-inbound-rtp`` of ``getStats()``, once a second).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any, Final

from aiortc import RTCRtpSender
from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from client_core import aiortc_hooks, opus_native
from client_core.audio_send import OpusSendTrack
from client_core.media_tuning import MediaTuning
from client_core.retransmit_gate import RetransmitGate
from client_core.video_send import LadderController, TunedVp8Encoder

log = logging.getLogger(__name__)

_REPORT_POLL_S: Final = 1.0


class SendPath:
    """Tuning of the local tracks of one peer connection."""

    def __init__(self, tuning: MediaTuning, name: str = "send") -> None:
        self.tuning = tuning
        self.name = name
        self.opus: OpusSendTrack | None = None
        self.ladder: LadderController | None = None
        self.encoder: TunedVp8Encoder | None = None
        self.rtt_s: float | None = None
        """Round trip of our video as RTCP measured it (for the receive path's NACKs)."""
        self._task: asyncio.Task[None] | None = None
        self.retransmit_gate: RetransmitGate | None = None

    def audio_track(self, track: MediaStreamTrack) -> MediaStreamTrack:
        """The track to give the audio sender."""
        if self.tuning.audio_fec and opus_native.available():
            self.opus = OpusSendTrack(track)
            return self.opus
        return track

    def negotiated(
        self,
        codecs: dict[str, RTCRtpCodecParameters | None],
        video_sender: RTCRtpSender | None,
    ) -> None:
        """The codecs are settled: switch the tuned encoders on where they fit."""
        audio = codecs.get("audio")
        if self.opus is not None:
            self.opus.use_opus(audio is not None and audio.mimeType.lower() == "audio/opus")
        video = codecs.get("video")
        if video_sender is not None and self.tuning.video_ladder and self.retransmit_gate is None:
            gate = RetransmitGate()
            if aiortc_hooks.gate_retransmissions(video_sender, lambda seq: self._copies(gate, seq)):
                self.retransmit_gate = gate
        if (
            video_sender is not None and self.tuning.video_ladder and video is not None
            and video.mimeType.lower() == "video/vp8" and self.encoder is None
        ):
            ladder = LadderController()
            encoder = TunedVp8Encoder(ladder)
            if aiortc_hooks.use_encoder(video_sender, encoder):
                self.ladder, self.encoder = ladder, encoder
                self._task = asyncio.create_task(self._reports(video_sender))

    def _copies(self, gate: RetransmitGate, seq: int) -> int:
        now = time.monotonic()
        calm = self.ladder is not None and self.ladder.calm(now)
        return gate.copies(seq, now, self.rtt_s, duplicate=calm)

    async def _reports(self, sender: RTCRtpSender) -> None:
        """Feed the ladder each new receiver report on our video, with our send rate."""
        seen: Any = None
        sent: tuple[float, int] | None = None
        while True:
            await asyncio.sleep(_REPORT_POLL_S)
            try:
                report = await sender.getStats()
            except Exception:  # the transport closed under us
                return
            now = time.monotonic()
            stats = list(report.values())
            octets = sum(s.bytesSent for s in stats if s.type == "outbound-rtp")
            rate = None
            if sent is not None and now > sent[0]:
                rate = (octets - sent[1]) * 8 / (now - sent[0])
            sent = (now, octets)
            for s in stats:
                if s.type == "remote-inbound-rtp" and s.timestamp != seen:
                    seen = s.timestamp
                    assert self.ladder is not None
                    self.ladder.on_loss(s.fractionLost / 256, now, rate)
                    if s.roundTripTime is not None:
                        self.rtt_s = float(s.roundTripTime)

    def on_link_report(self, queue_ms: float) -> None:
        """The other side's :class:`~client_core.control.LinkReport` on our media."""
        if self.ladder is not None:
            self.ladder.on_queue(queue_ms / 1000, time.monotonic())

    async def close(self) -> None:
        """Stop feeding the ladder."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
