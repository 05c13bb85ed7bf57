"""Appointments through the hub (fake connections, real SQLite store, driven clock): a kiosk
books, a walk-in is refused before the booked meeting, the citizen checks in with the QR's URL,
the named clerk is offered the call at the slot start and answers; no-shows; cancelling."""

from __future__ import annotations

from signaling.booking.capacity import Capacity
from wire import booking_messages as B
from wire import client_messages as C
from wire import server_messages as S
from wire.errors import ErrorCode

from .conftest import T0, Scene, add_agent, add_kiosk, make_hub

SERVICE = "kela.benefits"
# T0 is Sunday 2025-06-15 18:06:40 in Helsinki; slots of 30 minutes from 19:00 to 21:00.
SLOT = 1_750_003_200.0  # 19:00 +03:00


def set_capacity(scene: Scene, clerks: int = 1) -> None:
    scene.store.set_capacity(
        Capacity(SERVICE, "fi", 30, clerks, {"sun": [["19:00", "21:00"]]}), now=T0
    )


def test_kiosk_books_checks_in_by_qr_and_the_named_clerk_answers_at_slot_start(
    scene: Scene,
) -> None:
    set_capacity(scene)
    k1 = scene.kiosk(add_kiosk(scene.store, "lieksa", "Lieksa 1"))
    aino_id = add_agent(scene.store, "aino")
    aino = scene.agent(aino_id, ready=False)
    # The clerk books a meeting with themself for a citizen on the phone.
    scene.hub.handle(aino, B.BookingSlotsGet(service=SERVICE, language="fi", site="lieksa"))
    slots = aino.last(B.BookingSlots).slots
    assert [s.start for s in slots][:2] == [SLOT, SLOT + 1800]
    scene.hub.handle(
        aino,
        B.BookingMake(
            service=SERVICE, language="fi", site="lieksa", start=SLOT, with_me=True, ref="b1"
        ),
    )
    made = aino.last(B.BookingMade)
    assert made.ref == "b1" and made.booking.clerk_name == "Aino" and len(made.booking.code) == 6
    code = made.booking.code
    # The kiosk learns it is held at 19:00; a walk-in at 18:50 would run into it.
    assert k1.last(B.KioskSchedule).reserved_at == SLOT
    scene.clock.now = SLOT - 600
    scene.hub.handle(aino, C.AgentStateSet(state="ready"))
    scene.hub.handle(k1, C.QueueJoin(service=SERVICE, language="fi", ref="w"))
    refusal = k1.last(S.Error)
    assert (refusal.code, refusal.kiosk_reserved_at, refusal.kiosk_free_at, refusal.ref) == (
        ErrorCode.KIOSK_RESERVED, SLOT, SLOT + 1800, "w",
    )
    # 18:55: the citizen shows the printed QR code (a URL ending in the code).
    scene.clock.now = SLOT - 300
    scene.hub.handle(k1, B.BookingCheckIn(code=f"https://x.example/book/{code}", source="qr"))
    assert k1.last(B.BookingCheckedIn).booking.start == SLOT
    assert k1.last(B.BookingWait).state == "before_slot"
    assert scene.store.booking(made.booking.booking_id).state == "checked_in"  # type: ignore[union-attr]
    assert aino.of(S.Offer) == []  # not before the slot
    scene.clock.now = SLOT
    scene.hub.tick()
    assert k1.last(B.BookingWait).state == "offered"
    offer = aino.last(S.Offer)
    assert offer.booking is not None and offer.booking.named
    scene.hub.handle(aino, C.OfferAccept(offer_id=offer.offer_id))
    call_id = k1.last(S.CallStart).call_id
    assert scene.store.booking(made.booking.booking_id).state == "in_call"  # type: ignore[union-attr]
    scene.clock.now = SLOT + 900
    scene.hub.handle(aino, C.CallEnd(call_id=call_id))
    assert scene.store.booking(made.booking.booking_id).state == "done"  # type: ignore[union-attr]


def test_fallback_to_another_clerk_is_told_to_the_kiosk(scene: Scene) -> None:
    set_capacity(scene)
    k1 = scene.kiosk(add_kiosk(scene.store, "lieksa", "Lieksa 1"))
    aino = scene.agent(add_agent(scene.store, "aino"), ready=False)
    scene.hub.handle(
        aino, B.BookingMake(service=SERVICE, language="fi", site="lieksa", start=SLOT, with_me=True)
    )
    code = aino.last(B.BookingMade).booking.code
    scene.clock.now = SLOT - 60
    bo = scene.agent(add_agent(scene.store, "bo"))
    scene.hub.handle(k1, B.BookingCheckIn(code=code.lower()))
    scene.clock.now = SLOT
    scene.hub.tick()
    assert bo.of(S.Offer) == []  # only Aino, for now
    scene.clock.now = SLOT + 300
    scene.hub.tick()
    assert k1.last(B.BookingWait).state in ("other_clerk", "offered")
    assert any(w.state == "other_clerk" for w in k1.of(B.BookingWait))
    offer = bo.last(S.Offer)
    assert offer.booking is not None and not offer.booking.named


def test_no_show_is_recorded_and_frees_the_kiosk(scene: Scene) -> None:
    set_capacity(scene)
    k1 = scene.kiosk(add_kiosk(scene.store, "lieksa", "Lieksa 1"))
    scene.hub.handle(k1, B.BookingMake(service=SERVICE, language="fi", start=SLOT))
    booking_id = k1.last(B.BookingMade).booking.booking_id
    scene.clock.now = SLOT + 599
    scene.hub.tick()
    assert scene.store.booking(booking_id).state == "booked"  # type: ignore[union-attr]
    scene.clock.now = SLOT + 600
    scene.hub.tick()
    assert scene.store.booking(booking_id).state == "no_show"  # type: ignore[union-attr]
    assert k1.last(B.KioskSchedule).reserved_at is None


def test_check_in_refusals_reach_the_kiosk(scene: Scene) -> None:
    set_capacity(scene)
    k1 = scene.kiosk(add_kiosk(scene.store, "lieksa", "Lieksa 1"))
    k2 = scene.kiosk(add_kiosk(scene.store, "nurmes", "Nurmes 1"))
    scene.hub.handle(k1, B.BookingMake(service=SERVICE, language="fi", start=SLOT))
    code = k1.last(B.BookingMade).booking.code
    scene.hub.handle(k1, B.BookingCheckIn(code=code))
    too_early = k1.last(B.BookingRefused)
    assert (too_early.reason, too_early.check_in_from) == ("too_early", SLOT - 900)
    scene.clock.now = SLOT - 60
    scene.hub.handle(k2, B.BookingCheckIn(code=code))
    wrong = k2.last(B.BookingRefused)
    assert wrong.reason == "wrong_site" and wrong.site is not None and wrong.site.id == "lieksa"
    scene.hub.handle(k2, B.BookingCheckIn(code="AAAAAA"))
    unknown = k2.last(B.BookingRefused)
    assert unknown.reason == "unknown_code" and unknown.start is None


def test_clerk_lists_and_cancels_by_code(scene: Scene) -> None:
    set_capacity(scene, clerks=2)
    scene.kiosk(add_kiosk(scene.store, "lieksa", "Lieksa 1"))
    aino = scene.agent(add_agent(scene.store, "aino"))
    scene.hub.handle(aino, B.BookingsGet())
    assert aino.last(B.Bookings).bookings == []
    scene.hub.handle(aino, B.BookingMake(service=SERVICE, language="fi", site="lieksa", start=SLOT))
    code = aino.last(B.BookingMade).booking.code
    listed = aino.last(B.Bookings).bookings  # pushed on change
    assert [(b.state, b.code) for b in listed] == [("booked", None)]
    scene.hub.handle(aino, B.BookingCancel(code=f"{code[:3]}-{code[3:]}", ref="c"))
    assert aino.last(B.BookingCancelled).ref == "c"
    assert aino.last(B.Bookings).bookings[0].state == "cancelled"
    scene.hub.handle(aino, B.BookingCancel(code=code))
    assert aino.last(S.Error).code == ErrorCode.UNKNOWN_BOOKING


def test_a_kiosk_away_at_slot_start_is_not_offered_and_can_check_in_again(scene: Scene) -> None:
    set_capacity(scene)
    kiosk_id = add_kiosk(scene.store, "lieksa", "Lieksa 1")
    k1 = scene.kiosk(kiosk_id)
    aino = scene.agent(add_agent(scene.store, "aino"))
    scene.hub.handle(k1, B.BookingMake(service=SERVICE, language="fi", start=SLOT))
    made = k1.last(B.BookingMade).booking
    scene.clock.now = SLOT - 120
    scene.hub.handle(k1, B.BookingCheckIn(code=made.code))
    scene.hub.detach(k1)
    scene.clock.now = SLOT
    scene.hub.tick()
    assert scene.hub.router.entry_for_kiosk(kiosk_id) is None
    assert aino.of(S.Offer) == []
    assert scene.store.booking(made.booking_id).state == "booked"  # type: ignore[union-attr]
    scene.clock.now = SLOT + 60
    back = scene.kiosk(kiosk_id)
    scene.hub.handle(back, B.BookingCheckIn(code=made.code))
    assert back.last(B.BookingCheckedIn).booking.booking_id == made.booking_id
    assert aino.last(S.Offer).booking is not None


def test_a_kiosk_guessing_codes_is_slowed_down(scene: Scene) -> None:
    k1 = scene.kiosk(add_kiosk(scene.store, "lieksa", "Lieksa 1"))
    for _ in range(10):
        scene.hub.handle(k1, B.BookingCheckIn(code="AAAAAA"))
    assert [r.reason for r in k1.of(B.BookingRefused)] == ["unknown_code"] * 10
    scene.hub.handle(k1, B.BookingCheckIn(code="AAAAAA"))
    assert k1.last(S.Error).code == ErrorCode.RATE_LIMITED
    scene.clock.advance(30)
    scene.hub.handle(k1, B.BookingCheckIn(code="AAAAAA"))
    assert len(k1.of(B.BookingRefused)) == 11


def test_the_router_learns_when_a_named_clerk_must_be_free(scene: Scene) -> None:
    set_capacity(scene)
    scene.kiosk(add_kiosk(scene.store, "lieksa", "Lieksa 1"))
    aino_id = add_agent(scene.store, "aino")
    aino = scene.agent(aino_id)
    scene.hub.handle(aino, B.BookingMake(service=SERVICE, language="fi", site="lieksa",
                                         start=SLOT, with_me=True))
    made = aino.last(B.BookingMade).booking
    scene.hub.tick()
    assert scene.hub.router.agent_view(aino_id).booked_at == SLOT  # type: ignore[union-attr]
    scene.hub.handle(aino, B.BookingCancel(booking_id=made.booking_id))
    scene.hub.tick()
    assert scene.hub.router.agent_view(aino_id).booked_at is None  # type: ignore[union-attr]


def test_an_impossible_day_is_a_typed_error(scene: Scene) -> None:
    aino = scene.agent(add_agent(scene.store, "aino"))
    scene.hub.handle(aino, B.BookingsGet(day="2026-02-30", ref="d"))
    error = aino.last(S.Error)
    assert (error.code, error.ref) == (ErrorCode.BAD_MESSAGE, "d")
    scene.hub.handle(aino, B.BookingSlotsGet(service=SERVICE, language="fi", day="2026-13-01"))
    assert aino.last(S.Error).code == ErrorCode.BAD_MESSAGE


def test_times_and_days_beyond_the_calendar_are_refused_not_raised(scene: Scene) -> None:
    set_capacity(scene)
    k1 = scene.kiosk(add_kiosk(scene.store, "lieksa", "Lieksa 1"))
    scene.hub.handle(k1, B.BookingMake(service=SERVICE, language="fi", start=1e300))
    assert k1.last(S.Error).code == ErrorCode.SLOT_TAKEN
    scene.hub.handle(k1, B.BookingMake(service=SERVICE, language="fi", start=-1e300))
    assert k1.last(S.Error).code == ErrorCode.SLOT_TAKEN
    scene.hub.handle(k1, B.BookingSlotsGet(service=SERVICE, language="fi", day="9999-12-31",
                                           days=14))
    assert k1.last(B.BookingSlots).slots == []


def test_a_walk_in_still_waiting_before_a_booked_meeting_hears_the_kiosk_is_needed(
    scene: Scene,
) -> None:
    set_capacity(scene)
    k1 = scene.kiosk(add_kiosk(scene.store, "lieksa", "Lieksa 1"))
    scene.hub.handle(k1, B.BookingMake(service=SERVICE, language="fi", start=SLOT))
    scene.clock.now = SLOT - 1200  # 20 minutes before: the expected call fits
    scene.agent(add_agent(scene.store, "aino"), ready=False)  # just logged in
    scene.hub.handle(k1, C.QueueJoin(service=SERVICE, language="fi"))
    assert not k1.last(S.QueuePosition).kiosk_needed
    scene.clock.now = SLOT - 301
    scene.hub.tick()
    assert not k1.last(S.QueuePosition).kiosk_needed
    scene.clock.now = SLOT - 300
    scene.hub.tick()
    needed = k1.last(S.QueuePosition)
    assert needed.kiosk_needed and needed.position == 1


def test_after_a_restart_the_booked_citizen_is_still_only_for_the_named_clerk_until_the_end(
    scene: Scene,
) -> None:
    set_capacity(scene)
    kiosk_id = add_kiosk(scene.store, "lieksa", "Lieksa 1")
    k1 = scene.kiosk(kiosk_id)
    aino_id, bo_id = add_agent(scene.store, "aino"), add_agent(scene.store, "bo")
    aino = scene.agent(aino_id, ready=False)
    scene.hub.handle(
        aino, B.BookingMake(service=SERVICE, language="fi", site="lieksa", start=SLOT, with_me=True)
    )
    code = aino.last(B.BookingMade).booking.code
    scene.clock.now = SLOT - 60
    scene.hub.handle(k1, B.BookingCheckIn(code=code))
    scene.clock.now = SLOT
    scene.hub.tick()  # released: queued for Aino, who is not ready
    assert scene.hub.router.entry_for_kiosk(kiosk_id) is not None
    token = k1.last(S.Welcome).resume_token

    scene.clock.now = SLOT + 60  # kill -9; a new process over the same database
    scene.hub = make_hub(scene.store, scene.catalogue, scene.clock)
    assert scene.hub.restore(scene.clock()).entries == 1
    back = scene.kiosk(kiosk_id, resume=token)
    assert back.last(S.QueuePosition).position == 1
    bo = scene.agent(bo_id)  # ready, with the skill: before the restart he had to wait
    assert bo.of(S.Offer) == []
    scene.clock.now = SLOT + 299
    scene.hub.tick()
    assert bo.of(S.Offer) == []
    scene.clock.now = SLOT + 300  # the named wait ends as it would have without the restart
    scene.hub.tick()
    assert any(w.state == "other_clerk" for w in back.of(B.BookingWait))
    offer = bo.last(S.Offer)
    assert offer.booking is not None and not offer.booking.named
    scene.hub.handle(bo, C.OfferAccept(offer_id=offer.offer_id))
    assert scene.store.booking(offer.booking.booking_id).state == "in_call"  # type: ignore[union-attr]


def test_after_a_restart_the_named_clerk_is_offered_the_booked_citizen(scene: Scene) -> None:
    set_capacity(scene)
    kiosk_id = add_kiosk(scene.store, "lieksa", "Lieksa 1")
    k1 = scene.kiosk(kiosk_id)
    aino_id = add_agent(scene.store, "aino")
    aino = scene.agent(aino_id, ready=False)
    scene.hub.handle(
        aino, B.BookingMake(service=SERVICE, language="fi", site="lieksa", start=SLOT, with_me=True)
    )
    code = aino.last(B.BookingMade).booking.code
    scene.clock.now = SLOT - 60
    scene.hub.handle(k1, B.BookingCheckIn(code=code))
    scene.clock.now = SLOT
    scene.hub.tick()
    token = k1.last(S.Welcome).resume_token
    scene.clock.now = SLOT + 30
    scene.hub = make_hub(scene.store, scene.catalogue, scene.clock)
    scene.hub.restore(scene.clock())
    aino = scene.agent(aino_id, ready=False)
    scene.hub.tick()  # Aino is kept free of walk-ins for her meeting
    assert scene.hub.router.agent_view(aino_id).booked_at == SLOT  # type: ignore[union-attr]
    k2 = scene.kiosk(add_kiosk(scene.store, "lieksa", "Lieksa 2"))
    scene.hub.handle(k2, C.QueueJoin(service=SERVICE, language="fi"))
    scene.kiosk(kiosk_id, resume=token)
    # She is offered the booked citizen: the restored place is a booked one again, not a
    # walk-in she is kept free of.
    scene.hub.handle(aino, C.AgentStateSet(state="ready"))
    offer = aino.last(S.Offer)
    assert offer.booking is not None and offer.booking.named  # k1, not the walk-in at k2


def test_a_kiosk_back_after_the_named_wait_hears_another_clerk_will_serve(scene: Scene) -> None:
    set_capacity(scene)
    kiosk_id = add_kiosk(scene.store, "lieksa", "Lieksa 1")
    k1 = scene.kiosk(kiosk_id)
    aino = scene.agent(add_agent(scene.store, "aino"), ready=False)
    scene.hub.handle(
        aino, B.BookingMake(service=SERVICE, language="fi", site="lieksa", start=SLOT, with_me=True)
    )
    scene.clock.now = SLOT - 60
    scene.hub.handle(k1, B.BookingCheckIn(code=aino.last(B.BookingMade).booking.code))
    token = k1.last(S.Welcome).resume_token
    scene.clock.now = SLOT
    scene.hub.tick()
    scene.clock.now = SLOT + 100
    scene.hub.detach(k1)
    back = scene.kiosk(kiosk_id, resume=token)
    assert back.last(B.BookingWait).state == "waiting_clerk"  # Aino's turn still
    scene.clock.now = SLOT + 260
    scene.hub.detach(back)
    scene.clock.now = SLOT + 301  # the named wait ended while the kiosk was away
    scene.hub.tick()
    again = scene.kiosk(kiosk_id, resume=back.last(S.Welcome).resume_token)
    assert again.last(B.BookingWait).state == "other_clerk"


def test_a_check_in_survives_a_restart_across_the_slot_start(scene: Scene) -> None:
    set_capacity(scene)
    kiosk_id = add_kiosk(scene.store, "lieksa", "Lieksa 1")
    k1 = scene.kiosk(kiosk_id)
    aino_id, bo_id = add_agent(scene.store, "aino"), add_agent(scene.store, "bo")
    aino = scene.agent(aino_id, ready=False)
    scene.hub.handle(
        aino, B.BookingMake(service=SERVICE, language="fi", site="lieksa", start=SLOT, with_me=True)
    )
    made = aino.last(B.BookingMade).booking
    scene.clock.now = SLOT - 60
    scene.hub.handle(k1, B.BookingCheckIn(code=made.code))  # waits for 19:00 at the kiosk
    token = k1.last(S.Welcome).resume_token
    scene.clock.now = SLOT + 5  # the server died at 18:59; it is back at 19:00:05
    scene.hub = make_hub(scene.store, scene.catalogue, scene.clock)
    scene.hub.restore(scene.clock())
    assert scene.store.booking(made.booking_id).state == "checked_in"  # type: ignore[union-attr]
    scene.clock.now = SLOT + 8
    scene.hub.tick()  # every kiosk is still away: the check-in is kept
    back = scene.kiosk(kiosk_id, resume=token)
    assert back.last(B.BookingWait).state == "waiting_clerk"  # queued at once, for Aino
    assert scene.hub.router.entry_for_kiosk(kiosk_id) is not None
    bo = scene.agent(bo_id)
    assert bo.of(S.Offer) == []  # only Aino until 19:05
    aino = scene.agent(aino_id)
    offer = aino.last(S.Offer)
    assert offer.booking is not None and offer.booking.named


def test_after_a_restart_a_checked_in_kiosk_that_does_not_return_loses_the_check_in(
    scene: Scene,
) -> None:
    set_capacity(scene)
    kiosk_id = add_kiosk(scene.store, "lieksa", "Lieksa 1")
    k1 = scene.kiosk(kiosk_id)
    scene.hub.handle(k1, B.BookingMake(service=SERVICE, language="fi", start=SLOT))
    made = k1.last(B.BookingMade).booking
    scene.clock.now = SLOT - 60
    scene.hub.handle(k1, B.BookingCheckIn(code=made.code))
    scene.clock.now = SLOT + 5
    scene.hub = make_hub(scene.store, scene.catalogue, scene.clock, agent_grace_s=60.0)
    scene.hub.restore(scene.clock())
    scene.clock.now = SLOT + 64
    scene.hub.tick()
    assert scene.store.booking(made.booking_id).state == "checked_in"  # type: ignore[union-attr]
    scene.clock.now = SLOT + 65  # the kiosk's grace is over: as for any kiosk away at the start
    scene.hub.tick()
    assert scene.store.booking(made.booking_id).state == "booked"  # type: ignore[union-attr]


def test_fourteen_all_day_days_of_slots_fit_in_one_client_frame(scene: Scene) -> None:
    """672 half-hour slots were sent whole (66.5 KB): the kiosk's client dropped the answer
    as over its 64 KiB limit and the citizen saw "looking for free times" for ever."""
    from wire.types import MAX_MESSAGE_BYTES

    every_day = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    scene.store.set_capacity(Capacity(SERVICE, "fi", 30, 1, every_day), now=T0)
    k1 = scene.kiosk(add_kiosk(scene.store, "lieksa", "Lieksa 1"))
    scene.hub.handle(k1, B.BookingSlotsGet(service=SERVICE, language="fi", days=14))
    answer = k1.last(B.BookingSlots)
    assert 0 < len(answer.slots) <= 300
    assert len(answer.model_dump_json().encode()) < MAX_MESSAGE_BYTES
    assert [s.start for s in answer.slots] == sorted(s.start for s in answer.slots)
