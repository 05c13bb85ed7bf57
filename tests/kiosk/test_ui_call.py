"""Chat, document photo, idle reset and a camera lost mid-call, against a real server."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

import cv2
import numpy as np
import pytest
from PyQt6.QtCore import Qt

from client_core.camera import CameraVideoTrack
from kiosk.devices import KioskDevices
from kiosk.i18n import Catalogue
from kiosk.presence import PROMPT_ANSWER_S
from kiosk.state import IDLE_TIMEOUTS_S, CitizenSession, Screen
from kiosk.stills import CaptureTap
from kiosk.ui.call import CallScreen
from kiosk.ui.check import DeviceCheckScreen
from kiosk.ui.photo import PhotoScreen
from kiosk.ui.services import ServicesScreen
from tests.fake_clock import FakeClock
from tests.kiosk.clerk import Clerk
from tests.kiosk.conftest import all_texts, run, visible_texts
from tests.kiosk.helpers import make_app
from tests.kiosk.memory import traces
from tests.server.harness import Harness, running_server
from tests.waiting import wait_until
from wire.types import DeviceStatus, Language

pytestmark = pytest.mark.slow
CAT = Catalogue.load()
LEFT = Qt.MouseButton.LeftButton


async def _to_call(qtbot, h: Harness, app, clerk: Clerk, lang: Language) -> asyncio.Future:
    """Click through welcome, services and privacy; the clerk answers."""
    p, w = app.presenter, app.window
    answering = asyncio.ensure_future(clerk.answer())
    await wait_until(
        lambda: p.devices.online and h.ctx.live.connected_agents(), 10, "online, clerk in"
    )
    await asyncio.sleep(0.3)
    qtbot.mouseClick(w.screens[Screen.WELCOME].buttons[lang], LEFT)
    services = w.screens[Screen.SERVICES]
    assert isinstance(services, ServicesScreen)

    def tile():
        return next(
            (
                t
                for t in services.tiles
                if t.service_id == "kela.benefits" and t.isVisible() and t.state == "open"
            ),
            None,
        )

    await wait_until(lambda: tile() is not None, 10, "open service")
    qtbot.mouseClick(tile(), LEFT)
    qtbot.mouseClick(w.screens[Screen.PRIVACY].accept, LEFT)
    check = w.screens[Screen.DEVICE_CHECK]
    assert isinstance(check, DeviceCheckScreen)
    # The device check shows the citizen's own picture before they queue.
    await wait_until(lambda: check.self_view.frames_shown >= 1, 10, "own picture in the check")
    qtbot.mouseClick(check.join, LEFT)
    await wait_until(lambda: p.screen == Screen.CALL, 20, "call")
    session = await asyncio.wait_for(answering, 10)
    await wait_until(lambda: session.peer and session.peer.channel_open.is_set(), 10, "channel")
    return answering


@pytest.mark.timeout(180)
def test_chat_photo_and_idle_reset_leave_nothing(qtbot, qloop, tmp_path: Path) -> None:
    run(qloop, _chat_photo_idle(qtbot, tmp_path), timeout=150)


async def _chat_photo_idle(qtbot, tmp_path: Path) -> None:
    marker = "Q" + secrets.token_hex(8)  # only ever in locals, chat and the photo prompt
    async with running_server(tmp_path / "data") as h:
        kid = h.add_kiosk("lieksa", "Lieksa 1")
        h.add_agent("aino", ["kela.benefits"], ["fi", "sv", "en"])
        clock = FakeClock()
        app = make_app(h, kid, clock=clock)
        app.start()
        clerk = Clerk(h.base_url, "aino")
        p, w = app.presenter, app.window
        try:
            qtbot.mouseClick(w.bottombar.bigtext, LEFT)  # larger text, then Swedish
            await _to_call(qtbot, h, app, clerk, "sv")
            assert p.citizen.large_text and p.language == "sv"
            call = w.screens[Screen.CALL]
            assert isinstance(call, CallScreen)

            clerk.say(f"Hej {marker}")
            await wait_until(lambda: marker in call.history.toPlainText(), 10, "chat shown")
            qtbot.mouseClick(call.chat_button, LEFT)
            assert call.keyboard.isVisible()
            keys = {k.text(): k for k in call.keyboard.keys}
            for char in "tack":
                qtbot.mouseClick(keys[char], LEFT)
            qtbot.mouseClick(call.keyboard.send_button, LEFT)
            await wait_until(lambda: "tack" in clerk.chats, 10, "citizen's chat at the clerk")

            clerk.ask_photo(f"ID {marker}")
            await wait_until(lambda: p.screen == Screen.PHOTO, 10, "photo screen")
            photo = w.screens[Screen.PHOTO]
            assert isinstance(photo, PhotoScreen)
            assert any(marker in t for t in visible_texts(w))
            await wait_until(lambda: photo.preview.frames_shown >= 1, 10, "live preview")
            qtbot.mouseClick(photo.take, LEFT)
            assert p.citizen.photo is not None and p.citizen.photo.phase == "countdown"
            assert CAT.tr("sv", "photo.countdown", seconds=3) in visible_texts(w)
            clock.advance(3.05)
            await wait_until(lambda: clerk.photos, 60, "photo at the clerk")
            start, data = clerk.photos[0]
            image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
            assert image.shape[:2] == (1080, 1920) == (start.height, start.width)
            await wait_until(lambda: p.citizen.photo and p.citizen.photo.phase == "sent", 5)
            assert CAT.tr("sv", "photo.sent") in visible_texts(w)
            clock.advance(3.05)
            await wait_until(lambda: p.screen == Screen.CALL, 5, "back to the call")
            assert app.controller.photos_sent == 1

            await clerk.hang_up()
            await wait_until(lambda: p.screen == Screen.END, 10, "end screen")
            # The citizen walks away without touching anything: asked first, then reset.
            clock.advance((IDLE_TIMEOUTS_S[Screen.END] or 0) + 1)
            await wait_until(lambda: p.prompt is not None, 5, "are you still there?")
            assert w.prompt.isVisible() and app.controller.chime.attentions == 1
            assert p.screen == Screen.END
            clock.advance(PROMPT_ANSWER_S + 1)
            await wait_until(lambda: p.screen == Screen.WELCOME, 5, "reset after no answer")

            assert p.citizen == CitizenSession(language="fi")
            assert p.language == "fi" and not p.citizen.large_text
            assert not any(marker in t for t in all_texts(w)), "citizen text left in a widget"
            assert app.controller.session is None
            assert app.controller.remote.get()[1] is None
            assert app.devices.preview.get()[1] is None
            assert not call.entry.text() and not call.history.toPlainText().count(marker)
            await asyncio.sleep(0.3)  # let the closed call's tasks finish
            roots = [app, app.presenter, app.controller, app.window, app.devices, app.client]
            assert traces(roots, marker) == []
        finally:
            await clerk.close()
            await app.stop()


class FakeCapture:
    """A camera that delivers 1280×720 frames until it is unplugged."""

    def __init__(self) -> None:
        self.plugged = True
        self.image = np.full((720, 1280, 3), 120, np.uint8)

    def isOpened(self) -> bool:
        return True

    def read(self) -> tuple[bool, object]:
        import time

        time.sleep(1 / 30)
        return (True, self.image.copy()) if self.plugged else (False, None)

    def release(self) -> None:
        self.plugged = False


def test_camera_lost_mid_call_is_reported_and_call_goes_on(qtbot, qloop, tmp_path: Path) -> None:
    run(qloop, _camera_lost(qtbot, tmp_path), timeout=90)


async def _camera_lost(qtbot, tmp_path: Path) -> None:
    async with running_server(tmp_path / "data") as h:
        kid = h.add_kiosk("kitee", "Kitee 1")
        h.add_agent("aino", ["kela.benefits"], ["fi", "sv", "en"])
        capture = FakeCapture()
        tap = CaptureTap(capture)
        track = await CameraVideoTrack.open(
            capture_factory=lambda: tap, width=640, height=360, stall_timeout_s=0.5
        )
        devices = await KioskDevices.from_camera_track(track, tap)
        app = make_app(h, kid, devices=devices)
        app.start()
        clerk = Clerk(h.base_url, "aino")
        p, w = app.presenter, app.window
        try:
            await _to_call(qtbot, h, app, clerk, "fi")
            assert clerk.session is not None
            await wait_until(
                lambda: clerk.session.peer and clerk.session.peer.video_sink.frames_received > 10,
                10,
                "kiosk camera at the clerk",
            )
            capture.plugged = False  # unplugged mid-call

            await wait_until(lambda: p.devices.camera == DeviceStatus.FAILED, 5, "camera failed")
            assert CAT.tr("fi", "call.camera_broken") in visible_texts(w)
            assert p.screen == Screen.CALL
            live = h.ctx.live.kiosk_live
            await wait_until(
                lambda: live[kid].health and live[kid].health.camera == DeviceStatus.FAILED,
                5,
                "operator told",
            )
            await wait_until(
                lambda: any(s.camera is False for s in clerk.statuses), 5, "clerk told"
            )

            # The call goes on: sound both ways, chat, placeholder picture, no renegotiation.
            kiosk_peer = app.controller.session.peer  # type: ignore[union-attr]
            assert kiosk_peer is not None
            audio_before = kiosk_peer.audio_sink.frames_received
            video_before = clerk.session.peer.video_sink.frames_received  # type: ignore[union-attr]
            clerk.say("Kuuletko minut?")
            await wait_until(
                lambda: kiosk_peer.audio_sink.frames_received > audio_before + 25, 10, "audio"
            )
            await wait_until(
                lambda: clerk.session.peer.video_sink.frames_received > video_before + 5,  # type: ignore[union-attr]
                10,
                "placeholder picture",
            )
            await wait_until(lambda: any("Kuuletko minut?" in t for t in visible_texts(w)), 5)
            assert app.controller.session is not None and app.controller.session.attempt == 0

            clerk.ask_photo("passi")
            await wait_until(lambda: p.screen == Screen.PHOTO, 5)
            assert CAT.tr("fi", "photo.unavailable") in visible_texts(w)
        finally:
            await clerk.close()
            await app.stop()


def test_heartbeats_reach_the_server(qtbot, qloop, tmp_path: Path) -> None:
    run(qloop, _heartbeats(tmp_path), timeout=30)


async def _heartbeats(tmp_path: Path) -> None:
    from kiosk.health import HEALTH_INTERVAL_S

    assert HEALTH_INTERVAL_S == 10.0  # production period; the test runs it faster
    async with running_server(tmp_path / "data") as h:
        kid = h.add_kiosk()
        app = make_app(h, kid, health_interval_s=0.3)
        app.start()
        try:
            seen: list[float] = []
            live = h.ctx.live.kiosk_live

            async def collect() -> None:
                while len(seen) < 4:
                    at = live.get(kid) and live[kid].health_at
                    if at and at not in seen:
                        seen.append(at)
                    await asyncio.sleep(0.02)

            await asyncio.wait_for(collect(), 10)
            health = live[kid].health
            assert health is not None
            assert health.app_version and health.uptime_s > 0
            assert health.camera == health.microphone == health.speaker == DeviceStatus.OK
            assert health.cpu_percent is not None and health.memory_percent is not None
            assert health.disk_percent is not None
            assert health.server_rtt_ms is not None and health.server_rtt_ms < 1000
        finally:
            await app.stop()
