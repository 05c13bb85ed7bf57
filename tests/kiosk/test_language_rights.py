"""A Swedish speaker whose service has no Swedish clerk is told why and offered what exists."""

from __future__ import annotations

import datetime as dt

from kiosk import wording
from kiosk.i18n import LOCAL_TZ, Catalogue
from kiosk.state import Screen
from tests.kiosk.test_flow import make, names
from tools.shots import catalogue_services, without_clerk_in
from wire import server_messages as S

CAT = Catalogue.load()
NOW = 1.7e9  # the presenter's wall clock in make()


def one_pm() -> float:
    local = dt.datetime.fromtimestamp(NOW, LOCAL_TZ)
    at = local.replace(hour=13, minute=0, second=0, microsecond=0)
    return (at if at > local else at + dt.timedelta(days=1)).timestamp()


def test_swedish_citizen_is_offered_the_finnish_queue_with_its_wait_and_the_outlook() -> None:
    p, effects, _ = make()
    p.on_services(without_clerk_in(catalogue_services(NOW), "sv", NOW))
    p.choose_language("sv")
    kela = p.service("kela.benefits")
    assert kela is not None and p.tile_state(kela) == "other_language"
    status = wording.tile_status(p, CAT, kela)
    assert status == CAT.tr("sv", "services.language_unavailable")

    p.choose_service("kela.benefits")  # the tile does something: it explains
    assert p.screen == Screen.LANGUAGE_HELP and "join_queue" not in names(effects)
    help_ = p.language_help()
    assert help_ is not None and help_.offered and not help_.nobody
    lines = wording.language_help_lines(p, CAT, help_)
    assert lines[0] == "Service på svenska finns inte just nu"
    assert "FPA:s förmåner: ingen handläggare som talar svenska är i tjänst just nu." in lines
    assert CAT.tr("sv", "language.right") in lines
    when = CAT.when("sv", one_pm(), NOW)
    assert f"Service på svenska väntas {when}." in lines
    options = {o.language: wording.option_text(p, CAT, o) for o in help_.options}
    assert options["fi"] == "Köa på finska – väntetid cirka 7 min"
    assert set(options) == {"fi", "en"}
    assert help_.callback_offered  # [2.7]: a time booked here or a call back, in Swedish

    p.queue_in("fi")
    assert p.screen == Screen.PRIVACY and p.language == "sv"
    p.accept_privacy()
    p.join_queue()
    assert ("join_queue", ("kela.benefits", "fi")) in effects.calls
    assert wording.queue_language_line(p, CAT) == "Handläggaren betjänar dig på finska."
    assert p.language == "sv"  # the screens stay Swedish


def test_without_an_outlook_from_the_server_the_kiosk_says_it_does_not_know() -> None:
    p, _, _ = make()
    services = [
        s.model_copy(update={"language_expected_at": {}})
        for s in without_clerk_in(catalogue_services(NOW), "sv", NOW)
    ]
    p.on_services(services)
    p.choose_language("sv")
    p.choose_service("kela.benefits")
    help_ = p.language_help()
    assert help_ is not None and help_.expected_at is None
    assert CAT.tr("sv", "language.unknown") in wording.language_help_lines(p, CAT, help_)


def test_nobody_logged_in_offers_no_queue_but_still_explains() -> None:
    p, effects, _ = make()
    p.on_services(without_clerk_in(catalogue_services(NOW), "sv", NOW, nobody=True))
    p.choose_language("sv")
    p.choose_service("kela.benefits")
    help_ = p.language_help()
    assert help_ is not None and help_.nobody and help_.options == ()
    lines = wording.language_help_lines(p, CAT, help_)
    assert "FPA:s förmåner: ingen handläggare är i tjänst just nu." in lines
    p.queue_in("fi")
    assert p.screen == Screen.LANGUAGE_HELP and "join_queue" not in names(effects)


def test_a_clerk_logging_out_after_the_list_came_leads_to_the_same_explanation() -> None:
    p, _, _ = make()
    p.choose_language("sv")
    p.choose_service("kela.benefits")
    p.accept_privacy()
    p.join_queue()
    p.on_refused("language_unavailable", languages=["fi"])
    assert p.screen == Screen.LANGUAGE_HELP and not p.queued
    help_ = p.language_help()
    assert help_ is not None and [o.language for o in help_.options] == ["fi"]


def test_refusals_name_the_service() -> None:
    p, _, _ = make()
    p.choose_language("fi")
    p.choose_service("vero.tax")
    p.accept_privacy()
    p.join_queue()
    p.on_refused("queue_full")
    assert p.citizen.refusal is not None
    text = wording.refusal_text(p, CAT, p.citizen.refusal)
    assert text == "Verotus: jono on täynnä. Yritä myöhemmin uudelleen."


def test_the_outlook_is_an_optional_field_older_servers_leave_out() -> None:
    old = catalogue_services(NOW)[0].model_dump(mode="json")
    del old["language_expected_at"]
    parsed = S.ServiceInfo.model_validate(old)
    assert parsed.language_expected_at == {}
    fresh = S.ServiceInfo.model_validate({**old, "language_expected_at": {"sv": one_pm()}})
    assert fresh.language_expected_at == {"sv": one_pm()}
    position = S.QueuePosition.model_validate(
        {"type": "queue_position", "entry_id": "e1", "service": "kela.benefits",
         "language": "fi", "position": 2}
    )
    assert position.kiosk_needed is False
