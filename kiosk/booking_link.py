"""The appointment effects of the kiosk controller: check-in, free slots, booking, the QR
scanner, and the server's booking news.

Mixed into :class:`~kiosk.controller.KioskController`: requests go out on its signaling
client, answers and pushes come back to the presenter (:mod:`kiosk.booking_flow`).
No Qt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from client_core.errors import ClientError, NotConnected, ServerRefused
from client_core.signaling_client import SignalingClient
from client_core.source_check import SourceCheck
from kiosk.booking_state import SLOT_DAYS, MadeBooking, SlotChoice
from kiosk.code_scan import CodeScanner
from kiosk.devices import KioskDevices
from kiosk.flow import KioskPresenter
from kiosk.state import Screen
from wire import booking_messages as B
from wire import server_messages as S
from wire.errors import ErrorCode
from wire.types import Language

log = logging.getLogger("etapiste.kiosk.booking")

REQUEST_TIMEOUT_S = 10.0


class BookingLink:
    """Appointment effects and events; the controller provides the client and the tasks."""

    client: SignalingClient
    devices: KioskDevices
    scanner: CodeScanner
    source_check: SourceCheck
    _last_wait: B.BookingWait | None

    @property
    def p(self) -> KioskPresenter:
        """The bound presenter (the controller's)."""
        raise NotImplementedError

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        raise NotImplementedError

    def _scanner(self) -> CodeScanner:
        return CodeScanner(self.devices.media, self._on_qr_text)

    # ------------------------------------------------------------------------- effects

    def start_code_scan(self) -> None:
        self._spawn(self._start_scan(), "scan-start")

    async def _start_scan(self) -> None:
        # The device check may still be pulling the camera: one consumer at a time.
        await self.source_check.stop()
        await asyncio.sleep(0)  # let a stop already under way see its tasks end
        if self.p.screen == Screen.CHECK_IN:
            self.scanner.start()

    def stop_code_scan(self) -> None:
        self._spawn(self.scanner.stop(), "scan-stop")

    def _on_qr_text(self, text: str) -> None:
        self.p.on_code_scanned(text)

    def check_in(self, code: str, source: str) -> None:
        self._spawn(self._check_in(code, "qr" if source == "qr" else "typed"), "check-in")

    async def _check_in(self, code: str, source: str) -> None:
        self._last_wait = None
        message = B.BookingCheckIn(code=code[:300], source=source)  # type: ignore[arg-type]
        try:
            reply = await self.client.request(message, timeout=REQUEST_TIMEOUT_S)
        except (NotConnected, TimeoutError):
            self.p.on_check_in_refused("offline")
            return
        except ServerRefused as exc:
            log.warning("check-in answered with error %s", exc.code)
            self.p.on_check_in_refused("busy")
            return
        if isinstance(reply, B.BookingRefused):
            site = getattr(reply.site.names, self.p.language) if reply.site else None
            self.p.on_check_in_refused(reply.reason, reply.check_in_from, reply.start, site)
        elif isinstance(reply, B.BookingCheckedIn):
            await self.scanner.stop()  # the call will want the camera
            b = reply.booking
            self.p.on_checked_in(
                b.booking_id, b.service, b.language, b.start, b.end, b.clerk_name
            )
            wait = self._last_wait
            if wait is not None and wait.booking_id == b.booking_id:
                # The first wait news may have overtaken the answer.
                self._apply_wait(wait)

    def get_slots(self, service: str, language: Language) -> None:
        self._spawn(self._get_slots(service, language), "slots")

    async def _get_slots(self, service: str, language: Language) -> None:
        ask = B.BookingSlotsGet(service=service, language=language, days=SLOT_DAYS)
        try:
            reply = await self.client.request(ask, timeout=REQUEST_TIMEOUT_S)
        except (ClientError, TimeoutError) as exc:
            log.info("no slots: %s", exc)
            self.p.on_slots(service, [])
            return
        if isinstance(reply, B.BookingSlots):
            slots = [SlotChoice(s.start, s.end) for s in reply.slots]
            self.p.on_slots(service, slots)

    def make_booking(self, service: str, language: Language, start: float) -> None:
        self._spawn(self._make_booking(service, language, start), "book")

    async def _make_booking(self, service: str, language: Language, start: float) -> None:
        ask = B.BookingMake(service=service, language=language, start=start)
        try:
            reply = await self.client.request(ask, timeout=REQUEST_TIMEOUT_S)
        except ServerRefused as exc:
            self.p.on_booking_failed(str(exc.code))
            return
        except (NotConnected, TimeoutError):
            self.p.on_booking_failed("offline")
            return
        if isinstance(reply, B.BookingMade):
            b = reply.booking
            self.p.on_booking_made(MadeBooking(b.code, b.start, b.end, b.qr_url or b.code))

    # -------------------------------------------------------------------------- events

    def _on_booking_message(self, message: S.ServerMessage) -> None:
        """Booking news pushed by the server (waits, the kiosk's schedule)."""
        if isinstance(message, B.BookingWait):
            self._last_wait = message
            self._apply_wait(message)
        elif isinstance(message, B.KioskSchedule):
            self.p.on_kiosk_schedule(message.reserved_at, message.reserved_until)

    def _apply_wait(self, wait: B.BookingWait) -> None:
        self.p.on_appointment_wait(wait.state, wait.start, wait.end, wait.clerk_name)

    def _kiosk_reserved(self, exc: ServerRefused) -> bool:
        """A refused walk-in because this kiosk is booked: tell the presenter; True if so."""
        if exc.code != ErrorCode.KIOSK_RESERVED:
            return False
        self.p.on_kiosk_schedule(exc.kiosk_reserved_at, exc.kiosk_free_at)
        self.p.on_refused("kiosk_reserved")
        return True
