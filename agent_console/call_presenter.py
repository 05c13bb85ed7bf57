"""One call as the agent sees it: who, where, media and link state, chat and document photos.

Fed by :class:`client_core.call.CallSession` events (through the backend) and by the agent's
commands. No Qt here: views read the attributes and call the methods.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from agent_console.clock import Clock
from agent_console.members import CallMembers
from agent_console.photo import PhotoAssembler, PhotoError, ReceivedPhoto, save_photo
from agent_console.ports import Backend
from client_core.call_events import (
    BytesReceived,
    CallEvent,
    ControlReceived,
    MediaConnected,
    MediaFailed,
    MediaRecovered,
    PeerLinkChanged,
    StatsSampled,
)
from client_core.control import (
    CHAT_MAX_CHARS,
    Chat,
    ControlMessage,
    PeerMediaStatus,
    PhotoCancel,
    PhotoEnd,
    PhotoRequest,
    PhotoStart,
)
from wire import member_messages as M
from wire import server_messages as S

log = logging.getLogger("etapiste.console.call")


class Media(StrEnum):
    """The media path's state."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECOVERING = "recovering"


class PhotoState(StrEnum):
    """Where a document-photo request stands."""

    IDLE = "idle"
    REQUESTED = "requested"
    RECEIVING = "receiving"
    RECEIVED = "received"
    FAILED = "failed"


@dataclass(frozen=True)
class ChatLine:
    """One line in the chat pane; ``sender`` is ``agent``, ``citizen``, ``system`` or, in a
    call of three or four, ``member`` (another staff member, named by ``name`` and
    ``role``)."""

    sender: str
    text: str
    at: float
    """Wall-clock seconds."""
    name: str = ""
    role: str = ""


class CallPresenter:
    """State and commands of the call in progress."""

    def __init__(
        self,
        start: S.CallStart | M.CallMembers,
        backend: Backend,
        clock: Clock,
        notify: Callable[[str], None],
        *,
        photo_folder: Path | None = None,
    ) -> None:
        self.call_id = start.call_id
        self.service = start.service
        self.language = start.language
        self.members = CallMembers(start.call_id, backend, notify)
        if isinstance(start, S.CallStart):
            self.peer_name = start.peer.name
            self.site = start.peer.site
        else:  # an added member: the membership list is the start of the call
            kiosk = next((m for m in start.members if m.role == "kiosk"), None)
            self.peer_name = kiosk.name if kiosk is not None else ""
            self.site = None
            self.members.on_members(start)
        self.started_at = clock.monotonic()
        self.media = Media.CONNECTING
        self.peer_link = "connected"
        self.quality: str | None = None
        self.rtt_ms: float | None = None
        self.loss: float | None = None
        self.muted = False
        self.camera_on = True
        self.citizen_camera_on = True
        self.chat: list[ChatLine] = []
        self.photo_state = PhotoState.IDLE
        self.photo: ReceivedPhoto | None = None
        self.photo_progress = 0.0
        self.saved_path: Path | None = None
        self.photo_folder = photo_folder
        self.ending = False
        self._backend = backend
        self._clock = clock
        self._notify = notify
        self._assembler = PhotoAssembler()

    # ---------------------------------------------------------------------------- reads

    def elapsed_s(self) -> float:
        """Seconds since the call started."""
        return self._clock.monotonic() - self.started_at

    @property
    def can_save_photo(self) -> bool:
        """Saving needs a received photo and a configured folder."""
        return self.photo is not None and self.photo_folder is not None

    # ------------------------------------------------------------------------- commands

    def send_chat(self, text: str) -> bool:
        """Send a chat line; False (nothing sent) if empty or the channel is down."""
        text = text.strip()[:CHAT_MAX_CHARS]
        if not text:
            return False
        if self.members.several:  # the server relays it to every member, us included
            self._backend.send_message(M.MemberChat(call_id=self.call_id, text=text))
            return True
        if not self._backend.send_control(Chat(text=text).model_dump()):
            self._system("chat_not_sent")
            return False
        self.chat.append(ChatLine("agent", text, self._clock.time()))
        self._notify("chat")
        return True

    def request_photo(self, prompt: str = "") -> bool:
        """Ask the kiosk to photograph a document."""
        if self.photo_state in (PhotoState.REQUESTED, PhotoState.RECEIVING):
            return False
        if not self._backend.send_control(PhotoRequest(prompt=prompt[:200]).model_dump()):
            self._system("photo_not_sent")
            return False
        self.photo_state = PhotoState.REQUESTED
        self.photo_progress = 0.0
        self._notify("photo")
        return True

    def cancel_photo(self) -> None:
        """Withdraw a pending request."""
        if self.photo_state in (PhotoState.REQUESTED, PhotoState.RECEIVING):
            self._backend.send_control(PhotoCancel().model_dump())
            self._assembler.cancel()
            self.photo_state = PhotoState.IDLE
            self._notify("photo")

    def save_photo(self) -> Path | None:
        """Write the received photo to the configured folder, on the agent's explicit order."""
        if self.photo is None or self.photo_folder is None:
            return None
        try:
            self.saved_path = save_photo(self.photo, self.photo_folder, self.call_id)
        except OSError as exc:
            log.warning("photo not saved: %s", exc)
            self._system("photo_save_failed")
            return None
        self._notify("photo")
        return self.saved_path

    def discard_photo(self) -> None:
        """Forget the photo (it was only ever in memory)."""
        self.photo = None
        self.saved_path = None
        self.photo_state = PhotoState.IDLE
        self._notify("photo")

    def toggle_mute(self) -> None:
        """Microphone off or on; the kiosk is told so it can show it."""
        self.muted = not self.muted
        self._backend.set_muted(self.muted)
        self._backend.send_control(PeerMediaStatus(microphone=not self.muted).model_dump())
        self._notify("call")

    def toggle_camera(self) -> None:
        """Camera picture off or on; the kiosk is told."""
        self.camera_on = not self.camera_on
        self._backend.set_camera(self.camera_on)
        self._backend.send_control(PeerMediaStatus(camera=self.camera_on).model_dump())
        self._notify("call")

    # --------------------------------------------------------------------------- events

    def on_event(self, event: CallEvent) -> None:
        """A :class:`~client_core.call.CallSession` event."""
        match event:
            case MediaConnected() | MediaRecovered():
                self.media = Media.CONNECTED
                self._notify("call")
            case MediaFailed():
                self.media = Media.RECOVERING
                self._notify("call")
            case PeerLinkChanged(status=status):
                self.peer_link = status
                self._notify("call")
            case StatsSampled(sample=sample):
                self.quality = sample.grade
                self.rtt_ms = sample.rtt_ms
                losses = [x for x in (sample.loss_in, sample.loss_out) if x is not None]
                self.loss = max(losses) if losses else None
                self._notify("quality")
            case ControlReceived(message=message):
                self._on_control(message)
            case BytesReceived(data=data):
                self._on_bytes(data)
            case _:
                pass

    def _on_control(self, message: ControlMessage) -> None:
        match message:
            case Chat():
                self.chat.append(ChatLine("citizen", message.text, self._clock.time()))
                self._notify("chat")
            case PhotoStart():
                self._assembler.begin(message)
                self.photo_state = PhotoState.RECEIVING
                self.photo_progress = 0.0
                self._notify("photo")
            case PhotoEnd():
                try:
                    self.photo = self._assembler.finish(message, self._clock.time())
                except PhotoError as exc:
                    log.warning("photo transfer failed: %s", exc)
                    self.photo_state = PhotoState.FAILED
                else:
                    self.photo_state = PhotoState.RECEIVED
                    self.saved_path = None
                self._notify("photo")
            case PhotoCancel():
                self._assembler.cancel()
                self.photo_state = PhotoState.IDLE
                self._system("photo_cancelled_by_citizen")
                self._notify("photo")
            case PeerMediaStatus():
                if message.camera is not None:
                    self.citizen_camera_on = message.camera
                    self._notify("call")
            case _:
                log.info("ignored a control message")

    def on_member_chat(self, message: M.MemberChatPosted) -> None:
        """A line of the shared chat (ours too: the server's copy is the one shown)."""
        if message.member_id == self.members.you:
            line = ChatLine("agent", message.text, message.at)
        elif message.role == "kiosk":
            line = ChatLine("citizen", message.text, message.at)
        else:
            line = ChatLine("member", message.text, message.at, message.name, message.role)
        self.chat.append(line)
        self._notify("chat")

    def _on_bytes(self, data: bytes) -> None:
        try:
            if self._assembler.add_chunk(data):
                self.photo_progress = self._assembler.progress
                self._notify("photo")
        except PhotoError as exc:
            log.warning("photo transfer failed: %s", exc)
            self.photo_state = PhotoState.FAILED
            self._notify("photo")

    def _system(self, key: str) -> None:
        self.chat.append(ChatLine("system", key, self._clock.time()))
        self._notify("chat")
