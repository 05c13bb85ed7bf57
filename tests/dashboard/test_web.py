"""The dashboard over real HTTP: login, session cookie, CSRF, live channel, admin, CSV, metrics."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from signaling.admin import parse_weekly
from signaling.reports import week_start_ts
from tests.dashboard.helpers import form_login, http_session, page_csrf, record_calls
from tests.server.harness import PASSWORD, running_server
from wire import client_messages as C
from wire.types import DeviceStatus, KioskHealth

HELSINKI = ZoneInfo("Europe/Helsinki")


async def test_login_sets_hardened_cookie_and_wrong_password_is_refused(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data") as h, http_session() as http:
        h.add_agent("olli", [], ["fi"], role="operator")
        bad = await form_login(http, h.base_url, "olli", "not the password")
        assert bad.status == 401
        assert "etapiste_session" not in {c.key for c in http.cookie_jar}
        async with http.get(f"{h.base_url}/dashboard/kiosks", allow_redirects=False) as r:
            assert r.status in (303, 401)
        ok = await form_login(http, h.base_url, "olli", PASSWORD)
        assert ok.status == 303 and ok.headers["Location"] == "/dashboard/kiosks"
        cookie = ok.cookies["etapiste_session"]
        assert cookie["httponly"] and cookie["samesite"] == "Strict"
        async with http.get(f"{h.base_url}/dashboard/kiosks") as r:
            assert r.status == 200
            assert "script-src 'self'" in r.headers["Content-Security-Policy"]
        audit = [a.action for a in h.ctx.store.audit_log()]
        assert audit.count("login_failed") == 1 and "login" in audit


async def test_login_form_needs_its_csrf_token(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data") as h, http_session() as http:
        h.add_agent("olli", [], ["fi"], role="operator")
        data = {"username": "olli", "password": PASSWORD}
        async with http.post(f"{h.base_url}/dashboard/login", data=data) as r:
            assert r.status == 403
        assert "etapiste_session" not in {c.key for c in http.cookie_jar}


async def test_agents_cannot_use_the_dashboard(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data") as h, http_session() as http:
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        r = await form_login(http, h.base_url, "aino", PASSWORD)
        assert r.status == 403
        async with http.get(f"{h.base_url}/dashboard/events") as ev:
            assert ev.status == 401


async def test_posts_without_csrf_token_are_refused(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data") as h, http_session() as http:
        h.add_agent("ada", [], ["fi"], role="admin")
        await form_login(http, h.base_url, "ada", PASSWORD)
        form = {"site_id": "nurmes", "name": "Sneaky kiosk"}
        async with http.post(f"{h.base_url}/dashboard/admin/kiosks", data=form) as r:
            assert r.status == 403
        async with http.post(
            f"{h.base_url}/dashboard/admin/kiosks", data={**form, "csrf": "0" * 64}
        ) as r:
            assert r.status == 403
        assert not h.ctx.store.list_kiosks()
        csrf = await page_csrf(http, h.base_url)
        async with http.post(
            f"{h.base_url}/dashboard/admin/kiosks", data={**form, "csrf": csrf}
        ) as r:
            assert r.status == 200
            page = await r.text()
        assert len(h.ctx.store.list_kiosks()) == 1
        assert "etk_" in page  # the device token, shown this once
        async with http.get(f"{h.base_url}/dashboard/admin") as r:
            assert "etk_" not in await r.text()
        async with http.post(f"{h.base_url}/dashboard/logout", data={}) as r:
            assert r.status == 403


async def _snapshot(http: aiohttp.ClientSession, url: str, **headers: str) -> dict[str, object]:
    async with http.get(url, headers=headers) as r:
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/event-stream")
        async for line in r.content:
            if line.startswith(b"data: {") and b"server_time" in line:
                result: dict[str, object] = json.loads(line[6:])
                return result
    raise AssertionError("no snapshot")


async def test_live_channel_checks_origin_and_session(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data") as h, http_session() as http:
        h.add_agent("olli", [], ["fi"], role="operator")
        url = f"{h.base_url}/dashboard/events"
        async with http.get(url) as r:
            assert r.status == 401
        await form_login(http, h.base_url, "olli", PASSWORD)
        async with http.get(url, headers={"Origin": "https://evil.example"}) as r:
            assert r.status == 403
        async with http.get(url, headers={"Sec-Fetch-Site": "cross-site"}) as r:
            assert r.status == 403
        kiosk_id = h.add_kiosk("nurmes", "Nurmes kiosk 1")
        kiosk = await h.kiosk(kiosk_id)
        health = KioskHealth(
            app_version="9.9", uptime_s=5, camera=DeviceStatus.FAILED,
            microphone=DeviceStatus.OK, speaker=DeviceStatus.OK, cpu_percent=12.5,
        )
        kiosk.send(C.Health(health=health))
        deadline = time.monotonic() + 10
        while True:
            snap = await asyncio.wait_for(
                _snapshot(http, url, Origin=h.base_url), timeout=10
            )
            kiosks = snap["kiosks"]
            assert isinstance(kiosks, list)
            if kiosks and kiosks[0]["state"] == "online" and snap["alerts"]:
                break
            assert time.monotonic() < deadline, snap
            await asyncio.sleep(0.3)
        row = kiosks[0]
        assert (row["site_id"], row["camera"], row["app_version"]) == ("nurmes", "failed", "9.9")
        alerts = snap["alerts"]
        assert isinstance(alerts, list)
        assert [a["kind"] for a in alerts] == ["device_fault"]
        # Rendered in every dashboard language; each operator's page picks theirs.
        text = alerts[0]["text"]
        assert text["en"] == "Camera failed: Nurmes kiosk 1 (Nurmes joint service point)"
        assert text["sv"] == "Kamera: fel – Nurmes kiosk 1 (Nurmes gemensamma serviceställe)"
        assert text["fi"].startswith("Kamera: vikaantunut – Nurmes kiosk 1")


async def test_metrics_parse_with_queue_and_kiosk_gauges(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data") as h, aiohttp.ClientSession() as http:
        kiosk_id = h.add_kiosk("nurmes", "Nurmes kiosk 1")
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        await h.agent("aino")
        kiosk = await h.kiosk(kiosk_id)
        await kiosk.request(C.QueueJoin(service="kela.benefits", language="fi"))
        await asyncio.sleep(1.5)  # one monitor step
        async with http.get(f"{h.base_url}/metrics") as r:
            assert r.status == 200
            assert r.headers["Content-Type"].startswith("text/plain")
            text = await r.text()
        families = {f.name: f for f in text_string_to_metric_families(text)}
        for name in (
            "etapiste_queue_waiting", "etapiste_queue_longest_wait_seconds",
            "etapiste_queue_ready_agents", "etapiste_kiosks", "etapiste_kiosk_up",
            "etapiste_agents", "etapiste_alerts_open", "process_cpu_seconds",
        ):
            assert name in families, name
        waiting = {
            (s.labels["service"], s.labels["language"]): s.value
            for s in families["etapiste_queue_waiting"].samples
        }
        # The one agent is offered the call at once: the entry is reserved, still waiting.
        assert waiting[("kela.benefits", "fi")] == 1
        up = families["etapiste_kiosk_up"].samples
        assert [(s.labels["kiosk"], s.labels["site"]) for s in up] == [(kiosk_id, "nurmes")]
        for path in ("/healthz", "/readyz"):
            async with http.get(f"{h.base_url}{path}") as r:
                assert r.status == 200


async def test_metrics_token_when_configured(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with running_server(data, metrics_token="s3") as h, aiohttp.ClientSession() as http:
        async with http.get(f"{h.base_url}/metrics") as r:
            assert r.status == 401
        headers = {"Authorization": "Bearer s3"}
        async with http.get(f"{h.base_url}/metrics", headers=headers) as r:
            assert r.status == 200


async def test_csv_rows_match_call_records(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data") as h, http_session() as http:
        h.add_agent("olli", [], ["fi"], role="operator")
        agent = h.add_agent("aino", ["kela.benefits", "vero.tax"], ["fi"])
        nurmes, lieksa = h.add_kiosk("nurmes", "N1"), h.add_kiosk("lieksa", "L1")
        monday = week_start_ts(time.time(), HELSINKI, 0)
        record_calls(h.ctx.store, nurmes, agent, "kela.benefits", monday + 8 * 3600)
        record_calls(h.ctx.store, lieksa, agent, "vero.tax", monday - 6 * 86400 + 9 * 3600)
        await form_login(http, h.base_url, "olli", PASSWORD)
        async with http.get(f"{h.base_url}/dashboard/report.csv?weeks=2") as r:
            assert r.status == 200
            assert "attachment" in r.headers["Content-Disposition"]
            rows = list(csv.DictReader(io.StringIO(await r.text())))
        calls = h.ctx.store.calls_between(monday - 7 * 86400, time.time() + 1)
        by_key: dict[tuple[str, str], list[object]] = {}
        for c in calls:
            by_key.setdefault((c.site_id, c.service_id), []).append(c)
        assert {(r["site_id"], r["service_id"]) for r in rows} == set(by_key)
        for row in rows:
            members = by_key[(row["site_id"], row["service_id"])]
            assert int(row["visits"]) == len(members) == 5
            assert int(row["answered"]) == 3 and int(row["abandoned"]) == 2
            assert float(row["median_wait_s"]) == 90.0
            assert float(row["median_handle_s"]) == 420.0
            assert (row["ratings"], row["mean_rating"]) == ("2", "4.00")
        async with http.get(f"{h.base_url}/dashboard/report?weeks=2") as r:
            page = await r.text()  # Finnish by default: decimal comma
            assert "<svg" in page and "lakkautusuhka" in page
            assert page.count('<td class="num">4,0 (2)</td>') == 2
        english = {"Accept-Language": "en-GB,en;q=0.9"}
        async with http.get(f"{h.base_url}/dashboard/report?weeks=2", headers=english) as r:
            page = await r.text()
            assert "closure risk" in page and '<html lang="en">' in page
            assert page.count('<td class="num">4.0 (2)</td>') == 2
            assert '<option value="1">1 week</option>' in page and "1 weeks" not in page


async def test_service_edit_applies_and_is_audited(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data") as h, http_session() as http:
        h.add_agent("ada", [], ["fi"], role="admin")
        await form_login(http, h.base_url, "ada", PASSWORD)
        csrf = await page_csrf(http, h.base_url, "/dashboard/admin")
        form = {"csrf": csrf, "weekly": "mon=08:00-12:00 wed=08:00-12:00", "max_queue": "7"}
        async with http.post(f"{h.base_url}/dashboard/admin/services/vero.tax", data=form) as r:
            # No language chosen, none from the browser: Finnish.
            assert r.status == 200 and "vero.tax tallennettu ja otettu käyttöön" in await r.text()
        assert h.ctx.router.services["vero.tax"].max_queue == 7
        (override,) = h.ctx.store.service_overrides()
        assert override.weekly == parse_weekly("mon=08:00-12:00 wed=08:00-12:00")
        form = {"csrf": csrf, "weekly": "mon=16:00-09:00", "max_queue": "7"}
        async with http.post(f"{h.base_url}/dashboard/admin/services/vero.tax", data=form) as r:
            assert "must start before it ends" in await r.text()
        form = {"csrf": csrf, "site_id": "kontiolahti", "name": "Kontiolahden yhteispalvelupiste",
                "name_sv": "Kontiolax gemensamma serviceställe", "name_en": "", "region": "PK"}
        async with http.post(f"{h.base_url}/dashboard/admin/sites", data=form) as r:
            assert "Palvelupiste kontiolahti lisätty." in await r.text()
        (site,) = [s for s in h.ctx.store.sites() if s.id == "kontiolahti"]
        assert (site.name_sv, site.name_en) == (
            "Kontiolax gemensamma serviceställe", "Kontiolahden yhteispalvelupiste"
        )
        actions = [(a.actor, a.action, a.subject) for a in h.ctx.store.audit_log()]
        assert [x for x in actions if x[1] == "service_edit"] == [
            (f"admin:{h.ctx.store.accounts()[0].id}", "service_edit", "vero.tax")
        ]


async def test_report_counts_interpreter_minutes_per_language(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data") as h, http_session() as http:
        h.add_agent("olli", [], ["fi"], role="operator")
        monday = week_start_ts(time.time(), HELSINKI, 0)
        store = h.ctx.store
        for call_id, lang, start, minutes in (("c1", "so", 9, 12), ("c2", "so", 10, 3),
                                               ("c3", "fi-sign", 11, 30)):
            at = monday + start * 3600
            store.member_joined(call_id, "m2", "interp", "interpreter", lang, at)
            store.member_left(call_id, "m2", at + minutes * 60, "left")
        await form_login(http, h.base_url, "olli", PASSWORD)
        async with http.get(f"{h.base_url}/dashboard/report?weeks=1") as r:
            page = await r.text()
        table = page[page.index('id="interpreting"'):]
        assert "suomalainen viittomakieli" in table and "<td class=\"num\">30,0</td>" in table
        assert "somali" in table and "<td class=\"num\">15,0</td>" in table
        swedish = {"Accept-Language": "sv"}
        async with http.get(f"{h.base_url}/dashboard/report?weeks=1", headers=swedish) as r:
            assert "finskt teckenspråk" in await r.text()
