"""The sentences a screen shows, built from the presenter's state and the catalogue.

Views show them and spoken guidance (:mod:`kiosk.guidance`) says them, so what a citizen
hears is always what the screen says.  Plain functions, no Qt.
"""

from __future__ import annotations

from typing import Final

from i18n import local_time
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.language_help import LanguageHelp, QueueOption
from kiosk.state import Refusal
from wire.server_messages import ServiceInfo
from wire.types import EstimateKind, Language

PRIVACY_POINTS: Final = ("point_video", "point_photos", "point_chat", "point_kept", "point_clerk")
SHORT_TILE_WAIT_S: Final = 120.0
SHORT_QUEUE_WAIT_S: Final = 60.0
_REFUSALS: Final = frozenset({"service_closed", "queue_full", "language_unavailable", "offline"})


def service_name(p: KioskPresenter, info: ServiceInfo | None) -> str:
    """A service's name in the interface language."""
    return getattr(info.names, p.language) if info is not None else ""


def chosen_service_name(p: KioskPresenter) -> str:
    """The name of the service the citizen chose."""
    return service_name(p, p.service(p.citizen.service_id))


def in_language(p: KioskPresenter, cat: Catalogue, language: Language) -> str:
    """"in Swedish" / "ruotsiksi" / "på svenska", in the interface language."""
    return cat.tr(p.language, f"language.in_{language}")


def tile_status(p: KioskPresenter, cat: Catalogue, info: ServiceInfo) -> str:
    """A tile's state in plain words: its wait, when it opens, or why it is different."""
    lang = p.language
    state = p.tile_state(info)
    if state == "closed":
        if info.next_opening is not None:
            when = cat.when(lang, info.next_opening, p.wall_clock())
            return cat.tr(lang, "services.closed_until", when=when)
        return cat.tr(lang, "services.closed")
    if state == "other_language":
        return cat.tr(lang, "services.language_unavailable")
    wait = info.estimated_wait_s.get(lang)
    if wait is None:
        return ""
    if wait < SHORT_TILE_WAIT_S:
        return cat.tr(lang, "services.wait_short")
    return cat.tr(lang, "services.wait", minutes=cat.minutes(wait))


def refusal_text(p: KioskPresenter, cat: Catalogue, refusal: Refusal) -> str:
    """Why joining did not work, naming the service."""
    lang = p.language
    service = service_name(p, p.service(refusal.service_id)) or cat.tr(lang, "common.service")
    at, until = p.reservation.at, p.reservation.until
    if refusal.code == "kiosk_reserved" and at is not None:
        time_at = cat.clock(lang, local_time(at))
        free = cat.clock(lang, local_time(until if until is not None else at))
        return cat.tr(lang, "booking.kiosk_reserved", service=service, time=time_at, free=free)
    if refusal.code == "service_closed" and refusal.next_opening is not None:
        when = cat.when(lang, refusal.next_opening, p.wall_clock())
        return cat.tr(lang, "refusal.service_closed_until", service=service, when=when)
    key = f"refusal.{refusal.code}" if refusal.code in _REFUSALS else "refusal.generic"
    return cat.tr(lang, key, service=service)


def option_text(p: KioskPresenter, cat: Catalogue, option: QueueOption) -> str:
    """A button offering another language's queue, with its wait."""
    where = in_language(p, cat, option.language)
    if option.wait_s is None:
        return cat.tr(p.language, "language.option_unknown", in_language=where)
    if option.wait_s < SHORT_TILE_WAIT_S:
        return cat.tr(p.language, "language.option_short", in_language=where)
    minutes = cat.minutes(option.wait_s)
    return cat.tr(p.language, "language.option", in_language=where, minutes=minutes)


def language_help_lines(p: KioskPresenter, cat: Catalogue, help_: LanguageHelp) -> list[str]:
    """Title, the reason, when service in the language is expected, then (after the
    choices) the citizen's right and what another queue means."""
    lang = p.language
    service = service_name(p, help_.service)
    lines = [cat.tr(lang, "language.title")]
    if not help_.offered:
        lines.append(cat.tr(lang, "language.not_offered", service=service))
        if not help_.nobody:
            lines.append(cat.tr(lang, "language.note"))
        return lines
    lines.append(cat.tr(lang, "language.nobody" if help_.nobody else "language.reason",
                        service=service))
    if help_.expected_at is not None:
        when = cat.when(lang, help_.expected_at, p.wall_clock())
        lines.append(cat.tr(lang, "language.expected", when=when))
    else:
        lines.append(cat.tr(lang, "language.unknown"))
    lines.append(cat.tr(lang, "language.right"))
    if not help_.nobody:
        lines.append(cat.tr(lang, "language.note"))
    return lines


HELP_LINES_BEFORE_CHOICES = 3
"""The title, the reason and the outlook come before the choices; the rest after them."""


def estimate_kind(wait_s: float | None, kind: EstimateKind | None) -> EstimateKind:
    """How to read a queue estimate: the server's kind, or (from a server that predates
    it) the kind the seconds alone imply."""
    if kind == "minutes" and wait_s is None:
        return "none"  # a number was promised but none came: do not invent one
    if kind is not None:
        return kind
    if wait_s is None:
        return "none"
    return "soon" if wait_s < SHORT_QUEUE_WAIT_S else "minutes"


def waiting_lines(p: KioskPresenter, cat: Catalogue) -> tuple[str, str]:
    """The queue position and the estimate (or that we are still joining).

    "Soon" is said in words, not as "0 minutes"; minutes are rounded up; with no honest
    estimate the citizen is told so and that their place is kept all the same."""
    c, lang = p.citizen, p.language
    if c.position is None:
        return cat.tr(lang, "waiting.joining"), ""
    key = "waiting.position_first" if c.position == 1 else "waiting.position"
    position = cat.tr(lang, key, position=c.position)
    kind = estimate_kind(c.estimated_wait_s, c.estimate_kind)
    if kind == "soon":
        return position, cat.tr(lang, "waiting.estimate_soon")
    if kind == "none" or c.estimated_wait_s is None:
        return position, cat.tr(lang, "waiting.estimate_none")
    minutes = cat.minutes(c.estimated_wait_s)
    if minutes == 1:
        return position, cat.tr(lang, "waiting.estimate_one")
    return position, cat.tr(lang, "waiting.estimate", minutes=minutes)


def queue_language_line(p: KioskPresenter, cat: Catalogue) -> str:
    """When queued in another language: which language the clerk will speak."""
    other = p.citizen.queue_language
    if other is None or other == p.language:
        return ""
    return cat.tr(p.language, "waiting.queue_language", in_language=in_language(p, cat, other))


def prompt_lines(p: KioskPresenter, cat: Catalogue) -> tuple[str, str]:
    """The prompt's title and what happens if nobody answers."""
    prompt, lang = p.prompt, p.language
    if prompt is None:
        return "", ""
    seconds = p.prompt_seconds_left() or 0
    if prompt.kind == "reconnect":
        return (cat.tr(lang, "prompt.reconnect_title"),
                cat.tr(lang, "prompt.reconnect", seconds=seconds))
    body = "prompt.waiting" if prompt.kind == "waiting" else "prompt.idle"
    return cat.tr(lang, "prompt.title"), cat.tr(lang, body, seconds=seconds)


def reconnect_lines(p: KioskPresenter, cat: Catalogue) -> list[str]:
    """Progress while reconnecting: how long, and which link is back."""
    lang = p.language
    elapsed = int(p.reconnecting_for())
    if elapsed < 60:
        lines = [cat.tr(lang, "reconnecting.elapsed_s", seconds=elapsed)]
    else:
        lines = [cat.tr(lang, "reconnecting.elapsed_min", minutes=elapsed // 60,
                        seconds=elapsed % 60)]
    steps = [("reconnecting.step_service", p.devices.online)]
    if p.in_call:
        steps.append(("reconnecting.step_video", p.devices.online and not p.media_down()))
    for key, done in steps:
        step = cat.tr(lang, key)
        lines.append(cat.tr(lang, "reconnecting.done" if done else "reconnecting.working",
                            step=step))
    return lines


def check_lines(p: KioskPresenter, cat: Catalogue) -> list[str]:
    """The device check's findings in plain words, with what to do."""
    lang = p.language
    lines = []
    for key in p.check_problems():
        if key == "check.helpline":
            lines.append(cat.tr(lang, key, number=p.site.helpline or ""))
        else:
            lines.append(cat.tr(lang, key))
    return lines


def more_time_line(p: KioskPresenter, cat: Catalogue) -> str:
    """After "more time": how long the screen now waits."""
    minutes = p.reading_minutes()
    if not p.citizen.more_time or minutes is None:
        return ""
    return cat.tr(p.language, "more_time.given", minutes=minutes)


def out_of_service_lines(p: KioskPresenter, cat: Catalogue) -> list[str]:
    """Out of service: the title, what to do instead (the helpline from the kiosk's settings
    when it has one, else the staff), why, other ways to do the errand, and that the
    operators know.  What to do comes first: at large text it must be on screen unscrolled."""
    lang = p.language
    why = "out_of_service.untrusted" if p.devices.problem == "tls_untrusted" else (
        "out_of_service.offline")
    help_line = (cat.tr(lang, "out_of_service.helpline", number=p.site.helpline)
                 if p.site.helpline else cat.tr(lang, "out_of_service.ask_staff"))
    return [cat.tr(lang, "out_of_service.title"), help_line, cat.tr(lang, why),
            cat.tr(lang, "out_of_service.other_ways"), cat.tr(lang, "out_of_service.operators")]
