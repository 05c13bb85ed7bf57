"""The waiting screen reads the server's kind of estimate (``estimate_kind``) honestly, in
each language, on screen and in spoken guidance: "soon" in words, minutes rounded up, and
no number at all when there is no honest estimate, with the assurance that the place is
kept."""

from __future__ import annotations

import pytest

from kiosk import guidance, wording
from kiosk.i18n import Catalogue
from kiosk.ui.waiting import WaitingScreen
from tests.kiosk.test_presence import queued
from wire import server_messages as S
from wire.types import EstimateKind, Language

CAT = Catalogue.load()

SAID = {
    "en": {
        "soon": "A clerk will answer you soon",
        "minutes": "About 8 minutes",
        "none": "We can't estimate the wait right now — you keep your place",
    },
    "fi": {
        "soon": "Virkailija vastaa sinulle pian",
        "minutes": "Noin 8 minuuttia",
        "none": "Odotusaikaa ei voi nyt arvioida — paikkasi jonossa säilyy",
    },
    "sv": {
        "soon": "En handläggare svarar dig snart",
        "minutes": "Cirka 8 minuter",
        "none": "Vi kan inte uppskatta väntetiden just nu — du behåller din plats i kön",
    },
}
SECONDS: dict[EstimateKind, float | None] = {"soon": 40.0, "minutes": 421.0, "none": None}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
@pytest.mark.parametrize("kind", ["soon", "minutes", "none"])
def test_each_kind_of_estimate_in_each_language(lang: Language, kind: EstimateKind) -> None:
    p, _, _ = queued(lang)
    p.on_queued(3, SECONDS[kind], estimate_kind=kind)
    position, estimate = wording.waiting_lines(p, CAT)
    assert position == CAT.tr(lang, "waiting.position", position=3)
    assert estimate == SAID[lang][kind]  # 421 s is 7.02 min: rounded up, never undersold
    said = guidance.utterance(p, CAT)
    assert said is not None and (lang, estimate) in said.state


def test_minutes_round_up_and_one_minute_reads_as_one() -> None:
    p, _, _ = queued("en")
    for seconds, text in [(60.0, "About 1 minute"), (61.0, "About 2 minutes"),
                          (600.0, "About 10 minutes"), (3599.0, "About 60 minutes")]:
        p.on_queued(2, seconds, estimate_kind="minutes")
        assert wording.waiting_lines(p, CAT)[1] == text, seconds


def test_a_server_without_kinds_is_read_from_the_seconds() -> None:
    p, _, _ = queued("sv")
    for seconds, kind in [(None, "none"), (20.0, "soon"), (421.0, "minutes")]:
        p.on_queued(2, seconds)  # an older server: no estimate_kind
        assert wording.waiting_lines(p, CAT)[1] == SAID["sv"][kind]
    # A kind that contradicts the seconds never makes up a number.
    p.on_queued(2, None, estimate_kind="minutes")
    assert wording.waiting_lines(p, CAT)[1] == SAID["sv"]["none"]


def test_the_kind_is_forgotten_when_the_citizen_queues_again() -> None:
    p, _, _ = queued("fi")
    p.on_queued(1, 30.0, estimate_kind="soon")
    p.cancel_wait()
    p.choose_service("kela.benefits")
    p.accept_privacy()
    p.join_queue()
    assert p.citizen.estimate_kind is None and p.citizen.estimated_wait_s is None
    assert wording.waiting_lines(p, CAT) == (CAT.tr("fi", "waiting.joining"), "")


def test_the_wire_kind_reaches_the_screen(qapp) -> None:  # type: ignore[no-untyped-def]
    p, _, _ = queued("fi")
    message = S.QueuePosition(entry_id="e1", service="kela.benefits", language="fi",
                              position=4, estimated_wait_s=None, estimate_kind="none")
    p.on_queued(message.position, message.estimated_wait_s, message.kiosk_needed,
                message.estimate_kind)
    screen = WaitingScreen(p, CAT)
    screen.refresh()
    assert screen.estimate.text() == SAID["fi"]["none"]
    assert screen.title.text() == CAT.tr("fi", "waiting.title")
    assert "pian" not in screen.title.text()  # the title promises nothing the estimate denies
