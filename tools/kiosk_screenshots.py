"""``python -m tools.kiosk_screenshots OUTDIR``: a PNG of every screen in every language,
text size and theme (normal and high contrast).

Renders the real window offscreen at 1920×1080 with the real presenter and catalogues, the
service list of ``deploy/catalogue.toml`` (some open, some closed, one without a clerk in the
citizen's language) and a drawn clerk in the call, so a reviewer sees what a citizen sees —
cut-off text, small targets, wrong language.  ``--only`` picks states by name.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from av import VideoFrame

from client_core.frame_slot import FrameSlot
from kiosk.booking_state import BookingOffer
from kiosk.flow import KioskPresenter
from kiosk.i18n import LOCAL_TZ, Catalogue
from kiosk.members import CallMember, MemberSlots
from kiosk.photo_flow import PHOTO_SENT_SHOWN_S
from kiosk.state import (
    CallbackForm,
    ChatLine,
    CitizenSession,
    OtherWays,
    PhotoState,
    Prompt,
    Refusal,
    Screen,
)
from tools.kiosk_booking_states import booking_states
from tools.shots import catalogue_services, settle, without_clerk_in
from wire.types import LANGUAGES, DeviceStatus, Language

SIZE = (1920, 1080)
THEMES = ("normal", "contrast")
SIZES = ("normal", "large")
# Sample content a clerk and a citizen might write (data, not interface text).
CLERK_LINES = {
    "fi": "Hei! Voit myös kirjoittaa tähän, jos ääni ei kuulu.",
    "sv": "Hej! Du kan också skriva här om ljudet inte hörs.",
    "en": "Hello! You can also write here if you cannot hear me.",
}
CITIZEN_LINES = {
    "fi": "Kiitos, kuulen hyvin.",
    "sv": "Tack, jag hör bra.",
    "en": "Thanks, I hear you.",
}
PROMPTS = {"fi": "Kela-kortti, etupuoli", "sv": "FPA-kortet, framsidan", "en": "Kela card, front"}
INTERPRETER_LINES = {
    "fi": "Tulkkaan kaiken, mitä virkailija sanoo.",
    "sv": "Jag tolkar allt som handläggaren säger.",
    "en": "I will interpret everything the clerk says.",
}
CLERK = CallMember("clerk", "Aino Virtanen", "clerk")
MEMBERS = {
    "interpreter": CallMember("m-int", "Leila Ahmed", "interpreter", language="ar"),
    "sign": CallMember("m-sign", "Sanna Korhonen", "interpreter", language="fi-sign"),
    "expert": CallMember("m-vero", "Mikko Lehtonen", "second_clerk"),
    # Listening or whispering, a supervisor sends no picture (a dark one, which the tile
    # replaces with words).
    "listen": CallMember("m-sup", "Pirjo Mäkinen", "supervisor", mode="listen",
                         camera_on=False),
    "whisper": CallMember("m-sup", "Pirjo Mäkinen", "supervisor", mode="whisper",
                          camera_on=False),
    "barge": CallMember("m-sup", "Pirjo Mäkinen", "supervisor", mode="barge"),
}
PICTURES = {"m-int": "interpreter", "m-sign": "interpreter", "m-vero": "expert",
            "m-sup": "supervisor"}


class NullEffects:
    """Effects that do nothing but count (screenshots and presenter tests)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[object, ...]]] = []

    def __getattr__(self, name: str) -> Callable[..., None]:
        def record(*args: object) -> None:
            self.calls.append((name, args))

        return record


class _DrawingPresenter(KioskPresenter):
    """The real presenter, but each new citizen starts in the text size and theme being
    drawn (as one who chose them first): following the steps of setting a state up in the
    normal style, then the chosen one, restyled the whole window twice a state, most of the
    drawing time in large text or high contrast."""

    large_text = False
    high_contrast = False

    def fresh_citizen(self) -> CitizenSession:
        citizen = super().fresh_citizen()
        citizen.large_text, citizen.high_contrast = self.large_text, self.high_contrast
        return citizen


def drawn_frame(kind: str, width: int = 1280, height: int = 720) -> VideoFrame:
    """A plausible picture: the clerk at a desk, or the citizen at the kiosk."""
    y = np.linspace(0, 1, height)[:, None, None]
    wall = (np.array([200, 214, 222]) * (1 - 0.25 * y)).astype(np.uint8)
    img = np.broadcast_to(wall, (height, width, 3)).copy()
    cx = width // 2
    if kind == "clerk":
        cv2.rectangle(img, (60, 80), (380, 420), (150, 120, 90), -1)  # shelf
        for i in range(5):
            cv2.rectangle(img, (80 + i * 58, 110), (120 + i * 58, 240), (60 + i * 30, 90, 140), -1)
        sweater, skin, hair = (110, 60, 30), (150, 180, 215), (40, 50, 70)
    elif kind == "interpreter":  # plain dark top on a plain wall: how signers dress
        img[:] = (170, 160, 150)
        sweater, skin, hair = (35, 35, 35), (120, 150, 190), (20, 20, 30)
    elif kind == "expert":
        sweater, skin, hair = (70, 70, 130), (160, 185, 220), (90, 120, 160)
    elif kind == "supervisor":
        sweater, skin, hair = (90, 90, 90), (145, 175, 210), (200, 200, 200)
    else:
        sweater, skin, hair = (60, 110, 60), (140, 170, 205), (170, 170, 175)
    cv2.ellipse(img, (cx, height + 40), (330, 300), 0, 180, 360, sweater, -1)  # shoulders
    cv2.rectangle(img, (cx - 45, height // 2 + 40), (cx + 45, height // 2 + 140), skin, -1)
    cv2.ellipse(img, (cx, height // 2 - 10), (120, 150), 0, 0, 360, skin, -1)  # face
    cv2.ellipse(img, (cx, height // 2 - 90), (128, 90), 0, 180, 360, hair, -1)
    for dx in (-45, 45):
        cv2.circle(img, (cx + dx, height // 2 - 20), 10, (40, 40, 40), -1)
    cv2.ellipse(img, (cx, height // 2 + 60), (40, 14), 0, 0, 180, (60, 60, 150), 4)
    if kind == "clerk":
        cv2.rectangle(img, (0, height - 120), (width, height), (90, 110, 130), -1)  # desk
    if kind == "interpreter":  # two hands signing in front of the chest
        for dx, dy in ((-170, 150), (150, 110)):
            cv2.ellipse(img, (cx + dx, height // 2 + dy), (48, 62), 20, 0, 360, skin, -1)
    rgb = np.asarray(cv2.cvtColor(img, cv2.COLOR_BGR2RGB), dtype=np.uint8)
    return VideoFrame.from_ndarray(rgb, format="rgb24")


class _Citizen:
    """Late access to the presenter's current citizen (reset replaces it)."""

    def __init__(self, p: KioskPresenter) -> None:
        self.p = p

    def __getattr__(self, name: str) -> object:
        return getattr(self.p.citizen, name)

    def __setattr__(self, name: str, value: object) -> None:
        if name == "p":
            object.__setattr__(self, name, value)
        else:
            setattr(self.p.citizen, name, value)


def _states(p: KioskPresenter, now: float) -> list[tuple[str, Callable[[], None]]]:
    c: Any = _Citizen(p)

    def go(screen: Screen) -> None:
        p.screen = screen

    def call(**extra: object) -> None:
        p.in_call = True
        c.clerk_name = "Aino Virtanen"
        c.quality = "good"
        c.chat = [
            ChatLine(False, CLERK_LINES[p.language]),
            ChatLine(True, CITIZEN_LINES[p.language]),
        ]
        for key, value in extra.items():
            setattr(c, key, value)
        go(Screen.CALL)

    def members(*kinds: str, **extra: object) -> Callable[[], None]:
        def run() -> None:
            call(**extra)
            p.on_members([CLERK, *(MEMBERS[k] for k in kinds)])
            if "interpreter" in kinds or "sign" in kinds:
                who = MEMBERS["sign" if "sign" in kinds else "interpreter"].member_id
                c.chat.insert(1, ChatLine(False, INTERPRETER_LINES[p.language], who))

        return run

    def broken() -> None:
        call(quality="poor")
        p.devices.camera = DeviceStatus.FAILED

    def photo(phase: str) -> Callable[[], None]:
        def run() -> None:
            call()
            c.photo = PhotoState(prompt=PROMPTS[p.language], phase=phase)  # type: ignore[arg-type]
            if phase == "countdown":
                c.photo.countdown_until = p.clock() + 2.5
            if phase == "sent":  # as on_photo_sent: shown a while (else the next tick leaves)
                c.photo.shown_until = p.clock() + PHOTO_SENT_SHOWN_S
            go(Screen.PHOTO)

        return run

    def end(rating: int | None, reason: str = "hangup") -> Callable[[], None]:
        def run() -> None:
            c.end_reason = reason
            c.rating = rating
            go(Screen.END)

        return run

    def waiting(
        position: int, wait: float | None, kind: str, queue_language: bool = False
    ) -> Callable[[], None]:
        def run() -> None:
            c.service_id = "kela.benefits"
            c.position = position
            c.estimated_wait_s = wait
            c.estimate_kind = kind
            if queue_language:
                c.queue_language = "en" if p.language != "en" else "fi"
            p.queued = True
            go(Screen.WAITING)

        return run

    def requeued_media() -> None:
        waiting(1, 30.0, "soon")()
        c.requeue_reason = "media_requeued"

    def privacy(more_time: bool = False) -> Callable[[], None]:
        def run() -> None:
            c.service_id = "kela.benefits"
            c.more_time = more_time
            go(Screen.PRIVACY)

        return run

    def refused() -> None:
        c.service_id = "vero.tax"
        c.refusal = Refusal("queue_full", service_id="vero.tax")
        go(Screen.SERVICES)

    def no_clerk(nobody: bool = False) -> None:
        p.on_services(without_clerk_in(p.services, p.language, now, nobody=nobody))

    def services_no_clerk() -> None:
        no_clerk()
        go(Screen.SERVICES)

    def language_help(nobody: bool = False) -> Callable[[], None]:
        def run() -> None:
            no_clerk(nobody)
            c.service_id = "kela.benefits"
            go(Screen.LANGUAGE_HELP)

        return run

    def check(state: str) -> Callable[[], None]:
        def run() -> None:
            c.service_id = "kela.benefits"
            if state in ("heard", "problems"):
                c.check.microphone_level = 0.55
                c.check.loudest = 0.7
                c.check.test_sound_played = True
                c.check.heard = state == "heard"
            if state == "problems":
                p.devices.microphone = DeviceStatus.MISSING
                p.devices.camera = DeviceStatus.FAILED
                p.site.helpline = "0295 000 000"
            go(Screen.DEVICE_CHECK)

        return run

    def prompted(kind: str, setup: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            setup()
            p.prompt = Prompt(kind, p.clock() + 45.0)  # type: ignore[arg-type]

        return run

    def reconnecting() -> None:
        call()
        p.devices.online = True
        p.resume_screen = Screen.CALL
        go(Screen.RECONNECTING)
        p.screen_since = p.clock() - 75
        p._media_down = True

    def out_of_service(problem: str | None, helpline: str | None = None) -> Callable[[], None]:
        def run() -> None:
            p.devices.online = False
            p.devices.problem = problem
            p.offline_since = p.clock() - 600
            p.site.helpline = helpline
            go(Screen.OUT_OF_SERVICE)

        return run

    def callback(service_id: str, reason: str, typed: str = "",
                 error: str | None = None) -> Callable[[], None]:
        def run() -> None:
            if reason == "language":
                no_clerk()
            c.service_id = service_id
            c.callback = CallbackForm(service_id, p.language, reason, typed, error)  # type: ignore[arg-type]
            go(Screen.CALLBACK)

        return run

    def other_ways(service_id: str) -> Callable[[], None]:
        def run() -> None:
            c.service_id = service_id
            c.other_ways = OtherWays(service_id)
            go(Screen.OTHER_WAYS)

        return run

    def booking_in_language() -> None:
        no_clerk()
        c.service_id = "kela.benefits"
        c.booking.offer = BookingOffer("kela.benefits", p.language, "language", "none")
        go(Screen.BOOKING)

    def callback_done() -> None:
        callback("kela.benefits", "long_wait", "040 123 4567")()
        tomorrow = dt.datetime.fromtimestamp(now, LOCAL_TZ).date() + dt.timedelta(days=1)
        due = dt.datetime.combine(tomorrow, dt.time(16, 15), LOCAL_TZ)
        c.callback.promised_day = tomorrow.isoformat()
        c.callback.due_at = due.timestamp()
        go(Screen.CALLBACK_DONE)

    def welcome_loop() -> None:
        p.site.induction_loop = True
        c.speech = True
        go(Screen.WELCOME)

    return [
        ("welcome", lambda: go(Screen.WELCOME)),
        ("welcome-speech-loop", welcome_loop),
        ("services", lambda: go(Screen.SERVICES)),
        ("services-refused", refused),
        ("services-no-clerk", services_no_clerk),
        ("services-prompt", prompted("idle", lambda: go(Screen.SERVICES))),
        ("language-help", language_help()),
        ("language-help-nobody", language_help(nobody=True)),
        ("privacy", privacy()),
        ("privacy-more-time", privacy(more_time=True)),
        ("check", check("start")),
        ("check-heard", check("heard")),
        ("check-problems", check("problems")),
        ("waiting", waiting(3, 421.0, "minutes")),
        ("waiting-next", waiting(1, 30.0, "soon")),
        ("waiting-no-estimate", waiting(4, None, "none")),
        ("waiting-other-language", waiting(2, 600.0, "minutes", queue_language=True)),
        ("waiting-prompt", prompted("waiting", waiting(2, 0.0, "soon"))),
        ("call", lambda: call()),
        ("call-chat", lambda: call(chat_open=True)),
        ("call-chat-muted", lambda: call(chat_open=True, muted=True, camera_off=True)),
        ("call-muted-camera-off", lambda: call(muted=True, camera_off=True, quality="fair")),
        ("call-camera-broken", broken),
        ("photo", photo("ready")),
        ("photo-countdown", photo("countdown")),
        ("photo-sent", photo("sent")),
        ("reconnecting", reconnecting),
        ("reconnecting-prompt", prompted("reconnect", reconnecting)),
        ("end", end(None)),
        ("end-rated", end(4)),
        ("out-of-service-untrusted", out_of_service("tls_untrusted")),
        ("out-of-service-offline-helpline", out_of_service(None, "0295 000 000")),
        ("waiting-requeued-media", requeued_media),
        ("end-media-failed", end(None, "media_failed")),
        *booking_states(p, now, go),
        ("other-ways-closed", other_ways("mml.property")),
        ("booking-language", booking_in_language),
        ("callback-closed", callback("mml.property", "closed")),
        ("callback-typed", callback("kela.benefits", "long_wait", "040 123 4567")),
        ("callback-invalid", callback("kela.benefits", "long_wait", "040 12", "invalid")),
        ("callback-language", callback("kela.benefits", "language", "+46 70 123 45 67")),
        ("callback-done", callback_done),
        ("call3-interpreter", members("interpreter")),
        ("call3-sign-chat", members("sign", chat_open=True)),
        ("call3-supervisor-listen", members("listen")),
        ("call4-whisper", members("interpreter", "whisper")),
        ("call4-barge-chat", members("expert", "barge", chat_open=True)),
        ("call4-sign-whisper-muted", members("sign", "whisper", muted=True)),
    ]


def render_all(
    outdir: Path | None,
    languages: tuple[Language, ...] = LANGUAGES,
    on_state: Callable[[str, Any], None] | None = None,
    *,
    themes: tuple[str, ...] = THEMES,
    sizes: tuple[str, ...] = SIZES,
    only: tuple[str, ...] = (),
) -> list[Path]:
    """Write ``<theme>-<size>-<lang>-<nn>-<state>.png`` for every combination; returns the
    paths.

    ``on_state(name, window)`` is called with each state on screen (tests; ``name`` is the
    file name without ``.png``); with ``outdir`` None nothing is written.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt6.QtWidgets import QApplication

    from kiosk.ui.window import KioskWindow

    _app = QApplication.instance() or QApplication(sys.argv[:1])  # kept alive while drawing
    if outdir is not None:
        outdir.mkdir(parents=True, exist_ok=True)
    catalogue = Catalogue.load()
    now = time.time()
    remote, own = FrameSlot(), FrameSlot()
    slots = MemberSlots(remote)
    clerk, citizen = drawn_frame("clerk"), drawn_frame("citizen", 640, 480)
    for member_id, kind in PICTURES.items():
        slots.slot(member_id).put(drawn_frame(kind))
    presenter = _DrawingPresenter(NullEffects(), wall_clock=lambda: now)
    window = KioskWindow(presenter, catalogue, remote, own, kiosk_mode=False, slots=slots)
    window.resize(*SIZE)
    window.show()
    written = []
    for theme_name in themes:
        for size in sizes:
            for lang in languages:
                for index, (name, setup) in enumerate(_states(presenter, now), start=1):
                    if only and name not in only:
                        continue
                    presenter.large_text = size == "large"
                    presenter.high_contrast = theme_name == "contrast"
                    presenter.reset()
                    presenter.on_services(catalogue_services(now))
                    presenter.devices.online = True
                    presenter.devices.camera = DeviceStatus.OK
                    presenter.devices.microphone = DeviceStatus.OK
                    presenter.site.induction_loop = False
                    presenter.site.helpline = None
                    presenter.on_kiosk_schedule(None, None)
                    presenter.citizen.language = lang
                    presenter.citizen.large_text = size == "large"
                    presenter.citizen.high_contrast = theme_name == "contrast"
                    setup()
                    remote.put(clerk)
                    own.put(citizen)
                    window.refresh()
                    settle(window)
                    stem = f"{theme_name}-{size}-{lang}-{index:02d}-{name}"
                    if on_state is not None:
                        on_state(stem, window)
                    if outdir is not None:
                        path = outdir / f"{stem}.png"
                        window.grab().save(str(path))
                        written.append(path)
    window.allow_close = True
    window.close()
    return written


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and write the screenshots."""
    parser = argparse.ArgumentParser(prog="python -m tools.kiosk_screenshots", description=__doc__)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--only", nargs="*", default=[], help="state names (all if none)")
    parser.add_argument("--languages", nargs="*", default=list(LANGUAGES))
    parser.add_argument("--themes", nargs="*", default=list(THEMES))
    parser.add_argument("--sizes", nargs="*", default=list(SIZES))
    args = parser.parse_args(argv)
    paths = render_all(
        args.outdir,
        tuple(args.languages),
        themes=tuple(args.themes),
        sizes=tuple(args.sizes),
        only=tuple(args.only),
    )
    print(f"{len(paths)} screenshots in {args.outdir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
