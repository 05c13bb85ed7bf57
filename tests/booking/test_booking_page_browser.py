"""The public booking page in real headless Chromium (Debian's, through Playwright) on a phone-
sized screen, against a real server: choose, book, read the code and the QR code from the page
(the QR decoded from a screenshot with OpenCV, as a kiosk camera would), cancel by code."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import cv2
import numpy as np
import pytest
from playwright.async_api import expect

from signaling.booking.capacity import Capacity
from signaling.booking.codes import code_digest
from signaling.routing.hours import DAY_KEYS
from tests.server.harness import running_server
from tools.dashboard_screenshots import CHROMIUM, chromium_page
from wire.booking_code import normalise_code

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(90),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} missing (Debian chromium)"),
]

PUBLIC = "https://etapiste.example"


def every_day(service: str, language: str) -> Capacity:
    return Capacity(service, language, 30, 1, {d: [["08:00", "16:00"]] for d in DAY_KEYS})


async def test_book_on_a_phone_read_the_code_and_qr_then_cancel(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data", public_url=PUBLIC) as h:
        store = h.ctx.store
        store.set_capacity(every_day("migri.permits", "fi"), now=h.ctx.clock())
        h.add_kiosk("lieksa", "Lieksa 1")
        async with chromium_page(tmp_path / "profile", 390, 844, locale="fi-FI") as page:
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            await page.goto(f"{h.base_url}/book")
            await expect(page.locator("html")).to_have_attribute("lang", "fi")
            await page.get_by_label("Oleskelulupa- ja kansalaisuusasiat suomeksi").check()
            await page.get_by_label("Lieksa").check()
            await page.get_by_role("button", name="Näytä vapaat ajat").click()
            await expect(page.locator("h2")).to_have_text("3. Valitse aika")
            first = page.locator(".slots button").first
            label = await first.get_attribute("aria-label")
            await first.click()
            await expect(page.locator("h2.ok")).to_have_text("Aika on varattu")
            code = await page.locator(".code").get_attribute("data-code")
            shown = await page.locator(".code").inner_text()
            assert code is not None and shown == f"{code[:3]}-{code[3:]}"
            booking = store.booking_by_code(code_digest(code))
            assert booking is not None and booking.state == "booked"
            assert booking.made_by == "public" and booking.site_id == "lieksa"
            # The ticket states the time that was chosen ("Varaa <day> klo <time>").
            assert label is not None and label.startswith("Varaa ")
            chosen = label.removeprefix("Varaa ")
            await expect(page.locator(".ticket dd").first).to_have_text(chosen)
            # The QR code reads back as the page's address ending in the code.
            png = await page.locator(".qr svg").screenshot()
            image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
            assert image is not None
            text, _points, _ = cv2.QRCodeDetector().detectAndDecode(image)
            assert text == f"{PUBLIC}/book/{code}" and normalise_code(text) == code
            await expect(page.get_by_role("button", name="Tulosta")).to_be_visible()
            # Cancel with the code as a person might type it.
            await page.get_by_role("link", name="Peru varaus").click()
            await page.fill("#code", f"{code[:3].lower()} {code[3:]}")
            await page.get_by_role("button", name="Peru varaus").click()
            await expect(page.locator("p.ok")).to_have_text("Varaus on peruttu.")
            again = store.booking_by_code(code_digest(code))
            assert again is not None and again.state == "cancelled"
            assert errors == []
        # A form post without the page's token changes nothing.
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"{h.base_url}/book/cancel", data={"code": code}) as resp,
        ):
            assert resp.status == 403


async def test_page_speaks_swedish_and_english_and_offers_nothing_without_capacity(
    tmp_path: Path,
) -> None:
    async with running_server(tmp_path / "data") as h:
        h.add_kiosk("lieksa", "Lieksa 1")
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{h.base_url}/book", headers={"Accept-Language": "sv"}) as r:
                text = await r.text()
                assert 'lang="sv"' in text and "Tidsbokning erbjuds inte just nu" in text
            h.ctx.store.set_capacity(every_day("kela.benefits", "en"), now=h.ctx.clock())
            async with http.get(f"{h.base_url}/book?lang=en") as r:
                text = await r.text()
                assert "Kela benefits in English" in text
                assert r.headers["Content-Security-Policy"].startswith("default-src 'none'")
