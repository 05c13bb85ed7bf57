"""Booked citizens in the router, with a driven clock: the check-in desk releases a checked-in
citizen at the slot start, the router offers them to the booked clerk ahead of walk-ins, falls
back to any clerk, and refuses a walk-in whose call would run into a kiosk's booked meeting."""

from __future__ import annotations

from dataclasses import replace

from signaling.booking.desk import BookingDesk, CheckedIn, DeskConfig, NoShow, Release
from signaling.booking.model import BookingRecord
from signaling.routing.actions import (
    Action,
    BookingFallback,
    CallStarted,
    EntryQueued,
    JoinRefused,
    OfferSent,
    Rejected,
)
from signaling.routing.booked import BOOKED_PRIORITY
from signaling.routing.events import (
    AcceptOffer,
    AgentReady,
    BookedJoin,
    BookingRestored,
    ClerkBooked,
    EndCall,
    JoinQueue,
    KioskReconnected,
    LeaveQueue,
    RejectOffer,
    Tick,
)
from signaling.routing.router import Router

from .helpers import T0, login, make_router, of, only_offer

SLOT = T0 + 3600.0  # the booked meeting: 13:00-13:30 UTC on the test day
CFG = DeskConfig(early_s=900.0, late_s=600.0, named_wait_s=300.0)


def booking(
    agent_id: str | None = "clerk", *, kiosk: str = "k1", state: str = "booked"
) -> BookingRecord:
    return BookingRecord(
        id="b-1",
        code_digest="d",
        code_hint="AC…",
        service_id="migri",
        language="fi",
        site_id="lieksa",
        kiosk_id=kiosk,
        start_at=SLOT,
        end_at=SLOT + 1800.0,
        agent_id=agent_id,
        made_by="public",
        made_by_agent=None,
        state=state,  # type: ignore[arg-type]
        created_at=T0 - 86400,
        updated_at=T0 - 86400,
    )


def run_desk(desk: BookingDesk, router: Router, now: float) -> list[Action]:
    """What the hub does at the desk's deadline: feed releases to the router."""
    out: list[Action] = []
    for action in desk.tick(now):
        if isinstance(action, Release):
            rec = action.booking
            out += router.handle(
                JoinQueue(
                    action.kiosk_id,
                    rec.service_id,
                    rec.language,
                    booking=BookedJoin(rec.id, action.named_agent, action.named_until),
                ),
                now,
            )
    return out


def checked_in(desk: BookingDesk, at: float, rec: BookingRecord | None = None) -> None:
    desk.put(rec or booking())
    result = desk.check_in(rec or booking(), "k1", "lieksa", at)
    assert isinstance(result, CheckedIn), result


def test_booked_citizen_goes_to_the_booked_clerk_at_slot_start_ahead_of_earlier_walk_ins() -> None:
    r, desk = make_router(), BookingDesk(CFG)
    login(r, "clerk", SLOT - 1300, skills=("migri",), ready=False)
    # Two walk-ins at other kiosks queue well before the slot.
    assert of(r.handle(JoinQueue("k2", "migri", "fi"), SLOT - 1200), EntryQueued)
    assert of(r.handle(JoinQueue("k3", "migri", "fi"), SLOT - 1100), EntryQueued)
    checked_in(desk, SLOT - 600)
    assert run_desk(desk, r, SLOT - 600) == []  # before the slot: waits outside the queue
    assert desk.next_deadline() == SLOT
    out = run_desk(desk, r, SLOT)
    assert [e.kiosk_id for e in of(out, EntryQueued)] == ["k1"]
    assert [e.kiosk_id for e in r.queue("migri", "fi", SLOT)] == ["k1", "k2", "k3"]
    offer = only_offer(r.handle(AgentReady("clerk"), SLOT + 5))
    assert offer.kiosk_id == "k1"  # not k2, who came 20 minutes earlier


def test_other_clerks_are_not_offered_the_booked_citizen_until_the_named_wait_ends() -> None:
    r, desk = make_router(), BookingDesk(CFG)
    login(r, "clerk", SLOT - 100, skills=("migri",), ready=False)  # the booked clerk is away
    login(r, "other", SLOT - 100, skills=("migri",), ready=False)
    checked_in(desk, SLOT - 60)
    assert of(r.handle(JoinQueue("k2", "migri", "fi"), SLOT - 30), EntryQueued)  # a walk-in
    run_desk(desk, r, SLOT)
    out = r.handle(AgentReady("other"), SLOT + 10)
    assert only_offer(out).kiosk_id == "k2"  # the walk-in, not the booked citizen
    deadline = r.next_deadline()
    assert deadline is not None and deadline <= SLOT + 300


def test_fallback_to_any_clerk_after_the_named_wait_and_the_kiosk_is_told() -> None:
    r, desk = make_router(), BookingDesk(CFG)
    login(r, "clerk", T0, skills=("migri",), ready=False)
    login(r, "other", T0, skills=("migri",))
    checked_in(desk, SLOT - 60)
    out = run_desk(desk, r, SLOT)
    assert of(out, OfferSent) == []  # "other" is ready but not the booked clerk
    assert r.handle(Tick(), SLOT + 299) == [] or not of(r.handle(Tick(), SLOT + 299), OfferSent)
    assert r.next_deadline() == SLOT + 300
    out = r.handle(Tick(), SLOT + 300)
    fallback = of(out, BookingFallback)
    assert [(f.kiosk_id, f.booking_id, f.named_agent) for f in fallback] == [("k1", "b-1", "clerk")]
    assert only_offer(out).agent_id == "other"


def test_no_fallback_message_while_the_named_clerk_is_answering() -> None:
    r, desk = make_router(), BookingDesk(CFG)
    login(r, "clerk", T0, skills=("migri",))
    checked_in(desk, SLOT - 60)
    offer = only_offer(run_desk(desk, r, SLOT + 290))
    assert offer.agent_id == "clerk"
    out = r.handle(Tick(), SLOT + 290 + 300)  # well past the named wait: the offer runs on
    assert of(out, BookingFallback) == []
    r.handle(AcceptOffer("clerk", offer.offer_id), SLOT + 300)


def test_late_check_in_gives_the_named_clerk_the_full_wait_from_check_in() -> None:
    r, desk = make_router(), BookingDesk(CFG)
    login(r, "clerk", T0, skills=("migri",), ready=False)
    checked_in(desk, SLOT + 400)
    run_desk(desk, r, SLOT + 400)
    assert r.next_deadline() == SLOT + 400 + 300


def test_an_unnamed_booking_goes_to_any_eligible_clerk_at_once() -> None:
    r, desk = make_router(), BookingDesk(CFG)
    login(r, "other", T0, skills=("migri",))
    checked_in(desk, SLOT - 60, booking(None))
    assert only_offer(run_desk(desk, r, SLOT)).agent_id == "other"


def test_no_show_frees_the_slot_after_the_grace_and_is_recorded() -> None:
    desk = BookingDesk(CFG)
    desk.put(booking())
    assert desk.reservation("k1", SLOT - 3000) is not None
    assert desk.next_deadline() == SLOT + 600
    assert desk.tick(SLOT + 599) == []
    out = desk.tick(SLOT + 600)
    assert [type(a) for a in out] == [NoShow]
    assert isinstance(out[0], NoShow) and out[0].booking.state == "no_show"
    assert desk.reservation("k1", SLOT + 600) is None  # the kiosk is free for walk-ins again
    late = desk.check_in(booking(), "k1", "lieksa", SLOT + 601)
    assert getattr(late, "reason", None) == "too_late"


def test_walk_in_refused_before_a_reservation_it_would_overlap_and_admitted_after() -> None:
    r, desk = make_router(), BookingDesk(CFG)
    login(r, "clerk", T0, skills=("migri",))  # free at once: wait "soon"; calls take 300 s
    desk.put(booking())
    # 10 minutes before the slot, the expected call (300 s) fits: admitted and served.
    held = desk.reservation("k1", SLOT - 600)
    assert held is not None and held.start_at == SLOT
    out = r.handle(JoinQueue("k1", "migri", "fi", kiosk_free_until=held.start_at), SLOT - 600)
    assert of(out, JoinRefused) == []
    offer = only_offer(out)
    call = of(r.handle(AcceptOffer("clerk", offer.offer_id), SLOT - 590), CallStarted)[0]
    r.handle(EndCall(call.call_id, "agent", "hangup"), SLOT - 300)
    r.handle(AgentReady("clerk"), SLOT - 299)
    # 4 minutes before the slot it would run into the booked meeting: refused, told when.
    out = r.handle(JoinQueue("k1", "migri", "fi", kiosk_free_until=SLOT), SLOT - 240)
    refused = of(out, JoinRefused)
    assert [(x.code, x.kiosk_reserved_at) for x in refused] == [("kiosk_reserved", SLOT)]
    assert r.entry_for_kiosk("k1") is None
    # The booked citizen never came: after the grace the kiosk has no hold and admits again.
    assert [type(a) for a in desk.tick(SLOT + 600)] == [NoShow]
    assert desk.reservation("k1", SLOT + 600) is None
    out = r.handle(JoinQueue("k1", "migri", "fi", kiosk_free_until=None), SLOT + 600)
    assert of(out, JoinRefused) == [] and of(out, EntryQueued)


def test_walk_in_admission_counts_the_queue_ahead() -> None:
    r = make_router()
    login(r, "clerk", T0, skills=("migri",), ready=False)
    login(r, "clerk2", T0 + 1, skills=("migri",), ready=False)
    for i in range(4):
        r.handle(JoinQueue(f"w{i}", "migri", "fi"), T0 + i)
    # 4 ahead, two clerks at 300 s each: far more than 10 minutes before the slot.
    out = r.handle(JoinQueue("k1", "migri", "fi", kiosk_free_until=T0 + 600), T0 + 10)
    assert [x.code for x in of(out, JoinRefused)] == ["kiosk_reserved"]


def test_a_booked_join_is_not_refused_for_hours_or_queue_length() -> None:
    from signaling.routing.hours import OpeningHours

    from .helpers import service

    closed = OpeningHours({}, tz="UTC")
    r = make_router(services={"migri": service("migri", max_queue=1, hours=closed)})
    login(r, "clerk", T0, skills=("migri",), ready=False)
    assert of(r.handle(JoinQueue("w", "migri", "fi"), T0), JoinRefused)[0].code == "service_closed"
    out = r.handle(JoinQueue("k1", "migri", "fi", booking=BookedJoin("b-1", "clerk", T0 + 300)), T0)
    assert of(out, JoinRefused) == [] and of(out, EntryQueued)


def test_leaving_before_the_slot_puts_the_booking_back_to_booked() -> None:
    desk = BookingDesk(CFG)
    checked_in(desk, SLOT - 300)
    back = desk.leave("b-1", SLOT - 200)
    assert back is not None and back.state == "booked"
    assert desk.reservation("k1", SLOT - 200) == back
    again = desk.check_in(back, "k2", "lieksa", SLOT - 100)
    assert isinstance(again, CheckedIn) and again.booking.checked_in_kiosk == "k2"
    assert desk.reservation("k1", SLOT - 100) is None  # checked in elsewhere: k1 is free


def test_check_in_refusals() -> None:
    desk = BookingDesk(CFG)
    rec = booking()
    early = desk.check_in(rec, "k1", "lieksa", SLOT - 901)
    assert (getattr(early, "reason", None), getattr(early, "check_in_from", None)) == (
        "too_early",
        SLOT - 900,
    )
    assert getattr(desk.check_in(rec, "k1", "nurmes", SLOT), "reason", None) == "wrong_site"
    assert getattr(desk.check_in(None, "k1", "lieksa", SLOT), "reason", None) == "unknown_code"
    cancelled = replace(rec, state="cancelled")
    assert getattr(desk.check_in(cancelled, "k1", "lieksa", SLOT), "reason", None) == "cancelled"
    used = replace(rec, state="in_call")
    assert getattr(desk.check_in(used, "k1", "lieksa", SLOT), "reason", None) == "used"
    assert isinstance(desk.check_in(rec, "k1", "lieksa", SLOT - 900), CheckedIn)


def test_the_named_clerk_gets_no_walk_ins_shortly_before_the_meeting() -> None:
    r, desk = make_router(), BookingDesk(CFG)  # booked_guard_s 600 by default
    login(r, "clerk", SLOT - 1000, skills=("migri",))
    r.handle(ClerkBooked("clerk", SLOT), SLOT - 1000)
    out = r.handle(JoinQueue("w1", "migri", "fi"), SLOT - 900)
    offer = only_offer(out)  # 15 minutes before: still free for a walk-in
    r.handle(RejectOffer("clerk", offer.offer_id), SLOT - 890)
    r.handle(LeaveQueue("w1"), SLOT - 880)
    out = r.handle(JoinQueue("w2", "migri", "fi"), SLOT - 500)
    assert of(out, OfferSent) == []  # 8 minutes before: kept free
    checked_in(desk, SLOT - 60)
    out = run_desk(desk, r, SLOT)
    assert only_offer(out).kiosk_id == "k1"  # the booked citizen, not the walk-in
    r.handle(ClerkBooked("clerk", None), SLOT + 1)  # (the hub clears it once served)
    assert r.agent_view("clerk") is not None and r.agent_view("clerk").booked_at is None  # type: ignore[union-attr]


def restarted(now: float) -> tuple[Router, BookingDesk]:
    """A fresh router and desk after a restart at ``now``: the booked citizen checked in at
    SLOT - 60 and was released at SLOT; the store gives back the place (booked priority, join
    time) and the checked-in booking, nothing else."""
    r, desk = make_router(), BookingDesk(CFG)
    assert r.restore_entry("entry-9", "k1", "migri", "fi", BOOKED_PRIORITY, SLOT, now) == []
    desk.load([replace(booking(), state="checked_in", checked_in_at=SLOT - 60,
                       checked_in_kiosk="k1")])
    return r, desk


def restore_booking(r: Router, desk: BookingDesk, now: float) -> list[Action]:
    """What the hub does when the desk releases a citizen whose place the router holds."""
    out: list[Action] = []
    for action in desk.tick(now):
        assert isinstance(action, Release)
        booked = BookedJoin(action.booking.id, action.named_agent, action.named_until)
        out += r.handle(BookingRestored(action.kiosk_id, booked), now)
    return out


def test_a_restored_booked_place_is_offered_only_to_the_named_clerk_until_the_original_end(
) -> None:
    r, desk = restarted(SLOT + 100)
    login(r, "clerk", SLOT + 100, skills=("migri",), ready=False)  # the booked clerk is away
    login(r, "other", SLOT + 100, skills=("migri",))
    assert restore_booking(r, desk, SLOT + 100) == []
    out = r.handle(KioskReconnected("k1"), SLOT + 110)
    assert of(out, OfferSent) == []  # "other" is ready, but not the booked clerk
    # The window ends 300 s after the slot start, as before the restart, not 300 s after it.
    assert r.next_deadline() == SLOT + 300
    out = r.handle(Tick(), SLOT + 300)
    fallback = of(out, BookingFallback)
    assert [(f.kiosk_id, f.booking_id, f.named_agent) for f in fallback] == [("k1", "b-1", "clerk")]
    assert only_offer(out).agent_id == "other"


def test_a_restored_booked_place_goes_to_the_named_clerk_ahead_of_a_walk_in() -> None:
    r, desk = restarted(SLOT + 100)
    login(r, "clerk", SLOT + 100, skills=("migri",), ready=False)
    r.handle(ClerkBooked("clerk", SLOT), SLOT + 100)  # held for the meeting: no walk-ins
    restore_booking(r, desk, SLOT + 100)
    r.handle(JoinQueue("w1", "migri", "fi"), SLOT + 105)
    r.handle(KioskReconnected("k1"), SLOT + 110)
    assert only_offer(r.handle(AgentReady("clerk"), SLOT + 120)).kiosk_id == "k1"


def test_a_restore_after_the_named_window_keeps_the_booking_but_not_the_restriction() -> None:
    r, desk = restarted(SLOT + 400)
    login(r, "other", SLOT + 400, skills=("migri",))
    r.handle(ClerkBooked("other", SLOT + 800), SLOT + 400)  # held for their own meeting
    assert restore_booking(r, desk, SLOT + 400) == []  # no second fallback
    # A held clerk may take a booked citizen (never a walk-in): the place is booked again.
    assert only_offer(r.handle(KioskReconnected("k1"), SLOT + 410)).kiosk_id == "k1"


def test_a_booking_restored_to_a_kiosk_not_queued_or_holding_another_is_refused() -> None:
    r, desk = restarted(SLOT + 100)
    out = r.handle(BookingRestored("k2", BookedJoin("b-1", "clerk", SLOT + 300)), SLOT + 100)
    assert [(x.target_id, x.code) for x in of(out, Rejected)] == [("k2", "bad_state")]
    restore_booking(r, desk, SLOT + 100)
    again = r.handle(BookingRestored("k1", BookedJoin("b-1", "clerk", SLOT + 300)), SLOT + 101)
    assert of(again, Rejected) == []  # the same booking twice: nothing changes
    other = r.handle(BookingRestored("k1", BookedJoin("b-2", None, SLOT)), SLOT + 102)
    assert [x.code for x in of(other, Rejected)] == ["bad_state"]
