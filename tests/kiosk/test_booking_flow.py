"""Appointments in the presenter alone: check-in by code or QR, refusals, the booked wait,
booking a time here, the reserved kiosk.  No screen, no network, injected clocks."""

from __future__ import annotations

from i18n import local_time
from kiosk import booking_wording, wording
from kiosk.booking_state import LONG_WAIT_S, MadeBooking, SlotChoice
from kiosk.i18n import Catalogue
from kiosk.state import Screen
from tests.kiosk.test_flow import make, names

WALL = 1.7e9
CAT = Catalogue.load()


def checked_in_presenter():  # type: ignore[no-untyped-def]
    p, effects, clock = make()
    p.start_check_in("sv")
    p.accept_privacy()
    p.join_queue()  # the device check's "continue"
    for ch in "ace479":
        p.type_code(ch)
    p.submit_code()
    p.on_checked_in("b-1", "oikeusapu.legal_aid", "sv", WALL + 600, WALL + 2400, "Aino")
    return p, effects, clock


def test_typed_code_keeps_only_the_alphabet_and_six_characters() -> None:
    p, effects, _ = make()
    p.start_check_in("fi")
    assert p.screen == Screen.PRIVACY and "start_code_scan" not in names(effects)
    p.back()  # not wanted after all: the visit ends
    assert p.screen == Screen.WELCOME and p.citizen.booking.check_in is None
    p.start_check_in("fi")
    p.accept_privacy()  # the notice read and accepted, as a walk-in does
    assert p.screen == Screen.DEVICE_CHECK and "start_device_check" in names(effects)
    p.join_queue()  # the device check's "continue": no queue is joined
    assert p.screen == Screen.CHECK_IN and p.language == "fi"
    assert "join_queue" not in names(effects) and "stop_device_check" in names(effects)
    assert "start_code_scan" in names(effects)
    for ch in "A0OIC1E4S7B9X":  # 0, O, I, 1, S, B are not in the code alphabet
        p.type_code(ch)
    check = p.citizen.booking.check_in
    assert check is not None and check.typed == "ACE479"  # the X was a seventh character
    assert p.code_complete()
    p.delete_code_char()
    assert check.typed == "ACE47" and not p.code_complete()
    p.submit_code()  # incomplete: nothing sent
    assert "check_in" not in names(effects)
    p.type_code("9")
    p.submit_code()
    assert ("check_in", ("ACE479", "typed")) in effects.calls and check.phase == "checking"
    p.type_code("A")  # typing while the server checks changes nothing
    assert check.typed == "ACE479"


def test_refusal_keeps_the_code_for_correction_and_says_why() -> None:
    p, _, _ = make()
    p.start_check_in("en")
    p.accept_privacy()
    p.join_queue()  # the device check's "continue"
    for ch in "ACE479":
        p.type_code(ch)
    p.submit_code()
    p.on_check_in_refused("too_early", check_in_from=WALL + 3600, start=WALL + 4500)
    check = p.citizen.booking.check_in
    assert check is not None and check.phase == "refused" and check.typed == "ACE479"
    text = booking_wording.check_in_status(p, CAT, check)
    assert "too early" in text and "opens" in text
    p.delete_code_char()  # correcting: the refusal goes away
    assert check.phase == "entering" and booking_wording.check_in_status(p, CAT, check) == ""
    p.on_check_in_refused("wrong_site", site_name="Lieksa")  # late answer, not checking: kept
    assert "Lieksa" in booking_wording.check_in_status(p, CAT, check)


def test_qr_read_checks_in_once_and_ignores_other_qr_codes() -> None:
    p, effects, _ = make()
    p.on_code_scanned("https://etapiste.example/book/ACE479")  # not on the check-in screen
    assert "check_in" not in names(effects)
    p.start_check_in("fi")
    p.accept_privacy()
    p.join_queue()  # the device check's "continue"
    p.on_code_scanned("https://shop.example/offers")  # a leaflet's QR code: ignored
    assert "check_in" not in names(effects)
    p.on_code_scanned("https://etapiste.example/book/ACE479")
    p.on_code_scanned("https://etapiste.example/book/ACE479")  # still checking: not again
    sent = [args for name, args in effects.calls if name == "check_in"]
    assert sent == [("https://etapiste.example/book/ACE479", "qr")]
    p.on_check_in_refused("unknown_code")
    p.on_code_scanned("ACE479")  # the same code again after a refusal: not resent
    assert len([n for n in names(effects) if n == "check_in"]) == 1
    p.on_code_scanned("FHJ-KMP")  # another code: sent
    assert ("check_in", ("FHJ-KMP", "qr")) in effects.calls


def test_checked_in_waits_counting_down_then_hears_of_another_clerk() -> None:
    p, effects, clock = checked_in_presenter()
    assert p.screen == Screen.WAITING and p.queued and "stop_code_scan" in names(effects)
    a = p.citizen.booking.appointment
    assert a is not None and a.clerk_name == "Aino"
    assert p.citizen.service_id == "oikeusapu.legal_aid"
    assert p.appointment_seconds_left() == 600
    _, status, clerk = booking_wording.appointment_lines(p, CAT, a)
    assert "10" in status and "Aino" in clerk
    clock.t += 300  # counting down is not idleness: no "are you still there?"
    p.tick()
    assert p.prompt is None
    p.on_appointment_wait("other_clerk", WALL + 600, WALL + 2400, None)
    assert a.clerk_name is None
    assert booking_wording.appointment_notice(p, CAT, a) == CAT.tr("sv", "booking.other_clerk")
    p.on_call_started("Bertil")
    assert p.screen == Screen.CALL


def test_leaving_a_booked_wait_forgets_the_citizen() -> None:
    p, effects, _ = checked_in_presenter()
    p.leave_wait()
    assert p.screen == Screen.WELCOME and "leave_queue" in names(effects)
    assert p.citizen.booking.appointment is None and p.citizen.service_id is None


def test_closed_service_books_a_time_and_shows_the_code() -> None:
    p, effects, _ = make()
    p.choose_language("en")
    p.choose_service("mml.property")  # closed: the choice, then "book a time here"
    assert p.screen == Screen.OTHER_WAYS
    p.choose_way("book")
    offer = p.citizen.booking.offer
    assert p.screen == Screen.BOOKING and offer is not None and offer.reason == "closed"
    # The land survey serves Finnish and Swedish only: English times would never be found.
    assert offer.language == "fi" and ("get_slots", ("mml.property", "fi")) in effects.calls
    _title, why, _status = booking_wording.offer_lines(p, CAT, offer)
    assert why.endswith("The meeting will be in Finnish.")
    later, sooner = SlotChoice(WALL + 7200, WALL + 9000), SlotChoice(WALL + 3600, WALL + 5400)
    p.on_slots("mml.property", [later, sooner])
    assert offer.phase == "slots" and [s.start for s in offer.slots] == [WALL + 3600, WALL + 7200]
    p.choose_slot(WALL + 999)  # not offered: ignored
    assert "make_booking" not in names(effects)
    p.choose_slot(WALL + 3600)
    assert ("make_booking", ("mml.property", "fi", WALL + 3600)) in effects.calls
    p.on_booking_failed("slot_taken")
    assert offer.phase == "failed" and names(effects).count("get_slots") == 2
    p.on_slots("mml.property", [SlotChoice(WALL + 7200, WALL + 9000)])
    p.choose_slot(WALL + 7200)
    p.on_booking_made(MadeBooking("ACE479", WALL + 7200, WALL + 9000, "https://x/book/ACE479"))
    assert offer.phase == "made"
    assert "Your code: ACE-479" in booking_wording.made_lines(p, CAT, offer)
    p.leave_booking()  # done: the code is forgotten with the citizen
    assert p.screen == Screen.WELCOME and p.citizen.booking.offer is None


def test_long_wait_offers_a_booking_and_gives_the_place_up() -> None:
    p, effects, _ = make()
    p.choose_language("fi")
    p.choose_service("vero.tax")
    p.accept_privacy()
    p.join_queue()  # the device check's "continue"
    p.join_queue()
    p.on_queued(5, LONG_WAIT_S - 60)
    assert not p.long_wait()
    p.on_queued(6, LONG_WAIT_S + 60)
    assert p.long_wait()
    p.offer_booking("vero.tax", "long_wait")
    assert p.screen == Screen.BOOKING and not p.queued and "leave_queue" in names(effects)
    assert ("get_slots", ("vero.tax", "fi")) in effects.calls


def test_reserved_kiosk_refuses_a_walk_in_with_the_times() -> None:
    p, _, _ = make()
    p.choose_language("en")
    p.choose_service("kela.benefits")
    p.accept_privacy()
    p.join_queue()  # the device check's "continue"
    p.join_queue()
    at = WALL + 1200
    p.on_kiosk_schedule(at, at + 1800)
    p.on_refused("kiosk_reserved")
    assert p.screen == Screen.SERVICES and p.citizen.refusal is not None

    text = wording.refusal_text(p, CAT, p.citizen.refusal)
    start = CAT.clock("en", local_time(at))
    assert "booked from " + start in text
    assert p.reserved_soon()
    p.on_kiosk_schedule(None, None)
    assert not p.reserved_soon()


def test_spoken_guidance_says_the_appointment_screens() -> None:
    from kiosk.guidance import utterance

    p, _, _ = make()
    p.start_check_in("sv")
    p.accept_privacy()
    p.join_queue()  # the device check's "continue"
    said = utterance(p, CAT)
    assert said is not None and (("sv", CAT.tr("sv", "booking.check_in_title")) in said.intro)
    p.leave_check_in()
    p.choose_language("sv")
    p.offer_booking("kela.benefits")
    p.on_slots("kela.benefits", [SlotChoice(WALL + 3600, WALL + 5400)])
    p.choose_slot(WALL + 3600)
    p.on_booking_made(MadeBooking("ACE479", WALL + 3600, WALL + 5400, "ACE479"))
    said = utterance(p, CAT)
    assert said is not None
    assert any("A C E, 4 7 9" in text for _, text in said.state)  # spelled out, not "ace"
