"""Sending the voice: Opus for speech, 32 kbit/s mono, with in-band FEC.

aiortc encodes audio with FFmpeg's libopus wrapper at 96 kbit/s stereo in CELT mode, which
carries no FEC: a lost packet is lost, and on a 300 kbit/s uplink the audio alone takes a
third of the link.  :class:`OpusSendTrack` wraps the microphone's track and hands aiortc's
sender ready Opus packets (aiortc sends pre-encoded ``av.Packet`` as they are, the way its
``MediaPlayer(decode=False)`` does), encoded by :class:`client_core.opus_native.OpusEncoder`
as speech (SILK/hybrid) with in-band FEC sized for ``loss_pct`` % loss: each packet carries a
coarse copy of the previous one, which a receiver uses when that one is lost
(:mod:`client_core.audio_receive`).  Chromium sends the same by default (32 kbit/s,
``useinbandfec=1``).

Until :meth:`OpusSendTrack.use_opus` is called (the peer connection settled on Opus) it
forwards raw frames, and aiortc's own encoder handles whatever codec was negotiated.
"""

from __future__ import annotations

from collections import deque
from fractions import Fraction
from typing import Any, Final

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame, AudioResampler
from av.frame import Frame
from av.packet import Packet

from client_core.opus_native import FRAME_SAMPLES, SAMPLE_RATE, OpusEncoder

BITRATE: Final = 32_000
TIME_BASE: Final = Fraction(1, SAMPLE_RATE)


class OpusSendTrack(MediaStreamTrack):
    """``source``'s audio as Opus packets (see the module docstring)."""

    kind = "audio"

    def __init__(
        self, source: MediaStreamTrack, *, fec: bool = True, loss_pct: int = 10,
        bitrate: int = BITRATE,
    ) -> None:
        super().__init__()
        self.source = source
        self.fec = fec
        self.loss_pct = loss_pct
        self.bitrate = bitrate
        self.packets = 0
        self._active = False
        self._encoder: OpusEncoder | None = None
        self._resampler = AudioResampler(
            format="s16", layout="mono", rate=SAMPLE_RATE, frame_size=FRAME_SAMPLES
        )
        self._queue: deque[Packet[Any]] = deque()
        self._pts = 0
        self._expected_in: int | None = None

    def use_opus(self, on: bool) -> None:
        """Encode here (the connection sends Opus) or leave it to aiortc (another codec)."""
        self._active = on
        if on and self._encoder is None:
            self._encoder = OpusEncoder(1, self.bitrate, fec=self.fec, loss_pct=self.loss_pct)

    async def recv(self) -> Frame | Packet[Any]:
        if self.readyState != "live":
            raise MediaStreamError
        while not self._queue:
            try:
                frame = await self.source.recv()
            except MediaStreamError:
                self.stop()
                raise
            if not self._active or not isinstance(frame, AudioFrame):
                return frame
            self._encode(frame)
        return self._queue.popleft()

    def _encode(self, frame: AudioFrame) -> None:
        assert self._encoder is not None
        self._follow_source_clock(frame)
        for chunk in self._resampler.resample(frame):
            pcm = bytes(chunk.planes[0])[: chunk.samples * 2]
            packet = av.Packet(self._encoder.encode(pcm))
            packet.pts = self._pts
            packet.time_base = TIME_BASE
            self._pts += chunk.samples
            self.packets += 1
            self._queue.append(packet)

    def _follow_source_clock(self, frame: AudioFrame) -> None:
        """When the source skipped ahead (it was late), skip the RTP clock as far, so the
        receiver knows audio is missing there rather than drifting ever later."""
        if frame.pts is None or frame.sample_rate <= 0:
            return
        pts = round(frame.pts * frame.time_base * SAMPLE_RATE) if frame.time_base else frame.pts
        if self._expected_in is not None and pts > self._expected_in:
            self._pts += pts - self._expected_in
        self._expected_in = pts + round(frame.samples * SAMPLE_RATE / frame.sample_rate)
