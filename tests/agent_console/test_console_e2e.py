"""The real console window against a real signaling server and headless kiosks with real media.

Everything runs on one qasync loop: the aiohttp server, the kiosks (client core, aiortc) and the
console (presenter, backend, PyQt6 views). The agent's actions are mouse clicks and typing.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PyQt6.QtCore import Qt

from agent_console.app import Console, build_console
from agent_console.call_presenter import Media, PhotoState
from agent_console.console_state import Phase
from client_core.call import CallSession
from client_core.call_events import CallEvent, ControlReceived
from client_core.control import Chat
from client_core.local_media import LocalMedia
from kiosk.headless import KioskScript, run_kiosk
from tests.server.harness import FAST, PASSWORD, Harness, running_server
from tests.waiting import wait_until as until
from wire import client_messages as C
from wire import server_messages as S

pytestmark = pytest.mark.slow


class Citizen:
    """A headless kiosk in the background, with what happened to its call."""

    def __init__(self, h: Harness, site: str, *, service: str = "kela.benefits") -> None:
        self.kiosk_id = h.add_kiosk(site, f"{site.title()} kiosk 1")
        self.sessions: list[CallSession] = []
        self.controls: list[Any] = []
        self.messages: list[S.ServerMessage] = []
        script = KioskScript(
            url=h.ws_url,
            token=h.kiosk_tokens[self.kiosk_id],
            service=service,
            language="fi",
            hold_s=60,
            wait_timeout_s=60,
            stats_interval_s=1.0,
            width=320,
            height=240,
            fps=15,
            answer_photos=True,
            on_call=self._on_call,
        )
        self.task = asyncio.ensure_future(run_kiosk(script))

    def _on_call(self, session: CallSession) -> None:
        self.sessions.append(session)
        inner = session.listener

        def listener(event: CallEvent) -> None:
            if inner is not None:
                inner(event)
            if isinstance(event, ControlReceived):
                self.controls.append(event.message.model_dump())

        session.listener = listener
        session.client.add_listener(self.messages.append)

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(BaseException):
            await self.task


@contextlib.asynccontextmanager
async def console_for(
    qtbot: Any, h: Harness, photo_folder: Path | None = None
) -> AsyncIterator[tuple[Console, list[int]]]:
    chimes: list[int] = []
    console = build_console(
        h.base_url,
        LocalMedia.synthetic(320, 240, 15),
        photo_folder=photo_folder,
        chime=lambda: chimes.append(1),
        stats_interval_s=1.0,
        backoff=FAST,
    )
    qtbot.addWidget(console.window)
    console.window.show()
    try:
        yield console, chimes
    finally:
        await console.backend.close()
        console.window.timer.stop()


def click(qtbot: Any, button: Any) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


async def log_in(qtbot: Any, console: Console, username: str, password: str = PASSWORD) -> None:
    login = console.window.login
    login.username.setText(username)
    login.password.setText(password)
    click(qtbot, login.submit)


async def log_in_and_get_ready(qtbot: Any, console: Console, username: str) -> None:
    p, w = console.presenter, console.window
    await log_in(qtbot, console, username)
    await until(lambda: p.phase is Phase.NOT_READY, what="logged in")
    assert w.pages.currentWidget() is w.work
    click(qtbot, w.status.ready)
    await until(lambda: p.phase is Phase.READY, what="ready")


async def accept_next(qtbot: Any, console: Console, site: str) -> None:
    p, w = console.presenter, console.window
    await until(lambda: p.offer is not None and p.offer.offer.site is not None
                and p.offer.offer.site.id == site, what=f"offer from {site}")
    click(qtbot, w.work.offer.accept)
    await until(lambda: p.phase is Phase.IN_CALL, what="in call")
    assert w.pages.currentWidget() is w.call
    call = p.call
    assert call is not None
    await until(lambda: call.media is Media.CONNECTED, 15, "media connected")
    await until(lambda: w.call.video.remote.frames_shown > 3, 10, "remote video painted")
    await until(lambda: w.call.video.own.frames_shown > 3, 10, "self view painted")


def test_login_refused_then_ready_with_queues(qtbot, run, tmp_path):
    async def body() -> None:
        async with running_server(tmp_path / "data") as h:
            h.add_agent("aino", ["kela.benefits", "vero.tax"], ["fi", "sv"])
            kiosk = await h.kiosk(h.add_kiosk("nurmes", "Nurmes kiosk 1"))
            async with console_for(qtbot, h) as (console, _):
                p, w = console.presenter, console.window
                assert w.pages.currentWidget() is w.login
                await log_in(qtbot, console, "aino", "wrong password")
                await until(lambda: p.login_error == "login.refused", what="refusal")
                assert w.login.error.isVisible()
                assert w.login.error.text() == "Käyttäjätunnus tai salasana on väärin."
                await log_in_and_get_ready(qtbot, console, "aino")
                assert w.status.name.text() == "Aino"
                assert w.status.pill.text() == "Valmiina"
                click(qtbot, w.status.not_ready)
                await until(lambda: p.phase is Phase.NOT_READY, what="not ready")
                assert w.status.pill.text() == "Ei valmiina: tauko"
                await kiosk.request(C.QueueJoin(service="vero.tax", language="sv"))
                await until(lambda: w.work.queues.rowCount() == 4, what="four queues")
                await until(lambda: p.session is not None and p.session.services, what="names")
                await until(lambda: w.work.queues.item(0, 2).text() == "1", 5, "waiting count")
                top = [w.work.queues.item(0, c).text() for c in range(4)]
                assert top[:3] == [p.service_name("vero.tax", "fi"), "ruotsi", "1"], top
                assert top[3].startswith("0:0"), top
                click(qtbot, w.status.logout)
                await until(lambda: p.phase is Phase.LOGGED_OUT, what="logged out")
                assert w.pages.currentWidget() is w.login

    run(body(), 60)


def test_offer_reject_accept_chat_photo_wrapup(qtbot, run, tmp_path):
    photos = tmp_path / "photos"

    async def body() -> None:
        # Nurmes, rejected, comes back to Aino once the cool-off is over; 5 s instead of the
        # default 30 s, which passes during the call, so the test does not wait it out.
        async with running_server(tmp_path / "data", wrapup_s=30, decline_cooloff_s=5) as h:
            h.add_agent("aino", ["kela.benefits"], ["fi"])
            async with console_for(qtbot, h, photos) as (console, chimes):
                p, w = console.presenter, console.window
                await log_in_and_get_ready(qtbot, console, "aino")
                nurmes = Citizen(h, "nurmes")
                await until(lambda: p.offer is not None, what="first offer")
                lieksa = Citizen(h, "lieksa")
                # The offer: site, language, countdown, chime and flashing banner.
                offer_panel = w.work.offer
                assert w.work.action.currentWidget() is offer_panel
                assert offer_panel.values[1].text() == "Nurmeksen yhteispalvelupiste"
                assert offer_panel.values[0].text() == "suomi"
                first = int(offer_panel.countdown.text())
                await until(lambda: int(offer_panel.countdown.text()) < first, 3, "countdown")
                assert chimes, "the chime sounded"
                styles = set()
                await until(lambda: styles.add(offer_panel.banner.styleSheet()) or len(styles) > 1,
                            3, "banner flashes")
                click(qtbot, offer_panel.reject)
                # The rejected citizen keeps their place; the next one (Lieksa) is offered.
                await accept_next(qtbot, console, "lieksa")
                call = p.call
                assert call is not None
                assert "Lieksan yhteispalvelupiste" in w.call.details.text()
                kiosk_call = lieksa.sessions[0]
                # Chat both ways.
                w.call.chat.input.setText("Hei, miten voin auttaa?")
                click(qtbot, w.call.chat.send_button)
                await until(lambda: {"type": "chat", "text": "Hei, miten voin auttaa?"}
                            in lieksa.controls, 5, "chat at the kiosk")
                assert kiosk_call.send_control(Chat(text="Asumistuesta").model_dump())
                await until(lambda: any(c.text == "Asumistuesta" for c in call.chat), 5,
                            "chat at the console")
                assert "Asumistuesta" in w.call.chat.log.toPlainText()
                # Document photo round trip: shown, not written until Save is pressed.
                click(qtbot, w.call.photo.request)
                await until(lambda: call.photo_state is PhotoState.RECEIVED, 10, "photo")
                assert call.photo is not None and call.photo.data[:2] == b"\xff\xd8"
                assert w.call.photo.thumb.pixmap() is not None
                assert not w.call.photo.thumb.pixmap().isNull()
                assert not photos.exists()
                click(qtbot, w.call.photo.large)
                assert w.call.stage.currentWidget() is w.call.photo_large
                click(qtbot, w.call.photo.save)
                saved = list(photos.iterdir())
                assert len(saved) == 1 and stat.S_IMODE(os.stat(saved[0]).st_mode) == 0o600
                # Quality shows up from the stats.
                await until(lambda: call.quality is not None, 5, "quality grade")
                # Mute and camera off reach the kiosk as status hints.
                click(qtbot, w.call.mute)
                await until(lambda: {"type": "status", "camera": None, "microphone": False}
                            in lieksa.controls, 5, "mute hint")
                # End; wrap-up with a disposition and a note, ready early.
                click(qtbot, w.call.end)
                await until(lambda: p.phase is Phase.WRAP_UP, 10, "wrap-up")
                panel = w.work.wrapup
                assert w.work.action.currentWidget() is panel
                assert not panel.done.isEnabled()
                remaining = p.wrapup_remaining_s()
                assert remaining is not None and 25 < remaining <= 30
                panel.dispositions.setCurrentRow(1)
                qtbot.keyClicks(panel.note, "ohjattu OmaKelaan")
                click(qtbot, panel.done)
                await until(lambda: p.phase is Phase.READY, 5, "ready after wrap-up")
                # Nurmes was rejected earlier and is still waiting; the history shows the call.
                await until(lambda: p.offer is not None, 40, "Nurmes offered again")
                click(qtbot, w.work.offer.reject)
                w.work.tabs.setCurrentIndex(1)
                await until(lambda: p.history and p.history[0].disposition, 5, "history")
                item = p.history[0]
                assert item.disposition == "guided_to_eservice" and item.outcome == "answered"
                assert w.work.history.table.item(0, 6).text() == "Ohjattu verkkoasiointiin"
                assert w.work.history.table.item(0, 3).text() == "Lieksan yhteispalvelupiste"
                for citizen in (nurmes, lieksa):
                    await citizen.stop()

    run(body(), 120)


def test_transfer_keeps_the_citizen_and_tells_the_kiosk(qtbot, run, tmp_path):
    async def body() -> None:
        # Wrap-up long enough that the disposition below is chosen before it ends on a busy
        # machine: the server records a wrap-up only while it lasts (issue 12), and the console
        # sends a chosen one WRAPUP_SEND_BEFORE_END_S before the end.
        async with running_server(tmp_path / "data", wrapup_s=6.0) as h:
            h.add_agent("aino", ["kela.benefits", "vero.tax"], ["fi"])
            async with console_for(qtbot, h) as (console, _):
                p, w = console.presenter, console.window
                await log_in_and_get_ready(qtbot, console, "aino")
                citizen = Citizen(h, "kitee")
                await accept_next(qtbot, console, "kitee")
                await until(lambda: p.session is not None and p.session.services, 5, "services")
                click(qtbot, w.call.transfer)
                dialog = w.call.transfer_dialog
                assert dialog is not None and dialog.isVisible()
                assert dialog.services.count() >= 2
                assert dialog.select("vero.tax")
                click(qtbot, dialog.confirm)
                await until(lambda: any(isinstance(m, S.CallTransferred) for m in citizen.messages),
                            5, "kiosk told of the transfer")
                moved = next(m for m in citizen.messages if isinstance(m, S.CallTransferred))
                assert moved.service == "vero.tax"
                await until(lambda: p.phase is Phase.WRAP_UP, 5, "wrap-up")
                assert w.notice.isVisible() and "siirrettiin" in w.notice.text()
                await until(lambda: any(r.stat.service == "vero.tax" and r.stat.waiting == 1
                                        for r in p.queues), 5, "citizen waits in vero.tax")
                w.work.wrapup.dispositions.setCurrentRow(2)  # referred; then let time run out
                await until(lambda: p.phase in (Phase.READY, Phase.OFFERED), 10, "wrap-up ends")
                p.refresh_history()
                await until(lambda: p.history and p.history[-1].disposition == "referred", 5,
                            "late disposition recorded")
                assert p.history[-1].outcome == "transferred"
                await citizen.stop()

    run(body(), 90)


def test_missed_offers_set_not_ready(qtbot, run, tmp_path):
    async def body() -> None:
        async with running_server(tmp_path / "data", offer_timeout_s=0.6) as h:
            h.add_agent("aino", ["kela.benefits"], ["fi"])
            async with console_for(qtbot, h) as (console, chimes):
                p, w = console.presenter, console.window
                await log_in_and_get_ready(qtbot, console, "aino")
                for site in ("nurmes", "lieksa", "kitee"):
                    kiosk = await h.kiosk(h.add_kiosk(site, f"{site} 1"))
                    await kiosk.request(C.QueueJoin(service="kela.benefits", language="fi"))
                await until(lambda: p.status.reason == "missed_offers", 10, "missed_offers")
                assert p.phase is Phase.NOT_READY and p.offer is None
                assert len(chimes) >= 3
                assert w.work.action.currentWidget() is w.work.idle
                assert w.work.idle.missed.isVisible()
                assert "tauolle" in w.work.idle.missed.text()
                assert w.status.pill.text() == "Ei valmiina: vastaamattomat tarjoukset"
                assert w.status.ready.isVisible()

    run(body(), 60)
