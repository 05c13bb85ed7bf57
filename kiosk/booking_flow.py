"""Appointments, in the presenter: check in with a code, wait for the booked time, or book a
time here when a service is closed, its wait is long or the kiosk is reserved.

Mixed into :class:`~kiosk.flow.KioskPresenter`.  Check-in: ``welcome → check in`` (the code
typed on the keyboard of the code alphabet, or its QR code shown to the camera, which
:meth:`on_code_scanned` reports) ``→ waiting`` (counting down to the slot) ``→ call``.
Booking: a closed tile, a long wait or a refusal because the kiosk is reserved leads to the
booking screen: free slots, then the code and QR code to take away.  No Qt, no I/O.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

from kiosk.booking_state import (
    MAX_SLOTS_SHOWN,
    RESERVATION_NOTICE_S,
    Appointment,
    AppointmentState,
    BookingOffer,
    BookingReason,
    CheckIn,
    MadeBooking,
    RefusalReason,
    Reservation,
    SlotChoice,
)
from kiosk.ports import Effects
from kiosk.presence import QueueWatch
from kiosk.state import CitizenSession, Screen
from wire.booking_code import CODE_ALPHABET, CODE_LENGTH, normalise_code
from wire.server_messages import ServiceInfo
from wire.types import Language

log = logging.getLogger("etapiste.kiosk.booking")


class BookingFlow:
    """Appointment intents and events; the presenter provides the state and the plumbing."""

    effects: Effects
    clock: Callable[[], float]
    wall_clock: Callable[[], float]
    citizen: CitizenSession
    screen: Screen
    queued: bool
    queue_watch: QueueWatch
    reservation: Reservation

    def touch(self) -> None:
        """Restart the idle timer (the presenter's)."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget the citizen and start over (the presenter's)."""
        raise NotImplementedError

    def service(self, service_id: str | None) -> ServiceInfo | None:
        """A service as the server described it (the presenter's)."""
        raise NotImplementedError

    def _go(self, screen: Screen) -> None:
        raise NotImplementedError

    def _changed(self) -> None:
        raise NotImplementedError

    # ---------------------------------------------------------------- check in: intents

    def start_check_in(self, language: Language) -> None:
        """Welcome: "I have an appointment" in ``language``.  The privacy notice and the
        device check come first, as for a walk-in; then the code screen, where the camera
        looks for a QR code."""
        self.touch()
        if self.screen != Screen.WELCOME:
            return
        self.citizen.language = language
        self.citizen.booking.check_in = CheckIn()
        self._go(Screen.PRIVACY)
        self._changed()

    def checking_in(self) -> bool:
        """Whether the citizen is on the way to checking in (privacy, device check, code)."""
        booking = self.citizen.booking
        return booking.check_in is not None and booking.appointment is None

    def _privacy_before_check_in(self, accepted: bool) -> bool:
        """The privacy screen on the way to checking in: accepted, on to the device check;
        back, the visit ends.  False when the privacy screen is a walk-in's."""
        if self.screen != Screen.PRIVACY or not self.checking_in():
            return False
        if not accepted:
            self.reset()
            return True
        self.touch()
        self.citizen.check.heard = None
        self._go(Screen.DEVICE_CHECK)
        self._changed()
        return True

    def _check_done_before_check_in(self) -> bool:
        """The device check on the way to checking in is done: on to the code.  False when
        the device check is a walk-in's."""
        if self.screen != Screen.DEVICE_CHECK or not self.checking_in():
            return False
        self.touch()
        self._go(Screen.CHECK_IN)
        self.effects.start_code_scan()
        self._changed()
        return True

    def type_code(self, char: str) -> None:
        """A key of the code keyboard (other characters are ignored; six at most)."""
        self.touch()
        check = self._entering()
        char = char.upper()
        if check is None or char not in CODE_ALPHABET or len(check.typed) >= CODE_LENGTH:
            return
        check.typed += char
        self._typing_again(check)

    def delete_code_char(self) -> None:
        """The delete key: remove the last character."""
        self.touch()
        check = self._entering()
        if check is None or not check.typed:
            return
        check.typed = check.typed[:-1]
        self._typing_again(check)

    def code_complete(self) -> bool:
        """Whether the typed code can be sent (six characters of the alphabet)."""
        check = self.citizen.booking.check_in
        return check is not None and normalise_code(check.typed) is not None

    def submit_code(self) -> None:
        """The OK button: check in with the typed code."""
        self.touch()
        check = self._entering()
        if check is None or normalise_code(check.typed) is None:
            return
        self._send_check_in(check, check.typed, "typed")

    def leave_check_in(self) -> None:
        """Back from the check-in screen to the welcome screen."""
        self.touch()
        if self.screen == Screen.CHECK_IN:
            self.reset()

    # ---------------------------------------------------------------- check in: events

    def on_code_scanned(self, raw: str) -> None:
        """The camera read a QR code.  Anything that is not a booking code is ignored (a
        shop's QR code on a leaflet must not start anything); a code already refused is
        not sent again until the camera sees another one."""
        check = self.citizen.booking.check_in
        code = normalise_code(raw)
        if self.screen != Screen.CHECK_IN or check is None or code is None:
            return
        if check.phase == "checking" or (check.phase == "refused" and check.typed == code):
            return
        self.touch()
        check.typed = code
        self._send_check_in(check, raw, "qr")

    def on_checked_in(
        self,
        booking_id: str,
        service_id: str,
        language: Language,
        start: float,
        end: float,
        clerk_name: str | None,
    ) -> None:
        """The server accepted the code: wait here for the booked time."""
        if self.screen != Screen.CHECK_IN:
            return
        log.info("checked in for a booked meeting")
        self.effects.stop_code_scan()
        booking = self.citizen.booking
        booking.check_in = None
        booking.appointment = Appointment(
            booking_id, service_id, language, start, end, clerk_name
        )
        self.citizen.service_id = service_id
        self.citizen.queue_language = language if language != self.citizen.language else None
        self.citizen.position = None
        self.queued = True
        now = self.clock()
        self.queue_watch.joined(now)
        # "Are you still there?" only once the booked time has passed, not while counting.
        self.queue_watch.estimate(now, max(0.0, start - self.wall_clock()))
        self._go(Screen.WAITING)
        self.touch()
        self._changed()

    def on_check_in_refused(
        self,
        reason: RefusalReason,
        check_in_from: float | None = None,
        start: float | None = None,
        site_name: str | None = None,
    ) -> None:
        """The server refused the code: say why on the check-in screen, keep what was typed
        so a mistyped character can be corrected."""
        check = self.citizen.booking.check_in
        if self.screen != Screen.CHECK_IN or check is None:
            return
        log.info("check-in refused: %s", reason)
        check.phase = "refused"
        check.refusal = reason
        check.check_in_from = check_in_from
        check.start = start
        check.site_name = site_name
        self._changed()

    def on_appointment_wait(
        self, state: AppointmentState, start: float, end: float, clerk_name: str | None
    ) -> None:
        """The server's news about the booked wait (counting down, clerk being offered,
        another clerk will serve)."""
        appointment = self.citizen.booking.appointment
        if appointment is None or not self.queued:
            return
        if state != appointment.state:
            log.info("appointment wait %s -> %s", appointment.state, state)
        appointment.state = state
        appointment.start, appointment.end = start, end
        if clerk_name is not None or state == "other_clerk":
            appointment.clerk_name = clerk_name
        self._changed()

    def leave_wait(self) -> None:
        """The waiting screen's leave button: a booked citizen gives the wait up (the booking
        can be checked in again within its window) and the kiosk forgets them; a walk-in
        leaves the queue and chooses again."""
        if self.citizen.booking.appointment is not None:
            self.reset()
        else:
            self.cancel_wait()

    def cancel_wait(self) -> None:
        """Leave the queue and choose again (the presenter's)."""
        raise NotImplementedError

    def _booking_tick(self) -> None:
        """Redraw the countdown when its minute changes."""
        left = self.appointment_seconds_left()
        if left is None:
            return
        shown = math.ceil(left / 60)
        if shown != getattr(self, "_countdown_shown", None):
            self._countdown_shown = shown
            self._changed()

    # -------------------------------------------------------------------- check in: view

    def appointment_seconds_left(self) -> int | None:
        """Whole seconds until the booked time (0 once it has come), if checked in."""
        appointment = self.citizen.booking.appointment
        if appointment is None:
            return None
        return max(0, math.ceil(appointment.start - self.wall_clock()))

    # -------------------------------------------------------------------- booking: intents

    def offer_booking(self, service_id: str, reason: BookingReason = "asked") -> None:
        """Show the free times of ``service_id`` at this kiosk (closed tile, long wait,
        reserved kiosk, or asked)."""
        self.touch()
        info = self.service(service_id)
        if info is None:
            return
        if self.queued:  # booking instead of waiting: give the place up
            self.queued = False
            self.queue_watch.left()
            self.effects.leave_queue()
        language = self.citizen.queue_language or self.citizen.language
        if info.languages and language not in info.languages:
            # No meeting in English at a service that does not serve English: the times
            # shown are Finnish ones (as for a call back), and the screen says so.
            language = "fi" if "fi" in info.languages else info.languages[0]
        self.citizen.service_id = service_id
        self.citizen.booking.offer = BookingOffer(service_id, language, reason)
        self._go(Screen.BOOKING)
        self.effects.get_slots(service_id, language)
        self._changed()

    def choose_slot(self, start: float) -> None:
        """Book the slot starting at ``start``."""
        self.touch()
        offer = self.citizen.booking.offer
        if offer is None or offer.phase not in ("slots", "failed"):
            return
        if all(slot.start != start for slot in offer.slots):
            return
        offer.phase = "making"
        offer.problem = None
        self.effects.make_booking(offer.service_id, offer.language, start)
        self._changed()

    def leave_booking(self) -> None:
        """Back from the booking screen: to where it was offered (the choice screen, the
        language help, the services), or, with a booking made, done."""
        self.touch()
        offer = self.citizen.booking.offer
        if self.screen != Screen.BOOKING:
            return
        if offer is not None and offer.made is not None:
            self.reset()  # the code is on paper or a phone now; nothing of it stays here
            return
        self.citizen.booking.offer = None
        if self.citizen.other_ways is not None:  # back to the choice it came from
            self._go(Screen.OTHER_WAYS)
        elif offer is not None and offer.reason == "language":
            self._go(Screen.LANGUAGE_HELP)
        else:
            self._go(Screen.SERVICES)
            self.effects.refresh_services()
        self._changed()

    # --------------------------------------------------------------------- booking: events

    def on_slots(self, service_id: str, slots: list[SlotChoice]) -> None:
        """Free slots arrived (earliest first)."""
        offer = self.citizen.booking.offer
        if offer is None or offer.service_id != service_id or offer.phase == "made":
            return
        offer.slots = sorted(slots, key=lambda s: s.start)[:MAX_SLOTS_SHOWN]
        if offer.phase != "failed":
            offer.phase = "slots" if offer.slots else "none"
        self._changed()

    def on_booking_made(self, made: MadeBooking) -> None:
        """The booking exists: show its code and QR code."""
        offer = self.citizen.booking.offer
        if offer is None or offer.phase != "making":
            return
        log.info("booking made at this kiosk")
        offer.phase = "made"
        offer.made = made
        self.touch()
        self._changed()

    def on_booking_failed(self, problem: str) -> None:
        """Booking did not work (the slot was taken meanwhile, no connection): say so and
        show the times that are free now."""
        offer = self.citizen.booking.offer
        if offer is None or offer.phase != "making":
            return
        offer.phase = "failed"
        offer.problem = problem
        self.effects.get_slots(offer.service_id, offer.language)
        self._changed()

    # ---------------------------------------------------------------------- the kiosk

    def on_kiosk_schedule(self, at: float | None, until: float | None) -> None:
        """The kiosk's next booked meeting (None: nothing booked ahead today)."""
        self.reservation = Reservation(at, until)
        self._changed()

    def reserved_soon(self) -> bool:
        """Whether the services screen should say when this kiosk is reserved."""
        at = self.reservation.at
        if at is None:
            return False
        now = self.wall_clock()
        until = self.reservation.until or at
        return now < until and at - now <= RESERVATION_NOTICE_S


    # ---------------------------------------------------------------------------- inner

    def _entering(self) -> CheckIn | None:
        check = self.citizen.booking.check_in
        if self.screen != Screen.CHECK_IN or check is None or check.phase == "checking":
            return None
        return check

    def _typing_again(self, check: CheckIn) -> None:
        if check.phase == "refused":
            check.phase = "entering"
            check.refusal = None
        self._changed()

    def _send_check_in(self, check: CheckIn, raw: str, source: str) -> None:
        check.phase = "checking"
        check.source = "qr" if source == "qr" else "typed"
        check.refusal = None
        self.effects.check_in(raw, source)
        self._changed()
