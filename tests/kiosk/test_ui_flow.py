"""The whole citizen journey in each language, against a real server and the headless agent.

Real WebSockets on loopback, real aiortc media both ways (synthetic picture and tone), the
real window driven by clicks: welcome → services → privacy → waiting → call → end → welcome.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PyQt6.QtCore import Qt

from agent_console.headless import AgentScript, run_agent
from kiosk import wording
from kiosk.i18n import Catalogue
from kiosk.state import Screen
from kiosk.ui.call import CallScreen
from kiosk.ui.end import EndScreen
from kiosk.ui.services import ServicesScreen
from kiosk.ui.waiting import WaitingScreen
from kiosk.ui.welcome import WelcomeScreen
from tests.kiosk.conftest import run, visible_texts
from tests.kiosk.helpers import make_app
from tests.server.harness import PASSWORD, running_server
from tests.waiting import wait_until
from wire.types import DeviceStatus, Language

pytestmark = pytest.mark.slow
CAT = Catalogue.load()
LEFT = Qt.MouseButton.LeftButton


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_whole_flow_in_each_language(qtbot, qloop, tmp_path: Path, lang: Language) -> None:
    run(qloop, _flow(qtbot, tmp_path, lang), timeout=90)


async def _flow(qtbot, tmp_path: Path, lang: Language) -> None:
    async with running_server(tmp_path / "data") as h:
        kid = h.add_kiosk("nurmes", "Nurmes 1")
        h.add_agent("aino", ["kela.benefits"], ["fi", "sv", "en"])
        app = make_app(h, kid)
        app.start()
        p, w = app.presenter, app.window
        agent: asyncio.Future[int] | None = None
        try:
            # The clerk is logged in and ready: the service is open in every language.
            agent = asyncio.ensure_future(
                run_agent(
                    AgentScript(
                        h.base_url,
                        "aino",
                        PASSWORD,
                        hold_s=4.0,
                        wait_timeout_s=30,
                        stats_interval_s=1.0,
                    )
                )
            )
            await wait_until(lambda: p.devices.online, 10, "online")
            await wait_until(lambda: h.ctx.live.connected_agents(), 10, "agent connected")
            await asyncio.sleep(0.3)  # its "ready" follows the welcome
            welcome = w.screens[Screen.WELCOME]
            assert isinstance(welcome, WelcomeScreen)
            qtbot.mouseClick(welcome.buttons[lang], LEFT)
            assert p.screen == Screen.SERVICES and p.language == lang

            services = w.screens[Screen.SERVICES]
            assert isinstance(services, ServicesScreen)

            def kela_tile():
                return next(
                    (
                        t
                        for t in services.tiles
                        if t.service_id == "kela.benefits" and t.isVisible() and t.state == "open"
                    ),
                    None,
                )

            await wait_until(lambda: kela_tile() is not None, 10, "service tiles")
            tile = kela_tile()
            assert tile is not None and tile.isEnabled()
            assert (
                tile.name.text()
                == {"fi": "Kelan etuudet", "sv": "FPA:s förmåner", "en": "Kela benefits"}[lang]
            )
            assert CAT.tr(lang, "services.title") in visible_texts(w)
            qtbot.mouseClick(tile, LEFT)
            assert p.screen == Screen.PRIVACY
            assert CAT.tr(lang, "privacy.point_video").strip() in "".join(visible_texts(w))
            qtbot.mouseClick(w.screens[Screen.PRIVACY].accept, LEFT)  # type: ignore[attr-defined]
            assert p.screen == Screen.DEVICE_CHECK
            assert CAT.tr(lang, "check.self_view") in visible_texts(w)
            qtbot.mouseClick(w.screens[Screen.DEVICE_CHECK].join, LEFT)  # type: ignore[attr-defined]
            assert p.screen == Screen.WAITING

            waiting = w.screens[Screen.WAITING]
            assert isinstance(waiting, WaitingScreen)
            first = CAT.tr(lang, "waiting.position_first")
            await wait_until(lambda: waiting.position.text() == first, 10, "queue position")
            # The server's kind of estimate came over the wire and is what the screen says.
            assert p.citizen.estimate_kind in ("soon", "minutes", "none")
            assert waiting.estimate.text() == wording.waiting_lines(p, CAT)[1] != ""

            await wait_until(lambda: p.screen == Screen.CALL, 20, "call screen")
            assert app.controller.chime.played == 1
            call = w.screens[Screen.CALL]
            assert isinstance(call, CallScreen)
            await wait_until(lambda: call.video.frames_shown >= 5, 10, "remote video drawn")
            await wait_until(lambda: call.video.self_view.frames_shown >= 1, 10, "self view")
            await wait_until(lambda: p.citizen.quality is not None, 10, "quality")
            quality_texts = {CAT.tr(lang, f"call.quality_{g}") for g in ("good", "fair", "poor")}
            assert call.quality.text() in quality_texts
            assert CAT.tr(lang, "call.end") in visible_texts(w)

            await wait_until(lambda: p.screen == Screen.END, 20, "end screen")
            assert await asyncio.wait_for(agent, 15) == 0
            end = w.screens[Screen.END]
            assert isinstance(end, EndScreen)
            qtbot.mouseClick(end.stars[4], LEFT)
            assert p.citizen.rating == 5
            assert CAT.tr(lang, "end.rating_thanks") in visible_texts(w)
            assert p.screen == Screen.END  # rated: it stays until "done" (or asks first)
            qtbot.mouseClick(end.done, LEFT)
            assert p.screen == Screen.WELCOME and p.language == "fi"

            # The stars reached the call record (and nothing stayed on the kiosk).
            [record] = [
                c for c in h.ctx.store.calls_between(0, 2e9)
                if c.kiosk_id == kid and c.answered_at is not None
            ]

            def stored_rating() -> int | None:
                again = h.ctx.store.call(record.id)
                return None if again is None else again.rating

            await wait_until(lambda: stored_rating() == 5, 5, "rating stored")
            assert app.controller.last_call_id is None

            live = h.ctx.live.kiosk_live[kid]
            assert live.health is not None and live.health.camera == DeviceStatus.OK
            assert live.last_quality is not None
        finally:
            if agent is not None and not agent.done():
                agent.cancel()
            await app.stop()
