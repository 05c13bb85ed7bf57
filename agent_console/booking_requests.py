"""The console backend's booking requests: :class:`BookingRequests`, mixed into
:class:`~agent_console.backend.ConsoleBackend`, implements
:class:`~agent_console.bookings.BookingBackend` on its signaling client and hands answers
(and the server's pushed ``bookings``) to the :class:`~agent_console.bookings.BookingsPresenter`.
No Qt."""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from typing import Any

from agent_console.bookings import BookingsPresenter
from client_core.errors import ClientError, NotConnected, ServerRefused
from client_core.signaling_client import SignalingClient
from wire import booking_messages as B
from wire import client_messages as C
from wire import server_messages as S
from wire.types import Language

log = logging.getLogger("etapiste.console.bookings")

REQUEST_TIMEOUT_S = 10.0


class BookingRequests:
    """Booking requests on the backend's client; the backend provides client and tasks."""

    client: SignalingClient | None
    bookings: BookingsPresenter | None

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        raise NotImplementedError

    def attach_bookings(self, bookings: BookingsPresenter) -> None:
        """The bookings presenter to feed."""
        self.bookings = bookings

    def request_bookings(self, day: str | None) -> None:
        self._spawn(self._ask(B.BookingsGet(day=day)))

    def request_slots(self, service: str, language: Language, day: str, days: int) -> None:
        ask = B.BookingSlotsGet(service=service, language=language, day=day, days=days)
        self._spawn(self._ask(ask))

    def make_booking(
        self, service: str, language: Language, start: float, site: str, with_me: bool
    ) -> None:
        ask = B.BookingMake(
            service=service, language=language, start=start, site=site, with_me=with_me
        )
        self._spawn(self._ask(ask))

    def cancel_booking(self, code: str | None, booking_id: str | None) -> None:
        self._spawn(self._ask(B.BookingCancel(code=code, booking_id=booking_id)))

    async def _ask(self, message: C.ClientMessage) -> None:
        client, bookings = self.client, self.bookings
        if bookings is None:
            return
        if client is None:
            bookings.on_failed("offline")
            return
        try:
            reply = await client.request(message, timeout=REQUEST_TIMEOUT_S)
        except ServerRefused as exc:
            bookings.on_failed(str(exc.code))
            return
        except (NotConnected, TimeoutError):
            bookings.on_failed("offline")
            return
        except ClientError as exc:
            log.warning("booking request failed: %s", type(exc).__name__)
            bookings.on_failed("other")
            return
        self._booking_message(reply)

    def _booking_message(self, message: S.ServerMessage) -> bool:
        """Hand a booking answer or push to the presenter; False if it is not one."""
        bookings = self.bookings
        if bookings is None:
            return False
        match message:
            case B.Bookings():
                bookings.on_bookings(message)
            case B.BookingSlots():
                bookings.on_slots(message)
            case B.BookingMade():
                bookings.on_made(message)
            case B.BookingCancelled():
                bookings.on_cancelled(message)
            case _:
                return False
        return True
