"""The console's ports: what presenters ask of the outside world (network, media), and
where views find the call's pictures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from client_core.frame_slot import FrameSlot
from wire import client_messages as C


@dataclass(frozen=True)
class VideoFeeds:
    """The citizen's picture (each call fills it) and the agent's own as sent (self view);
    in a call of three or four, each other member's picture by member id."""

    remote: FrameSlot
    own: FrameSlot
    members: dict[str, FrameSlot] = field(default_factory=dict)

    def slot(self, member_id: str) -> FrameSlot:
        """The picture of ``member_id`` (made on first use)."""
        slot = self.members.get(member_id)
        if slot is None:
            slot = self.members[member_id] = FrameSlot()
        return slot


class Backend(Protocol):
    """Commands a presenter gives; each returns at once, results come back as events.

    The real implementation is :class:`agent_console.backend.ConsoleBackend` (asyncio, client
    core); tests of presenters use a recording fake.
    """

    def login(self, username: str, password: str) -> None:
        """Log in and connect; the presenter hears ``on_logged_in`` or ``on_login_failed``."""

    def logout(self) -> None:
        """End the session."""

    def change_password(self, new_password: str) -> None:
        """Replace the temporary password the login was made with, then connect; the
        presenter hears ``on_logged_in`` or ``on_password_change_failed``."""

    def cancel_password_change(self) -> None:
        """Forget the half-done login whose password must change."""

    def photos_purged(self, count: int) -> None:
        """Tell the server how many saved photos were deleted for retention (it audits)."""

    def set_state(self, state: str, reason: str | None) -> None:
        """Ask to become ``ready`` or ``not_ready`` (with a reason)."""

    def accept_offer(self, offer_id: str) -> None:
        """Take the offered citizen."""

    def reject_offer(self, offer_id: str) -> None:
        """Decline the offered citizen (they keep their place)."""

    def end_call(self, call_id: str) -> None:
        """Hang up."""

    def transfer(self, call_id: str, service: str) -> None:
        """Move the citizen to another service's queue."""

    def wrapup_done(self, call_id: str, disposition: str | None, note: str | None) -> None:
        """Record the disposition and end wrap-up."""

    def request_history(self) -> None:
        """Ask for today's calls."""

    def send_control(self, message: dict[str, Any]) -> bool:
        """Send a data-channel message to the kiosk; False if the channel is not open."""

    def set_muted(self, muted: bool) -> None:
        """Silence or restore the microphone."""

    def set_camera(self, on: bool) -> None:
        """Turn the camera picture on or off."""

    def send_message(self, message: C.ClientMessage) -> None:
        """Send a signaling message as is (the member messages of calls of three or four)."""

    def set_member_muted(self, member_id: str, muted: bool) -> None:
        """Silence (or hear again) one member's sound on this console only."""
