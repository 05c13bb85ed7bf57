"""A real call of three at the touch kiosk: the server, a clerk who invites an interpreter
from the Somali pool and the interpreter run as processes; the kiosk is the real app
(offscreen, synthetic camera).  The citizen's screen shows both with name and role, the
interpreter's live picture largest, their own picture apart, and the call ends for all when
the citizen hangs up.  ``ETAPISTE_SHOTS=DIR`` keeps the screenshots."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest
from PyQt6.QtCore import Qt

from demo.process import start_server, wait_ready
from demo.seed import INTERPRETER, seed
from kiosk.app import KioskApp, KioskConfig
from kiosk.devices import KioskDevices
from kiosk.state import Screen
from kiosk.ui.call import CallScreen
from kiosk.ui.services import ServicesScreen
from signaling.settings import Settings
from tests.calls.members import agent
from tests.calls.processes import free_port, kill_all
from tests.fake_clock import FakeClock
from tests.kiosk.conftest import run
from tests.server.harness import CHEAP_HASHER, FAST
from tests.waiting import wait_until
from wire import member_messages as M

pytestmark = pytest.mark.slow
LEFT = Qt.MouseButton.LeftButton
AINO = ("aino", "demo-aino-2026")


def _keep(shot: Path) -> None:
    keep = os.environ.get("ETAPISTE_SHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)


@pytest.mark.timeout(240)
def test_citizen_sees_clerk_and_interpreter_live(qtbot, qloop, tmp_path: Path) -> None:
    run(qloop, _three_live(qtbot, tmp_path), timeout=220)


async def _three_live(qtbot, tmp_path: Path) -> None:
    data = tmp_path / "data"
    setup = seed(data, Settings().catalogue, CHEAP_HASHER)
    token = next(iter(setup.kiosk_tokens.values()))
    port = free_port()
    server = start_server(data, port)
    procs = []
    app: KioskApp | None = None
    try:
        await wait_ready(f"http://127.0.0.1:{port}")
        interp = await agent(port, INTERPRETER.username, INTERPRETER.password, "interpreter",
                             ["--member"], 60, data / "interpreter.log")
        clerk = await agent(port, *AINO, "clerk", ["--invite", "interpreters:so"], 60,
                            data / "clerk.log")
        procs += [interp, clerk]
        await interp.wait_event("welcome", 30)
        await clerk.wait_event("welcome", 30)
        config = KioskConfig(
            url=f"ws://127.0.0.1:{port}/ws", token=token, windowed=True, stats_interval_s=1.0,
            media_timeout_s=10.0, backoff=FAST, audio_device=None, speech=False,
        )
        app = KioskApp(config, KioskDevices.synthetic(), clock=FakeClock())
        app.start()
        p, w = app.presenter, app.window
        w.resize(1920, 1080)
        await wait_until(lambda: p.devices.online and p.services_loaded, 20, "online")
        qtbot.mouseClick(w.screens[Screen.WELCOME].buttons["fi"], LEFT)
        services = w.screens[Screen.SERVICES]
        assert isinstance(services, ServicesScreen)

        def tile():  # type: ignore[no-untyped-def]
            return next((t for t in services.tiles if t.service_id == "kela.benefits"
                         and t.isVisible() and t.state == "open"), None)

        await wait_until(lambda: tile() is not None, 10, "open service")
        qtbot.mouseClick(tile(), LEFT)
        qtbot.mouseClick(w.screens[Screen.PRIVACY].accept, LEFT)
        qtbot.mouseClick(w.screens[Screen.DEVICE_CHECK].join, LEFT)  # type: ignore[attr-defined]
        await wait_until(lambda: p.screen == Screen.CALL, 30, "the clerk answered")
        await wait_until(lambda: p.several_members, 40, "the interpreter joined")
        call = w.screens[Screen.CALL]
        assert isinstance(call, CallScreen)
        stage = call.stage
        roles = [m.role for m in p.citizen.members]
        assert roles == ["interpreter", "clerk"], roles
        tiles = [stage.main, stage.small[0], stage.small[1]]
        await wait_until(lambda: all(t.video.frames_shown > 3 for t in tiles), 40,
                         "live pictures of interpreter, clerk and the citizen")
        texts = [t.label.text().replace("\u00ad", "") for t in tiles]
        assert texts[0] == f"Tulkki (somali): {INTERPRETER.name}", texts
        assert texts[1] == "Virkailija\nAino Virtanen" and texts[2] == "Sinä"
        main, small = stage.main.video, stage.small[0].video
        assert main.width() * main.height() > 2 * small.width() * small.height()
        shot = tmp_path / "kiosk-live-three.png"
        w.grab().save(str(shot))
        _keep(shot)
        # The shared chat: the kiosk's line goes to the server's member chat (which relays
        # it to everyone, the kiosk too).
        echoes: list[M.MemberChatPosted] = []
        app.client.add_listener(
            lambda m: echoes.append(m) if isinstance(m, M.MemberChatPosted) else None
        )
        qtbot.mouseClick(call.chat_button, LEFT)
        keys = {k.text(): k for k in call.keyboard.keys}
        for char in "hei":
            qtbot.mouseClick(keys[char], LEFT)
        qtbot.mouseClick(call.keyboard.send_button, LEFT)
        await wait_until(lambda: any(e.text == "hei" for e in echoes), 10, "chat relayed")
        assert echoes[-1].member_id == app.controller.member_id and echoes[-1].role == "kiosk"
        qtbot.mouseClick(call.end, LEFT)  # the citizen ends the call: for all
        assert (await interp.wait_event("ended", 20))["by"] == "kiosk"
        assert p.screen == Screen.END and p.citizen.members == []
    finally:
        if app is not None:
            await app.stop()
        await kill_all(*procs)
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(15)
