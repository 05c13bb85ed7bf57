"""The dashboard is readable in both of the browser's colour schemes: an operator at night sets
the browser (or the desktop) dark, and every visible text keeps a WCAG contrast of at least
4.5:1 against what is under it, on every page an operator opens. Real headless Chromium against
a real server, with a kiosk, a queued citizen and a clerk so rows, badges and pills show."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page

from tests.dashboard.test_dashboard_browser import login
from tests.server.harness import PASSWORD, running_server
from tools.dashboard_screenshots import CHROMIUM, chromium_page
from wire import client_messages as C

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(120),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} missing (Debian chromium)"),
]

CONTRAST_JS = (Path(__file__).parent / "contrast.js").read_text(encoding="utf-8")
PAGES = ("kiosks", "queues", "alerts", "report", "estimates", "callbacks")
MINIMUM = 4.5


def _luminance(c: dict[str, float]) -> float:
    def channel(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c["r"]) + 0.7152 * channel(c["g"]) + 0.0722 * channel(c["b"])


def _blend(fg: dict[str, float], bg: dict[str, float]) -> dict[str, float]:
    a = fg.get("a", 1.0)
    return {k: fg[k] * a + bg[k] * (1 - a) for k in ("r", "g", "b")}


def ratio(fg: dict[str, float], bg: dict[str, float]) -> float:
    """WCAG 2 contrast ratio of ``fg`` (blended over ``bg``) against ``bg``."""
    lighter, darker = sorted((_luminance(_blend(fg, bg)), _luminance(bg)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


async def _low_contrast(page: Page) -> list[str]:
    items: list[dict[str, Any]] = await page.evaluate(CONTRAST_JS)
    assert items, "no text found on the page"
    return [
        f"{i['tag']}.{i['cls']} {i['text']!r} {ratio(i['fg'], i['bg']):.2f}"
        for i in items
        if ratio(i["fg"], i["bg"]) < MINIMUM
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_every_operator_page_keeps_its_contrast(tmp_path: Path, scheme: str) -> None:
    async with running_server(tmp_path / "data") as h:
        h.add_agent("olli", [], ["fi"], role="operator")
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        kiosk_id = h.add_kiosk("nurmes", "Nurmes kiosk 1")
        h.add_kiosk("lieksa", "Lieksa kiosk 1")  # never seen: the muted row
        await h.agent("aino")
        kiosk = await h.kiosk(kiosk_id)
        await kiosk.request(C.QueueJoin(service="kela.benefits", language="fi"))
        async with chromium_page(tmp_path / "profile", locale="fi-FI") as page:
            await page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
            await page.goto(f"{h.base_url}/dashboard/login")
            problems = {"login": await _low_contrast(page)}
            await login(page, h.base_url, "olli", PASSWORD)
            await page.wait_for_url(f"{h.base_url}/dashboard/kiosks")
            await page.wait_for_selector("#live-state.on")
            await page.wait_for_selector(f'tr[data-kiosk="{kiosk_id}"]')
            background = await page.evaluate(
                "getComputedStyle(document.body).backgroundColor")
            dark = background not in ("rgb(246, 247, 249)",)
            assert dark == (scheme == "dark"), background
            for name in PAGES:
                await page.goto(f"{h.base_url}/dashboard/{name}")
                await page.wait_for_load_state("networkidle")
                problems[name] = await _low_contrast(page)
    assert {k: v for k, v in problems.items() if v} == {}
