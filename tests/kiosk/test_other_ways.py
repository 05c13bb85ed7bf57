"""Both other ways, in the presenter alone: a closed service, a long wait and no clerk in the
citizen's language each offer a time booked at this kiosk and a call back.  No screen, no
network, injected clocks."""

from __future__ import annotations

from kiosk.booking_state import LONG_WAIT_S
from kiosk.guidance import utterance
from kiosk.i18n import Catalogue
from kiosk.state import Screen
from tests.kiosk.test_booking_flow import checked_in_presenter
from tests.kiosk.test_flow import make, names
from tools.shots import without_clerk_in

WALL = 1.7e9
CAT = Catalogue.load()


def queued(language: str = "fi", wait_s: float = LONG_WAIT_S + 60, kind: str = "minutes"):  # type: ignore[no-untyped-def]
    p, effects, clock = make()
    p.choose_language(language)  # type: ignore[arg-type]
    p.choose_service("vero.tax")
    p.accept_privacy()
    p.join_queue()
    p.on_queued(6, wait_s, estimate_kind=kind)  # type: ignore[arg-type]
    return p, effects, clock


def test_a_closed_tile_offers_both_ways_and_queues_nobody() -> None:
    p, effects, _ = make()
    p.choose_language("sv")
    p.choose_service("mml.property")  # closed until tomorrow
    assert p.screen == Screen.OTHER_WAYS
    ways = p.citizen.other_ways
    assert ways is not None and ways.service_id == "mml.property" and ways.reason == "closed"
    assert "join_queue" not in names(effects) and not p.queued
    p.choose_way("nonsense")  # neither way: nothing happens
    assert p.screen == Screen.OTHER_WAYS


def test_booking_from_the_choice_and_back_to_it() -> None:
    p, effects, _ = make()
    p.choose_language("en")
    p.choose_service("mml.property")
    p.choose_way("book")
    offer = p.citizen.booking.offer
    assert p.screen == Screen.BOOKING and offer is not None and offer.reason == "closed"
    assert ("get_slots", ("mml.property", "fi")) in effects.calls  # no English there
    p.leave_booking()  # not booked: the choice again, not the service list
    assert p.screen == Screen.OTHER_WAYS and p.citizen.booking.offer is None


def test_call_back_from_the_choice_and_back_to_it() -> None:
    p, _, _ = make()
    p.choose_language("fi")
    p.choose_service("mml.property")
    p.choose_way("callback")
    form = p.citizen.callback
    assert p.screen == Screen.CALLBACK and form is not None and form.reason == "closed"
    assert form.service_id == "mml.property" and form.language == "fi"
    p.callback_back()  # the number is forgotten, the choice is shown again
    assert p.screen == Screen.OTHER_WAYS and p.citizen.callback is None
    p.leave_other_ways()
    assert p.screen == Screen.SERVICES and p.citizen.other_ways is None


def test_the_choice_goes_with_the_citizen() -> None:
    p, _, _ = make()
    p.choose_language("fi")
    p.choose_service("mml.property")
    p.reset()
    assert p.screen == Screen.WELCOME and p.citizen.other_ways is None


def test_a_long_wait_offers_both_ways_and_keeps_the_place_until_one_is_chosen() -> None:
    p, effects, _ = queued(wait_s=LONG_WAIT_S - 60)
    assert not p.long_wait()
    said = utterance(p, CAT)
    assert said is not None and ("fi", CAT.tr("fi", "waiting.other_ways")) not in said.state
    p.on_queued(6, LONG_WAIT_S + 60, estimate_kind="minutes")
    assert p.long_wait() and p.queued and "leave_queue" not in names(effects)
    said = utterance(p, CAT)  # spoken guidance says the two ways too
    assert said is not None and ("fi", CAT.tr("fi", "waiting.other_ways")) in said.state
    p.book_instead("long_wait")
    offer = p.citizen.booking.offer
    assert p.screen == Screen.BOOKING and offer is not None and offer.reason == "long_wait"
    assert not p.queued and "leave_queue" in names(effects)
    assert ("get_slots", ("vero.tax", "fi")) in effects.calls


def test_a_long_wait_offers_a_call_back_in_the_queue_s_language() -> None:
    p, effects, _ = queued(language="sv")
    p.call_back_instead("long_wait")
    form = p.citizen.callback
    assert p.screen == Screen.CALLBACK and form is not None and form.reason == "long_wait"
    assert not p.queued and "leave_queue" in names(effects)
    p.callback_back()  # the place is given up: back to the services, not to a wait
    assert p.screen == Screen.SERVICES


def test_no_offer_for_a_short_or_unknown_wait_or_a_booked_citizen() -> None:
    p, _, _ = queued(kind="soon")  # "a clerk answers soon" is not a long wait
    assert not p.long_wait()
    p, _, _ = queued(kind="none")
    assert not p.long_wait()
    p, _, _ = checked_in_presenter()
    p.citizen.estimated_wait_s, p.citizen.estimate_kind = 3600.0, "minutes"
    assert p.queued and not p.long_wait()  # a booked citizen waits for their time


def test_no_clerk_in_the_language_offers_a_booking_in_that_language() -> None:
    p, effects, _ = make()
    p.on_services(without_clerk_in(p.services, "sv", WALL))
    p.choose_language("sv")
    p.choose_service("kela.benefits")
    assert p.screen == Screen.LANGUAGE_HELP
    help_ = p.language_help()
    assert help_ is not None and help_.callback_offered
    p.book_instead("language")
    offer = p.citizen.booking.offer
    assert p.screen == Screen.BOOKING and offer is not None and offer.language == "sv"
    assert ("get_slots", ("kela.benefits", "sv")) in effects.calls
    p.leave_booking()  # back to the languages, where the other ways are
    assert p.screen == Screen.LANGUAGE_HELP
    p.call_back_instead("language")
    form = p.citizen.callback
    assert p.screen == Screen.CALLBACK and form is not None and form.language == "sv"
    p.callback_back()
    assert p.screen == Screen.LANGUAGE_HELP


def test_the_choice_is_spoken_in_the_citizen_s_language() -> None:
    p, _, _ = make()
    p.choose_language("sv")
    p.choose_service("mml.property")
    said = utterance(p, CAT)
    assert said is not None
    texts = [text for lang, text in said.intro if lang == "sv"]
    assert CAT.tr("sv", "other_ways.title") in texts
    assert any(CAT.tr("sv", "other_ways.book") in t for t in texts)
    assert any(CAT.tr("sv", "other_ways.callback") in t for t in texts)


def test_out_of_service_replaces_the_choice() -> None:
    p, _, clock = make()
    p.choose_language("fi")
    p.choose_service("mml.property")
    p.on_connection(False)
    clock.t += 3600
    p.tick()
    assert p.screen == Screen.OUT_OF_SERVICE and p.citizen.other_ways is None
