"""The kiosk prepares its call's offer while the citizen waits (real server, no screen): the
call starts on it, and leaving the queue closes it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from client_core.signaling_client import SignalingClient
from kiosk.controller import KioskController
from kiosk.devices import KioskDevices
from kiosk.flow import KioskPresenter
from kiosk.state import Screen
from tests.kiosk.clerk import Clerk
from tests.server.harness import FAST, running_server
from tests.waiting import wait_until


def _kiosk(ws_url: str, token: str) -> tuple[KioskController, KioskPresenter]:
    client = SignalingClient(ws_url, token, backoff=FAST)
    controller = KioskController(client, KioskDevices.synthetic())
    p = KioskPresenter(controller)
    controller.bind(p)
    controller.start()
    return controller, p


async def _queue(controller: KioskController, p: KioskPresenter) -> None:
    await wait_until(lambda: p.devices.online and bool(p.services), 10, "online, services")
    controller.refresh_services()  # with the clerk logged in: Finnish is served
    await asyncio.sleep(0.3)
    p.choose_language("fi")
    p.choose_service("kela.benefits")
    p.accept_privacy()
    p.join_queue()
    assert p.screen == Screen.WAITING


async def test_leaving_the_queue_closes_the_prepared_offer(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data") as h:
        kid = h.add_kiosk()
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        clerk = Clerk(h.base_url, "aino")
        await clerk.connect()  # logged in, not ready: the citizen waits
        controller, p = _kiosk(h.ws_url, h.kiosk_tokens[kid])
        try:
            await _queue(controller, p)
            await wait_until(lambda: controller.primer is not None
                             and controller.primer.current() is not None, 10, "offer ready")
            assert controller.primer is not None
            offer = controller.primer.current()
            assert offer is not None
            p.cancel_wait()  # the citizen leaves the queue
            await wait_until(lambda: controller.primer is None, 5, "primer dropped")
            await wait_until(lambda: offer.pc.connectionState == "closed", 5, "offer closed")
        finally:
            await controller.stop()


async def test_the_call_starts_on_the_offer_prepared_in_the_queue(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data") as h:
        kid = h.add_kiosk()
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        clerk = Clerk(h.base_url, "aino")
        await clerk.connect()
        controller, p = _kiosk(h.ws_url, h.kiosk_tokens[kid])
        try:
            await _queue(controller, p)
            await wait_until(lambda: controller.primer is not None
                             and controller.primer.current() is not None, 10, "offer ready")
            assert controller.primer is not None
            offer = controller.primer.current()
            assert offer is not None
            await clerk.answer()
            await wait_until(lambda: p.screen == Screen.CALL, 10, "call")
            session = controller.session
            assert session is not None
            await wait_until(lambda: session.peer is not None
                             and session.peer.connected.is_set(), 10, "media connected")
            assert session.peer is not None and session.peer.pc is offer.pc
            assert controller.primer is None and session.primer is None
            await wait_until(lambda: session.first_frame_at is not None, 10, "clerk's picture")
        finally:
            if clerk.session is not None:
                await clerk.session.close()
            await controller.stop()
