"""Call me back in the presenter (issue 14): where it is offered, typing and checking the
number, the promise, and that the number leaves with the citizen. No screen, no network."""

from __future__ import annotations

from kiosk import callback_wording, guidance
from kiosk.i18n import Catalogue
from kiosk.state import Screen
from signaling.settings import Settings
from tests.kiosk.test_flow import make, names
from tools.shots import without_clerk_in

CAT = Catalogue.load()


def type_number(p, text: str) -> None:  # type: ignore[no-untyped-def]
    for char in text:
        p.callback_key(char)


def test_a_long_wait_offers_a_callback_which_leaves_the_queue() -> None:
    p, effects, _ = make()
    p.choose_language("fi")
    p.choose_service("kela.benefits")
    p.accept_privacy()
    p.join_queue()
    p.on_queued(3, 600.0, estimate_kind="minutes")
    assert not p.long_wait()  # ten minutes is not long
    p.on_queued(6, 1740.0, estimate_kind="minutes")
    assert p.long_wait()
    p.offer_callback("long_wait")
    assert p.screen == Screen.CALLBACK and not p.queued and "leave_queue" in names(effects)
    form = p.citizen.callback
    assert form is not None and (form.service_id, form.language, form.reason) == (
        "kela.benefits", "fi", "long_wait")
    p.callback_back()
    assert p.screen == Screen.SERVICES and p.citizen.callback is None


def test_the_keypad_takes_digits_spaces_and_one_leading_plus_and_checks_the_number() -> None:
    p, effects, _ = make()
    p.choose_language("sv")
    p.on_services(without_clerk_in(p.services, "sv", 1.7e9))
    p.choose_service("kela.benefits")
    assert p.screen == Screen.LANGUAGE_HELP
    help_ = p.language_help()
    assert help_ is not None and help_.callback_offered
    p.offer_callback("language")
    type_number(p, "+4+6 70x")  # a second + and anything not on the keypad are ignored
    assert p.citizen.callback.typed == "+46 70"  # type: ignore[union-attr]
    p.send_callback()
    assert p.citizen.callback.error == "invalid"  # type: ignore[union-attr]
    assert "request_callback" not in names(effects)
    p.callback_delete()
    assert p.citizen.callback.error is None  # type: ignore[union-attr]
    type_number(p, "0123 45 67")
    p.send_callback()
    assert ("request_callback", ("kela.benefits", "sv", "+46 70123 45 67")) in effects.calls
    assert p.citizen.callback.sending  # type: ignore[union-attr]
    p.send_callback()  # a second touch sends nothing more
    assert names(effects).count("request_callback") == 1
    p.on_callback_failed("offline")
    assert p.citizen.callback.error == "offline" and not p.citizen.callback.sending  # type: ignore[union-attr]


def test_the_promise_is_shown_and_the_number_goes_with_the_citizen() -> None:
    p, effects, _ = make()
    p.choose_language("en")
    p.choose_service("mml.property")  # closed: the choice, then "call me back"
    p.choose_way("callback")
    assert p.screen == Screen.CALLBACK
    type_number(p, "040 123 4567")
    p.send_callback()
    due = 1.7e9 + 86400 + 3600
    p.on_callback_accepted("2023-11-16", due, same_day=False)
    assert p.screen == Screen.CALLBACK_DONE
    lines = callback_wording.done_lines(p, CAT)
    assert lines[1].startswith("A clerk of ") and "tomorrow, before" in lines[1]
    assert "4567" in lines[callback_wording.DONE_NUMBER_LINE]
    spoken = guidance.utterance(p, CAT)
    assert spoken is not None and not any("4567" in text for _lang, text in spoken.intro)
    p.callback_finish()
    assert p.screen == Screen.WELCOME and p.citizen.callback is None
    assert "forget_citizen" in names(effects)


def test_an_unanswered_prompt_on_the_callback_screen_forgets_the_number() -> None:
    p, _effects, clock = make()
    p.choose_language("fi")
    p.choose_service("mml.property")
    p.choose_way("callback")
    type_number(p, "040 123")
    clock.t += 121  # past the screen's idle time: asked, then unanswered
    p.tick()
    assert p.prompt is not None
    clock.t += 60
    p.tick()
    assert p.screen == Screen.WELCOME and p.citizen.callback is None


def test_the_consent_states_the_servers_retention_period() -> None:
    assert Settings().retention_callback_numbers_days == callback_wording.NUMBER_DAYS
    p, _, _ = make()
    for lang in ("fi", "sv", "en"):
        p.citizen.language = lang  # type: ignore[assignment]
        p.choose_service("mml.property")
        p.choose_way("callback")
        use, delete, agree = callback_wording.consent_lines(p, CAT)
        assert "Maanmittauslaitos" in use or "Lantmäteriverket" in use or "Land Survey" in use
        assert str(callback_wording.NUMBER_DAYS) in delete
        assert CAT.tr(lang, "callback.send") in agree  # agreeing is the button it names
        p.callback_back()
        p.leave_other_ways()


def test_a_service_without_english_calls_an_english_speaker_back_in_finnish_and_says_so() -> None:
    p, _, _ = make()
    p.choose_language("en")
    no_english = next(s for s in p.services if "en" not in s.languages)
    p.citizen.service_id = no_english.id
    p.offer_callback("closed")
    form = p.citizen.callback
    assert form is not None and form.language == "fi"
    assert "in Finnish" in callback_wording.request_lines(p, CAT)[2]
