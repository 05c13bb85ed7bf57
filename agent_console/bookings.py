"""The console's appointments: a day's bookings (today, or any of the next two weeks) with their
state, booking a time for a citizen (on the phone, or a follow-up), and cancelling by code or
from the list.

:class:`BookingsPresenter` keeps what the bookings tab shows and turns the agent's commands
into requests of a :class:`BookingBackend`; answers and the server's pushed ``bookings`` come
back through its ``on_*`` methods.  No Qt here.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Protocol

from i18n import local_time
from wire import booking_messages as B
from wire.booking_code import display_code, normalise_code
from wire.types import Language

log = logging.getLogger("etapiste.console.bookings")

SLOT_DAYS: Final = 14
"""How far ahead a clerk can book (the protocol's maximum)."""

STATE_ORDER: Final = ("checked_in", "in_call", "booked", "no_show", "done", "cancelled")
"""Today's list: who is at a kiosk now first, then who is still to come, then the rest."""


class BookingBackend(Protocol):
    """Requests the bookings tab makes; each returns at once, answers come back later."""

    def request_bookings(self, day: str | None) -> None:
        """Ask for a day's bookings (answer: :meth:`BookingsPresenter.on_bookings`)."""

    def request_slots(self, service: str, language: Language, day: str, days: int) -> None:
        """Ask for free slots at every site (answer: :meth:`BookingsPresenter.on_slots`)."""

    def make_booking(
        self, service: str, language: Language, start: float, site: str, with_me: bool
    ) -> None:
        """Book a slot (answer: ``on_made`` or ``on_failed``)."""

    def cancel_booking(self, code: str | None, booking_id: str | None) -> None:
        """Cancel a booking (answer: ``on_cancelled`` or ``on_failed``)."""


@dataclass
class BookingForm:
    """The "book for a citizen" form."""

    service: str | None = None
    language: Language | None = None
    day: str | None = None
    with_me: bool = True
    slots: list[B.Slot] = field(default_factory=list)
    searched: bool = False
    busy: bool = False


class BookingsPresenter:
    """Model and commands of the bookings tab (``topic`` ``bookings`` on every change)."""

    def __init__(self, backend: BookingBackend, now: Callable[[], float]) -> None:
        self.backend = backend
        self.now = now
        self.day: str | None = None
        """The day of the list shown (the server's answer)."""
        self.list_day: str | None = None
        """The day the clerk chose for the list; None for today (whatever day that is)."""
        self.items: list[B.BookingItem] = []
        self.form = BookingForm()
        self.made: B.BookingInfo | None = None
        """The booking just made: its code is shown to read to the citizen."""
        self.notice: str | None = None
        """A catalogue key: what the last command did or why it failed."""
        self._subscribers: list[Callable[[str], None]] = []

    def subscribe(self, callback: Callable[[str], None]) -> None:
        """Call ``callback("bookings")`` whenever something changes."""
        self._subscribers.append(callback)

    def _changed(self) -> None:
        for callback in list(self._subscribers):
            try:
                callback("bookings")
            except Exception:
                log.exception("bookings subscriber failed")

    # ------------------------------------------------------------------------ reads

    def rows(self) -> list[B.BookingItem]:
        """The day's bookings: at a kiosk now first, then by time."""
        rank = {state: i for i, state in enumerate(STATE_ORDER)}
        return sorted(self.items, key=lambda b: (rank.get(b.state, 9), b.start))

    def counts(self) -> dict[str, int]:
        """How many bookings are in each state."""
        out: dict[str, int] = {}
        for item in self.items:
            out[item.state] = out.get(item.state, 0) + 1
        return out

    def days(self, count: int = SLOT_DAYS) -> list[str]:
        """The days a booking can be made for, today first (``YYYY-MM-DD``, local)."""
        today = local_time(self.now()).date()
        return [(today + dt.timedelta(days=i)).isoformat() for i in range(count)]

    @staticmethod
    def code_text(code: str) -> str:
        """A code as the clerk reads it out: ``ACE-479``."""
        return display_code(code)

    # --------------------------------------------------------------------- commands

    def refresh(self) -> None:
        """Ask for the chosen day's bookings again."""
        self.backend.request_bookings(self.list_day)

    def show_day(self, day: str | None) -> None:
        """List ``day``'s bookings (``YYYY-MM-DD``; None or today's date: today)."""
        self.list_day = None if day in (None, self.days(1)[0]) else day
        self.backend.request_bookings(self.list_day)
        self._changed()

    def is_today(self) -> bool:
        """Whether the list shown is today's."""
        return self.day is None or self.day == self.days(1)[0]

    def set_form(
        self,
        service: str | None = None,
        language: Language | None = None,
        day: str | None = None,
        with_me: bool | None = None,
    ) -> None:
        """Change the form; a new service, language or day forgets the slots found."""
        f = self.form
        changed = (service, language, day) != (None, None, None)
        f.service = service or f.service
        f.language = language or f.language
        f.day = day or f.day
        if with_me is not None:
            f.with_me = with_me
        if changed:
            f.slots, f.searched = [], False
        self._changed()

    def find_slots(self, *, keep_notice: bool = False) -> None:
        """Look for free times for the form's service, language and day, at every site."""
        f = self.form
        if f.service is None or f.language is None:
            self._notice("bookings.choose_service")
            return
        f.busy = True
        if not keep_notice:
            self.notice = None
        self.backend.request_slots(f.service, f.language, f.day or self.days(1)[0], 1)
        self._changed()

    def book(self, slot: B.Slot) -> None:
        """Book ``slot`` for the citizen (named to this clerk with ``with_me``)."""
        f = self.form
        if f.service is None or f.language is None or f.busy:
            return
        f.busy = True
        self.made = None
        self.notice = None
        self.backend.make_booking(f.service, f.language, slot.start, slot.site.id, f.with_me)
        self._changed()

    def cancel_code(self, raw: str) -> bool:
        """Cancel the booking whose code the citizen reads out; False if it cannot be one."""
        code = normalise_code(raw)
        if code is None:
            self._notice("bookings.bad_code")
            return False
        self.backend.cancel_booking(code, None)
        return True

    def cancel_item(self, booking_id: str) -> None:
        """Cancel a booking chosen from the list."""
        self.backend.cancel_booking(None, booking_id)

    # ----------------------------------------------------------------------- events

    def on_bookings(self, message: B.Bookings) -> None:
        """The day's list (answer, or pushed when one of them changed)."""
        if self.list_day is not None and message.day != self.list_day:
            return  # an answer or push for a day the clerk has left
        self.day = message.day
        self.items = list(message.bookings)
        self._changed()

    def on_slots(self, message: B.BookingSlots) -> None:
        """Free slots for the form."""
        f = self.form
        if (message.service, message.language) != (f.service, f.language):
            return
        f.slots = sorted(message.slots, key=lambda s: (s.start, s.site.id))
        f.searched, f.busy = True, False
        self._changed()

    def on_made(self, message: B.BookingMade) -> None:
        """The booking exists: show its code; look for free times again."""
        self.made = message.booking
        self.form.busy = False
        self.notice = "bookings.made"
        self.refresh()
        self.find_slots(keep_notice=True)

    def on_cancelled(self, message: B.BookingCancelled) -> None:
        """A booking was cancelled."""
        if self.made is not None and self.made.booking_id == message.booking_id:
            self.made = None
        self._notice("bookings.cancelled")
        self.refresh()

    def on_failed(self, code: str) -> None:
        """A command was refused (``slot_taken``, ``unknown_booking``, …) or not sent."""
        self.form.busy = False
        known = {"slot_taken", "unknown_booking", "no_booking_capacity", "offline"}
        self._notice(f"bookings.error_{code}" if code in known else "bookings.error_other")
        if code == "slot_taken":
            self.find_slots(keep_notice=True)

    def _notice(self, key: str) -> None:
        self.notice = key
        self._changed()
