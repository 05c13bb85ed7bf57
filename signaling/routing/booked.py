"""Booked citizens in the queues, and walk-ins that must be done before a booked meeting.

A checked-in citizen enters the queue when the slot starts (the check-in desk,
:mod:`signaling.booking.desk`, decides when) with :class:`~signaling.routing.events.BookedJoin`:

* ahead of every walk-in: :data:`BOOKED_PRIORITY` outranks any priority a walk-in reaches by
  waiting (one level per escalation step: a walk-in would need to wait thousands of steps);
* offered only to the named clerk, if the booking names one, until ``named_until``; then a
  timer clears the restriction, the router emits
  :class:`~signaling.routing.actions.BookingFallback` (the kiosk says another clerk will
  serve) and any eligible clerk may be offered the citizen;
* not refused for opening hours, queue length or staffing: the time was set aside for them.

A restart restores the place (priority and join time) from the store, but not the booking:
the hub then sends :class:`~signaling.routing.events.BookingRestored` for it, which gives the
place back its booking id and, if the original ``named_until`` is still ahead, the named clerk
and the timer (:meth:`BookedRouting._on_booking_restored`).

A clerk named in a booked meeting is not offered walk-ins from ``booked_guard_s`` before it
(:class:`~signaling.routing.events.ClerkBooked` says when it is), so that a call taken just
before does not keep them from it; booked citizens are still offered to them.

A walk-in joining at a kiosk with a booked meeting ahead brings ``kiosk_free_until``; it is
admitted only when the wait a newcomer is told plus the service's average handle time ends
by then (:meth:`BookedRouting._fits_before`).
"""

from __future__ import annotations

from signaling.routing.actions import Action, BookingFallback, EntryQueued, Rejected
from signaling.routing.estimate import estimate_wait
from signaling.routing.events import BookedJoin, BookingRestored, ClerkBooked, JoinQueue
from signaling.routing.positions import Positions
from signaling.routing.records import Entry
from signaling.routing.state import NAMED_TIMER

__all__ = ["BOOKED_PRIORITY", "BookedRouting"]

BOOKED_PRIORITY = 10_000
"""Queue priority of a booked citizen whose slot has started."""


class BookedRouting(Positions):
    """Booked joins and the walk-in fit (mixed into :class:`~signaling.routing.Router`)."""

    def _join_booked(
        self, ev: JoinQueue, booking: BookedJoin, now: float, out: list[Action]
    ) -> None:
        entry = Entry(
            self._new_id("entry"),
            ev.kiosk_id,
            ev.service_id,
            ev.language,
            max(ev.priority, BOOKED_PRIORITY),
            now,
        )
        entry.booking_id = booking.booking_id
        if booking.named_agent is not None and booking.named_until > now:
            entry.named_agent, entry.named_until = booking.named_agent, booking.named_until
        self._add_entry(entry)
        out.append(
            EntryQueued(
                entry.entry_id,
                entry.kiosk_id,
                entry.service_id,
                entry.language,
                entry.priority,
                now,
                now,
            )
        )

    def _on_booking_restored(self, ev: BookingRestored, now: float, out: list[Action]) -> None:
        entry = self._kiosk_entry.get(ev.kiosk_id)
        booking = ev.booking
        if entry is None:
            out.append(Rejected(ev.kiosk_id, "bad_state", "kiosk is not queued"))
            return
        if entry.booking_id is not None:
            if entry.booking_id != booking.booking_id:
                out.append(Rejected(ev.kiosk_id, "bad_state", "the place holds another booking"))
            return  # told twice: it has its booking already
        entry.booking_id = booking.booking_id
        # The window runs from the slot start (or check-in), not from the restart: a restart
        # neither lengthens the named clerk's turn nor gives it back once it is over. A pending
        # offer to another clerk (made before this event) is left to run its course; the hub
        # sends this at restore, before any kiosk is back, so there is none.
        if booking.named_agent is not None and booking.named_until > now:
            entry.named_agent, entry.named_until = booking.named_agent, booking.named_until
            self._schedule(booking.named_until, NAMED_TIMER, entry.entry_id)

    def _on_clerk_booked(self, ev: ClerkBooked) -> None:
        agent = self._agents.get(ev.agent_id)
        if agent is not None:
            agent.booked_at = ev.at

    def _named_wait_over(self, entry: Entry, now: float, out: list[Action]) -> None:
        named = entry.named_agent
        entry.named_agent = entry.named_until = None
        offer = self._offers.get(entry.offer_id or "")
        if named is None or entry.booking_id is None:
            return
        if offer is not None and offer.agent_id == named:
            return  # the named clerk is being offered the call right now: no fallback
        out.append(BookingFallback(entry.entry_id, entry.kiosk_id, entry.booking_id, named, now))

    def _fits_before(self, ev: JoinQueue, reserved_at: float, now: float) -> bool:
        """Whether a walk-in joining now is expected to be done before ``reserved_at``."""
        if reserved_at <= now:
            return False
        position = self._book.length((ev.service_id, ev.language)) + 1
        handle = self._handle_times.average(ev.service_id)
        wait = self.wait_estimate(ev.service_id, ev.language, position, now).shown_s
        if wait is None:
            # No honest estimate (nobody working now): fall back on the plain one, position ×
            # average call ÷ clerks logged in; with no clerk at all it cannot be shown to fit.
            wait = estimate_wait(position, handle, self._staffed(ev.service_id, ev.language))
            if wait is None:
                return False
        return now + wait + handle <= reserved_at
