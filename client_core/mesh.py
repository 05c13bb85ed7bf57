"""A call of three or four members as a mesh: one :class:`~client_core.call.CallSession` per pair.

The server's ``call_members`` says who is in the call and, for every pair but the kiosk ↔
answering clerk one (the two-member session the call began with), which side offers, the ICE
servers minted for that pair, and what this side may send on it. :class:`MeshCall` keeps one
pair session per such member, made and closed as members come and go, each through the same
client core as a two-member call (attempts, restarts, stats), with ``peer`` on its negotiation.

Local media is shared by every pair through :class:`MediaFanout`: each pair gets its own
subscription (a source track can feed one sender only), wrapped in the gated tracks of
:mod:`client_core.local_media`, so one pair can carry silence and a dark picture while another
carries the voice: a supervisor who whispers is heard by the clerk only. Gating changes no SDP:
mode changes are immediate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamTrack

from client_core.call import CallSession, MediaSources, SpeakerFactory
from client_core.call_events import CallListener
from client_core.frame_slot import FrameSlot
from client_core.local_media import GatedAudioTrack, GatedVideoTrack
from client_core.signaling_client import SignalingClient
from wire import member_messages as M
from wire import server_messages as S

__all__ = ["MediaFanout", "MeshCall", "PairLink", "PairMedia"]

log = logging.getLogger("etapiste.mesh")


@dataclass
class PairMedia:
    """What this side sends on one pair: gated subscriptions of the local sources."""

    video: GatedVideoTrack | None
    audio: GatedAudioTrack | None

    def gate(self, audio: bool, video: bool) -> None:
        """Send the voice / picture on this pair, or silence / a dark picture."""
        if self.audio is not None:
            self.audio.enabled = audio
        if self.video is not None:
            self.video.enabled = video

    def stop(self) -> None:
        """End the subscriptions (the local sources go on for the other pairs)."""
        for track in (self.video, self.audio):
            if track is not None:
                track.source.stop()
                track.stop()


class MediaFanout:
    """One camera and microphone sent on several peer connections at once."""

    def __init__(self, video: MediaStreamTrack | None, audio: MediaStreamTrack | None) -> None:
        self._relay = MediaRelay()
        self.video_source = video
        self.audio_source = audio

    def subscribe(self, *, audio: bool = True, video: bool = True) -> PairMedia:
        """A new gated subscription for one pair (``audio``/``video``: sent at first)."""
        media = PairMedia(
            GatedVideoTrack(self._relay.subscribe(self.video_source, buffered=False))
            if self.video_source is not None else None,
            GatedAudioTrack(self._relay.subscribe(self.audio_source, buffered=False))
            if self.audio_source is not None else None,
        )
        media.gate(audio, video)
        return media


@dataclass
class PairLink:
    """This side's peer connection with one other member."""

    member: M.CallMember
    session: CallSession
    media: PairMedia
    remote_video: FrameSlot


class MeshCall:
    """The pairs of one call beyond the kiosk ↔ answering clerk pair, following
    ``call_members``.

    ``listener`` gets each pair session's events with the pair's member id
    (``listener(member_id, event)``); ``on_members`` gets every ``call_members``."""

    def __init__(
        self,
        client: SignalingClient,
        call_id: str,
        fanout: MediaFanout,
        *,
        listener: Callable[[str, object], None] | None = None,
        on_members: Callable[[M.CallMembers], None] | None = None,
        speaker: SpeakerFactory | None = None,
        stats_interval_s: float = 5.0,
        media_timeout_s: float = 4.0,
        name: str = "mesh",
    ) -> None:
        self.client = client
        self.call_id = call_id
        self.fanout = fanout
        self.listener = listener
        self.on_members = on_members
        self.speaker = speaker
        self.stats_interval_s = stats_interval_s
        self.media_timeout_s = media_timeout_s
        self.name = name
        self.you: str | None = None
        self.your_role: str | None = None
        self.members: list[M.CallMember] = []
        self.latest: M.CallMembers | None = None
        self.pairs: dict[str, PairLink] = {}
        self.ended = asyncio.Event()
        self.end_reason: str | None = None
        self._closing: set[asyncio.Task[None]] = set()
        client.add_listener(self._on_message)

    # ------------------------------------------------------------------------ public

    def member(self, member_id: str) -> M.CallMember | None:
        """A current member by id."""
        return next((m for m in self.members if m.member_id == member_id), None)

    def leave(self) -> None:
        """Leave the call (an added member); the others go on."""
        self.client.send(M.MemberLeave(call_id=self.call_id))

    def chat(self, text: str) -> None:
        """A chat line to every member."""
        self.client.send(M.MemberChat(call_id=self.call_id, text=text))

    def set_mode(self, mode: M.SupervisorMode) -> None:
        """The supervisor in the call switches mode."""
        self.client.send(M.SupervisorModeSet(call_id=self.call_id, mode=mode))

    async def close(self) -> None:
        """Close every pair and stop listening (tells the server nothing)."""
        self.client.remove_listener(self._on_message)
        for member_id in list(self.pairs):
            await self._drop(member_id)
        for task in list(self._closing):
            with contextlib.suppress(Exception):
                await task
        self.ended.set()

    # --------------------------------------------------------------------- internals

    def _on_message(self, message: S.ServerMessage) -> None:
        if getattr(message, "call_id", None) != self.call_id:
            return
        if isinstance(message, M.CallMembers):
            self.feed(message)
        elif isinstance(message, S.CallEnded):
            self.end_reason = message.reason
            task = asyncio.ensure_future(self.close())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    def feed(self, message: M.CallMembers) -> None:
        """Follow one ``call_members`` (the mesh hears them itself; an added member hands it
        the one that started its part of the call, which came before the mesh existed)."""
        self._apply(message)
        if self.on_members is not None:
            self.on_members(message)

    def _apply(self, message: M.CallMembers) -> None:
        self.latest = message
        self.you, self.your_role = message.you, message.your_role
        self.members = list(message.members)
        present = {m.member_id for m in message.members if m.pair is not None}
        for member_id in list(self.pairs):
            if member_id not in present:
                task = asyncio.ensure_future(self._drop(member_id))
                self._closing.add(task)
                task.add_done_callback(self._closing.discard)
        for member in message.members:
            if member.pair is None:
                continue
            link = self.pairs.get(member.member_id)
            if link is None:
                self._open(member, message)
            else:
                link.member = member
                link.media.gate(member.pair.send_audio, member.pair.send_video)

    def _open(self, member: M.CallMember, message: M.CallMembers) -> None:
        pair = member.pair
        assert pair is not None
        media = self.fanout.subscribe(audio=pair.send_audio, video=pair.send_video)
        slot = FrameSlot()
        start = S.CallStart(
            call_id=self.call_id,
            role="offerer" if pair.offerer else "answerer",
            ice_servers=pair.ice_servers,
            ice_transport_policy=message.ice_transport_policy,
            peer=S.Peer(kind="kiosk" if member.role == "kiosk" else "agent", name=member.name),
            service=message.service,
            language=message.language,
        )
        member_id = member.member_id
        listener: CallListener | None = None
        if self.listener is not None:
            report = self.listener

            def listener(event: object) -> None:
                report(member_id, event)

        session = CallSession(
            self.client, start,
            MediaSources(video=media.video, audio=media.audio, speaker=self.speaker,
                         remote_video=slot),
            listener=listener, stats_interval_s=self.stats_interval_s,
            media_timeout_s=self.media_timeout_s, name=f"{self.name}-{member_id}",
            peer_member=member_id,
        )
        self.pairs[member_id] = PairLink(member, session, media, slot)
        log.info("%s: pair with %s (%s) as %s", self.name, member_id, member.role, start.role)
        if pair.offerer:
            task = asyncio.ensure_future(session.begin())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def _drop(self, member_id: str) -> None:
        link = self.pairs.pop(member_id, None)
        if link is None:
            return
        await link.session.close()
        link.media.stop()
        log.info("%s: pair with %s closed", self.name, member_id)

