"""Other ways to be served, in the presenter: when the kiosk cannot serve a citizen now, it
offers both ways of being served later — a time booked at this kiosk, or a call back.

Mixed into :class:`~kiosk.flow.KioskPresenter` after the booking and callback flows (it
decides for both when a wait is long).  Where each offer starts:

- a closed service's tile leads to the choice screen (:attr:`~kiosk.state.Screen.OTHER_WAYS`):
  two large buttons, "book a time here" and "call me back", each saying in one line what
  happens next;
- a long wait shows both buttons on the waiting screen (the queue place is kept until one is
  touched);
- no clerk who speaks the citizen's language: the language help screen offers both, in the
  citizen's language.

Touching one opens the booking or the callback screen; their "back" returns to where the
choice was offered.  No Qt, no I/O.
"""

from __future__ import annotations

import logging

from kiosk.booking_state import BookingReason
from kiosk.ports import Effects
from kiosk.state import CallbackReason, CitizenSession, OtherWays, Screen
from wire.server_messages import ServiceInfo

log = logging.getLogger("etapiste.kiosk.flow")


class OtherWaysFlow:
    """The choice between booking a time and a call back; the presenter provides the rest."""

    effects: Effects
    citizen: CitizenSession
    screen: Screen
    queued: bool
    callback_wait_s: float

    def touch(self) -> None:
        raise NotImplementedError

    def service(self, service_id: str | None) -> ServiceInfo | None:
        raise NotImplementedError

    def _go(self, screen: Screen) -> None:
        raise NotImplementedError

    def _changed(self) -> None:
        raise NotImplementedError

    def offer_booking(self, service_id: str, reason: BookingReason = "asked") -> None:
        raise NotImplementedError

    def offer_callback(self, reason: CallbackReason) -> None:
        raise NotImplementedError

    # ---------------------------------------------------------------------- when

    def long_wait(self) -> bool:
        """Whether the waiting screen offers a booking and a call back: a walk-in (not a
        booked citizen) whose estimate, in minutes, is at least ``callback_wait_s`` (the
        kiosk's setting, 15 minutes by default)."""
        c = self.citizen
        return (
            self.queued
            and c.booking.appointment is None
            and c.estimate_kind in ("minutes", None)  # None: an older server's seconds
            and c.estimated_wait_s is not None
            and c.estimated_wait_s >= self.callback_wait_s
        )

    # ---------------------------------------------------------------------- intents

    def offer_other_ways(self, service_id: str, reason: CallbackReason = "closed") -> None:
        """Open the choice screen for ``service_id`` (a closed tile was touched)."""
        self.touch()
        if self.service(service_id) is None:
            return
        self.citizen.service_id = service_id
        self.citizen.refusal = None
        self.citizen.other_ways = OtherWays(service_id, reason)
        self._go(Screen.OTHER_WAYS)
        self._changed()

    def book_instead(self, reason: BookingReason) -> None:
        """"Book a time here" (choice screen, waiting screen or language help)."""
        service_id = self.citizen.service_id
        if service_id is not None:
            log.info("offered ways: booking (%s)", reason)
            self.offer_booking(service_id, reason)

    def call_back_instead(self, reason: CallbackReason) -> None:
        """"Call me back" (choice screen, waiting screen or language help)."""
        if self.citizen.service_id is not None:
            log.info("offered ways: call back (%s)", reason)
            self.offer_callback(reason)

    def choose_way(self, way: str) -> None:
        """The choice screen: ``book`` or ``callback``, for the reason it was opened."""
        ways = self.citizen.other_ways
        if self.screen != Screen.OTHER_WAYS or ways is None:
            return
        if way == "book":
            self.book_instead(ways.reason)
        elif way == "callback":
            self.call_back_instead(ways.reason)

    def leave_other_ways(self) -> None:
        """Back from the choice screen to the services."""
        self.touch()
        if self.screen != Screen.OTHER_WAYS:
            return
        self.citizen.other_ways = None
        self._go(Screen.SERVICES)
        self.effects.refresh_services()
        self._changed()
