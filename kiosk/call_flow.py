"""The call part of the citizen's journey: mute, camera, chat, hanging up, the rating.

Mixed into :class:`~kiosk.flow.KioskPresenter`, whose state it changes.  No Qt, no I/O.
"""

from __future__ import annotations

from typing import Final

from kiosk.members import CallMember, ordered
from kiosk.ports import Effects
from kiosk.state import ChatLine, CitizenSession, Screen

CHAT_HISTORY_MAX: Final = 200
VOLUME_STEP: Final = 10


#: End reasons where the call did not end by someone hanging up.
_FAILED_ENDS = frozenset({"media_failed", "kiosk_lost", "device_failed"})

class CallFlow:
    """Call intents and events; the presenter provides the state and the plumbing."""

    effects: Effects
    citizen: CitizenSession
    screen: Screen
    in_call: bool
    resume_screen: Screen | None
    _media_down: bool

    def touch(self) -> None:
        """Restart the idle timer (the presenter's)."""
        raise NotImplementedError

    def _go(self, screen: Screen) -> None:
        raise NotImplementedError

    def _changed(self) -> None:
        raise NotImplementedError

    # ----------------------------------------------------------------- citizen intents

    def toggle_mute(self) -> None:
        """Microphone off/on."""
        self.touch()
        self.citizen.muted = not self.citizen.muted
        self.effects.set_microphone(not self.citizen.muted)
        self._changed()


    def toggle_camera(self) -> None:
        """Camera off/on."""
        self.touch()
        self.citizen.camera_off = not self.citizen.camera_off
        self.effects.set_camera(not self.citizen.camera_off)
        self._changed()


    def toggle_chat(self) -> None:
        """Show or hide the chat keyboard."""
        self.touch()
        self.citizen.chat_open = not self.citizen.chat_open
        self._changed()


    def send_chat(self, text: str) -> None:
        """The citizen writes to the clerk."""
        self.touch()
        text = text.strip()
        if not text or not self.in_call:
            return
        self._add_chat(ChatLine(mine=True, text=text[:1000]))
        self.effects.send_chat(text[:1000])
        self._changed()


    def end_call(self) -> None:
        """The citizen hangs up."""
        self.touch()
        if self.in_call:
            self.effects.hang_up()
            self._call_over("hangup")
        self._changed()


    def rate(self, rating: int) -> None:
        """End screen: 1–5."""
        self.touch()
        if self.screen != Screen.END or not 1 <= rating <= 5 or self.citizen.rating is not None:
            return
        self.citizen.rating = rating
        self.effects.submit_rating(rating)
        self._changed()

    # ------------------------------------------------------------------ controller events

    def on_chat_received(self, text: str, sender: str | None = None) -> None:
        """The clerk (or, with ``sender``, another member) wrote."""
        if not self.in_call:
            return
        self._add_chat(ChatLine(mine=False, text=text, sender=sender))
        self.touch()
        self._changed()


    def on_members(self, members: list[CallMember]) -> None:
        """Who is in the call now (everyone but the citizen), as the server says."""
        if not self.in_call:
            return
        self.citizen.members = ordered(members)
        clerk = next((m for m in members if m.role == "clerk" and m.answering), None)
        if clerk is not None:
            self.citizen.clerk_name = clerk.name
        self._changed()

    @property
    def several_members(self) -> bool:
        """Whether someone besides the clerk is in the call (a call of three or four)."""
        return len(self.citizen.members) > 1

    def chat_sender(self, line: ChatLine) -> CallMember | None:
        """The member who wrote ``line`` (None: the citizen, or a member who left)."""
        if line.mine:
            return None
        members = self.citizen.members
        if line.sender is None:
            return next((m for m in members if m.answering), None)
        return next((m for m in members if m.member_id == line.sender), None)

    def _add_chat(self, line: ChatLine) -> None:
        self.citizen.chat.append(line)
        del self.citizen.chat[:-CHAT_HISTORY_MAX]


    def on_quality(self, grade: str) -> None:
        """Latest call quality grade (good, fair, poor)."""
        self.citizen.quality = grade
        self._changed()


    def on_clerk_status(self, away: bool) -> None:
        """The clerk's own connection dropped or came back."""
        self.citizen.clerk_away = away
        self._changed()


    def on_call_ended(self, reason: str) -> None:
        """The call ended (clerk hung up, or it failed)."""
        if self.in_call:
            self._call_over(reason)
        self._changed()


    def _call_over(self, reason: str) -> None:
        self.in_call = False
        self._media_down = False
        self.citizen.end_reason = reason
        self.citizen.photo = None
        self.citizen.chat.clear()
        self.citizen.members = []
        self.resume_screen = None
        self._go(Screen.END)
        self.touch()

    @property
    def waiting_notice_key(self) -> str | None:
        """Why the citizen is waiting again without having asked, as a catalogue key."""
        if self.citizen.transferred:
            return "waiting.transferred"
        if self.citizen.requeue_reason == "media_requeued":
            return "waiting.requeued_media"
        return None

    @property
    def end_title_key(self) -> str:
        """The end screen's heading: thanks after a call, plain words after one that failed."""
        if self.citizen.end_reason in _FAILED_ENDS:
            return "end.title_failed"
        return "end.title"

    @property
    def end_message_key(self) -> str:
        """What the end screen says about how the call ended (and what to do next)."""
        reason = self.citizen.end_reason
        if reason == "media_failed":
            return "end.ended_media_failed"
        if reason in _FAILED_ENDS:
            return "end.ended_failed"
        return "end.ended"
