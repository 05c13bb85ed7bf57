"""A Swedish citizen at the real kiosk, a real server, only a Finnish clerk at work.

The Kela tile says Swedish is not available now; touching it tells the citizen when Swedish
service is expected (from the server's staffing history) and offers the Finnish queue with its
wait; choosing it queues the citizen in Finnish while the screens stay in Swedish.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from PyQt6.QtCore import Qt

from kiosk import wording
from kiosk.i18n import Catalogue
from kiosk.language_help import QueueOption
from kiosk.state import Screen
from kiosk.ui.language_help import LanguageHelpScreen
from kiosk.ui.services import ServicesScreen
from kiosk.ui.welcome import WelcomeScreen
from tests.kiosk.conftest import SOFT_HYPHEN, run, visible_texts
from tests.kiosk.helpers import make_app
from tests.server.harness import running_server
from tests.server.staffing import seed_habit, usual_start
from tests.waiting import wait_until
from wire import client_messages as C
from wire import server_messages as S

pytestmark = pytest.mark.slow
CAT = Catalogue.load()
LEFT = Qt.MouseButton.LeftButton


def test_swedish_citizen_sees_the_finnish_wait_and_when_swedish_is_expected(
    qtbot, qloop, tmp_path: Path
) -> None:
    run(qloop, _scenario(qtbot, tmp_path), timeout=60)


async def _scenario(qtbot, tmp_path: Path) -> None:
    async with running_server(tmp_path / "data") as h:
        kid = h.add_kiosk("nurmes", "Nurmes 1")
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        now = time.time()
        expected = usual_start(now)
        seed_habit(h.ctx.store, "kela.benefits", "sv", now, expected)  # usually Swedish then
        aino = await h.agent("aino")
        ready = asyncio.ensure_future(aino.wait_for(S.AgentStatus, lambda m: m.state == "ready"))
        aino.send(C.AgentStateSet(state="ready"))
        await ready
        app = make_app(h, kid)
        app.start()
        p, w = app.presenter, app.window
        try:
            await wait_until(lambda: p.devices.online, 10, "online")
            welcome = w.screens[Screen.WELCOME]
            assert isinstance(welcome, WelcomeScreen)
            qtbot.mouseClick(welcome.buttons["sv"], LEFT)
            services = w.screens[Screen.SERVICES]
            assert isinstance(services, ServicesScreen)

            def kela_tile():
                return next((t for t in services.tiles
                             if t.service_id == "kela.benefits" and t.isVisible()), None)

            await wait_until(lambda: kela_tile() is not None
                             and kela_tile().state == "other_language", 10, "the Kela tile")
            tile = kela_tile()
            assert tile.isEnabled()  # it does something when touched: it explains
            qtbot.mouseClick(tile, LEFT)
            assert p.screen == Screen.LANGUAGE_HELP

            screen = w.screens[Screen.LANGUAGE_HELP]
            assert isinstance(screen, LanguageHelpScreen)
            texts = [t.replace(SOFT_HYPHEN, "") for t in visible_texts(w)]
            when = CAT.when("sv", expected, p.wall_clock())
            assert CAT.tr("sv", "language.expected", when=when) in texts, texts
            # The Finnish queue's wait as the router tells a newcomer, on the button.
            told = h.ctx.router.wait_estimate("kela.benefits", "fi", 1)
            kela = p.service("kela.benefits")
            assert kela is not None and kela.estimated_wait_s["fi"] == told.shown_s
            finnish = [b for b in screen.options if b.isVisible() and b.text_label.text()
                       .replace(SOFT_HYPHEN, "").startswith("Köa på finska")]
            assert len(finnish) == 1, [b.text_label.text() for b in screen.options]
            assert finnish[0].text_label.text().replace(SOFT_HYPHEN, "") == wording.option_text(
                p, CAT, QueueOption("fi", told.shown_s))

            qtbot.mouseClick(finnish[0], LEFT)
            assert p.screen == Screen.PRIVACY and p.language == "sv"
            qtbot.mouseClick(w.screens[Screen.PRIVACY].accept, LEFT)  # type: ignore[attr-defined]
            qtbot.mouseClick(w.screens[Screen.DEVICE_CHECK].join, LEFT)  # type: ignore[attr-defined]
            assert p.screen == Screen.WAITING
            await wait_until(lambda: h.ctx.router.entry_for_kiosk(kid) is not None, 10,
                             "queued")
            entry = h.ctx.router.entry_for_kiosk(kid)
            assert entry is not None and entry.language == "fi"
            # The router holds the entry before the kiosk has read the reply: wait for it.
            first = CAT.tr("sv", "waiting.position_first")
            await wait_until(lambda: first in visible_texts(w), 10, "position shown")
            # The Finnish queue's estimate, in Swedish, read by the kind the server sent.
            assert p.citizen.estimate_kind is not None
            assert wording.waiting_lines(p, CAT)[1] in visible_texts(w)
        finally:
            await app.stop()
