"""A kiosk that cannot work says so instead of letting a citizen start a visit."""

from __future__ import annotations

from kiosk import wording
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.state import OUT_OF_SERVICE_AFTER_S, Screen, Site
from tests.kiosk.test_flow import Clock, make, names
from tests.kiosk.test_presence import queued, run_for
from tools.kiosk_screenshots import NullEffects
from tools.shots import catalogue_services, without_clerk_in

CAT = Catalogue.load()


def test_an_untrusted_server_puts_the_kiosk_out_of_service_at_once() -> None:
    p, effects, clock = make()
    p.choose_language("sv")
    p.choose_service("kela.benefits")  # a citizen was about to start
    p.toggle_large_text()
    p.on_connection(False, problem="tls_untrusted")
    assert p.screen == Screen.OUT_OF_SERVICE
    # Their errand is forgotten; how they read the kiosk is kept.
    assert p.citizen.service_id is None
    assert p.language == "sv" and p.citizen.large_text
    assert wording.out_of_service_lines(p, CAT) == [
        "Den här terminalen är inte i bruk just nu",
        "Be personalen vid servicepunkten om hjälp.",
        "Terminalen får ingen säker förbindelse till tjänsten. Den behöver service.",
        CAT.tr("sv", "out_of_service.other_ways"),
        CAT.tr("sv", "out_of_service.operators"),
    ]
    run_for(p, clock, 3600, step=10)  # no prompt, no reset: it stays until fixed
    assert p.screen == Screen.OUT_OF_SERVICE and p.prompt is None
    p.choose_language("fi")  # nothing on this screen leads into the flow
    p.set_language("fi")
    assert p.screen == Screen.OUT_OF_SERVICE and p.language == "fi"
    before = len(names(effects))
    p.on_connection(True)  # the certificate was fixed and the kiosk reconnected
    assert p.screen == Screen.WELCOME
    assert "refresh_services" in names(effects)[before:]


def test_a_short_outage_shows_only_the_bar_a_long_one_the_sign() -> None:
    p, _, clock = make()
    p.on_connection(False)
    run_for(p, clock, OUT_OF_SERVICE_AFTER_S - 5)
    assert p.screen == Screen.WELCOME  # a server restart: the top bar's notice is enough
    p.on_connection(True)
    run_for(p, clock, 30)
    p.on_connection(False)  # counted afresh from this loss
    run_for(p, clock, OUT_OF_SERVICE_AFTER_S - 5)
    assert p.screen == Screen.WELCOME
    run_for(p, clock, 10)
    assert p.screen == Screen.OUT_OF_SERVICE
    assert wording.out_of_service_lines(p, CAT)[2] == CAT.tr("fi", "out_of_service.offline")
    p.on_connection(True)
    assert p.screen == Screen.WELCOME


def test_a_kiosk_that_never_reaches_its_server_says_so_after_a_minute() -> None:
    clock = Clock()
    p = KioskPresenter(NullEffects(), clock=clock, site=Site(helpline="0295 000 000"))  # type: ignore[arg-type]
    run_for(p, clock, OUT_OF_SERVICE_AFTER_S - 1)
    assert p.screen == Screen.WELCOME  # booting: the first connection takes a moment
    run_for(p, clock, 2)
    assert p.screen == Screen.OUT_OF_SERVICE
    assert wording.out_of_service_lines(p, CAT)[1] == "Apua saat puhelimitse: 0295 000 000."


def test_waiting_and_calls_are_not_cut_off_and_the_sign_comes_after() -> None:
    p, _, clock = queued()
    p.on_connection(False)
    run_for(p, clock, OUT_OF_SERVICE_AFTER_S * 1.5)
    assert p.screen == Screen.RECONNECTING and p.queued  # the place is kept while it tries
    p.give_up()  # the citizen stops waiting (or the prompt ran out)
    assert p.screen == Screen.WELCOME
    p.tick()
    assert p.screen == Screen.OUT_OF_SERVICE


def test_the_end_screen_finishes_first() -> None:
    p, _, _ = make()
    p.choose_language("fi")
    p.on_call_started("Aino")
    p.on_call_ended("hangup")
    assert p.screen == Screen.END
    p.on_connection(False, problem="tls_untrusted")
    assert p.screen == Screen.END  # the citizen may still rate and read
    p.finish()
    p.tick()
    assert p.screen == Screen.OUT_OF_SERVICE


def test_every_screen_before_the_queue_gives_way() -> None:
    for setup in ("services", "language_help", "privacy", "device_check"):
        p, _, _ = make()
        p.choose_language("sv")
        if setup == "language_help":
            p.on_services(without_clerk_in(catalogue_services(1.7e9), "sv", 1.7e9))
        if setup != "services":
            p.choose_service("kela.benefits")
        if setup == "device_check":
            p.accept_privacy()
        assert p.screen == Screen(setup)
        p.on_connection(False, problem="tls_untrusted")
        assert p.screen == Screen.OUT_OF_SERVICE, setup
