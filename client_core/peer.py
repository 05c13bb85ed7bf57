"""One peer connection attempt of a call: :class:`CallPeer`.

aiortc has no ICE restart (aiortc #211), so a call whose media path dies
gets a *new* ``CallPeer``; this class covers exactly one attempt, from SDP
to close, and says when it has failed (:attr:`CallPeer.media_failed`).

What it fixes once for every client:

* ICE servers are always explicit, video codecs in preference order (see
  :mod:`client_core.rtc_config`).
* Local tracks go through a :class:`~client_core.media_sink.CountingTrack`:
  aiortc stops the track it sends when the connection closes, the proxy
  takes that hit and the camera survives for the next attempt.  Feed one
  ``CallPeer`` at a time from a source (close the old one first), or give
  each a ``MediaRelay`` subscription.
* Remote tracks are always consumed (memory, aiortc #554/#1423).
* A data channel "control" (ordered, reliable), created by the offerer; its limits
  (:data:`MAX_MESSAGE_BYTES`, :data:`CHUNK_BYTES`) in :mod:`client_core.control_channel`.
* The offerer may start from a connection made before the call
  (:mod:`client_core.prepared_offer`): its candidates are gathered, its offer is ready.

Remote media (:mod:`client_core.remote_media`) goes through our receive paths where the
codec allows (VP8, Opus; see :mod:`client_core.media_tuning`), else through aiortc's own.

Failure detection: aioice's consent checks need about 30 s to declare a
dead path; much too long for a citizen staring at a frozen picture.  The
watcher flags the attempt as failed when the connection or ICE state is
"failed", when it is not connected ``connect_timeout_s`` after both
descriptions are set, or when media stopped arriving for ``media_timeout_s``
(default 4 s): video and audio both, when the remote sends both (tuning
``audio_alive``; without it, video alone).  A video freeze while the voice
still comes through is a lost keyframe, not a dead path: the receive path
asks for a new keyframe until it comes, where a new peer connection would
cost seconds of both.  Only when video packets arrive but no picture was
decoded for ``video_stall_s`` (12 s) is the attempt given up.  4 s is well
under the consent timeout yet twice the longest normal gap measured here.
A broken camera does not trigger it: the camera track keeps sending a
placeholder picture.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Callable, Sequence
from typing import Any, Final, Literal

from aiortc import RTCPeerConnection, RTCRtpTransceiver, RTCSessionDescription
from aiortc.contrib.media import MediaRecorder
from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.sdp import SessionDescription, candidate_from_sdp

# Re-exported: the channel's limits and error were defined here first.
from client_core.control_channel import CHUNK_BYTES as CHUNK_BYTES
from client_core.control_channel import MAX_MESSAGE_BYTES as MAX_MESSAGE_BYTES
from client_core.control_channel import ControlChannel
from client_core.control_channel import ControlChannelClosed as ControlChannelClosed
from client_core.frame_slot import FrameSlot
from client_core.media_sink import AudioSink, CountingTrack, VideoSink
from client_core.media_tuning import MediaTuning
from client_core.prepared_offer import CONTROL_CHANNEL, PreparedOffer
from client_core.remote_media import RemoteMedia
from client_core.rtc_config import (
    IceServerConfig,
    IceTransportPolicy,
    codec_preferences,
    rtc_configuration,
)
from client_core.send_path import SendPath

log = logging.getLogger(__name__)

_WATCH_PERIOD_S: Final = 0.25
_CLOSE_TIMEOUT_S: Final = 5.0
_VIDEO_STALL_S: Final = 12.0
_LINK_REPORT_S: Final = 0.5
_MLINE: Final = re.compile(r"^m=(audio|video) ", re.MULTILINE)

Role = Literal["offerer", "answerer"]


class CallPeer:
    """One ``RTCPeerConnection`` for one attempt at a call's media.

    ``video``/``audio`` are the local sources (camera or synthetic); when
    one is ``None`` that kind is receive-only.  ``audio_output`` (e.g. from
    :func:`client_core.audio_devices.open_speaker`) plays the remote audio;
    the remote tracks are consumed by :attr:`video_sink` and
    :attr:`audio_sink` either way; ``remote_video`` gets every decoded remote frame.

    Offerer: ``sdp = await create_offer()``, later ``await
    accept_answer(answer)``.  Answerer: ``answer = await
    accept_offer(sdp)``.  Then ``await close()``, always.
    """

    def __init__(
        self,
        ice_servers: Sequence[IceServerConfig],
        ice_transport_policy: IceTransportPolicy = "all",
        *,
        video: MediaStreamTrack | None = None,
        audio: MediaStreamTrack | None = None,
        audio_output: MediaRecorder | None = None,
        remote_video: FrameSlot | None = None,
        video_codecs: Sequence[str] = ("VP8", "H264"),
        media_timeout_s: float = 4.0,
        connect_timeout_s: float | None = 15.0,
        expected_fps: float = 30.0,
        on_message: Callable[[Any], None] | None = None,
        on_bytes: Callable[[bytes], None] | None = None,
        on_state_change: Callable[[str, str], None] | None = None,
        on_media_failed: Callable[[str], None] | None = None,
        name: str = "peer",
        tuning: MediaTuning | None = None,
        prepared: PreparedOffer | None = None,
    ) -> None:
        self.name = name
        self.tuning = tuning if tuning is not None else MediaTuning.from_env()
        if prepared is not None and not (
            video is not None and audio is not None
            and prepared.ready(ice_transport_policy, video_codecs)
        ):
            raise ValueError(f"{name}: the prepared connection does not fit this call")
        self._prepared = prepared
        self.pc = (prepared.adopt() if prepared is not None
                   else RTCPeerConnection(rtc_configuration(ice_servers, ice_transport_policy)))
        self.media_timeout_s = media_timeout_s
        self.connect_timeout_s = connect_timeout_s
        self.on_state_change = on_state_change
        self.on_media_failed = on_media_failed
        self.remote = RemoteMedia(
            name, self.tuning, expected_fps=expected_fps, slot=remote_video,
            audio_output=audio_output,
        )
        self.video_sink = self.remote.video_sink
        self.audio_sink = self.remote.audio_sink
        self.sent_video = CountingTrack(video) if video is not None else None
        self.sent_audio = CountingTrack(audio) if audio is not None else None
        self.send = SendPath(self.tuning, name)
        self.control = ControlChannel(name, on_message, on_bytes, self.send.on_link_report)
        self.channel_open = self.control.open
        self.remote.rtt_hint = lambda: self.send.rtt_s
        self.connected = asyncio.Event()
        self.media_failed = asyncio.Event()
        self.failure_reason: str | None = None
        self.role: Role | None = None
        self.started_at: float | None = None
        self.connected_at: float | None = None
        self._state = self.pc.connectionState
        self._ice_state = self.pc.iceConnectionState
        self._answer_sdp: str | None = None
        self._negotiated_at: float | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._reporter: asyncio.Task[None] | None = None
        self._closed = False
        self._video_prefs = codec_preferences("video", video_codecs)  # refuses unknown ones
        self._video_tx: RTCRtpTransceiver | None = None
        self._audio_tx: RTCRtpTransceiver | None = None
        self.pc.on("connectionstatechange", self._on_connection_state)
        self.pc.on("iceconnectionstatechange", self._on_ice_state)
        self.pc.on("track", self._on_track)
        self.pc.on("datachannel", self.control.offered)

    # -- negotiation -------------------------------------------------------

    async def create_offer(self) -> str:
        """Create the control channel and the offer; returns the offer SDP.

        ICE gathering finishes inside (aiortc does not trickle), so the SDP
        carries all local candidates; with a prepared connection it is done already and
        only the tracks are put on its senders.
        """
        self._begin("offerer")
        prepared = self._prepared
        if prepared is not None and prepared.sdp is not None:
            self._video_tx, self._audio_tx = prepared.video_tx, prepared.audio_tx
            prepared.video_tx.sender.replaceTrack(self.sent_video)
            assert self.sent_audio is not None
            prepared.audio_tx.sender.replaceTrack(self.send.audio_track(self.sent_audio))
            self.control.attach(prepared.channel)
            return prepared.sdp
        self._add_transceivers(("video", "audio"))
        self.control.attach(self.pc.createDataChannel(CONTROL_CHANNEL, ordered=True))
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return str(self.pc.localDescription.sdp)

    async def accept_offer(self, sdp: str) -> str:
        """Apply the remote offer; returns the answer SDP."""
        self._begin("answerer")
        self._add_transceivers(tuple(_MLINE.findall(sdp)))
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        answer_desc = await self.pc.createAnswer()
        if self.tuning.offerer_dtls_client and "a=setup:actpass" in sdp:
            # The offerer (controlling) finishes ICE first, so it should send the first DTLS
            # flight: its ClientHello waits here until our ICE is done, where as a server it
            # would wait a round trip for ours (aiortc answers "active" by default).
            answer_desc = RTCSessionDescription(
                sdp=answer_desc.sdp.replace("a=setup:active", "a=setup:passive"), type="answer")
        await self.pc.setLocalDescription(answer_desc)
        answer = str(self.pc.localDescription.sdp)
        self._negotiated(answer)
        return answer

    async def accept_answer(self, sdp: str) -> None:
        """Apply the remote answer (offerer side)."""
        if self.role != "offerer":
            raise RuntimeError(f"{self.name}: accept_answer() without create_offer()")
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
        self._negotiated(sdp)

    async def add_remote_candidate(
        self,
        candidate: str | None,
        sdp_mid: str | None = None,
        sdp_mline_index: int | None = None,
    ) -> None:
        """Add a candidate trickled by a browser; ``None`` or "" ends the list.

        ``candidate`` is in the browser's ``RTCIceCandidate.candidate`` form
        (``candidate:...``); an ``a=`` prefix is accepted too.  Call it only
        once the remote description is set (after :meth:`accept_offer` or
        :meth:`accept_answer`): buffer candidates that arrive earlier.
        """
        line = (candidate or "").strip().removeprefix("a=").removeprefix("candidate:")
        if not line:
            await self.pc.addIceCandidate(None)
            return
        parsed = candidate_from_sdp(line)
        parsed.sdpMid = sdp_mid
        parsed.sdpMLineIndex = sdp_mline_index
        await self.pc.addIceCandidate(parsed)

    def _add_transceivers(self, order: tuple[str, ...]) -> None:
        """Offer order: aiortc 1.16 answered audio-first browser offers with no candidates."""
        kinds = [k for k in dict.fromkeys(order) if k in ("video", "audio")]
        for kind in kinds + [k for k in ("video", "audio") if k not in kinds]:
            sent = self.sent_video if kind == "video" else self.sent_audio
            track = sent if kind == "video" or sent is None else self.send.audio_track(sent)
            tx = self.pc.addTransceiver(track if track is not None else kind,
                                        direction="recvonly" if sent is None else "sendrecv")
            if kind == "video":
                tx.setCodecPreferences(self._video_prefs)
                self._video_tx = tx
            else:
                self._audio_tx = tx

    def _begin(self, role: Role) -> None:
        if self.role is not None:
            raise RuntimeError(f"{self.name}: already negotiating as {self.role}")
        self.role = role
        self.started_at = time.monotonic()

    def _negotiated(self, answer_sdp: str) -> None:
        self._answer_sdp = answer_sdp
        self._negotiated_at = time.monotonic()
        codecs = self.negotiated_codecs()
        self.remote.start(codecs)
        self.send.negotiated(
            codecs,
            self._video_tx.sender
            if self.sent_video is not None and self._video_tx is not None else None,
        )
        if self._watcher is None and not self._closed:
            self._watcher = asyncio.create_task(self._watch(), name=f"{self.name}-watch")
        if self._reporter is None and not self._closed:
            self._reporter = asyncio.create_task(self._report_link(), name=f"{self.name}-link")

    # -- state -------------------------------------------------------------

    @property
    def connection_state(self) -> str:
        """``RTCPeerConnection.connectionState``."""
        return str(self.pc.connectionState)

    def negotiated_codecs(self) -> dict[str, RTCRtpCodecParameters | None]:
        """Per kind, the codec both sides send (the answer's first), once answered."""
        codecs: dict[str, RTCRtpCodecParameters | None] = {}
        if self._answer_sdp is None:
            return codecs
        for media in SessionDescription.parse(self._answer_sdp).media:
            if media.kind in ("audio", "video") and media.kind not in codecs:
                usable = [c for c in media.rtp.codecs if c.mimeType.lower() != f"{media.kind}/rtx"]
                codecs[media.kind] = usable[0] if usable else None
        return codecs

    @property
    def video_codec(self) -> str | None:
        """Negotiated video codec (e.g. ``video/VP8``), once answered."""
        codec = self.negotiated_codecs().get("video")
        return None if codec is None else str(codec.mimeType)

    @property
    def connect_ms(self) -> float | None:
        """From create_offer/accept_offer to "connected", in ms."""
        if self.started_at is None or self.connected_at is None:
            return None
        return (self.connected_at - self.started_at) * 1000

    @property
    def first_frame_ms(self) -> float | None:
        """From create_offer/accept_offer to the first decoded remote frame."""
        first = self.video_sink.first_frame_at
        if self.started_at is None or first is None:
            return None
        return (first - self.started_at) * 1000

    def watched_media(self) -> tuple[str, VideoSink | AudioSink] | None:
        """The remote's video if it sends any, else its audio (an agent console without a
        camera); None on a data-only call.  Known once negotiated."""
        received = self._received_kinds()
        if "video" in received:
            return "video", self.video_sink
        if "audio" in received:
            return "audio", self.audio_sink
        return None

    def _received_kinds(self) -> list[str]:
        return [
            kind
            for kind, transceiver in (("video", self._video_tx), ("audio", self._audio_tx))
            if transceiver is not None
            and transceiver.currentDirection in ("sendrecv", "recvonly")
        ]

    def _media_silence(self, now: float) -> str | None:
        """Why the media path looks dead (None: it does not), see the module docstring."""
        assert self.connected_at is not None
        kinds = self._received_kinds()
        if not self.tuning.audio_alive:
            kinds = kinds[:1]  # the remote's video if it sends any, else its audio
        quiet = {
            kind: now - max(self.remote.last_media_at(kind) or 0.0, self.connected_at)
            for kind in kinds
        }
        if quiet and all(q > self.media_timeout_s for q in quiet.values()):
            return " and ".join(f"no {k} for {q:.1f} s" for k, q in quiet.items())
        if "video" in kinds and self.remote.video_path is not None:
            since = max(self.video_sink.last_frame_at or 0.0, self.connected_at)
            if now - since > max(_VIDEO_STALL_S, self.media_timeout_s):
                return f"video arrives but no picture for {now - since:.1f} s"
        return None

    def _on_connection_state(self) -> None:
        old, new = self._state, str(self.pc.connectionState)
        if old == new:
            return
        self._state = new
        log.info("%s connection %s -> %s", self.name, old, new)
        if new == "connected" and self.connected_at is None:
            self.connected_at = time.monotonic()
            self.connected.set()
        if new == "failed":
            self._fail("connection state failed")
        elif new == "closed" and not self._closed:
            # Closed under us (the transport died), not by close(): as good as failed.
            self._fail("connection closed unexpectedly")
        if self.on_state_change is not None:
            try:
                self.on_state_change(old, new)
            except Exception:
                log.exception("%s: on_state_change callback failed", self.name)

    def _on_ice_state(self) -> None:
        old, new = self._ice_state, str(self.pc.iceConnectionState)
        if old == new:
            return
        self._ice_state = new
        log.info("%s ice %s -> %s", self.name, old, new)
        if new == "failed":
            self._fail("ICE state failed")

    def _fail(self, reason: str) -> None:
        if self.media_failed.is_set() or self._closed:
            return
        self.failure_reason = reason
        self.media_failed.set()
        log.warning("%s media failed: %s", self.name, reason)
        if self.on_media_failed is not None:
            try:
                self.on_media_failed(reason)
            except Exception:
                log.exception("%s: on_media_failed callback failed", self.name)

    async def _watch(self) -> None:
        while not self.media_failed.is_set():
            await asyncio.sleep(_WATCH_PERIOD_S)
            now = time.monotonic()
            if self.connected_at is None:
                since = now - (self._negotiated_at or now)
                if self.connect_timeout_s is not None and since > self.connect_timeout_s:
                    self._fail(f"not connected {since:.1f} s after negotiation")
            elif (why := self._media_silence(now)) is not None:
                self._fail(why)

    async def _report_link(self) -> None:
        """Tell the other side how its media queues on the way here, twice a second."""
        while True:
            await asyncio.sleep(_LINK_REPORT_S)
            path = self.remote.audio_path
            queue = path.queue.queue_s() if path is not None else None
            if queue is not None and self.channel_open.is_set():
                with contextlib.suppress(ControlChannelClosed, ValueError):
                    self.send_json({"type": "link", "queue_ms": round(queue * 1000, 1)})

    # -- remote media ------------------------------------------------------

    def _on_track(self, track: MediaStreamTrack) -> None:
        log.info("%s remote %s track", self.name, track.kind)
        receiver = next(
            (t.receiver for t in self.pc.getTransceivers() if t.receiver.track is track), None
        )
        self.remote.on_track(track, receiver)

    # -- control channel ---------------------------------------------------

    def send_json(self, obj: Any) -> None:
        """Send one JSON message (at most :data:`MAX_MESSAGE_BYTES` encoded)."""
        self.control.send_json(obj)

    def send_bytes(self, data: bytes) -> None:
        """Send one binary message (at most :data:`MAX_MESSAGE_BYTES`)."""
        self.control.send_bytes(data)

    @property
    def buffered_amount(self) -> int:
        """Bytes queued on the control channel and not yet sent."""
        return self.control.buffered_amount

    # -- teardown ----------------------------------------------------------

    async def close(self) -> None:
        """Close the connection and wait for every task this peer started."""
        if self._closed:
            return
        self._closed = True
        for task in (self._watcher, self._reporter):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self.control.close()
        # Shielded: aiortc may already be closing the connection itself (when the remote
        # side's DTLS closed), and then our close() awaits aiortc's own "closed" future.
        # Cancelling that wait (timeout, or our caller cancelled) would cancel the future,
        # and aiortc's closing task would later fail with InvalidStateError, logged as "Task
        # exception was never retrieved".
        closing = asyncio.ensure_future(self.pc.close())
        closing.add_done_callback(_log_close_failure)
        try:
            await asyncio.wait_for(asyncio.shield(closing), _CLOSE_TIMEOUT_S)
        except TimeoutError:
            log.warning("%s: RTCPeerConnection.close() timed out", self.name)
        except Exception:  # noqa: S110 - _log_close_failure reports it, once
            pass
        await self.send.close()
        await self.remote.close()
        log.info("%s closed", self.name)


def _log_close_failure(task: asyncio.Future[None]) -> None:
    """Retrieve a failed close's exception so it is reported once, as a warning."""
    if not task.cancelled() and (exc := task.exception()) is not None:
        log.warning("RTCPeerConnection.close() failed: %r", exc)
