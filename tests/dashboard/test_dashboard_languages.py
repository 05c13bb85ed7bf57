"""Every dashboard page in real headless Chromium in Swedish, English and Finnish.

A Swedish browser gets the Swedish login page; the operator's choice made with the language
links wins over the browser's and is remembered across pages and a new login. Each page is
checked in each language: ``<html lang>``, its title, no catalogue key showing raw, no words
of another language, and the live parts (filled by the script) in the same language. Times
are Finnish time written the same way by the script and by the server (an alert's "raised"
time against :meth:`Texts.datetime` of the stored time). The language alert shows with the
official Swedish names.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from signaling.dashboard_pages import NAV
from signaling.dashboard_texts import CATALOGUE, texts
from tests.dashboard.helpers import record_calls
from tests.server.harness import PASSWORD, running_server
from tools.dashboard_screenshots import CHROMIUM, chromium_page
from wire import client_messages as C
from wire.types import Language

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(110),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} missing (Debian chromium)"),
]

# Words that must not show on a page in another language (texts of our own, not names).
FOREIGN: dict[Language, tuple[str, ...]] = {
    "fi": ("Loading", "Log out", "Acknowledge", "waiting now", "Download CSV", "Provision",
           "never connected", " ago", "Laddar", "Logga ut", "Kvittera", "för "),
    "sv": ("Loading", "Log out", "Acknowledge", "waiting now", "Download CSV", "Provision",
           "never connected", " ago", "Ladataan", "Kirjaudu", "Kuittaa", "sitten"),
    "en": ("Ladataan", "Kirjaudu", "Kuittaa", "sitten", " klo ", "Laddar", "Logga ut",
           "Kvittera", " kl. "),
}
LIVE = {"kiosks": "tr[data-kiosk]", "alerts": ".alert", "queues": "table.queues"}
KEY_LIKE = re.compile(r"\b[a-z_]+\.[a-z0-9_]+\b")


async def check_page(page: Page, lang: Language, section: str) -> str:
    """The page in ``lang``: title, menu, live parts, nothing raw or foreign. Returns its text."""
    t = texts(lang)
    await expect(page.locator("html")).to_have_attribute("lang", lang)
    await expect(page.locator("main h1")).to_have_text(t.t(f"title.{section}"))
    await expect(page.locator("header nav a[aria-current=page]")).to_have_text(
        t.t(f"nav.{section}")
    )
    if section in LIVE:
        await expect(page.locator("#live-state")).to_have_text(t.t("top.live"), timeout=10_000)
        await page.wait_for_selector(LIVE[section])
    text = await page.locator("body").inner_text()
    raw = {k for k in KEY_LIKE.findall(text) if k in CATALOGUE.keys("en")}
    assert raw == set(), (lang, section, raw)
    foreign = [w for w in FOREIGN[lang] if w in text]
    assert foreign == [], (lang, section, foreign)
    return text


async def test_every_page_in_every_language_and_the_choice_is_remembered(
    tmp_path: Path,
) -> None:
    async with running_server(tmp_path / "data", unserved_language_alert_s=0.5) as h:
        h.add_agent("olli", [], ["fi"], role="admin")  # an admin sees every page
        agent_id = h.add_agent("britt", ["kela.benefits"], ["fi", "sv"])
        kiosk_id = h.add_kiosk("kitee", "Kitee kiosk 1")
        h.add_kiosk("lieksa", "Lieksa kiosk 1")  # never connected
        record_calls(h.ctx.store, kiosk_id, agent_id, "kela.benefits", time.time() - 7200)
        await h.agent("britt")  # logged in, not ready: the Swedish citizen waits unserved
        kiosk = await h.kiosk(kiosk_id)
        await kiosk.request(C.QueueJoin(service="kela.benefits", language="sv"))

        async with chromium_page(tmp_path / "profile", locale="sv-FI") as page:
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))

            # -- a Swedish browser: the login page is Swedish ----------------------------------
            await page.goto(f"{h.base_url}/dashboard/login")
            await expect(page.locator("html")).to_have_attribute("lang", "sv")
            await expect(page.locator("button[type=submit]")).to_have_text("Logga in")
            await page.fill("input[name=username]", "olli")
            await page.fill("input[name=password]", PASSWORD)
            await page.click("button[type=submit]")
            await expect(page).to_have_url(f"{h.base_url}/dashboard/kiosks")

            # -- Swedish: every page --------------------------------------------------------
            for section in NAV:
                await page.goto(f"{h.base_url}/dashboard/{section}")
                text = await check_page(page, "sv", section)
                if section == "alerts":
                    alert = page.locator(".alert[data-kind=language_unserved]")
                    await expect(alert).to_contain_text(
                        "Kunder i kö utan någon handläggare redo: FPA:s förmåner på svenska"
                    )
                    (stored,) = h.ctx.store.open_alerts()
                    raised = texts("sv").datetime(stored.raised_at)
                    await expect(alert).to_contain_text(f"uppstod {raised}")
                    assert " kl. " in raised
                if section == "queues":
                    row = page.locator('tr[data-queue="kela.benefits/sv"]')
                    await expect(row).to_contain_text("FPA:s förmåner")
                    await expect(row).to_contain_text("Folkpensionsanstalten")
                    await expect(row).to_contain_text("ingen handläggare redo")
                if section == "kiosks":
                    assert "Kides gemensamma serviceställe" in text
                    await expect(page.locator("#unacked")).to_have_text("Okvitterade larm: 1")

            # -- the operator picks English: it wins over the browser and is remembered -------
            await page.click("nav.langs a[hreflang=en]")
            await expect(page).to_have_url(f"{h.base_url}/dashboard/{NAV[-1]}")
            for section in NAV:
                await page.goto(f"{h.base_url}/dashboard/{section}")
                await check_page(page, "en", section)
            await page.goto(f"{h.base_url}/dashboard/report?weeks=4")
            await page.click("nav.langs a[hreflang=fi]")
            await expect(page).to_have_url(f"{h.base_url}/dashboard/report?weeks=4")

            # -- Finnish, every page; the choice outlives logging out -------------------------
            for section in NAV:
                await page.goto(f"{h.base_url}/dashboard/{section}")
                await check_page(page, "fi", section)
            await page.goto(f"{h.base_url}/dashboard/alerts")
            alert = page.locator(".alert[data-kind=language_unserved]")
            await expect(alert).to_contain_text("Kelan etuudet, asiointikieli ruotsi")
            await page.click("header button.link")  # log out
            await expect(page).to_have_url(f"{h.base_url}/dashboard/login")
            await expect(page.locator("button[type=submit]")).to_have_text("Kirjaudu")
            assert errors == []
