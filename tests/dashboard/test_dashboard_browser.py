"""The dashboard in real headless Chromium (Debian's, through Playwright), against a real server.

One scenario, in order: a wrong password is refused; the operator logs in; a headless kiosk
(``python -m kiosk --headless``, a separate process) appears online; it is killed and the page
shows it offline and raises an alert within 30 s, under the default health settings; the alert
is acknowledged; the usage CSV is downloaded and checked against the call records; requests
without the CSRF token are refused.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.dashboard.helpers import record_calls
from tests.server.harness import PASSWORD, running_server
from tools.dashboard_screenshots import CHROMIUM, chromium_page

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(110),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} missing (Debian chromium)"),
]

ROOT = Path(__file__).resolve().parents[2]


def start_headless_kiosk(ws_url: str, token: str, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, ETAPISTE_KIOSK_TOKEN=token)
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "kiosk", "--headless", "--server", ws_url,
             "--service", "kela.benefits", "--wait-timeout", "300"],
            env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )


async def login(page: Page, base: str, username: str, password: str) -> None:
    await page.goto(f"{base}/dashboard/login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")


async def test_operator_watches_kiosk_die_acknowledges_and_downloads_report(
    tmp_path: Path,
) -> None:
    async with running_server(tmp_path / "data") as h:
        h.add_agent("olli", [], ["fi"], role="operator")
        agent_id = h.add_agent("aino", ["kela.benefits"], ["fi"])
        kiosk_id = h.add_kiosk("nurmes", "Nurmes kiosk 1")
        await h.agent("aino")  # logged in, not ready: the kiosk can queue and wait
        async with chromium_page(tmp_path / "profile", locale="en-GB") as page:
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))

            # -- a wrong password is refused --------------------------------------------------
            await login(page, h.base_url, "olli", "wrong password")
            await expect(page.locator("p.error")).to_contain_text("wrong password")
            assert page.url.endswith("/dashboard/login")

            # -- log in, watch the kiosk appear -----------------------------------------------
            await login(page, h.base_url, "olli", PASSWORD)
            await expect(page).to_have_url(f"{h.base_url}/dashboard/kiosks")
            await expect(page.locator("html")).to_have_attribute("lang", "en")
            await expect(page.locator("#live-state")).to_have_text("live", timeout=10_000)
            row = page.locator(f'tr[data-kiosk="{kiosk_id}"]')
            await expect(row).to_have_class("never_seen", timeout=10_000)
            kiosk = start_headless_kiosk(
                h.ws_url, h.kiosk_tokens[kiosk_id], tmp_path / "kiosk.log"
            )
            try:
                await expect(row.locator("td.state")).to_contain_text("online", timeout=20_000)
                await expect(row).to_contain_text("Nurmes kiosk 1")
                await expect(row).to_contain_text("waiting")
                # -- kill it: offline and an alert within 30 s ---------------------------------
                killed_at = time.monotonic()
                kiosk.send_signal(signal.SIGKILL)
            finally:
                kiosk.kill()
                kiosk.wait(5)
            await expect(row.locator("td.state")).to_contain_text("OFFLINE", timeout=30_000)
            await expect(page.locator("#unacked")).to_have_text(
                "Unacknowledged alerts: 1", timeout=5_000
            )
            offline_after = time.monotonic() - killed_at
            print(f"kiosk killed -> shown offline with an alert: {offline_after:.1f} s")
            assert offline_after < 30.0, offline_after

            # -- acknowledge the alert --------------------------------------------------------
            await page.click("header nav >> text=Alerts")
            alert = page.locator("#alerts-open .alert[data-kind=kiosk_offline]")
            await expect(alert).to_contain_text(
                "Kiosk offline: Nurmes kiosk 1 (Nurmes joint service point)"
            )
            await alert.locator("button.ack").click()
            await expect(alert).to_contain_text("acknowledged by Olli")
            await expect(page.locator("#unacked")).to_have_text("Unacknowledged alerts: 0")
            (stored,) = h.ctx.store.open_alerts()
            assert stored.kind == "kiosk_offline" and stored.acknowledged_by == "Olli"
            assert any(a.action == "alert_acknowledge" for a in h.ctx.store.audit_log())

            # -- the CSV matches the call records ---------------------------------------------
            record_calls(h.ctx.store, kiosk_id, agent_id, "kela.benefits", time.time() - 7200)
            await page.click("header nav >> text=Usage report")
            await expect(page.locator("#report-table")).to_contain_text("Kela benefits")
            async with page.expect_download() as info:
                await page.click("#csv-download")
            download = await info.value
            text = await asyncio.to_thread(Path(await download.path()).read_text, "utf-8")
            rows = list(csv.DictReader(io.StringIO(text)))
            calls = h.ctx.store.calls_between(0, time.time() + 1)
            expected: dict[tuple[str, str], dict[str, int]] = {}
            for c in calls:
                figures = expected.setdefault((c.site_id, c.service_id), {
                    "visits": 0, "answered": 0, "abandoned": 0})
                figures["visits"] += 1
                figures["answered"] += c.answered_at is not None
                figures["abandoned"] += c.outcome in ("abandoned", "cancelled")
            got = {
                (r["site_id"], r["service_id"]): {
                    k: int(r[k]) for k in ("visits", "answered", "abandoned")
                }
                for r in rows
            }
            assert got == expected and expected[("nurmes", "kela.benefits")]["visits"] >= 5

            # -- no CSRF token, no change -----------------------------------------------------
            status = await page.evaluate(
                """async () => (await fetch('/dashboard/alerts/1/ack', {method: 'POST'})).status"""
            )
            assert status == 403
            status = await page.evaluate(
                """async () => {
                    const body = new URLSearchParams({site_id: 'nurmes', name: 'Rogue'});
                    return (await fetch('/dashboard/admin/kiosks', {method: 'POST', body})).status;
                }"""
            )
            assert status == 403
            assert [k.name for k in h.ctx.store.list_kiosks()] == ["Nurmes kiosk 1"]
            assert errors == []
        await asyncio.sleep(0)
