"""A booking's whole life through a real server: booked on the public page in real Chromium,
the QR code read back (OpenCV, as a kiosk camera would) and checked in at a kiosk over a real
WebSocket, offered at the slot's start to the clerk held for it, answered, media both ways
between real aiortc peers, hung up, and recorded as served. The server's clock is driven
forward to the slot; everything else runs as in production."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from client_core.call import CallSession
from signaling.booking.capacity import Capacity
from signaling.booking.codes import code_digest
from signaling.routing.hours import DAY_KEYS
from tests.calls.inprocess import sources
from tests.server.harness import running_server
from tests.waiting import wait_until
from tools.dashboard_screenshots import CHROMIUM, chromium_page
from wire import booking_messages as B
from wire import client_messages as C
from wire import server_messages as S

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(120),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} missing (Debian chromium)"),
]


class DrivenClock:
    """Wall time plus an offset the test moves forward (the server reads only this)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


async def test_booked_on_the_page_checked_in_by_qr_answered_with_media(tmp_path: Path) -> None:
    clock = DrivenClock()
    async with running_server(tmp_path / "data", clock,
                              public_url="https://etapiste.example") as h:
        store = h.ctx.store
        weekly = {d: [["00:00", "24:00"]] for d in DAY_KEYS}
        store.set_capacity(Capacity("kela.benefits", "fi", 30, 1, weekly), now=clock())
        kiosk_id = h.add_kiosk("lieksa", "Lieksa 1")
        h.add_agent("aino", ["kela.benefits"], ["fi"])

        # -- a citizen books on a phone ------------------------------------------------------
        async with chromium_page(tmp_path / "profile", 390, 844, locale="fi-FI") as page:
            await page.goto(f"{h.base_url}/book")
            await page.get_by_label("Kelan etuudet suomeksi").check()
            await page.get_by_label("Lieksa").check()
            await page.get_by_role("button", name="Näytä vapaat ajat").click()
            await page.locator(".slots button").first.click()
            code = await page.locator(".code").get_attribute("data-code")
            png = await page.locator(".qr svg").screenshot()
        assert code is not None
        booking = store.booking_by_code(code_digest(code))
        assert booking is not None
        image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
        assert image is not None
        qr_text, _points, _ = cv2.QRCodeDetector().detectAndDecode(image)
        assert qr_text.endswith(code)

        # -- the clerk is at work; the citizen checks in five minutes early -------------------
        agent, kiosk = await h.agent("aino"), await h.kiosk(kiosk_id)
        agent.send(C.AgentStateSet(state="ready"))
        clock.offset = booking.start_at - 300 - time.time()
        waiting = asyncio.ensure_future(kiosk.wait_for(B.BookingWait))
        checked = await kiosk.request(B.BookingCheckIn(code=qr_text, source="qr"))
        assert isinstance(checked, B.BookingCheckedIn)
        assert checked.booking.booking_id == booking.id
        assert (await waiting).state == "before_slot"
        assert store.booking(booking.id).state == "checked_in"  # type: ignore[union-attr]

        # -- the slot starts: the clerk is offered the booked citizen, answers ----------------
        offered = asyncio.ensure_future(agent.wait_for(S.Offer))
        told = asyncio.ensure_future(kiosk.wait_for(B.BookingWait, lambda m: m.state == "offered"))
        clock.offset = booking.start_at + 1 - time.time()
        h.ctx.wake()
        offer = await offered
        await told
        assert offer.booking is not None and offer.booking.booking_id == booking.id
        starts = [asyncio.ensure_future(c.wait_for(S.CallStart)) for c in (kiosk, agent)]
        agent.send(C.OfferAccept(offer_id=offer.offer_id))
        k_start, a_start = [await s for s in starts]
        await wait_until(lambda: store.booking(booking.id).state == "in_call", 5,  # type: ignore[union-attr]
                         "the booking in a call")

        # -- media both ways between real aiortc peers ----------------------------------------
        k_session = CallSession(kiosk, k_start, sources())
        a_session = CallSession(agent, a_start, sources())
        try:
            await k_session.begin()
            await a_session.begin()
            await wait_until(
                lambda: all(s.peer is not None and s.peer.video_sink.frames_received > 10
                            for s in (k_session, a_session)),
                20, "video both ways",
            )
        finally:
            await k_session.hangup(timeout=2)
            await a_session.hangup(timeout=2)
        await wait_until(lambda: store.booking(booking.id).state == "done", 10,  # type: ignore[union-attr]
                         "the booking recorded as served")
        done = store.booking(booking.id)
        assert done is not None and done.call_id == k_start.call_id
        assert done.served_by is not None
