"""``python -m tools.console_screenshots OUTDIR``: a PNG of every console state, offscreen.

The real window and presenter, driven by the same wire messages the server sends; a still
backend stands in for the network (nothing connects), a manual clock fixes the countdowns.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
from av import VideoFrame

from agent_console.bookings import BookingsPresenter
from agent_console.callbacks import CallbackPresenter
from agent_console.clock import ManualClock
from agent_console.console_state import LoginInfo
from agent_console.i18n import UI_LANGUAGES, Catalogue, UiLanguage
from agent_console.ports import VideoFeeds
from agent_console.presenter import ConsolePresenter
from client_core.call_events import BytesReceived, ControlReceived, MediaConnected, StatsSampled
from client_core.call_stats import StatsSample
from client_core.control import Chat, PhotoEnd, PhotoStart, photo_chunk, split_photo
from client_core.frame_slot import FrameSlot
from tools.console_booking_shots import booked_offer, fill_bookings
from tools.shots import catalogue_services, settle
from wire import booking_messages as B
from wire import callback_messages as W
from wire import server_messages as S
from wire.types import Names

SITES = {
    "lieksa": Names(
        fi="Lieksan yhteispalvelupiste",
        sv="Lieksa gemensamma serviceställe",
        en="Lieksa joint service point",
    ),
}
DISPOSITIONS = [
    "resolved", "guided_to_eservice", "referred", "appointment_booked", "callback_needed",
    "no_show", "other",
]


class StillBackend:
    """Accepts every command and does nothing; the pictures are drawn."""

    def __init__(self) -> None:
        self.feeds = VideoFeeds(remote=FrameSlot(), own=FrameSlot())
        for slot, picture in (
            (self.feeds.remote, _picture(640, 480, "Lieksa kiosk 1", (70, 110, 150))),
            (self.feeds.own, _picture(320, 240, "", (90, 140, 90))),
        ):
            slot.put(VideoFrame.from_ndarray(picture, format="bgr24"))

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None

    def send_control(self, message: dict[str, Any]) -> bool:
        """Pretend the channel is open."""
        return True


def _picture(width: int, height: int, label: str, colour: tuple[int, int, int]) -> Any:
    y, x = np.mgrid[0:height, 0:width]
    image = np.zeros((height, width, 3), dtype=np.uint8)
    for c in range(3):
        image[..., c] = np.clip(colour[c] + 60 * np.sin(x / 90.0 + c) * np.cos(y / 70.0), 0, 255)
    cv2.circle(image, (width // 2, height // 2 - height // 12), height // 6, (200, 190, 180), -1)
    cv2.ellipse(image, (width // 2, height), (width // 4, height // 3), 0, 180, 360,
                (60, 60, 140), -1)
    if label:
        cv2.putText(image, label, (12, height - 16), cv2.FONT_HERSHEY_SIMPLEX, 0.7,
                    (255, 255, 255), 2)
    return image


def _document_jpeg() -> tuple[bytes, int, int]:
    width, height = 800, 560
    page: npt.NDArray[np.uint8] = np.full((height, width, 3), 235, dtype=np.uint8)
    cv2.rectangle(page, (30, 30), (width - 30, height - 30), (120, 120, 120), 2)
    cv2.putText(page, "KELA - PAATOS / BESLUT", (60, 100), cv2.FONT_HERSHEY_SIMPLEX, 1.1,
                (40, 40, 40), 2)
    for row in range(8):
        y = 160 + row * 42
        cv2.line(page, (60, y), (width - 80 - (row % 3) * 90, y), (90, 90, 90), 3)
    ok, data = cv2.imencode(".jpg", page, [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok
    return data.tobytes(), width, height


def _stat(service: str, language: str, waiting: int, longest: float, ready: int) -> S.QueueStat:
    return S.QueueStat(
        service=service, language=language, waiting=waiting,  # type: ignore[arg-type]
        longest_wait_s=longest, ready_agents=ready,
    )


def _sample() -> StatsSample:
    """A good call's figures, as a stats report would give them."""
    return StatsSample(
        at=time.time(), interval_s=2.0, rtt_ms=38.0, loss_in=0.0, loss_out=0.0, jitter_ms=4.0,
        bitrate_out_kbps=900.0, bitrate_in_kbps=950.0, fps_sent=30.0, fps_decoded=30.0,
        frames_missing=0, freezes=0, freeze_ms=0.0, latency_p50_ms=None, latency_p95_ms=None,
        audio_level_dbfs=-24.0, grade="good",
    )


def capture(out_dir: Path, language: UiLanguage = "fi") -> list[Path]:
    """Render each state to ``out_dir``; returns the files written."""
    from PyQt6.QtGui import QPainter
    from PyQt6.QtWidgets import QApplication

    from agent_console.views.context import ViewContext
    from agent_console.views.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    out_dir.mkdir(parents=True, exist_ok=True)
    clock = ManualClock(wall=time.time())
    backend = StillBackend()
    presenter = ConsolePresenter(backend, clock, photo_folder=Path.home() / "Etäpiste-kuvat")
    bookings = BookingsPresenter(backend, presenter.server_now)
    callbacks = CallbackPresenter(lambda _message: None, clock)
    window = MainWindow(
        ViewContext(presenter, Catalogue(language), backend.feeds, bookings, callbacks)
    )
    window.resize(1366, 800)
    window.show()
    written: list[Path] = []

    def shot(name: str, overlay: Any = None) -> None:
        presenter.tick()
        for _ in range(5):
            app.processEvents()
        settle(window)
        pixmap = window.grab()
        if overlay is not None:
            painter = QPainter(pixmap)
            painter.fillRect(pixmap.rect(), QColor(0, 0, 0, 90))
            image = overlay.grab()
            painter.drawPixmap(
                (pixmap.width() - image.width()) // 2, (pixmap.height() - image.height()) // 2,
                image,
            )
            painter.end()
        path = out_dir / f"{len(written) + 1:02d}-{name}.png"
        pixmap.save(str(path))
        written.append(path)

    from PyQt6.QtGui import QColor

    now = clock.time()
    window.login.username.setText("aino")
    shot("login")

    presenter.login("aino", "x")
    presenter.on_password_change_required()
    window.password.new.setText("new secret")
    window.password.again.setText("new secrte")
    presenter.change_password("new secret", "new secrte")
    shot("new-password")
    presenter.cancel_password_change()

    presenter.login("aino", "x")
    presenter.on_logged_in(LoginInfo("a1", "Aino Virtanen", ["kela.benefits", "vero.tax",
                           "dvv.population"], ["fi", "sv"], DISPOSITIONS, now))
    presenter.on_services(catalogue_services(now))
    presenter.on_connection("connected")
    queues = [
        _stat("kela.benefits", "fi", 3, 412, 1), _stat("kela.benefits", "sv", 1, 95, 0),
        _stat("vero.tax", "fi", 0, 0, 2), _stat("vero.tax", "sv", 0, 0, 1),
        _stat("dvv.population", "fi", 1, 1260, 1), _stat("dvv.population", "sv", 0, 0, 0),
    ]
    presenter.on_message(S.QueueStats(queues=queues))
    presenter.on_message(S.AgentStatus(state="not_ready", reason="lunch", since=now - 754))
    shot("not-ready")

    presenter.on_message(S.AgentStatus(state="ready", since=now - 42))
    shot("ready-with-queues")

    site = S.SiteRef(id="lieksa", names=SITES["lieksa"])
    presenter.on_message(S.Offer(offer_id="o1", service="kela.benefits", language="fi",
                                 site=site, kiosk="Lieksa kiosk 1", waited_s=412,
                                 expires_in_s=20, booking=booked_offer(now)))
    presenter.on_message(S.AgentStatus(state="reserved", since=now))
    clock.advance(6.2)
    shot("offer-countdown")

    presenter.accept()
    presenter.on_message(S.CallStart(call_id="c1", role="answerer", ice_servers=[],
                                     peer=S.Peer(kind="kiosk", name="Lieksa kiosk 1", site=site),
                                     service="kela.benefits", language="fi"))
    presenter.on_message(S.AgentStatus(state="in_call", since=clock.time(), call_id="c1"))
    presenter.on_call_event(MediaConnected(attempt=0))
    presenter.on_call_event(StatsSampled(_sample()))
    call = presenter.call
    assert call is not None
    call.send_chat("Hei! Miten voin auttaa?")
    question = Chat(text="Hei, sain Kelalta päätöksen asumistuesta enkä ymmärrä sitä.")
    presenter.on_call_event(ControlReceived(question))
    call.send_chat("Voitteko näyttää päätöksen kameralle? Pyydän kuvan.")
    call.request_photo()
    data, width, height = _document_jpeg()
    chunks = split_photo(data)
    start = PhotoStart(photo_id="Doc00001", mime="image/jpeg", size=len(data),
                       chunks=len(chunks), width=width, height=height)
    presenter.on_call_event(ControlReceived(start))
    for i, payload in enumerate(chunks):
        presenter.on_call_event(BytesReceived(photo_chunk("Doc00001", i, payload)))
    presenter.on_call_event(ControlReceived(PhotoEnd(photo_id="Doc00001")))
    clock.advance(187)
    shot("in-call-chat-photo")

    dialog = window.call.open_transfer()
    dialog.select("vero.tax")
    shot("transfer-dialog", overlay=dialog)
    dialog.reject()

    presenter.end_call()
    presenter.on_message(S.CallEnded(call_id="c1", reason="hangup", by="agent"))
    presenter.on_message(S.AgentStatus(state="wrap_up", since=clock.time(),
                                       until=clock.time() + 30))
    clock.advance(9)
    presenter.choose_disposition("guided_to_eservice")
    window.work.wrapup.refresh()
    window.work.wrapup.note.setPlainText("Neuvottu asumistuen päätös, ohjattu OmaKelaan.")
    shot("wrap-up")

    presenter.on_message(S.AgentStatus(state="ready", since=clock.time()))
    base = clock.time() - 5 * 3600
    history = [
        S.HistoryItem(call_id=f"c{i}", service=svc, language=lang,  # type: ignore[arg-type]
                      site=S.SiteRef(
            id="lieksa" if i % 2 else "nurmes",
            names=SITES["lieksa"] if i % 2 else Names(fi="Nurmeksen yhteispalvelupiste",
                                                       sv="Nurmes gemensamma serviceställe",
                                                       en="Nurmes joint service point")),
            queued_at=base + i * 1900, answered_at=base + i * 1900 + 240,
            ended_at=base + i * 1900 + 240 + dur, outcome=outcome, disposition=disp)
        for i, (svc, lang, dur, outcome, disp) in enumerate([
            ("kela.benefits", "fi", 612, "answered", "guided_to_eservice"),
            ("vero.tax", "sv", 380, "answered", "resolved"),
            ("kela.benefits", "fi", 221, "transferred", "referred"),
            ("dvv.population", "fi", 905, "answered", "appointment_booked"),
            ("kela.benefits", "fi", 0, "failed", None),
        ])
    ]
    presenter.on_message(S.History(calls=list(reversed(history))))
    window.work.tabs.setCurrentIndex(window.work.tabs.indexOf(window.work.history))
    shot("history")
    fill_bookings(bookings, clock.time(), site)
    tabs = window.work.tabs
    tabs.setCurrentIndex(tabs.indexOf(window.work.bookings))
    shot("bookings")
    tomorrow = bookings.days(2)[1]
    panel = window.work.bookings
    assert panel is not None
    panel.list_day.setCurrentIndex(1)  # the clerk looks at tomorrow
    bookings.on_bookings(B.Bookings(day=tomorrow, bookings=[
        item.model_copy(update={"start": item.start + 86400, "end": item.end + 86400,
                                "state": "booked", "kiosk": None, "checked_in_at": None})
        for item in bookings.items[:3]]))
    shot("bookings-tomorrow")
    panel.list_day.setCurrentIndex(0)
    _callback_states(presenter, callbacks, window, clock, shot)
    window.work.tabs.setCurrentIndex(0)
    window.close()
    return written


def _callback_states(presenter: ConsolePresenter, callbacks: CallbackPresenter, window: Any,
                     clock: ManualClock, shot: Any) -> None:
    """Issue 14: the open callback requests, one offered, one taken with its number."""
    now = clock.time()
    nurmes = W.SiteRef(id="nurmes", names=Names(fi="Nurmeksen yhteispalvelupiste",
                                                 sv="Nurmes gemensamma serviceställe",
                                                 en="Nurmes joint service point"))
    lieksa = W.SiteRef(id="lieksa", names=SITES["lieksa"])

    def info(i: int, service: str, lang: str, due_h: float, attempts: int = 0,
             state: str = "waiting", site: W.SiteRef = nurmes) -> W.CallbackInfo:
        return W.CallbackInfo(task_id=f"cb_{i}", service=service, language=lang,  # type: ignore[arg-type]
                              site=site, requested_at=now - 3600 * i, due_at=now + due_h * 3600,
                              attempts=attempts, state=state)  # type: ignore[arg-type]

    tasks = [info(1, "kela.benefits", "sv", 0.6, 1), info(2, "vero.tax", "fi", 2.5),
             info(3, "kela.benefits", "fi", 5.2, site=lieksa), info(4, "dvv.population", "sv", 26)]
    callbacks.on_message(W.CallbackTasks(tasks=tasks))
    window.work.tabs.setCurrentIndex(window.work.tabs.indexOf(window.work.callback_list))
    shot("callback-list")
    offered = tasks[0].model_copy(update={"state": "offered"})
    callbacks.on_message(W.CallbackTasks(tasks=[offered, *tasks[1:]]))
    callbacks.on_message(W.CallbackOffer(task=offered, expires_in_s=20))
    clock.advance(4.2)
    shot("callback-offer")
    taken = tasks[0].model_copy(update={"state": "taken"})
    callbacks.on_message(W.CallbackTasks(tasks=[taken, *tasks[1:]]))
    callbacks.on_message(W.CallbackTask(task=taken, phone="+358401234567", max_attempts=3))
    presenter.on_message(S.AgentStatus(state="not_ready", reason="callback", since=clock.time()))
    clock.advance(95)
    shot("callback-task")


def run_capture(
    prog: str, take: Callable[[Path, UiLanguage], list[Path]], argv: list[str] | None
) -> int:
    """The command line of a console screenshot tool: ``OUT_DIR [--language fi|sv|en]``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--language", default="fi", choices=UI_LANGUAGES)
    args = parser.parse_args(argv)
    for path in take(args.out_dir, args.language):
        print(path)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Write the screenshots."""
    return run_capture("python -m tools.console_screenshots", capture, argv)


if __name__ == "__main__":
    raise SystemExit(main())
