"""What spoken guidance says on each screen: the screen's own sentences, from the catalogue.

:func:`utterance` turns the presenter's state into lines of ``(language, text)``: an
``intro`` said when a screen (or prompt) appears, and ``state`` lines that are said again
when they change (a new queue position).  Nothing is said during a call, where the clerk
speaks.  :func:`fixed_lines` lists every sentence that does not depend on live figures, for
rendering ahead of time.  No Qt, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk import callback_wording, wording
from kiosk.booking_guidance import booking_lines
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.other_ways_wording import other_ways_text
from kiosk.state import Screen
from wire.types import LANGUAGES, Language

Line = tuple[Language, str]


@dataclass(frozen=True)
class Utterance:
    """What to say for the current screen."""

    topic: tuple[str, ...]
    """A change of topic (screen, prompt, language, service) says everything again."""
    intro: tuple[Line, ...]
    state: tuple[Line, ...] = ()


WELCOME_KEYS = ("welcome.title", "welcome.subtitle", "welcome.choose_language")


def _lines(lang: Language, texts: list[str]) -> tuple[Line, ...]:
    return tuple((lang, t) for t in texts if t)


def utterance(p: KioskPresenter, cat: Catalogue) -> Utterance | None:
    """What spoken guidance says now (None: nothing, e.g. during a call)."""
    lang = p.language
    tr = cat.tr
    topic: tuple[str, ...] = (p.screen.value, lang, p.citizen.service_id or "")
    if p.prompt is not None:
        title, body = wording.prompt_lines(p, cat)
        return Utterance((*topic, "prompt", p.prompt.kind), _lines(lang, [title, body]))
    booked = booking_lines(p, cat)
    if booked is not None:
        topic = (*topic, "booking")
        return Utterance(topic, _lines(lang, booked[0]), _lines(lang, booked[1]))
    match p.screen:
        case Screen.WELCOME:
            lines = tuple((code, tr(code, key)) for code in LANGUAGES for key in WELCOME_KEYS)
            return Utterance(topic, lines)
        case Screen.SERVICES:
            texts = [tr(lang, "services.title"), tr(lang, "services.hint")]
            refusal = p.citizen.refusal
            if refusal is not None:
                texts.insert(0, wording.refusal_text(p, cat, refusal))
            for info in p.services:
                status = wording.tile_status(p, cat, info)
                name = wording.service_name(p, info)
                texts.append(f"{name}. {status}" if status else name)
            return Utterance(topic, _lines(lang, texts))
        case Screen.LANGUAGE_HELP:
            help_ = p.language_help()
            if help_ is None:
                return None
            texts = wording.language_help_lines(p, cat, help_)
            texts += [wording.option_text(p, cat, o) for o in help_.options]
            return Utterance(topic, _lines(lang, texts))
        case Screen.PRIVACY:
            texts = [tr(lang, "privacy.title"), wording.chosen_service_name(p),
                     tr(lang, "privacy.intro")]
            texts += [tr(lang, f"privacy.{key}") for key in wording.PRIVACY_POINTS]
            return Utterance(topic, _lines(lang, texts))
        case Screen.DEVICE_CHECK:
            intro = [tr(lang, "check.title"), tr(lang, "check.self_view"),
                     tr(lang, "check.microphone")]
            state = wording.check_lines(p, cat)
            if p.microphone_heard():
                state.insert(0, tr(lang, "check.microphone_ok"))
            if p.citizen.check.heard:
                state.append(tr(lang, "check.heard"))
            return Utterance(topic, _lines(lang, intro), _lines(lang, state))
        case Screen.WAITING:
            intro = [tr(lang, "waiting.title"), wording.chosen_service_name(p),
                     wording.queue_language_line(p, cat)]
            position, estimate = wording.waiting_lines(p, cat)
            state = [position, estimate, tr(lang, "waiting.sound_hint")]
            if p.long_wait():  # the two other ways under the queue place
                state.append(tr(lang, "waiting.other_ways"))
            return Utterance(topic, _lines(lang, intro), _lines(lang, state))
        case Screen.PHOTO:
            return Utterance(topic, _lines(lang, [tr(lang, "photo.title"),
                                                  tr(lang, "photo.instructions")]))
        case Screen.RECONNECTING:
            return Utterance(topic, _lines(lang, [tr(lang, "reconnecting.title"),
                                                  tr(lang, "reconnecting.body")]))
        case Screen.OUT_OF_SERVICE:
            return Utterance(topic, _lines(lang, wording.out_of_service_lines(p, cat)))
        case Screen.END:
            intro = [tr(lang, p.end_title_key), tr(lang, p.end_message_key),
                     tr(lang, "end.wiped"), tr(lang, "end.rate")]
            state = [tr(lang, "end.rating_thanks")] if p.citizen.rating is not None else []
            return Utterance(topic, _lines(lang, intro), _lines(lang, state))
        case Screen.OTHER_WAYS:
            return Utterance(topic, _lines(lang, other_ways_text(p, cat).spoken()))
        case Screen.CALLBACK:
            # Never the number: people nearby would hear it.
            texts = callback_wording.request_lines(p, cat)
            texts += [tr(lang, "callback.consent_title"),
                      *callback_wording.consent_lines(p, cat), tr(lang, "callback.number_hint")]
            return Utterance(topic, _lines(lang, texts),
                             _lines(lang, [callback_wording.error_line(p, cat)]))
        case Screen.CALLBACK_DONE:
            done = callback_wording.done_lines(p, cat)
            spoken = [t for i, t in enumerate(done) if i != callback_wording.DONE_NUMBER_LINE]
            return Utterance(topic, _lines(lang, spoken))
        case _:
            return None  # in a call the clerk speaks; the kiosk stays quiet


FIXED_KEYS = (
    *WELCOME_KEYS,
    "services.title", "services.hint", "language.title", "language.right", "language.unknown",
    "language.note", "privacy.title", "privacy.intro",
    *(f"privacy.{key}" for key in wording.PRIVACY_POINTS),
    "check.title", "check.self_view", "check.microphone", "check.microphone_ok",
    "check.heard", "check.not_heard", "check.camera_broken", "check.microphone_broken",
    "check.speaker_broken", "check.ask_staff", "check.test_sentence",
    "waiting.title", "waiting.joining", "waiting.position_first", "waiting.estimate_one",
    "waiting.estimate_soon", "waiting.estimate_none", "waiting.sound_hint", "photo.title",
    "photo.instructions",
    "reconnecting.title", "reconnecting.body", "end.title", "end.title_failed", "end.ended",
    "end.ended_failed", "end.ended_media_failed",
    "end.wiped", "end.rate", "end.rating_thanks", "prompt.title", "prompt.reconnect_title",
    "out_of_service.title", "out_of_service.untrusted", "out_of_service.offline",
    "out_of_service.ask_staff", "out_of_service.other_ways", "out_of_service.operators",
)
"""Guidance sentences without live figures: rendered ahead of time."""


def fixed_lines(cat: Catalogue) -> list[Line]:
    """Every fixed sentence in every language (for rendering ahead of time)."""
    return [(lang, cat.tr(lang, key)) for lang in LANGUAGES for key in FIXED_KEYS]
