"""One call's media, across as many peer-connection attempts as it takes.

aiortc cannot restart ICE, so when a media path dies the two sides build a new
:class:`~client_core.peer.CallPeer` for the same call, numbered by ``attempt``:

* the offerer (the kiosk) makes attempt 0 when the call starts, and attempt n+1 when its own
  watcher sees the media fail or when the answerer asks with ``media_restart``;
* the answerer takes any offer whose attempt is newer than the one it has, and asks the
  offerer for a new attempt when its watcher sees the media fail;
* after a signaling reconnect the server repeats ``call_start`` with ``resumed``; a side whose
  media is not flowing then asks for (or makes) a new attempt.

Recovery is timed from the first sign of failure to the first decoded frame of the attempt
that replaced it, and logged.  Attempts back off and are bounded
(:class:`~client_core.restart_policy.RestartBudget`): when the budget is spent the call ends
with ``media_failed`` (:class:`~client_core.call_events.MediaGaveUp` first), and the server
decides whether the citizen goes back to the head of the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiortc.contrib.media import MediaRecorder
from aiortc.mediastreams import MediaStreamTrack

from client_core.call_events import (
    BytesReceived,
    CallEvent,
    CallFinished,
    CallListener,
    ControlReceived,
    FirstFrame,
    MediaConnected,
    MediaFailed,
    MediaGaveUp,
    MediaRecovered,
    PeerLinkChanged,
    StatsSampled,
)
from client_core.call_stats import CallStatsCollector, StatsSample
from client_core.control import parse_control
from client_core.frame_slot import FrameSlot
from client_core.media_primer import MediaPrimer
from client_core.memory import release_after_call
from client_core.peer import CallPeer
from client_core.prepared_offer import PreparedOffer
from client_core.restart_policy import MAX_FAILURES, RestartBudget
from client_core.rtc_config import IceServerConfig
from client_core.signaling_client import SignalingClient
from wire import client_messages as C
from wire import server_messages as S
from wire.types import CallStats, Quality

log = logging.getLogger("etapiste.call")

SpeakerFactory = Callable[[], Awaitable[MediaRecorder | None]]


@dataclass
class MediaSources:
    """What this side sends and where the remote media goes; reused by every attempt.

    ``speaker`` opens a fresh output per peer connection (a ``MediaRecorder`` cannot be
    restarted once stopped); None means remote audio is only measured, not played.
    ``remote_video`` receives every decoded remote frame, whichever attempt decoded it, for
    a view to show; the call clears it when it ends.
    """

    video: MediaStreamTrack | None
    audio: MediaStreamTrack | None
    speaker: SpeakerFactory | None = None
    remote_video: FrameSlot | None = None


def wire_stats(sample: StatsSample) -> CallStats:
    """A client-side stats sample as the protocol's summary."""
    loss = max((x for x in (sample.loss_in, sample.loss_out) if x is not None), default=None)
    return CallStats(
        rtt_ms=sample.rtt_ms,
        loss=None if loss is None else min(1.0, max(0.0, loss)),
        jitter_ms=sample.jitter_ms,
        bitrate_in_kbps=sample.bitrate_in_kbps,
        bitrate_out_kbps=sample.bitrate_out_kbps,
        fps_sent=sample.fps_sent,
        fps_decoded=sample.fps_decoded,
        freezes=sample.freezes,
        latency_ms_p50=sample.latency_p50_ms,
        quality=Quality(sample.grade),
    )


class CallSession:
    """Drives the media of one call through the signaling client.

    Events for a UI arrive through ``listener(event)``, one of the
    :data:`~client_core.call_events.CallEvent` classes.
    """

    def __init__(
        self,
        client: SignalingClient,
        start: S.CallStart,
        sources: MediaSources,
        *,
        listener: CallListener | None = None,
        stats_interval_s: float = 5.0,
        media_timeout_s: float = 4.0,
        name: str | None = None,
        restarts: RestartBudget | None = None,
        peer_member: str | None = None,
        primer: MediaPrimer | None = None,
    ) -> None:
        self.client = client
        self.primer = primer
        """The offerer's first attempt starts from the offer this keeps ready, if any
        (:mod:`client_core.media_primer`)."""
        self.peer_member = peer_member
        """In a call of more than two: the other member of this pair (its negotiation
        carries ``peer``); None for the kiosk ↔ answering clerk pair. A pair session sends
        no call stats and, when its media cannot be set up, closes alone: the call goes on."""
        self.call_id = start.call_id
        self.role = start.role
        self.start_message = start
        self.sources = sources
        self.listener = listener
        self.stats_interval_s = stats_interval_s
        self.media_timeout_s = media_timeout_s
        self.name = name or f"{start.role}-{start.call_id[:8]}"
        self.ice_servers = [
            IceServerConfig(urls=list(s.urls), username=s.username, credential=s.credential)
            for s in start.ice_servers
        ]
        self.ice_policy = start.ice_transport_policy
        self.attempt = -1
        self.peer: CallPeer | None = None
        self.last_peer: CallPeer | None = None
        """The newest attempt's peer, kept after close so its figures can be read."""
        self.ended = asyncio.Event()
        self.end_reason: str | None = None
        self.latest_stats: StatsSample | None = None
        self.recoveries_ms: list[float] = []
        self.first_frame_at: float | None = None
        self._failed_at: float | None = None
        self._last_attempt_at = 0.0
        # The answerer waits one failure longer, so that the kiosk (the offerer) is the one
        # that ends a call whose media cannot be set up.
        self.restarts = restarts or RestartBudget(
            MAX_FAILURES if self.role == "offerer" else MAX_FAILURES + 1
        )
        self.attempt_times: list[float] = []
        """When each attempt began (monotonic), for logs and tests."""
        self._stats: CallStatsCollector | None = None
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._released = False
        client.add_listener(self._on_message)
        for early in client.claim_call(self.call_id):  # e.g. the offer, if it came first
            self._on_message(early)

    # ------------------------------------------------------------------------------ public

    async def begin(self) -> None:
        """Start the media: the offerer makes attempt 0; the answerer waits for it."""
        if self.role == "offerer":
            await self._new_attempt(0)

    def send_control(self, obj: Any) -> bool:
        """Send a JSON control message (chat, photo request) over the data channel."""
        peer = self.peer
        if peer is None or not peer.channel_open.is_set():
            return False
        peer.send_json(obj)
        return True

    def send_bytes(self, data: bytes) -> bool:
        """Send a binary chunk over the data channel."""
        peer = self.peer
        if peer is None or not peer.channel_open.is_set():
            return False
        peer.send_bytes(data)
        return True

    async def hangup(self, reason: str = "hangup", timeout: float = 5.0) -> None:
        """End the call for both sides and release the media (a pair session of a bigger
        call only closes: the call is ended or left through :mod:`client_core.mesh`)."""
        if not self.ended.is_set() and self.peer_member is None:
            self.client.send(C.CallEnd(call_id=self.call_id, reason=reason))  # type: ignore[arg-type]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.ended.wait(), timeout)
        await self.close()

    async def close(self) -> None:
        """Release the media and stop listening (does not tell the server)."""
        self.client.remove_listener(self._on_message)
        primer, self.primer = self.primer, None
        if primer is not None:  # ended before its first offer: nobody takes it now
            await primer.stop()
        for task in list(self._tasks):
            task.cancel()
        await self._close_peer()
        if self.sources.remote_video is not None:
            self.sources.remote_video.clear()  # the other person's picture goes with the call
        self.ended.set()
        if not self._released:  # close() runs again after a hang-up; release once
            self._released = True
            release_after_call()

    # --------------------------------------------------------------------------- internals

    def _media_up(self) -> bool:
        peer = self.peer
        return peer is not None and peer.connected.is_set() and not peer.media_failed.is_set()

    def _emit(self, event: CallEvent) -> None:
        if self.listener is not None:
            try:
                self.listener(event)
            except Exception:
                log.exception("%s: listener failed on %s", self.name, event.name)

    def _on_control(self, obj: Any) -> None:
        message = parse_control(obj)
        if message is None:
            log.warning("%s: malformed control message dropped", self.name)
            return
        self._emit(ControlReceived(message))

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_message(self, message: S.ServerMessage) -> None:
        if getattr(message, "call_id", None) != self.call_id or self.ended.is_set():
            return
        if isinstance(message, C.SdpMessage | C.IceMessage | C.MediaRestart):
            if message.peer != self.peer_member:
                return  # another pair of the same call
        elif self.peer_member is not None and isinstance(message, S.CallStart | S.PeerStatus):
            return  # about the kiosk ↔ answering clerk pair
        match message:
            case C.SdpMessage():
                self._spawn(self._on_sdp(message))
            case C.IceMessage():
                self._spawn(self._on_ice(message))
            case C.MediaRestart():
                if self.role == "offerer" and message.attempt > self.attempt:
                    # The other side saw the media fail first: it is our failure too, and
                    # the recovery is timed from now.
                    self._mark_failed("peer requested a restart")
                    self._spawn(self._new_attempt(message.attempt))
            case S.CallStart() if message.resumed:
                # Our signaling came back; media may or may not have survived.
                if not self._media_up():
                    self._spawn(self._recover("signaling resumed with media down"))
            case S.PeerStatus():
                self._emit(PeerLinkChanged(message.status))
                if message.status == "connected" and not self._media_up():
                    # What we sent while the other side was away may have been lost.
                    self._spawn(self._recover("peer resumed with media down"))
            case S.CallEnded():
                self.end_reason = message.reason
                self._emit(CallFinished(message.reason, message.by))
                self._spawn(self.close())
            case _:
                pass

    async def _on_sdp(self, message: C.SdpMessage) -> None:
        desc = message.description
        async with self._lock:
            if desc.type == "answer":
                if self.role == "offerer" and message.attempt == self.attempt and self.peer:
                    await self.peer.accept_answer(desc.sdp)
                return
            if self.role != "answerer" or message.attempt <= self.attempt:
                return
            await self._close_peer()
            peer = await self._make_peer(message.attempt)
            answer = await peer.accept_offer(desc.sdp)
            self.client.send(
                C.SdpMessage(
                    call_id=self.call_id,
                    attempt=message.attempt,
                    description=C.SessionDescription(type="answer", sdp=answer),
                    peer=self.peer_member,
                )
            )

    async def _on_ice(self, message: C.IceMessage) -> None:
        # Under the lock: a browser trickles candidates right behind its answer, and they
        # must wait until that answer (or offer) has been applied. The lock is fair, and the
        # SDP task was started first, so order is kept.
        async with self._lock:
            peer = self.peer
            if peer is None or message.attempt != self.attempt:
                return
            try:
                await peer.add_remote_candidate(
                    message.candidate or "", message.sdp_mid, message.sdp_mline_index
                )
            except ValueError:
                log.warning("%s: unusable remote candidate ignored", self.name)

    async def _new_attempt(self, attempt: int) -> None:
        async with self._lock:
            if attempt <= self.attempt or self.ended.is_set():
                return
            await self._close_peer()
            peer = await self._make_peer(attempt, await self._prepared(attempt))
            offer = await peer.create_offer()
            self.client.send(
                C.SdpMessage(
                    call_id=self.call_id,
                    attempt=attempt,
                    description=C.SessionDescription(type="offer", sdp=offer),
                    peer=self.peer_member,
                )
            )

    async def _prepared(self, attempt: int) -> PreparedOffer | None:
        """The primer's offer for the first attempt, when it fits this call."""
        primer = self.primer
        if primer is None or attempt != 0:
            return None
        self.primer = None
        offer = await primer.take()
        sources = self.sources
        if offer is not None and not (
            sources.video is not None and sources.audio is not None
            and offer.ready(self.ice_policy, primer.video_codecs)
        ):
            await offer.close()
            return None
        return offer

    async def _make_peer(self, attempt: int, prepared: PreparedOffer | None = None) -> CallPeer:
        self.attempt = attempt
        self._last_attempt_at = time.monotonic()
        self.attempt_times.append(self._last_attempt_at)
        speaker = await self.sources.speaker() if self.sources.speaker is not None else None
        peer = CallPeer(
            self.ice_servers,
            self.ice_policy,
            video=self.sources.video,
            audio=self.sources.audio,
            audio_output=speaker,
            media_timeout_s=self.media_timeout_s,
            remote_video=self.sources.remote_video,
            on_message=self._on_control,
            on_bytes=lambda data: self._emit(BytesReceived(data)),
            on_media_failed=lambda reason: self._spawn(self._recover(reason)),
            name=f"{self.name}-a{attempt}",
            prepared=prepared,
        )
        self.peer = self.last_peer = peer
        self._spawn(self._watch_first_frame(peer, attempt))
        self._stats = CallStatsCollector.for_peer(peer, interval_s=self.stats_interval_s)
        self._stats.run(self._on_stats)
        log.info("%s attempt %d as %s%s", self.name, attempt, self.role,
                 " (prepared before the call)" if prepared is not None else "")
        return peer

    async def _watch_first_frame(self, peer: CallPeer, attempt: int) -> None:
        await peer.connected.wait()
        self._emit(MediaConnected(attempt))
        # The first picture when the other side sends video (audio comes sooner, but a call
        # is seen to work when the face appears); the first sound when it sends none.
        watched = peer.watched_media()
        sink = watched[1] if watched is not None else peer.video_sink
        while sink.first_frame_at is None:
            if peer.media_failed.is_set() or peer is not self.peer:
                return
            await asyncio.sleep(0.02)
        self.restarts.media_flowed()
        if self.first_frame_at is None:
            self.first_frame_at = time.monotonic()
            self._emit(FirstFrame(attempt))
        if self._failed_at is not None:
            took = (time.monotonic() - self._failed_at) * 1000
            self._failed_at = None
            self.recoveries_ms.append(took)
            log.info("%s media recovered in %.0f ms (attempt %d)", self.name, took, attempt)
            self._emit(MediaRecovered(attempt, took))

    def _mark_failed(self, reason: str) -> None:
        if self._failed_at is None:
            self._failed_at = time.monotonic()
            self._emit(MediaFailed(reason))

    async def _recover(self, reason: str) -> None:
        if self.ended.is_set():
            return
        self._mark_failed(reason)
        if not self.restarts.failed(self.attempt):
            await self._give_up()
            return
        wait = self.restarts.wait_s() - (time.monotonic() - self._last_attempt_at)
        if wait > 0:
            await asyncio.sleep(wait)
        if self.ended.is_set():
            return
        next_attempt = self.attempt + 1
        if self.role == "offerer":
            await self._new_attempt(next_attempt)
        else:
            # Counted as an attempt here too, so a second failure asks for a newer one.
            self._last_attempt_at = time.monotonic()
            self.client.send(C.MediaRestart(call_id=self.call_id, attempt=next_attempt,
                                            peer=self.peer_member))

    async def _give_up(self) -> None:
        failures = self.restarts.failures
        log.warning("%s: media could not be set up in %d attempts: ending the call",
                    self.name, failures)
        self._emit(MediaGaveUp(failures))
        if self.peer_member is not None:
            await self.close()  # one pair of a bigger call: the others go on
            return
        await self.hangup("media_failed")

    def _on_stats(self, sample: StatsSample) -> None:
        self.latest_stats = sample
        if self.peer_member is None:
            self.client.send(C.CallStatsReport(call_id=self.call_id, stats=wire_stats(sample)))
        self._emit(StatsSampled(sample))

    async def _close_peer(self) -> None:
        stats, self._stats = self._stats, None
        if stats is not None:
            await stats.stop()
        peer, self.peer = self.peer, None
        if peer is not None:
            await peer.close()
