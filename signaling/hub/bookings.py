"""Appointments in the hub: check-in at kiosks, booked citizens into the queues, no-shows,
the kiosks' reservations, and the booking messages of kiosks and consoles.

The decisions are the check-in desk's (:mod:`signaling.booking.desk`) and the router's
(:mod:`signaling.routing.booked`); this module keeps the desk in step with the store, carries
out what it decides (a release becomes a booked ``JoinQueue`` through the dispatcher), and
follows the router's actions for booked citizens (offered, answered, ended, fallback). Every
booking state change is written to the store before anyone is told.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from jsonlog import fields
from signaling.booking.desk import BookingDesk, CheckedIn, NoShow, Release
from signaling.booking.model import BookingRecord
from signaling.booking_office import BookingOffice
from signaling.directory import Directory
from signaling.errors import BookingError, StoreError
from signaling.hub.booking_views import BookingViews, day_of
from signaling.hub.connections import Connection, Connections
from signaling.hub.delivery import Dispatcher
from signaling.hub.kiosk_schedules import KioskSchedules
from signaling.ratelimit import TokenBucket
from signaling.routing import actions as A
from signaling.routing import events as E
from signaling.routing.router import Router
from signaling.store import Store
from wire import booking_messages as B
from wire import client_messages as C
from wire import server_messages as S
from wire.booking_code import normalise_code
from wire.errors import ErrorCode

__all__ = ["BookingMessage", "Bookings"]

log = logging.getLogger("etapiste.booking")

BookingMessage = (
    B.BookingCheckIn | B.BookingSlotsGet | B.BookingMake | B.BookingCancel | B.BookingsGet
)

NEEDED_AHEAD_S = 300.0
"""A walk-in still waiting this long before a booked meeting at their kiosk is told the kiosk
is needed (``queue_position.kiosk_needed``: the kiosk then asks whether they are still there
once their estimate has passed)."""

MISS_BURST, MISS_RATE = 10, 1 / 30
"""Unknown codes a kiosk may send in a row, and then one more per 30 s."""

RELOAD_S = 30.0
"""How often the desk re-reads the store (bookings made on the public page or another node)."""


MAX_SLOTS_SENT = 300
"""At most this many free slots in one ``booking_slots`` answer (well under 64 KiB)."""

class Bookings:
    """See the module docstring."""

    def __init__(
        self,
        *,
        router: Router,
        store: Store,
        office: BookingOffice,
        directory: Directory,
        connections: Connections,
        dispatcher: Dispatcher,
        desk: BookingDesk,
        clock: Callable[[], float],
    ) -> None:
        self._router, self._store, self._office = router, store, office
        self._directory, self._conns, self._dispatcher = directory, connections, dispatcher
        self.desk = desk
        self._views = BookingViews(store, office, directory)
        self._loaded_at = float("-inf")
        self._schedules = KioskSchedules(desk, connections)
        self._watching: dict[str, date] = {}  # agent id → the day of bookings they asked for
        self._misses: dict[str, TokenBucket] = {}  # kiosk id → its unknown codes
        self._needed: set[str] = set()  # kiosks whose walk-in was told a meeting is due
        self._returning_until = float("-inf")  # after a restore: kiosks may still be away
        self._reload(clock())
        dispatcher.observers.append(self._follow)

    # ------------------------------------------------------------ messages

    def handle(self, conn: Connection, msg: BookingMessage, now: float) -> None:
        """Carry out one booking message (the role allowlist was checked by the caller)."""
        try:
            match msg:
                case B.BookingCheckIn():
                    self._check_in(conn, msg, now)
                case B.BookingSlotsGet():
                    self._slots(conn, msg, now)
                case B.BookingMake():
                    self._make(conn, msg, now)
                case B.BookingCancel():
                    self._cancel(conn, msg, now)
                case B.BookingsGet():
                    self._list(conn, msg.ref, msg.day, now)
        except BookingError as exc:
            conn.send(S.Error(ref=msg.ref, code=ErrorCode(exc.code), message=str(exc)))
        except StoreError:
            log.exception("booking store failure")
            conn.send(
                S.Error(
                    ref=msg.ref,
                    code=ErrorCode.INTERNAL_ERROR,
                    message="bookings are not available now",
                )
            )

    def join_event(self, kiosk_id: str, msg: C.QueueJoin, now: float) -> E.JoinQueue:
        """A walk-in's join, with the kiosk's next booked meeting if one is ahead."""
        held = self.desk.reservation(kiosk_id, now)
        return E.JoinQueue(
            kiosk_id,
            msg.service,
            msg.language,
            kiosk_free_until=None if held is None else held.start_at,
            kiosk_reserved_until=None if held is None else held.end_at,
        )

    def leave(self, conn: Connection, ref: str | None, now: float) -> bool:
        """A kiosk's ``queue_leave`` while checked in before the slot: True if it was that
        (the booking is ``booked`` again), False to route it as usual."""
        kiosk_id = conn.principal.id
        booking = self.desk.waiting_at(kiosk_id)
        if booking is None or self.desk.released(booking.id):
            return False
        self._back_to_booked(booking, now)
        conn.send(S.QueueLeft(ref=ref, reason="cancelled"))
        return True

    def attached(self, conn: Connection, now: float) -> None:
        """Tell a kiosk that just attached its schedule and, if its citizen is checked in,
        their wait."""
        p = conn.principal
        if p.role != "kiosk":
            return
        self._schedules.attached(p.id, now)
        booking = self.desk.waiting_at(p.id)
        if booking is None:
            return
        if not self.desk.released(booking.id) and booking.start_at <= now:
            self.tick(now)  # held since a restore and the slot has started: queue and tell now
            return
        state = "before_slot"
        if self.desk.released(booking.id):
            # Back after the named clerk's wait (a dropped link, a restart): another clerk
            # serves, as the kiosk was told (or would have been) when the wait ended.
            late = booking.agent_id is not None and now >= self.desk.named_until(booking)
            state = "other_clerk" if late else "waiting_clerk"
        conn.send(self._views.wait(booking, state))

    def offer_booking(self, kiosk_id: str, agent_id: str) -> B.OfferBooking | None:
        """What an ``offer`` for the citizen at ``kiosk_id`` says of their booking."""
        booking = self.desk.waiting_at(kiosk_id)
        if booking is None:
            return None
        return B.OfferBooking(
            booking_id=booking.id,
            start=booking.start_at,
            end=booking.end_at,
            named=booking.agent_id == agent_id,
        )

    def external_change(self, booking: BookingRecord, now: float) -> None:
        """A booking was made or cancelled outside the hub (the public page): take it in."""
        self.desk.put(booking)
        self._changed(booking, now)

    # ------------------------------------------------------------ time

    def tick(self, now: float) -> None:
        """Releases and no-shows due now; re-read the store now and then."""
        if now - self._loaded_at >= RELOAD_S:
            self._reload(now)
        for action in self.desk.tick(now):
            if isinstance(action, Release):
                self._release(action, now)
            elif isinstance(action, NoShow):
                self._no_show(action, now)
        self._sync_clerks(now)
        self._mark_needed(now)

    def restored(self, now: float, grace_s: float) -> None:
        """Right after a restore (a restart, or routing moving to this node): booked places
        the router holds get their bookings back now, before their kiosks are back (and a
        clerk other than the named one could be offered them); a citizen whose slot started
        while the server was down keeps the check-in while their kiosk may still come back
        (``grace_s``), instead of losing it because every kiosk is away at this moment."""
        self._returning_until = now + grace_s
        self.tick(now)

    def kiosk_needed(self, kiosk_id: str) -> bool:
        """Whether a booked meeting is due at the kiosk where a walk-in waits."""
        return kiosk_id in self._needed

    def _mark_needed(self, now: float) -> None:
        """Tell a walk-in waiting at a kiosk whose booked meeting is near (once, with a fresh
        position); the router's later positions carry the flag through :meth:`kiosk_needed`."""
        due = {
            b.kiosk_id for b in self.desk.bookings()
            if b.state == "booked" and b.start_at - now <= NEEDED_AHEAD_S and b.end_at > now
        }
        needed = set()
        for kiosk_id in due:
            entry = self._router.entry_for_kiosk(kiosk_id)
            if entry is not None and self.desk.waiting_at(kiosk_id) is None:
                needed.add(kiosk_id)
        fresh, self._needed = needed - self._needed, needed
        for kiosk_id in fresh:
            conn, entry = self._conns.kiosks.get(kiosk_id), self._router.entry_for_kiosk(kiosk_id)
            if conn is None or entry is None:
                continue
            order = self._router.queue(entry.service_id, entry.language, now)
            position = next(
                (i for i, e in enumerate(order, 1) if e.entry_id == entry.entry_id), 1
            )
            estimate = self._router.wait_estimate(entry.service_id, entry.language, position, now)
            conn.send(S.QueuePosition(
                entry_id=entry.entry_id, service=entry.service_id,
                language=entry.language,  # type: ignore[arg-type]
                position=position, estimated_wait_s=estimate.shown_s,
                estimate_kind=estimate.kind, kiosk_needed=True,
            ))

    def _sync_clerks(self, now: float) -> None:
        """Tell the router when each logged-in clerk's next named meeting starts, where that
        changed (it keeps them free of walk-ins shortly before)."""
        wanted: dict[str, float] = {}
        for booking in self.desk.bookings():
            agent_id = booking.agent_id
            if agent_id is None or booking.end_at <= now:
                continue
            if booking.state in ("booked", "checked_in"):
                wanted[agent_id] = min(wanted.get(agent_id, booking.start_at), booking.start_at)
        for view in self._router.agents():
            at = wanted.get(view.agent_id)
            if view.booked_at != at:
                self._dispatcher.run(E.ClerkBooked(view.agent_id, at), now)

    def _reload(self, now: float) -> None:
        self._loaded_at = now
        try:
            found = self._store.bookings_between(now - 86400, now + 2 * 86400, active_only=True)
        except StoreError:
            log.exception("booking reload failed")
            return
        self.desk.load(found)
        self._schedules.push_all(now)

    def _release(self, action: Release, now: float) -> None:
        rec, kiosk_id = action.booking, action.kiosk_id
        booked = E.BookedJoin(rec.id, action.named_agent, action.named_until)
        if self._router.call_for_kiosk(kiosk_id) is not None:
            return  # in a call already (restored after a restart)
        if self._router.entry_for_kiosk(kiosk_id) is not None:
            # Queued already (restored after a restart): the router holds the place but not
            # its booking; give that back, with what is left of the named clerk's window.
            self._dispatcher.run(E.BookingRestored(kiosk_id, booked), now)
            return
        event = E.JoinQueue(kiosk_id, rec.service_id, rec.language, booking=booked)
        conn = self._conns.kiosks.get(kiosk_id)
        if conn is None and now < self._returning_until:
            self.desk.hold(rec.id)  # just restored: released once the kiosk is back
            return
        if conn is None:
            # The kiosk dropped while its citizen waited for the slot: no clerk is offered a
            # kiosk that is away; the booking is "booked" again, so the citizen can check in
            # again (here or at another kiosk of the site) until the late window closes.
            self._back_to_booked(rec, now)
            return
        conn.send(self._views.wait(rec, "waiting_clerk"))
        self._dispatcher.run(event, now)

    def _no_show(self, action: NoShow, now: float) -> None:
        stored = self._store.update_booking(action.booking, expect=("booked",))
        log.info(
            "booking no-show",
            extra=fields(booking=action.booking.id, code=action.booking.code_hint),
        )
        if stored is None:
            self._reload(now)  # changed elsewhere meanwhile: take the store's word
        self._changed(action.booking, now)

    # ------------------------------------------------------------ router actions

    def _follow(self, actions: list[A.Action], now: float) -> None:
        """Follow the router's actions for booked citizens."""
        for action in actions:
            match action:
                case A.OfferSent():
                    booking = self.desk.waiting_at(action.kiosk_id)
                    conn = self._conns.kiosks.get(action.kiosk_id)
                    if booking is not None and conn is not None:
                        conn.send(self._views.wait(booking, "offered"))
                case A.BookingFallback():
                    booking = self.desk.get(action.booking_id)
                    conn = self._conns.kiosks.get(action.kiosk_id)
                    if booking is not None and conn is not None:
                        conn.send(self._views.wait(booking, "other_clerk"))
                case A.CallStarted():
                    self._answered(action, now)
                case A.CallEnded():
                    self._ended(action.call_id, now)
                case A.EntryRemoved() if action.reason in ("cancelled", "abandoned"):
                    booking = self.desk.waiting_at(action.kiosk_id)
                    if booking is not None:
                        self._back_to_booked(booking, now)

    def _answered(self, action: A.CallStarted, now: float) -> None:
        booking = self.desk.waiting_at(action.kiosk_id)
        if booking is None:
            return
        in_call = replace(
            booking,
            state="in_call",
            served_by=action.agent_id,
            call_id=action.call_id,
            updated_at=now,
        )
        if self._store.update_booking(in_call, expect=("checked_in",)) is not None:
            self.desk.put(in_call)
            self._changed(in_call, now)

    def _ended(self, call_id: str, now: float) -> None:
        for booking in self.desk.bookings():
            if booking.call_id == call_id and booking.state == "in_call":
                done = replace(booking, state="done", updated_at=now)
                self._store.update_booking(done, expect=("in_call",))
                self.desk.forget(booking.id)
                self._changed(done, now)

    def _back_to_booked(self, booking: BookingRecord, now: float) -> None:
        back = self.desk.leave(booking.id, now)
        if back is not None:
            self._store.update_booking(back, expect=("checked_in",))
            self._changed(back, now)

    # ------------------------------------------------------------ kiosk messages

    def _check_in(self, conn: Connection, msg: B.BookingCheckIn, now: float) -> None:
        p = conn.principal
        if (
            self._router.entry_for_kiosk(p.id) is not None
            or self._router.call_for_kiosk(p.id) is not None
            or self.desk.waiting_at(p.id) is not None
        ):
            conn.send(B.BookingRefused(ref=msg.ref, reason="busy"))
            return
        misses = self._misses.get(p.id)
        if misses is not None and misses.peek(now) < 1.0:
            # Too many unknown codes from this kiosk: guessing must be slow.
            conn.send(S.Error(ref=msg.ref, code=ErrorCode.RATE_LIMITED,
                              message="too many unknown codes; wait a minute"))
            return
        code = normalise_code(msg.code)
        stored = self._office.find(code) if code is not None else None
        if stored is None:
            if misses is None:
                misses = self._misses[p.id] = TokenBucket(MISS_RATE, MISS_BURST, now)
            misses.allow(now)
        result = self.desk.check_in(stored, p.id, p.site_id, now)
        log.info(
            "check-in",
            extra=fields(
                kiosk=p.id,
                source=msg.source,
                code=stored.code_hint if stored else None,
                result=type(result).__name__,
                reason=getattr(result, "reason", None),
            ),
        )
        if not isinstance(result, CheckedIn):
            site = None
            if result.reason == "wrong_site" and result.booking is not None:
                site = self._directory.site_ref(result.booking.site_id)
            start = result.booking.start_at if result.booking is not None else None
            if result.reason == "unknown_code":
                start = None
            conn.send(
                B.BookingRefused(
                    ref=msg.ref,
                    reason=result.reason,
                    check_in_from=result.check_in_from,
                    start=start,
                    site=site,
                )
            )
            return
        booking = result.booking
        if self._store.update_booking(booking, expect=("booked",)) is None:
            self._reload(now)
            conn.send(B.BookingRefused(ref=msg.ref, reason="used"))
            return
        assert code is not None
        conn.send(B.BookingCheckedIn(ref=msg.ref, booking=self._views.info(code, booking)))
        conn.send(self._views.wait(booking, "before_slot"))
        self._changed(booking, now)
        self.tick(now)  # the slot may have started already: release at once

    def _slots(self, conn: Connection, msg: B.BookingSlotsGet, now: float) -> None:
        p = conn.principal
        site = p.site_id if p.role == "kiosk" else msg.site
        if p.role == "kiosk" and msg.site not in (None, p.site_id):
            raise BookingError("not_allowed", "a kiosk books at its own site")
        if p.role == "agent" and msg.service not in p.skills:
            raise BookingError("not_allowed", "not one of your services")
        first = day_of(msg.day) if msg.day else None
        found = self._office.slots(
            msg.service, msg.language, site, now, first_day=first, days=msg.days
        )
        slots = []
        # Earliest first, and few enough that the answer stays under the clients' 64 KiB frame
        # limit (each slot carries its site's names): 14 all-day days were 66.5 KB, and the
        # kiosk dropped the answer and showed "looking for free times" for ever.
        for slot in found[:MAX_SLOTS_SENT]:
            ref = self._directory.site_ref(slot.site_id)
            if ref is not None:
                slots.append(
                    B.Slot(start=slot.start, end=slot.end, site=ref, clerks_free=slot.clerks_free)
                )
        conn.send(
            B.BookingSlots(ref=msg.ref, service=msg.service, language=msg.language, slots=slots)
        )

    def _make(self, conn: Connection, msg: B.BookingMake, now: float) -> None:
        p = conn.principal
        if p.role == "kiosk":
            if msg.site not in (None, p.site_id) or p.site_id is None:
                raise BookingError("not_allowed", "a kiosk books at its own site")
            made = self._office.make(
                msg.service, msg.language, p.site_id, msg.start, now, made_by="kiosk"
            )
        else:
            if msg.site is None:
                raise BookingError("not_allowed", "name the site")
            if msg.service not in p.skills:
                raise BookingError("not_allowed", "not one of your services")
            if msg.with_me and msg.language not in p.languages:
                raise BookingError("not_allowed", "you do not serve that language")
            made = self._office.make(
                msg.service,
                msg.language,
                msg.site,
                msg.start,
                now,
                made_by="agent",
                made_by_agent=p.id,
                agent_id=p.id if msg.with_me else None,
            )
        self.desk.put(made.booking)
        conn.send(B.BookingMade(ref=msg.ref, booking=self._views.info(made.code, made.booking)))
        self._changed(made.booking, now)

    def _cancel(self, conn: Connection, msg: B.BookingCancel, now: float) -> None:
        found = None
        if msg.code is not None:
            found = self._office.find(msg.code)
        elif msg.booking_id is not None:
            found = self._store.booking(msg.booking_id)
        if found is None or found.service_id not in conn.principal.skills:
            raise BookingError("unknown_booking", "no such booking")
        if found.state == "checked_in":
            raise BookingError("bad_state", "the citizen has checked in")
        done = self._office.cancel(found, now, by=conn.principal.id)
        self.desk.forget(done.id)
        conn.send(B.BookingCancelled(ref=msg.ref, booking_id=done.id))
        self._changed(done, now)

    def _list(self, conn: Connection, ref: str | None, day_text: str | None, now: float) -> None:
        p = conn.principal
        day = day_of(day_text) if day_text else self._office.today(now)
        self._watching[p.id] = day
        conn.send(self._views.day_list(p.id, p.skills, day, ref))

    # ------------------------------------------------------------ telling

    def _changed(self, booking: BookingRecord, now: float) -> None:
        """A booking changed: re-tell the kiosks' schedules and the watching clerks."""
        self._schedules.push_all(now)
        for agent_id, day in list(self._watching.items()):
            conn = self._conns.agents.get(agent_id)
            if conn is None:
                del self._watching[agent_id]
                continue
            if booking.service_id in conn.principal.skills:
                conn.send(self._views.day_list(agent_id, conn.principal.skills, day, None))
