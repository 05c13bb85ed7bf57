"""Spoken guidance, heard at the kiosk's audio output.

The kiosk plays through ALSA exactly as on a kiosk's speaker (PyAV's ALSA output, the same
:class:`~kiosk.audio_out.AudioOut`); here the ALSA device is the ``file`` plugin appending to
a file, so each screen's speech lands there, one clip after another.  For every screen and
language the capture must be speech (voice band, pauses, syllable rhythm), as long as a
fresh rendering of the screen's own sentences from the catalogue, and match it frame by
frame; the three languages must differ.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from pathlib import Path

import numpy as np
import pytest

from client_core.signaling_client import SignalingClient
from kiosk import wording
from kiosk.audio_out import AudioOut, Clip
from kiosk.controller import KioskController
from kiosk.devices import KioskDevices
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.speech.cache import SpeechCache
from kiosk.speech.speaker import PAUSE_S, Announcer, Speech
from kiosk.speech.voices import voice_for
from kiosk.state import Screen
from tests.kiosk import audio_checks as ac
from tests.kiosk.test_flow import make
from tools.shots import catalogue_services, without_clerk_in
from wire.types import LANGUAGES, Language

CAT = Catalogue.load()
NOW = 1.7e9
Line = tuple[Language, str]


def render(lines: list[Line] | list[list[Line]]) -> ac.Samples:
    """The lines as a citizen should hear them: the voice of each language, short pauses;
    several utterances one after another."""
    if lines and isinstance(lines[0], list):
        return np.concatenate([render(part) for part in lines])  # type: ignore[arg-type]
    clips: list[Clip] = []
    for lang, group in groupby(lines, key=lambda line: line[0]):  # type: ignore[index]
        clips += voice_for(lang).render_many([text for _, text in group])
    return Clip.join(clips, PAUSE_S, ac.RATE).pcm


def characters(lines: list[Line] | list[list[Line]]) -> int:
    if lines and isinstance(lines[0], list):
        return sum(characters(part) for part in lines)  # type: ignore[arg-type]
    return sum(len(text) for _, text in lines)  # type: ignore[misc]


def own(lang: Language, *texts: str) -> list[Line]:
    return [(lang, t) for t in texts if t]


def screen_texts(p: KioskPresenter) -> list[Line] | list[list[Line]]:
    """What each screen says, straight from the catalogue (and the service list); a list of
    utterances when the screen speaks again as its state changes."""
    lang, tr = p.language, CAT.tr
    match p.screen:
        case Screen.WELCOME:
            keys = ("welcome.title", "welcome.subtitle", "welcome.choose_language")
            return [(code, tr(code, k)) for code in LANGUAGES for k in keys]
        case Screen.SERVICES:
            lines = [tr(lang, "services.title"), tr(lang, "services.hint")]
            for info in p.services:
                name, status = getattr(info.names, lang), wording.tile_status(p, CAT, info)
                lines.append(f"{name}. {status}" if status else name)
            return own(lang, *lines)
        case Screen.LANGUAGE_HELP:
            help_ = p.language_help()
            assert help_ is not None
            lines = wording.language_help_lines(p, CAT, help_)
            lines += [wording.option_text(p, CAT, o) for o in help_.options]
            return own(lang, *lines)
        case Screen.PRIVACY:
            points = [tr(lang, f"privacy.{k}") for k in wording.PRIVACY_POINTS]
            return own(lang, tr(lang, "privacy.title"), CAT_SERVICE[lang],
                       tr(lang, "privacy.intro"), *points)
        case Screen.DEVICE_CHECK:
            return own(lang, tr(lang, "check.title"), tr(lang, "check.self_view"),
                       tr(lang, "check.microphone"))
        case Screen.WAITING:  # joining, then the place the server gave
            return [
                own(lang, tr(lang, "waiting.title"), CAT_SERVICE[lang],
                    tr(lang, "waiting.joining"), tr(lang, "waiting.sound_hint")),
                own(lang, tr(lang, "waiting.position", position=3),
                    tr(lang, "waiting.estimate", minutes=7)),
            ]
        case Screen.END:
            return own(lang, tr(lang, "end.title"), tr(lang, "end.ended"), tr(lang, "end.wiped"),
                       tr(lang, "end.rate"))
        case Screen.OUT_OF_SERVICE:
            return own(lang, *(tr(lang, f"out_of_service.{k}") for k in (
                "title", "ask_staff", "untrusted", "other_ways", "operators")))
    raise AssertionError(p.screen)


CAT_SERVICE = {"fi": "Kelan etuudet", "sv": "FPA:s förmåner", "en": "Kela benefits"}


class Speaker:
    """ALSA's file plugin as the kiosk's speaker (the same PyAV/ALSA path), appending to a
    file; :meth:`heard` returns what was played since the last call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.device = f"file:'|cat >>{path}',raw"
        self.read = 0

    async def heard(self, speech: Speech) -> ac.Samples:
        await speech.settle()
        # Only what was played since the last call: the file keeps growing.
        new = ac.read_raw(str(self.path), self.read) if self.path.exists() else ac.read_raw_empty()
        self.read += len(new)
        return new


@pytest.fixture
def kiosk(tmp_path: Path) -> tuple[KioskPresenter, Speech, Speaker]:
    speaker = Speaker(tmp_path / "speaker.raw")
    speech = Speech(AudioOut(speaker.device), SpeechCache(tmp_path / "cache", voice_for), CAT)
    p, _, _ = make()
    Announcer(p, CAT, speech)
    return p, speech, speaker


def steps(lang: Language) -> list[tuple[str, Callable[[KioskPresenter], None]]]:
    def no_clerk(p: KioskPresenter) -> None:
        p.on_services(without_clerk_in(catalogue_services(NOW), lang, NOW))
        p.choose_service("kela.benefits")

    def privacy(p: KioskPresenter) -> None:
        p.on_services(catalogue_services(NOW))
        p.choose_service("kela.benefits")

    def waiting(p: KioskPresenter) -> None:
        p.join_queue()
        p.on_queued(3, 420.0)

    def end(p: KioskPresenter) -> None:
        p.on_call_started("Aino")
        p.on_call_ended("hangup")

    return [
        ("services", lambda p: p.choose_language(lang)),
        ("out of service", lambda p: p.on_connection(False, problem="tls_untrusted")),
        ("welcome again", lambda p: p.on_connection(True)),
        ("services again", lambda p: p.choose_language(lang)),
        ("language help", no_clerk),
        ("services, back", lambda p: p.back()),
        ("privacy", privacy),
        ("device check", lambda p: p.accept_privacy()),
        ("waiting", waiting),
        ("end", end),
    ]


async def test_each_screen_is_spoken_in_the_chosen_language(kiosk) -> None:
    p, speech, speaker = kiosk
    p.toggle_speech()  # the welcome screen's "read aloud" button
    welcome = ac.trim(await speaker.heard(speech))
    expected = ac.trim(render(screen_texts(p)))
    assert ac.shape(welcome).is_speech(), ac.shape(welcome)
    assert abs(ac.seconds(welcome) - ac.seconds(expected)) <= 0.02 * ac.seconds(expected) + 0.05
    assert ac.similarity(welcome, expected) >= 0.95

    captures: dict[str, dict[Language, ac.Samples]] = {}
    for lang in LANGUAGES:
        p.reset()
        p.toggle_speech()
        await speaker.heard(speech)
        for name, go in steps(lang):
            go(p)
            got = ac.trim(await speaker.heard(speech))
            if name in ("welcome again", "services again", "services, back"):
                continue
            lines = screen_texts(p)
            want = ac.trim(render(lines))
            where = f"{lang} {name}"
            assert ac.shape(got).is_speech(), (where, ac.shape(got))
            assert abs(ac.seconds(got) - ac.seconds(want)) <= 0.02 * ac.seconds(want) + 0.05, (
                where, ac.seconds(got), ac.seconds(want))
            per_char = ac.seconds(got) / characters(lines)
            assert 0.03 <= per_char <= 0.12, (where, per_char)  # a plausible reading pace
            assert ac.similarity(got, want) >= 0.95, (where, ac.similarity(got, want))
            captures.setdefault(name, {})[lang] = got

    for name, by_lang in captures.items():  # the three languages are different speech
        for a in LANGUAGES:
            for b in LANGUAGES:
                if a < b:
                    assert ac.similarity(by_lang[a], by_lang[b]) < 0.8, (name, a, b)


async def test_queue_updates_are_spoken_and_a_prompt_interrupts(kiosk) -> None:
    p, speech, speaker = kiosk
    p.choose_language("sv")
    p.toggle_speech()
    p.choose_service("kela.benefits")
    p.accept_privacy()
    p.join_queue()
    p.on_queued(3, 420.0)
    await speaker.heard(speech)
    p.on_queued(2, 300.0)  # only what changed is said again
    got = ac.trim(await speaker.heard(speech))
    want = ac.trim(render(own("sv", CAT.tr("sv", "waiting.position", position=2),
                                    CAT.tr("sv", "waiting.estimate", minutes=5))))
    assert ac.similarity(got, want) >= 0.95
    assert abs(ac.seconds(got) - ac.seconds(want)) <= 0.05 * ac.seconds(want)


async def test_speech_off_says_nothing_more(kiosk) -> None:
    p, speech, speaker = kiosk
    p.choose_language("en")
    await speech.settle()
    assert speech.said == [] and not speaker.path.exists()
    p.toggle_speech()
    await speech.settle()
    assert len(speech.said) == 1
    p.toggle_speech()
    p.choose_service("kela.benefits")
    await speech.settle()
    assert len(speech.said) == 1


async def test_the_device_check_test_sound_is_a_spoken_sentence(tmp_path: Path) -> None:
    speaker = Speaker(tmp_path / "speaker.raw")
    speech = Speech(AudioOut(speaker.device), SpeechCache(tmp_path / "cache", voice_for), CAT)
    client = SignalingClient("ws://127.0.0.1:9/ws", "unused")  # never started
    controller = KioskController(client, KioskDevices.synthetic(), speech=speech)
    p = KioskPresenter(controller)
    controller.bind(p)
    p.choose_language("sv")
    p.play_test_sound()  # through the controller, as the button does
    got = ac.trim(await speaker.heard(speech))
    want = ac.trim(render(own("sv", CAT.tr("sv", "check.test_sentence"))))
    assert ac.shape(got).is_speech()
    assert ac.similarity(got, want) >= 0.95
    assert p.citizen.check.test_sound_played
    await client.close()
