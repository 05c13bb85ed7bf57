"""The document-photo part of the citizen's journey: request, countdown, sent, failed.

Mixed into :class:`~kiosk.flow.KioskPresenter`, whose state it changes: the clerk asks
(``on_photo_requested``), the citizen takes it after a countdown or declines, the
controller reports it sent or failed, and :meth:`PhotoFlow._photo_tick` moves the countdown
and the "sent" notice on.  No Qt, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from kiosk.ports import Effects
from kiosk.state import CitizenSession, Devices, PhotoState, Screen
from wire.types import DeviceStatus

PHOTO_COUNTDOWN_S: Final = 3
PHOTO_SENT_SHOWN_S: Final = 3.0


class PhotoFlow:
    """Photo intents and events; the presenter provides the state and the plumbing."""

    effects: Effects
    clock: Callable[[], float]
    citizen: CitizenSession
    devices: Devices
    screen: Screen
    in_call: bool

    def touch(self) -> None:
        """Restart the idle timer (the presenter's)."""
        raise NotImplementedError

    def _go(self, screen: Screen) -> None:
        raise NotImplementedError

    def _changed(self) -> None:
        raise NotImplementedError

    # ----------------------------------------------------------------- citizen intents

    def take_photo(self) -> None:
        """Start the countdown for the document photo."""
        self.touch()
        photo = self.citizen.photo
        if photo is None or photo.phase not in ("ready", "failed"):
            return
        photo.phase = "countdown"
        photo.countdown_until = self.clock() + PHOTO_COUNTDOWN_S
        self._changed()

    def cancel_photo(self) -> None:
        """The citizen declines or stops the photo."""
        self.touch()
        if self.citizen.photo is not None:
            if self.citizen.photo.phase not in ("sent", "unavailable"):
                self.effects.cancel_photo()
            self.citizen.photo = None
        if self.screen == Screen.PHOTO:
            self._go(Screen.CALL)
        self._changed()

    def countdown(self) -> int | None:
        """Whole seconds left on the photo countdown, if it runs."""
        photo = self.citizen.photo
        if photo is None or photo.countdown_until is None or photo.phase != "countdown":
            return None
        return max(1, int(photo.countdown_until - self.clock() + 0.999))

    # ------------------------------------------------------------------ controller events

    def on_photo_requested(self, prompt: str) -> None:
        """The clerk asks for a document photo."""
        if not self.in_call:
            return
        usable = self.devices.camera == DeviceStatus.OK and not self.citizen.camera_off
        self.citizen.photo = PhotoState(prompt=prompt, phase="ready" if usable else "unavailable")
        if not usable:
            self.effects.cancel_photo()
        self._go(Screen.PHOTO)
        self.touch()
        self._changed()

    def on_photo_cancelled(self) -> None:
        """The clerk withdrew the request."""
        self.citizen.photo = None
        if self.screen == Screen.PHOTO:
            self._go(Screen.CALL)
        self._changed()

    def on_photo_sent(self) -> None:
        """The still reached the data channel; the kiosk kept nothing."""
        photo = self.citizen.photo
        if photo is not None:
            photo.phase = "sent"
            photo.shown_until = self.clock() + PHOTO_SENT_SHOWN_S
        self._changed()

    def on_photo_failed(self) -> None:
        """Capturing or sending the still did not work; the citizen may try again."""
        if self.citizen.photo is not None:
            self.citizen.photo.phase = "failed"
        self._changed()

    # ------------------------------------------------------------------------------ time

    def _photo_tick(self, now: float) -> None:
        photo = self.citizen.photo
        if photo is not None and photo.phase == "countdown" and photo.countdown_until is not None:
            if now >= photo.countdown_until:
                photo.phase = "sending"
                photo.countdown_until = None
                self.effects.take_photo()
            self._changed()
        if photo is not None and photo.phase == "sent" and (photo.shown_until or 0) <= now:
            self.citizen.photo = None
            if self.screen == Screen.PHOTO:
                self._go(Screen.CALL)
            self._changed()
