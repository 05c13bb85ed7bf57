"""The check-in desk: who may check in when, when a checked-in citizen joins the queue, and
when a booking that nobody checked in for becomes a no-show. Sans-I/O with a driven clock.

The hub keeps the desk's bookings in step with the store (today's and tomorrow's active
ones), asks it at each check-in, and carries out what :meth:`BookingDesk.tick` returns at
:meth:`BookingDesk.next_deadline`:

* :class:`Release`: the slot has started for a checked-in citizen: put them in the
  service × language queue ahead of walk-ins, offered only to the named clerk (if any) until
  ``named_until`` (the router then offers them to any eligible clerk and says so);
* :class:`NoShow`: nobody checked in by the end of the late window: record it and free the
  kiosk and the clerk.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

from signaling.booking.model import BookingRecord

__all__ = [
    "BookingDesk",
    "CheckInRefused",
    "CheckedIn",
    "DeskAction",
    "DeskConfig",
    "NoShow",
    "Release",
]

Refusal = Literal["unknown_code", "too_early", "too_late", "wrong_site", "cancelled", "used"]


@dataclass(frozen=True, slots=True)
class DeskConfig:
    """Windows around a slot's start, in seconds."""

    early_s: float = 15 * 60.0
    """Check-in opens this long before the slot starts."""
    late_s: float = 10 * 60.0
    """Check-in closes this long after the start; a booking not checked in by then is a
    no-show and frees its slot."""
    named_wait_s: float = 5 * 60.0
    """How long after the start (or the check-in, if later) only the named clerk is offered
    the citizen, before any eligible clerk is."""


@dataclass(frozen=True, slots=True)
class CheckedIn:
    """The check-in worked; ``booking`` is the updated record (state ``checked_in``)."""

    booking: BookingRecord


@dataclass(frozen=True, slots=True)
class CheckInRefused:
    """The check-in failed; ``check_in_from`` with ``too_early``."""

    reason: Refusal
    booking: BookingRecord | None = None
    check_in_from: float | None = None


@dataclass(frozen=True, slots=True)
class Release:
    """Put the checked-in citizen at ``kiosk_id`` in the queue now (see module docstring)."""

    booking: BookingRecord
    kiosk_id: str
    named_agent: str | None
    named_until: float


@dataclass(frozen=True, slots=True)
class NoShow:
    """Nobody checked in for ``booking`` in time."""

    booking: BookingRecord
    at: float


DeskAction = Release | NoShow


class BookingDesk:
    """Active bookings near now and the citizens checked in for them."""

    def __init__(self, config: DeskConfig | None = None) -> None:
        self.config = config or DeskConfig()
        self._bookings: dict[str, BookingRecord] = {}
        self._released: set[str] = set()

    # ----------------------------------------------------------- records

    def load(self, bookings: Iterable[BookingRecord]) -> None:
        """Replace the desk's bookings (at start and after a restart)."""
        self._bookings = {b.id: b for b in bookings if b.active}
        self._released &= {b.id for b in self._bookings.values() if b.state != "booked"}

    def put(self, booking: BookingRecord) -> None:
        """A booking was made or changed."""
        if booking.active:
            self._bookings[booking.id] = booking
        else:
            self.forget(booking.id)

    def forget(self, booking_id: str) -> None:
        """A booking was cancelled or ended."""
        self._bookings.pop(booking_id, None)
        self._released.discard(booking_id)

    def get(self, booking_id: str) -> BookingRecord | None:
        """An active booking by id."""
        return self._bookings.get(booking_id)

    def bookings(self) -> list[BookingRecord]:
        """Every active booking the desk holds."""
        return list(self._bookings.values())

    def waiting_at(self, kiosk_id: str) -> BookingRecord | None:
        """The checked-in booking whose citizen is at ``kiosk_id``, if any."""
        for booking in self._bookings.values():
            if booking.state == "checked_in" and booking.checked_in_kiosk == kiosk_id:
                return booking
        return None

    def released(self, booking_id: str) -> bool:
        """Whether the booking's citizen has been put in the queue."""
        return booking_id in self._released

    def hold(self, booking_id: str) -> None:
        """Release the checked-in citizen again at the next :meth:`tick` (their kiosk is not
        back yet after a restart)."""
        self._released.discard(booking_id)

    def named_until(self, booking: BookingRecord) -> float:
        """Until when only the named clerk is offered the checked-in citizen: ``named_wait_s``
        after the start, or after the check-in if that was later."""
        since = max(booking.start_at, booking.checked_in_at or booking.start_at)
        return since + self.config.named_wait_s

    # ----------------------------------------------------------- check-in

    def check_in(
        self, booking: BookingRecord | None, kiosk_id: str, site_id: str | None, now: float
    ) -> CheckedIn | CheckInRefused:
        """Check in the citizen at ``kiosk_id`` (of ``site_id``) for ``booking`` (the store's
        record for the code they gave, or None). A :class:`Release` follows from the next
        :meth:`tick` once the slot has started."""
        cfg = self.config
        if booking is None:
            return CheckInRefused("unknown_code")
        if booking.state == "cancelled":
            return CheckInRefused("cancelled", booking)
        if booking.state == "no_show":
            return CheckInRefused("too_late", booking)
        if booking.state != "booked":
            return CheckInRefused("used", booking)
        if booking.site_id != site_id:
            return CheckInRefused("wrong_site", booking)
        opens = booking.start_at - cfg.early_s
        if now < opens:
            return CheckInRefused("too_early", booking, check_in_from=opens)
        if now > booking.start_at + cfg.late_s:
            return CheckInRefused("too_late", booking)
        done = replace(
            booking,
            state="checked_in",
            checked_in_at=now,
            checked_in_kiosk=kiosk_id,
            updated_at=now,
        )
        self._bookings[done.id] = done
        return CheckedIn(done)

    def leave(self, booking_id: str, now: float) -> BookingRecord | None:
        """The checked-in citizen gave up waiting before a clerk answered: the booking is
        ``booked`` again (they may check in again within the window). Returns the record."""
        booking = self._bookings.get(booking_id)
        if booking is None or booking.state != "checked_in":
            return None
        back = replace(
            booking, state="booked", checked_in_at=None, checked_in_kiosk=None, updated_at=now
        )
        self._bookings[back.id] = back
        self._released.discard(back.id)
        return back

    def mark(self, booking_id: str, state: Literal["in_call"], now: float) -> BookingRecord | None:
        """A clerk answered the booked citizen."""
        booking = self._bookings.get(booking_id)
        if booking is None:
            return None
        changed = replace(booking, state=state, updated_at=now)
        self._bookings[changed.id] = changed
        return changed

    # ----------------------------------------------------------- kiosks

    def reservation(self, kiosk_id: str, now: float) -> BookingRecord | None:
        """The next booking (not yet over) that holds ``kiosk_id`` for a citizen who has not
        checked in elsewhere: a walk-in there must be done by its start."""
        best: BookingRecord | None = None
        for booking in self._bookings.values():
            if booking.kiosk_id != kiosk_id or booking.end_at <= now:
                continue
            if booking.state != "booked":
                continue  # checked in (here or at another kiosk) or in a call: not a hold
            if best is None or booking.start_at < best.start_at:
                best = booking
        return best

    # ----------------------------------------------------------- time

    def next_deadline(self) -> float | None:
        """When :meth:`tick` would next return something."""
        times = []
        for booking in self._bookings.values():
            if booking.state == "checked_in" and booking.id not in self._released:
                times.append(booking.start_at)
            elif booking.state == "booked":
                times.append(booking.start_at + self.config.late_s)
        return min(times, default=None)

    def tick(self, now: float) -> list[DeskAction]:
        """Releases and no-shows due at ``now``, earliest first."""
        out: list[tuple[float, str, DeskAction]] = []
        for booking in list(self._bookings.values()):
            if (
                booking.state == "checked_in"
                and booking.id not in self._released
                and booking.start_at <= now
            ):
                self._released.add(booking.id)
                kiosk = booking.checked_in_kiosk or booking.kiosk_id
                until = self.named_until(booking)
                out.append(
                    (booking.start_at, booking.id, Release(booking, kiosk, booking.agent_id, until))
                )
            elif booking.state == "booked" and now >= booking.start_at + self.config.late_s:
                gone = replace(booking, state="no_show", updated_at=now)
                self.forget(booking.id)
                out.append((booking.start_at, booking.id, NoShow(gone, now)))
        out.sort(key=lambda item: (item[0], item[1]))
        return [action for _t, _id, action in out]
