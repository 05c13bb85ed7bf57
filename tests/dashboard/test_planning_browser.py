"""The planners' pages in real headless Chromium: the staffing forecast and the estimates' accuracy.

A real server with four weeks of call records (ten citizens every Monday 9-10, answered after a
minute, five-minute calls), two clerks logged in over those hours, and today's waits with the
estimates their kiosks showed. The operator reads the forecast in Finnish, Swedish and English:
the hour's arrivals are the four Mondays' average, the clerks needed are Erlang's for that load,
the clerks logged in stand beside them, the chart is drawn; the CSV says the same for every
queue. The accuracy page scores the first estimates against the waits that followed.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from signaling import erlang
from signaling.dashboard_texts import HELSINKI, texts
from signaling.store import Store
from signaling.store.records import ShownEstimate, StaffingRecord
from tests.server.harness import PASSWORD, running_server
from tools.dashboard_screenshots import CHROMIUM, chromium_page
from wire.types import Language

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(110),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} missing (Debian chromium)"),
]

SERVICE = "kela.benefits"
FORECAST = f"/dashboard/forecast?service={SERVICE}&language=fi&weeks=4&level=80&within=5"


def last_mondays(n: int) -> list[float]:
    """Local 9.00 of the last ``n`` Mondays before today, Finnish time."""
    today = dt.datetime.now(HELSINKI).date()
    back = today.weekday() or 7
    mondays = [today - dt.timedelta(days=back + 7 * i) for i in range(n)]
    return [dt.datetime(d.year, d.month, d.day, 9, tzinfo=HELSINKI).timestamp() for d in mondays]


def noon_clock() -> Callable[[], float]:
    """The server's clock: today at 12.00 Finnish time, running on. "Today's" citizens are
    seeded an hour before it, so the test reads the same at any hour (just after midnight an
    hour ago was yesterday, and the estimates page of today showed none)."""
    today = dt.datetime.now(HELSINKI).date()
    noon = dt.datetime(today.year, today.month, today.day, 12, tzinfo=HELSINKI).timestamp()
    start = time.time()
    return lambda: noon + (time.time() - start)


def seed(store: Store, kiosk_id: str, agent_id: str, clock: Callable[[], float]) -> None:
    for week, nine in enumerate(last_mondays(4)):
        for i in range(10):
            entry, queued = f"w{week}-{i}", nine + 60 + i * 355.0
            store.insert_entry(entry, kiosk_id, SERVICE, "fi", 0, queued, now=queued)
            store.call_started(f"c-{entry}", entry_id=entry, kiosk_id=kiosk_id, agent_id=agent_id,
                               service_id=SERVICE, language="fi", offered_at=queued + 55,
                               answered_at=queued + 60, queued_at=queued)
            store.call_ended(f"c-{entry}", queued + 360, "answered", "hangup")
            store.close_entry(entry, queued + 360, None)
        store.add_staffing([StaffingRecord(nine, SERVICE, "fi", 2 * 3600.0, 3600.0)])
    # Today: three citizens and what their kiosks first said.
    now = clock() - 3600
    for entry, (said, kind, waited, answered) in {
        "t1": (300.0, "minutes", 240.0, True),  # 60 s off
        "t2": (600.0, "minutes", 1000.0, True),  # 400 s off
        "t3": (30.0, "soon", 700.0, False),  # told "soon", gave up after 11 min 40 s
    }.items():
        store.insert_entry(entry, kiosk_id, SERVICE, "fi", 0, now, now=now)
        store.record_estimates([ShownEstimate(entry, now, 1, said, kind)])  # type: ignore[arg-type]
        store.wait_ended(entry, now + waited, answered=answered)


async def check_forecast(page: Page, base: str, lang: Language, need: int) -> None:
    t = texts(lang)
    await page.goto(f"{base}{FORECAST}")
    await expect(page.locator("main h1")).to_have_text(t.t("title.forecast"))
    chart = page.locator("figure svg.chart.plan")
    await expect(chart).to_have_attribute("aria-label", t.t("forecast.chart_label"))
    row = page.locator("#forecast-table tbody tr", has_text=t.t("weekday.mon")).filter(
        has_text="09–10"
    )
    cells = await row.locator("td").all_inner_texts()
    assert cells[:3] == [t.t("weekday.mon"), "09–10", t.decimal(10.0)]
    assert cells[3] == t.duration(300.0)  # the calls' handle time
    assert cells[4] == t.t("time.none")  # nobody gave up: no patience seen, A as C
    assert cells[5:7] == [str(need), str(need)]
    assert cells[8:10] == [t.decimal(2.0), t.decimal(1.0)]  # logged in, of them serving
    await expect(page.locator("#kpi-peak-c b")).to_have_text(str(need))
    await expect(page.locator("#kpi-arrivals b")).to_have_text("10")


async def test_forecast_and_estimates_pages_in_three_languages(tmp_path: Path) -> None:
    need = erlang.agents_needed(10 / 3600, 300.0, target_s=300.0, target_level=0.8)
    clock = noon_clock()
    async with running_server(tmp_path / "data", clock) as h:
        h.add_agent("olli", [], ["fi"], role="operator")
        agent_id = h.add_agent("aino", [SERVICE], ["fi"])
        seed(h.ctx.store, h.add_kiosk("nurmes", "Nurmes kiosk 1"), agent_id, clock)
        async with chromium_page(tmp_path / "profile", locale="fi-FI") as page:
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            await page.goto(f"{h.base_url}/dashboard/login")
            await page.fill("input[name=username]", "olli")
            await page.fill("input[name=password]", PASSWORD)
            await page.click("button[type=submit]")
            await expect(page).to_have_url(f"{h.base_url}/dashboard/kiosks")

            for lang in ("fi", "sv", "en"):
                await page.goto(f"{h.base_url}/dashboard/language/{lang}?next=/dashboard/forecast")
                await check_forecast(page, h.base_url, lang, need)
                await page.screenshot(path=str(tmp_path / f"forecast-{lang}.png"))

            # -- the CSV has every queue; Kela in Finnish on Monday 9-10 as on the page --------
            async with page.expect_download() as info:
                await page.click("#forecast-csv")
            download = await info.value
            text = await asyncio.to_thread(Path(await download.path()).read_text, "utf-8")
            rows = list(csv.DictReader(io.StringIO(text)))
            (monday,) = [r for r in rows if (r["service_id"], r["language"], r["weekday"],
                                             r["hour"]) == (SERVICE, "fi", "1", "9")]
            assert monday["arrivals_per_hour"] == "10.00"
            assert monday["clerks_needed_erlang_c"] == str(need)
            assert (monday["clerks_logged_in"], monday["clerks_working"]) == ("2.00", "1.00")
            assert monday["service"] == "Kela benefits"
            assert any(a.action == "report_download" and a.subject == "forecast"
                       for a in h.ctx.store.audit_log())

            # -- the accuracy of today's first estimates ---------------------------------------
            t = texts("en")
            await page.goto(f"{h.base_url}/dashboard/estimates?days=1")
            await expect(page.locator("#kpi-citizens b")).to_have_text("3")
            await expect(page.locator("#kpi-error b")).to_have_text(t.duration(230.0))
            await expect(page.locator("#kpi-within b")).to_have_text(t.percent(50))
            await expect(page.locator("#kpi-soon b")).to_have_text("1")
            row = page.locator(f'#estimates-services tr[data-service="{SERVICE}"]')
            cells = await row.locator("td").all_inner_texts()
            assert cells == ["Kela benefits", "3", "2", t.duration(230.0), t.percent(50),
                             t.percent(0), t.percent(100 / 3), "1"]
            await page.screenshot(path=str(tmp_path / "estimates-en.png"), full_page=True)
            assert errors == []
