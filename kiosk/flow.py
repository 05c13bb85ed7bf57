"""The citizen's journey through the kiosk as a plain state machine (no Qt, no I/O).

``welcome → services → privacy → waiting → call ⇄ photo → end → welcome``, with
``reconnecting`` over waiting/call/photo while the connection is down.  The presenter takes
the citizen's intents (``choose_service``, ``end_call``, …) and the controller's events
(``on_queued``, ``on_call_started``, …), changes :attr:`KioskPresenter.screen` and the
:class:`CitizenSession`, asks :class:`Effects` for the side effects, and tells subscribers.

Everything known about the current citizen lives in one :class:`CitizenSession`; leaving
(idle timeout, finishing) replaces it with a fresh one, so nothing of them is left behind.
Time comes from an injectable clock; :meth:`KioskPresenter.tick` is called a few times a
second and drives idle timeouts, the photo countdown and the end screen's return.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Final, Literal

from kiosk.photo_flow import PhotoFlow
from kiosk.ports import Effects
from kiosk.state import (
    IDLE_TIMEOUTS_S,
    ChatLine,
    CitizenSession,
    Devices,
    Refusal,
    Screen,
)
from wire.server_messages import ServiceInfo
from wire.types import DeviceStatus, Language

log = logging.getLogger("etapiste.kiosk.flow")

CHAT_HISTORY_MAX: Final = 200
END_AFTER_RATING_S: Final = 6.0
VOLUME_STEP: Final = 10


class KioskPresenter(PhotoFlow):
    """The kiosk's flow and state, bound to views by :meth:`subscribe`."""

    def __init__(
        self,
        effects: Effects,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        default_language: Language = "fi",
        idle_timeouts: dict[Screen, float | None] | None = None,
    ) -> None:
        self.effects = effects
        self.clock = clock
        self.wall_clock = wall_clock
        self.default_language: Language = default_language
        self.idle_timeouts = dict(idle_timeouts or IDLE_TIMEOUTS_S)
        self.screen = Screen.WELCOME
        self.citizen = CitizenSession(language=default_language)
        self.devices = Devices()
        self.services: list[ServiceInfo] = []
        self.services_loaded = False
        self.resume_screen: Screen | None = None
        self.in_call = False
        self.queued = False
        self.last_touch = clock()
        self.resets = 0
        self._media_down = False
        self._subscribers: list[Callable[[], None]] = []

    # ------------------------------------------------------------------------ plumbing

    def subscribe(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after every change."""
        self._subscribers.append(callback)

    def _changed(self) -> None:
        for callback in list(self._subscribers):
            callback()

    def _go(self, screen: Screen) -> None:
        if screen != self.screen:
            log.info("screen %s -> %s", self.screen, screen)
            self.screen = screen

    def touch(self) -> None:
        """The citizen touched the screen: restart the idle timer."""
        self.last_touch = self.clock()

    @property
    def language(self) -> Language:
        """The current interface language."""
        return self.citizen.language

    # ----------------------------------------------------------------- citizen intents

    def set_language(self, language: Language) -> None:
        """Switch the interface language (reachable on every screen)."""
        self.touch()
        self.citizen.language = language
        self._changed()

    def choose_language(self, language: Language) -> None:
        """Welcome screen: pick a language and go on to the services."""
        self.touch()
        self.citizen.language = language
        self._go(Screen.SERVICES)
        self.effects.refresh_services()
        self._changed()

    def toggle_large_text(self) -> None:
        """Bigger type on every screen, or back to normal."""
        self.touch()
        self.citizen.large_text = not self.citizen.large_text
        self._changed()

    def service(self, service_id: str | None) -> ServiceInfo | None:
        """The service with ``service_id``, as the server last described it."""
        return next((s for s in self.services if s.id == service_id), None)

    def selectable(self, info: ServiceInfo) -> bool:
        """Whether a tile may be chosen: open, and served in the current language."""
        return info.open and self.language in info.languages_available

    def choose_service(self, service_id: str) -> None:
        """Services screen: pick a service (only open ones), then the privacy notice."""
        self.touch()
        info = self.service(service_id)
        if info is None or not self.selectable(info):
            return
        self.citizen.service_id = service_id
        self.citizen.refusal = None
        self._go(Screen.PRIVACY)
        self._changed()

    def back(self) -> None:
        """Back one step (privacy → services, services → welcome)."""
        self.touch()
        if self.screen == Screen.PRIVACY:
            self._go(Screen.SERVICES)
        elif self.screen == Screen.SERVICES:
            self._go(Screen.WELCOME)
        self._changed()

    def accept_privacy(self) -> None:
        """Consent given: join the queue."""
        self.touch()
        service_id = self.citizen.service_id
        if self.screen != Screen.PRIVACY or service_id is None:
            return
        self.citizen.position = None
        self.citizen.estimated_wait_s = None
        self.citizen.transferred = False
        self.queued = True
        self._go(Screen.WAITING)
        self.effects.join_queue(service_id, self.language)
        self._changed()

    def cancel_wait(self) -> None:
        """Leave the queue and choose again."""
        self.touch()
        if self.queued:
            self.queued = False
            self.effects.leave_queue()
        self._go(Screen.SERVICES)
        self.effects.refresh_services()
        self._changed()

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

    def change_volume(self, steps: int) -> None:
        """Louder (+1) or quieter (-1)."""
        self.touch()
        level = min(100, max(0, self.citizen.volume + steps * VOLUME_STEP))
        self.citizen.volume = level
        self.effects.set_volume(level)
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
        self.citizen.rated_at = self.clock()
        self.effects.submit_rating(rating)
        self._changed()

    def finish(self) -> None:
        """End screen: done, back to welcome for the next citizen."""
        self.reset()

    def give_up(self) -> None:
        """Reconnecting screen: stop waiting for the connection and start over."""
        self.reset()

    # ------------------------------------------------------------------ controller events

    def on_connection(self, online: bool, problem: str | None = None) -> None:
        """Signaling connected or lost (``problem``: why, when it is more than the network)."""
        self.devices.online = online
        self.devices.problem = None if online else problem
        if not online and self.screen in (Screen.WAITING, Screen.CALL, Screen.PHOTO):
            self.resume_screen = self.screen
            self._go(Screen.RECONNECTING)
        elif online and self.screen == Screen.RECONNECTING and not self._media_down:
            self._resume()
        self._changed()

    def on_media_lost(self) -> None:
        """The call's media path failed; the client core is building a new one."""
        self._media_down = True
        if self.in_call and self.screen in (Screen.CALL, Screen.PHOTO):
            self.resume_screen = self.screen
            self._go(Screen.RECONNECTING)
        self._changed()

    def on_media_recovered(self) -> None:
        """Media flows again."""
        self._media_down = False
        if self.screen == Screen.RECONNECTING and self.devices.online:
            self._resume()
        self._changed()

    def _resume(self) -> None:
        target = self.resume_screen or (Screen.CALL if self.in_call else Screen.WAITING)
        if target == Screen.PHOTO and self.citizen.photo is None:
            target = Screen.CALL
        self.resume_screen = None
        self._go(target)

    def on_device(
        self, kind: Literal["camera", "microphone", "speaker"], status: DeviceStatus
    ) -> None:
        """A device appeared, went missing or failed."""
        setattr(self.devices, kind, status)
        if kind == "microphone" and status != DeviceStatus.OK:
            self.citizen.chat_open = True
        if kind == "camera" and status != DeviceStatus.OK and self.citizen.photo is not None:
            self.citizen.photo.phase = "unavailable"
        self._changed()

    def on_services(self, services: list[ServiceInfo]) -> None:
        """The service list (names, open or not, waits)."""
        self.services = list(services)
        self.services_loaded = True
        self._changed()

    def on_queued(self, position: int, estimated_wait_s: float | None) -> None:
        """The server placed (or moved) us in the queue."""
        if not self.queued:
            return
        self.citizen.position = position
        self.citizen.estimated_wait_s = estimated_wait_s
        self._changed()

    def on_refused(
        self, code: str, next_opening: float | None = None, languages: list[Language] | None = None
    ) -> None:
        """Joining the queue was refused (closed, full, language, offline)."""
        self.queued = False
        self.citizen.refusal = Refusal(code, next_opening, list(languages or []))
        if self.screen in (Screen.WAITING, Screen.PRIVACY):
            self._go(Screen.SERVICES)
        self.effects.refresh_services()
        self._changed()

    def on_left_queue(self) -> None:
        """The server dropped us from the queue (not answered)."""
        self.queued = False
        self._changed()

    def on_call_started(self, clerk_name: str) -> None:
        """A clerk answered: chime and show the call."""
        self.queued = False
        self.in_call = True
        self._media_down = False
        self.citizen.clerk_name = clerk_name
        self.citizen.quality = None
        self.citizen.clerk_away = False
        self.citizen.end_reason = None
        if self.devices.microphone != DeviceStatus.OK:
            self.citizen.chat_open = True
        self.effects.play_chime()
        self.effects.set_microphone(not self.citizen.muted)
        self.effects.set_camera(not self.citizen.camera_off)
        self._go(Screen.CALL)
        self.touch()
        self._changed()

    def on_chat_received(self, text: str) -> None:
        """The clerk wrote."""
        if not self.in_call:
            return
        self._add_chat(ChatLine(mine=False, text=text))
        self.touch()
        self._changed()

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

    def on_transferred(self, reason: str = "transferred") -> None:
        """Back in a queue: the clerk transferred the citizen, or the clerk's side was lost."""
        self.in_call = False
        self._media_down = False
        self.queued = True
        self.citizen.transferred = reason == "transferred"
        self.citizen.position = None
        self.citizen.photo = None
        self._go(Screen.WAITING)
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
        self.resume_screen = None
        self._go(Screen.END)
        self.touch()

    # ------------------------------------------------------------------------------ time

    def tick(self) -> None:
        """Advance timers: photo countdown, end screen, idle timeout."""
        now = self.clock()
        self._photo_tick(now)
        rated_at = self.citizen.rated_at if self.screen == Screen.END else None
        if rated_at is not None and now - rated_at >= END_AFTER_RATING_S:
            self.reset()
            return
        timeout = self.idle_timeouts.get(self.screen)
        if timeout is not None and now - self.last_touch >= timeout:
            if self.screen != Screen.WELCOME or self.citizen != CitizenSession(
                language=self.default_language
            ):
                log.info("idle for %.0f s on %s: starting over", now - self.last_touch, self.screen)
                self.reset()
            else:
                self.last_touch = now

    def reset(self) -> None:
        """Back to welcome; forget the citizen completely (queue, call, chat, photo, rating)."""
        if self.queued:
            self.effects.leave_queue()
        if self.in_call:
            self.effects.hang_up()
        self.queued = False
        self.in_call = False
        self._media_down = False
        self.resume_screen = None
        self.citizen = CitizenSession(language=self.default_language)
        self.effects.set_microphone(True)
        self.effects.set_camera(True)
        self.effects.forget_citizen()
        self.resets += 1
        self._go(Screen.WELCOME)
        self.touch()
        self._changed()
