"""Call me back, in the presenter: when the kiosk cannot serve now, a clerk phones later.

Mixed into :class:`~kiosk.flow.KioskPresenter`. Offered, beside booking a time here (see
:mod:`kiosk.other_ways_flow`), when the chosen service is closed (its tile's choice screen),
when no clerk speaks the citizen's language (the language help screen), and when the wait is
long (the waiting screen, from :data:`CALLBACK_WAIT_S` or the kiosk's setting). The citizen
types a number on the keypad, reads what it is used for and when it is deleted, and agrees by
sending it; the server answers with the promised day. The number lives only in the citizen's
session (:class:`~kiosk.state.CallbackForm`) and goes with it.
No Qt, no I/O.
"""

from __future__ import annotations

import logging
from typing import Final

from kiosk.booking_state import LONG_WAIT_S
from kiosk.ports import Effects
from kiosk.presence import QueueWatch
from kiosk.state import CallbackForm, CallbackReason, CitizenSession, Screen
from wire.phone import PhoneError, normalise_phone, typed_allowed
from wire.server_messages import ServiceInfo
from wire.types import Language

log = logging.getLogger("etapiste.kiosk.flow")

CALLBACK_WAIT_S: Final = LONG_WAIT_S
"""A wait estimate at or above this offers a callback (and a booking) on the waiting screen."""

KEYPAD: Final = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "0", " ")
"""What the number keypad types (delete is its own key)."""


class CallbackFlow:
    """Callback requests; the presenter provides the state and the plumbing."""

    effects: Effects
    citizen: CitizenSession
    screen: Screen
    queued: bool
    queue_watch: QueueWatch
    callback_wait_s: float
    callback_from: Screen | None

    @property
    def language(self) -> Language:
        """The interface language (the presenter's)."""
        raise NotImplementedError

    def touch(self) -> None:
        raise NotImplementedError

    def service(self, service_id: str | None) -> ServiceInfo | None:
        raise NotImplementedError

    def _go(self, screen: Screen) -> None:
        raise NotImplementedError

    def _changed(self) -> None:
        raise NotImplementedError

    def reset(self) -> None:
        """Back to welcome, forgetting the citizen (the presenter's)."""
        raise NotImplementedError

    # ---------------------------------------------------------------------- offers

    def offer_callback(self, reason: CallbackReason) -> None:
        """Open the callback screen for the chosen service (leaving the queue if waiting)."""
        self.touch()
        service_id = self.citizen.service_id
        info = self.service(service_id)
        if service_id is None or info is None:
            return
        # Finnish and Swedish are offered by every service; English not by all: then the
        # clerk calls in Finnish, and the screens say so.
        language: Language = self.language if self.language in info.languages else "fi"
        if self.queued:
            self.queued = False
            self.queue_watch.left()
            self.effects.leave_queue()
        self.callback_from = Screen.SERVICES if self.screen == Screen.WAITING else self.screen
        self.citizen.callback = CallbackForm(service_id, language, reason)
        self._go(Screen.CALLBACK)
        self._changed()

    # ---------------------------------------------------------------------- typing

    def callback_key(self, char: str) -> None:
        """A keypad key: a digit, ``+`` (only first) or a space."""
        self.touch()
        form = self.citizen.callback
        if form is None or form.sending:
            return
        typed = form.typed + char
        if char == "+" and form.typed.strip():
            return
        if typed_allowed(typed):
            form.typed, form.error = typed, None
        self._changed()

    def callback_delete(self) -> None:
        """Delete the last character typed."""
        self.touch()
        form = self.citizen.callback
        if form is not None and not form.sending:
            form.typed, form.error = form.typed[:-1], None
        self._changed()

    def send_callback(self) -> None:
        """The citizen agrees and sends: checked here first, then by the server."""
        self.touch()
        form = self.citizen.callback
        if form is None or form.sending or self.screen != Screen.CALLBACK:
            return
        try:
            normalise_phone(form.typed)
        except PhoneError:
            form.error = "invalid"
            self._changed()
            return
        form.sending, form.error = True, None
        self.effects.request_callback(form.service_id, form.language, form.typed)
        self._changed()

    def callback_back(self) -> None:
        """Leave the callback screen without sending: the number is forgotten."""
        self.touch()
        self.citizen.callback = None
        self._go(self.callback_from or Screen.SERVICES)
        self.effects.refresh_services()
        self._changed()

    def callback_finish(self) -> None:
        """Done screen: start over for the next citizen (the number goes with the session)."""
        self.reset()

    # ------------------------------------------------------------------ server says

    def on_callback_accepted(self, promised_day: str, due_at: float, same_day: bool) -> None:
        """The server took the request and promises a day."""
        form = self.citizen.callback
        if form is None or self.screen != Screen.CALLBACK:
            return
        form.sending = False
        form.promised_day, form.due_at, form.same_day = promised_day, due_at, same_day
        log.info("callback requested")  # never the number
        self._go(Screen.CALLBACK_DONE)
        self._changed()

    def on_callback_failed(self, code: str) -> None:
        """The request did not go through (``invalid``, ``failed`` or ``offline``)."""
        form = self.citizen.callback
        if form is None:
            return
        form.sending, form.error = False, code
        self._changed()
