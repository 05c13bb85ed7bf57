"""The citizen's journey through the kiosk as a plain state machine (no Qt, no I/O).

``welcome → services → privacy → device check → waiting → call ⇄ photo → end → welcome``,
with ``language help`` between services and privacy when no clerk serves the citizen's
language, ``reconnecting`` over waiting/call/photo while the connection is down, and ``out of
service`` instead of welcome and the screens before the queue while the kiosk cannot work
(no server for :data:`~kiosk.state.OUT_OF_SERVICE_AFTER_S`, or one it must not trust).
The presenter takes the citizen's intents (``choose_service``, ``end_call``, …) and the
controller's events (``on_queued``, ``on_call_started``, …), changes
:attr:`KioskPresenter.screen` and the :class:`CitizenSession`, asks :class:`Effects` for
the side effects, and tells subscribers.

Everything known about the current citizen lives in one :class:`CitizenSession`; leaving
(finishing, or an unanswered "are you still there?") replaces it with a fresh one, so nothing
of them is left behind.  Time comes from an injectable clock; :meth:`KioskPresenter.tick` is
called a few times a second and drives the prompts and the photo countdown.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Final, Literal

from kiosk.access_flow import AccessFlow
from kiosk.booking_flow import BookingFlow
from kiosk.booking_state import Reservation
from kiosk.call_flow import VOLUME_STEP, CallFlow
from kiosk.callback_flow import CALLBACK_WAIT_S, CallbackFlow
from kiosk.check_flow import DeviceCheckFlow
from kiosk.language_help import LanguageHelp, language_help
from kiosk.members import CallMember
from kiosk.other_ways_flow import OtherWaysFlow
from kiosk.photo_flow import PhotoFlow
from kiosk.ports import Effects
from kiosk.presence import PROMPT_ANSWER_S, Presence, QueueWatch
from kiosk.prompt_flow import PromptFlow
from kiosk.service_flow import ServiceFlow
from kiosk.state import (
    IDLE_TIMEOUTS_S,
    CitizenSession,
    Devices,
    Prompt,
    Refusal,
    Screen,
    Site,
)
from wire.server_messages import ServiceInfo
from wire.types import DeviceStatus, EstimateKind, Language

TileState = Literal["open", "other_language", "closed"]

log = logging.getLogger("etapiste.kiosk.flow")

_BACK: Final = {
    Screen.SERVICES: Screen.WELCOME,
    Screen.LANGUAGE_HELP: Screen.SERVICES,
    Screen.PRIVACY: Screen.SERVICES,
    Screen.DEVICE_CHECK: Screen.PRIVACY,
}


class KioskPresenter(
    AccessFlow,
    CallFlow,
    PhotoFlow,
    PromptFlow,
    DeviceCheckFlow,
    ServiceFlow,
    BookingFlow,
    CallbackFlow,
    OtherWaysFlow,
):
    """The kiosk's flow and state, bound to views by :meth:`subscribe`."""

    def __init__(
        self,
        effects: Effects,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        default_language: Language = "fi",
        idle_timeouts: dict[Screen, float | None] | None = None,
        prompt_answer_s: float = PROMPT_ANSWER_S,
        site: Site | None = None,
        callback_wait_s: float = CALLBACK_WAIT_S,
    ) -> None:
        self.effects = effects
        self.callback_wait_s = callback_wait_s
        self.callback_from: Screen | None = None
        self.clock = clock
        self.wall_clock = wall_clock
        self.default_language: Language = default_language
        self.presence = Presence(idle_timeouts or IDLE_TIMEOUTS_S)
        self.prompt_answer_s = prompt_answer_s
        self.prompt: Prompt | None = None
        self.queue_watch = QueueWatch()
        self.site = site or Site()
        self.reservation = Reservation()
        self._loop_configured = self.site.induction_loop
        self.screen = Screen.WELCOME
        self.screen_since = clock()
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
        self._speech_by_jack = False
        self._reconnect_shown = -1
        self.offline_since: float | None = clock()  # not connected yet
        self._subscribers: list[Callable[[], None]] = []

    # ------------------------------------------------------------------------ plumbing

    def subscribe(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after every change."""
        self._subscribers.append(callback)

    def _changed(self) -> None:
        for callback in list(self._subscribers):
            callback()

    def _go(self, screen: Screen) -> None:
        if screen == self.screen:
            return
        log.info("screen %s -> %s", self.screen, screen)
        old, self.screen = self.screen, screen
        self.screen_since = self.clock()
        self.prompt = None  # a new screen: whatever was asked is moot
        if old == Screen.DEVICE_CHECK:
            self.effects.stop_device_check()
        if old == Screen.CHECK_IN:
            self.effects.stop_code_scan()
        if screen == Screen.DEVICE_CHECK:
            self.effects.start_device_check()

    def touch(self) -> None:
        """The citizen touched the screen: restart the idle timer."""
        self.last_touch = self.clock()

    def fresh_citizen(self) -> CitizenSession:
        """The session a new citizen starts with (spoken guidance on with headphones in)."""
        return CitizenSession(language=self.default_language, speech=self.devices.headphones)

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
        if self.screen != Screen.OUT_OF_SERVICE:  # a late touch must not start a visit
            self._go(Screen.SERVICES)
            self.effects.refresh_services()
        self._changed()

    def service(self, service_id: str | None) -> ServiceInfo | None:
        """The service with ``service_id``, as the server last described it."""
        return next((s for s in self.services if s.id == service_id), None)

    def tile_state(self, info: ServiceInfo) -> TileState:
        """Open and served in the citizen's language, open in other languages only, or
        closed.  Only closed tiles are disabled: the others explain when touched."""
        if not info.open:
            return "closed"
        return "open" if self.language in info.languages_available else "other_language"

    def selectable(self, info: ServiceInfo) -> bool:
        """Whether a tile leads straight to the queue: open and served in this language."""
        return self.tile_state(info) == "open"

    def choose_service(self, service_id: str) -> None:
        """Services screen: an open service leads to the privacy notice; one that no clerk
        serves in the citizen's language leads to what exists instead."""
        self.touch()
        info = self.service(service_id)
        if info is None:
            return
        if self.tile_state(info) == "closed":
            # Closed: say when it opens, and offer a time booked here or a call back.
            self.offer_other_ways(service_id, "closed")
            return
        self.citizen.service_id = service_id
        self.citizen.queue_language = None
        self.citizen.refusal = None
        self._go(Screen.PRIVACY if self.selectable(info) else Screen.LANGUAGE_HELP)
        self._changed()

    def language_help(self) -> LanguageHelp | None:
        """What exists for the chosen service when the citizen's language is not served
        (a callback in the citizen's language is always offered when it is offered at all)."""
        info = self.service(self.citizen.service_id)
        if info is None:
            return None
        help_ = language_help(info, self.language)
        return replace(help_, callback_offered=help_.offered)

    def queue_in(self, language: Language) -> None:
        """Language help: queue in another language (the screens stay in the citizen's)."""
        self.touch()
        help_ = self.language_help()
        if help_ is None or language not in [o.language for o in help_.options]:
            return
        self.citizen.queue_language = language
        self._go(Screen.PRIVACY)
        self._changed()

    def back(self) -> None:
        """Back one step (device check → privacy → services → welcome)."""
        self.touch()
        if self._privacy_before_check_in(accepted=False):
            return
        target = _BACK.get(self.screen)
        if target is not None:
            self._go(target)
        self._changed()

    def accept_privacy(self) -> None:
        """Consent given: check the camera, microphone and speaker before queueing."""
        self.touch()
        if self._privacy_before_check_in(accepted=True):
            return
        if self.screen != Screen.PRIVACY or self.citizen.service_id is None:
            return
        self.citizen.check.heard = None
        self._go(Screen.DEVICE_CHECK)
        self._changed()

    def join_queue(self) -> None:
        """Device check done: join the queue."""
        self.touch()
        if self._check_done_before_check_in():
            return
        service_id = self.citizen.service_id
        if self.screen != Screen.DEVICE_CHECK or service_id is None:
            return
        self.citizen.position = None
        self.citizen.estimated_wait_s = None
        self.citizen.estimate_kind = None
        self.citizen.transferred = False
        self.citizen.requeue_reason = None
        self.queued = True
        self.queue_watch.joined(self.clock())
        self._go(Screen.WAITING)
        self.effects.join_queue(service_id, self.citizen.queue_language or self.language)
        self._changed()

    def cancel_wait(self) -> None:
        """Leave the queue and choose again."""
        self.touch()
        if self.queued:
            self.queued = False
            self.queue_watch.left()
            self.effects.leave_queue()
        self._go(Screen.SERVICES)
        self.effects.refresh_services()
        self._changed()

    def change_volume(self, steps: int) -> None:
        """Louder (+1) or quieter (-1)."""
        self.touch()
        level = min(100, max(0, self.citizen.volume + steps * VOLUME_STEP))
        self.citizen.volume = level
        self.effects.set_volume(level)
        self._changed()

    def finish(self) -> None:
        """End screen: done, back to welcome for the next citizen."""
        self.reset()

    def give_up(self) -> None:
        """Reconnecting screen: stop waiting for the connection and start over."""
        self.reset()

    def reconnecting_for(self) -> float:
        """Seconds the reconnecting screen has been up (its progress)."""
        if self.screen != Screen.RECONNECTING:
            return 0.0
        return max(0.0, self.clock() - self.screen_since)

    def media_down(self) -> bool:
        """Whether the call's media path is being rebuilt."""
        return self._media_down

    # ------------------------------------------------------------------ controller events

    def on_connection(self, online: bool, problem: str | None = None) -> None:
        """Signaling connected or lost (``problem``: why, when it is more than the network)."""
        self.devices.online = online
        self.devices.problem = None if online else problem
        if online:
            self.offline_since = None
        elif self.offline_since is None:
            self.offline_since = self.clock()
        if not online and self.screen in (Screen.WAITING, Screen.CALL, Screen.PHOTO):
            self.resume_screen = self.screen
            self._go(Screen.RECONNECTING)
        elif online and self.screen == Screen.RECONNECTING and not self._media_down:
            self._resume()
        self._check_in_service()
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
        if kind == "microphone" and status != DeviceStatus.OK and self.in_call:
            self.citizen.chat_open = True
        if kind == "camera" and status != DeviceStatus.OK and self.citizen.photo is not None:
            self.citizen.photo.phase = "unavailable"
        self._changed()

    def on_services(self, services: list[ServiceInfo]) -> None:
        """The service list (names, open or not, waits)."""
        self.services = list(services)
        self.services_loaded = True
        self._changed()

    def on_site(self, hearing_loop: bool) -> None:
        """What the server says about the service point, at each connection: the sign shows
        when the server's site setting or the kiosk's own configuration says there is a loop
        (so an administrator can also turn the server's setting off again)."""
        self.site.induction_loop = self._loop_configured or hearing_loop
        self._changed()

    def on_queued(
        self,
        position: int,
        estimated_wait_s: float | None,
        kiosk_needed: bool = False,
        estimate_kind: EstimateKind | None = None,
    ) -> None:
        """The server placed (or moved) us in the queue.  Not a touch: waiting is fine."""
        if not self.queued:
            return
        self.citizen.position = position
        self.citizen.estimated_wait_s = estimated_wait_s
        self.citizen.estimate_kind = estimate_kind
        self.queue_watch.estimate(self.clock(), estimated_wait_s)
        self.queue_watch.kiosk_needed = kiosk_needed
        self._changed()

    def on_refused(
        self, code: str, next_opening: float | None = None, languages: list[Language] | None = None
    ) -> None:
        """Joining the queue was refused (closed, full, language, offline)."""
        self.queued = False
        self.queue_watch.left()
        service_id = self.citizen.service_id
        info = self.service(service_id)
        if code == "language_unavailable" and info is not None and languages is not None:
            # The clerk logged out since the list came: show what exists now.
            fresh = info.model_copy(update={"languages_available": list(languages)})
            self.services = [fresh if s.id == info.id else s for s in self.services]
            self.citizen.queue_language = None
            self._go(Screen.LANGUAGE_HELP)
        else:
            self.citizen.refusal = Refusal(code, next_opening, list(languages or []), service_id)
            if self.screen in (Screen.WAITING, Screen.PRIVACY, Screen.DEVICE_CHECK):
                self._go(Screen.SERVICES)
        self.effects.refresh_services()
        self._changed()

    def on_left_queue(self) -> None:
        """The server dropped us from the queue (not answered)."""
        self.queued = False
        self.queue_watch.left()
        self._changed()

    def on_call_started(self, clerk_name: str) -> None:
        """A clerk answered: chime and show the call."""
        self.queued = False
        self.queue_watch.left()
        self.in_call = True
        self._media_down = False
        self.citizen.clerk_name = clerk_name
        self.citizen.members = [CallMember("clerk", clerk_name, "clerk")]
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

    def on_transferred(self, reason: str = "transferred") -> None:
        """Back in a queue: the clerk transferred the citizen, or the clerk's side was lost."""
        self.in_call = False
        self._media_down = False
        self.queued = True
        self.queue_watch.joined(self.clock())
        self.citizen.transferred = reason == "transferred"
        self.citizen.requeue_reason = None if reason == "transferred" else reason
        self.citizen.position = None
        self.citizen.photo = None
        self.citizen.members = []
        self._go(Screen.WAITING)
        self._changed()


    # ------------------------------------------------------------------------------ time

    def tick(self) -> None:
        """Advance timers: photo countdown, "are you still there?" prompts."""
        now = self.clock()
        self._photo_tick(now)
        self._booking_tick()
        if self._check_in_service():
            self._changed()
            return
        if self._prompt_tick(now):
            return
        if self.screen == Screen.RECONNECTING:  # the progress counts seconds
            elapsed = int(self.reconnecting_for())
            if elapsed != self._reconnect_shown:
                self._reconnect_shown = elapsed
                self._changed()

    def reset(self) -> None:
        """Back to welcome; forget the citizen completely (queue, call, chat, photo, rating)."""
        if self.queued:
            self.effects.leave_queue()
        if self.in_call:
            self.effects.hang_up()
        self.queued = False
        self.queue_watch.left()
        self.in_call = False
        self._media_down = False
        self.resume_screen = None
        self.prompt = None
        self.citizen = self.fresh_citizen()
        self._speech_by_jack = self.devices.headphones
        self.effects.set_microphone(True)
        self.effects.set_camera(True)
        self.effects.forget_citizen()
        self.resets += 1
        self._go(Screen.WELCOME)
        self.touch()
        self._changed()
