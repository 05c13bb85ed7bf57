"""A scripted clerk for the kiosk UI tests, built on the client core like the headless agent.

The headless agent (``agent_console.headless``) answers and holds calls; the clerk here also
writes chat, asks for document photos and reassembles them, to drive the kiosk's call screen.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from client_core.call import CallSession, MediaSources
from client_core.call_events import BytesReceived, CallEvent, ControlReceived
from client_core.control import (
    Chat,
    PeerMediaStatus,
    PhotoEnd,
    PhotoRequest,
    PhotoStart,
    parse_photo_chunk,
)
from client_core.media_synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from client_core.signaling_client import SignalingClient, login
from tests.server.harness import FAST, PASSWORD
from wire import client_messages as C
from wire import server_messages as S


@dataclass
class Clerk:
    """Logs in, answers the first offer and exposes the call."""

    base_url: str
    username: str
    client: SignalingClient | None = None
    session: CallSession | None = None
    chats: list[str] = field(default_factory=list)
    statuses: list[PeerMediaStatus] = field(default_factory=list)
    photos: list[tuple[PhotoStart, bytes]] = field(default_factory=list)
    offer: S.Offer | None = None
    """The offer answered (with its booking, for a booked citizen)."""
    _chunks: dict[int, bytes] = field(default_factory=dict)
    _start: PhotoStart | None = None
    _offers: asyncio.Queue[S.Offer] = field(default_factory=asyncio.Queue)

    async def connect(self) -> SignalingClient:
        """Log in and connect (not ready yet); :meth:`answer` does it when not done."""
        login_result = await login(self.base_url, self.username, PASSWORD)
        url = self.base_url.replace("http", "ws", 1) + "/ws"
        self.client = SignalingClient(url, login_result.token, backoff=FAST)
        self.client.add_listener(
            lambda m: self._offers.put_nowait(m) if isinstance(m, S.Offer) else None
        )
        await self.client.connected()
        return self.client

    async def answer(self, timeout: float = 20.0) -> CallSession:
        if self.client is None:
            await self.connect()
        assert self.client is not None
        self.client.send(C.AgentStateSet(state="ready"))
        offer = self.offer = await asyncio.wait_for(self._offers.get(), timeout)
        started = asyncio.ensure_future(self.client.wait_for(S.CallStart, timeout=10))
        self.client.send(C.OfferAccept(offer_id=offer.offer_id))
        start = await started
        self.session = CallSession(
            self.client,
            start,
            MediaSources(video=SyntheticVideoTrack(), audio=SyntheticAudioTrack()),
            listener=self._on_event,
            stats_interval_s=1.0,
            # Kiosk, clerk, server and UI share two cores here: don't restart media on a
            # scheduling hiccup (the kiosk keeps the production 4 s).
            media_timeout_s=10.0,
        )
        await self.session.begin()
        return self.session

    def _on_event(self, event: CallEvent) -> None:
        if isinstance(event, ControlReceived):
            message = event.message
            if isinstance(message, Chat):
                self.chats.append(message.text)
            elif isinstance(message, PeerMediaStatus):
                self.statuses.append(message)
            elif isinstance(message, PhotoStart):
                self._start, self._chunks = message, {}
            elif isinstance(message, PhotoEnd) and self._start is not None:
                data = b"".join(self._chunks[i] for i in sorted(self._chunks))
                self.photos.append((self._start, data))
                self._start = None
        elif isinstance(event, BytesReceived):
            parsed = parse_photo_chunk(event.data)
            if parsed is not None:
                self._chunks[parsed[1]] = parsed[2]

    def say(self, text: str) -> None:
        assert self.session is not None and self.session.send_control(Chat(text=text).model_dump())

    def ask_photo(self, prompt: str) -> None:
        assert self.session is not None
        assert self.session.send_control(PhotoRequest(prompt=prompt).model_dump())

    async def hang_up(self) -> None:
        if self.session is not None:
            await self.session.hangup()
            assert self.client is not None
            self.client.send(C.WrapUpDone(call_id=self.session.call_id, disposition="resolved"))

    async def close(self) -> None:
        if self.session is not None:
            with contextlib.suppress(Exception):
                await self.session.close()
        if self.client is not None:
            await self.client.close()
