"""``python -m tools.dashboard_screenshots OUTDIR``: PNGs of every dashboard page, per language.

Starts a server on a throw-away data directory with realistic demo data (no citizen data:
there is none to invent), connects simulated kiosks that report health (one with a failed
camera, one long offline, one not installed yet), two agents (a Finnish-only one ready, a
trilingual one on a break) and waiting citizens (a Finnish one being offered, a Swedish and an
English one with no clerk ready: language alerts), writes eight weeks of call records, then
photographs the pages in Debian's headless Chromium through Playwright, in Finnish, Swedish and
English (``OUTDIR/fi/``, ``OUTDIR/sv/``, ``OUTDIR/en/``): login, kiosks, alerts, queues and
agents, usage report, wait estimates, staffing forecast, admin, and the one-time device token
page after provisioning a kiosk.

:func:`chromium_page` is also what the browser tests use: the system Chromium only, never a
downloaded browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import random
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web
from playwright.async_api import Page, async_playwright

from client_core.signaling_client import SignalingClient, login
from jsonlog import setup_logging
from signaling.catalogue import load_catalogue
from signaling.context import open_context
from signaling.credentials import hash_password
from signaling.dashboard_texts import HELSINKI
from signaling.server import build_app
from signaling.settings import Settings
from signaling.store import SqliteStore, Store
from signaling.store.callbacks import CallbackRecord
from signaling.store.records import ShownEstimate, StaffingRecord
from wire import client_messages as C
from wire.types import LANGUAGES, DeviceStatus, KioskHealth, Language

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "demo-screens-2026"  # noqa: S105 - a throw-away demo account
EXTRA_SITES = (
    ("kuhmo", "Kuhmon yhteispalvelupiste", "Kuhmo gemensamma serviceställe",
     "Kuhmo joint service point", "Kainuu"),
    ("suomussalmi", "Suomussalmen yhteispalvelupiste", "Suomussalmi gemensamma serviceställe",
     "Suomussalmi joint service point", "Kainuu"),
    ("pello", "Pellon yhteispalvelupiste", "Pello gemensamma serviceställe",
     "Pello joint service point", "Lappi"),
)
# Mean visits a week per site: some points are under the closure-risk line on purpose.
WEEKLY_VISITS = {"nurmes": 150, "lieksa": 115, "kitee": 85, "kuhmo": 95, "suomussalmi": 60,
                 "pello": 35}
SERVICE_SHARE = {"kela.benefits": 0.4, "vero.tax": 0.2, "te.employment": 0.15,
                 "dvv.population": 0.1, "migri.permits": 0.1, "poliisi.permits": 0.05}


@contextlib.asynccontextmanager
async def chromium_page(
    profile_dir: Path, width: int = 1440, height: int = 900, locale: str | None = None
) -> AsyncIterator[Page]:
    """Debian's Chromium, headless, with a fresh profile; yields a page. ``locale`` sets the
    browser's language (its ``Accept-Language``), e.g. ``sv-FI``."""
    async with async_playwright() as pw:
        context = await pw.chromium.launch_persistent_context(
            str(profile_dir),
            executable_path=str(CHROMIUM),
            headless=False,  # "--headless=new" is in the args
            args=CHROMIUM_ARGS,
            viewport={"width": width, "height": height},
            accept_downloads=True,
            timeout=20_000,
            locale=locale,
        )
        try:
            page = context.pages[0] if context.pages else await context.new_page()
            page.set_default_timeout(15_000)
            yield page
        finally:
            await context.close()


def _health(camera: DeviceStatus = DeviceStatus.OK, cpu: float = 12.0) -> KioskHealth:
    return KioskHealth(
        app_version="0.1.0", uptime_s=86_400.0, camera=camera, microphone=DeviceStatus.OK,
        speaker=DeviceStatus.OK, cpu_percent=cpu, memory_percent=41.0, disk_percent=37.0,
        server_rtt_ms=18.0,
    )


def seed(store: Store, now: float) -> dict[str, tuple[str, str]]:
    """Sites, kiosks, accounts, history. Returns kiosk name -> (id, token)."""
    for site_id, name_fi, name_sv, name_en, region in EXTRA_SITES:
        store.create_site(site_id, name_fi, name_sv, name_en, region, now=now)
    kiosks = {}
    for site_id, name in (
        ("nurmes", "Nurmes kiosk 1"), ("nurmes", "Nurmes kiosk 2"), ("lieksa", "Lieksa kiosk 1"),
        ("kitee", "Kitee kiosk 1"), ("kuhmo", "Kuhmo kiosk 1"),
        ("suomussalmi", "Suomussalmi kiosk 1"), ("pello", "Pello kiosk 1"),
    ):
        kiosks[name] = store.create_kiosk(site_id, name, now=now)
    store.set_site_hearing_loop("nurmes", True)  # the library's hall has a loop
    store.create_account("olli", "Olli Operaattori", "operator", hash_password(PASSWORD), now=now)
    store.create_account("ada", "Ada Ylläpitäjä", "admin", hash_password(PASSWORD), now=now)
    aino = store.create_account("aino", "Aino Virtanen", "agent", hash_password(PASSWORD),
                                ["kela.benefits", "vero.tax", "dvv.population", "te.employment"],
                                ["fi"], now=now)
    store.create_account("erik", "Erik Lindholm", "agent", hash_password(PASSWORD),
                         ["te.employment", "migri.permits", "poliisi.permits"], ["fi", "sv", "en"],
                         now=now)
    _history(store, kiosks, aino, now)
    _callbacks(store, now)
    # Kitee's kiosk last reported two hours ago; its offline alert has been open since.
    kitee = kiosks["Kitee kiosk 1"][0]
    store.save_kiosk_health(kitee, now - 7200, _health().model_dump(mode="json"))
    store.raise_alert("kiosk_offline", kitee, now - 7170, kiosk_id=kitee)
    cleared = store.raise_alert("long_wait", "kela.benefits/fi", now - 5400,
                                service_id="kela.benefits",
                                detail={"language": "fi", "threshold_s": 600.0})
    store.acknowledge_alert(cleared, "Olli Operaattori", now - 5300)
    store.clear_alert(cleared, now - 4900)
    return kiosks


def _callbacks(store: Store, now: float) -> None:
    """Callback requests of the last four weeks (issue 14): most kept, some not."""
    rng = random.Random(14)  # noqa: S311 - demo data, not security
    sites, services = ("nurmes", "lieksa", "kitee"), ("kela.benefits", "vero.tax", "migri.permits")
    for i in range(60):
        at = now - rng.uniform(3600, 28 * 86400)
        record = CallbackRecord(f"cb_demo{i}", rng.choice(services), rng.choice(("fi", "sv")),
                                rng.choice(sites), None, at, "2026-01-01", at + 6 * 3600, 0,
                                None, "open", None, None, None)
        store.add_callback(record, "+358401234567", now=at)
        fate = rng.random()
        if fate < 0.7:
            store.end_callback(record.id, "done", attempts=0, agent_id=None, at=at + 3 * 3600)
        elif fate < 0.8:
            store.end_callback(record.id, "done", attempts=1, agent_id=None, at=at + 9 * 3600)
        elif fate < 0.9:
            store.end_callback(record.id, "unreached", attempts=3, agent_id=None, at=at + 5 * 3600)
        elif at < now - 86400:
            store.end_callback(record.id, "expired", attempts=0, agent_id=None, at=at + 6 * 3600)


def _history(store: Store, kiosks: dict[str, tuple[str, str]], agent: str, now: float) -> None:
    rng = random.Random(7)  # noqa: S311 - demo data, not security
    by_site: dict[str, str] = {}
    for k in store.list_kiosks():
        by_site.setdefault(k.site_id, k.id)
    n = 0
    days = _weekdays(now, 8)
    for week in range(8):
        for site, mean in WEEKLY_VISITS.items():
            for _ in range(max(0, int(rng.gauss(mean, mean * 0.12)))):
                # Office hours, Monday to Friday, Finnish time, in whole days gone by.
                queued = rng.choice(days[week * 5:week * 5 + 5]) + rng.uniform(8, 16) * 3600
                service = rng.choices(list(SERVICE_SHARE), list(SERVICE_SHARE.values()))[0]
                entry, n = f"demo-{n}", n + 1
                store.insert_entry(entry, by_site[site], service, "fi", 0, queued, now=queued)
                wait = rng.expovariate(1 / 150)
                store.record_estimates([_first_estimate(rng, entry, queued, wait)])
                if rng.random() < 0.08:
                    store.close_entry(entry, queued + wait, "abandoned")
                    store.wait_ended(entry, queued + wait, answered=False)
                    continue
                store.wait_ended(entry, queued + wait, answered=True)
                talk = rng.uniform(240, 900)
                store.call_started(f"call-{entry}", entry_id=entry, kiosk_id=by_site[site],
                                   agent_id=agent, service_id=service, language="fi",
                                   offered_at=queued + wait - 4, answered_at=queued + wait,
                                   queued_at=queued)
                store.call_ended(f"call-{entry}", queued + wait + talk, "answered", "hangup")
                if rng.random() < 0.4:  # some citizens rate the call on the kiosk
                    rating = rng.choices((1, 2, 3, 4, 5), (1, 1, 3, 8, 12))[0]
                    store.rate_call(f"call-{entry}", by_site[site], rating)
                store.close_entry(entry, queued + wait + talk, None)
    _staffing(store, days)


def _weekdays(now: float, weeks: int) -> list[float]:
    """Local midnights of the last ``weeks`` × 5 weekdays before today, newest first."""
    today = dt.datetime.fromtimestamp(now, HELSINKI).date()
    days = []
    for back in range(1, weeks * 7 + 1):
        day = today - dt.timedelta(days=back)
        if day.weekday() < 5:
            days.append(dt.datetime(day.year, day.month, day.day, tzinfo=HELSINKI).timestamp())
    return days


def _first_estimate(rng: random.Random, entry: str, queued: float, wait: float) -> ShownEstimate:
    """What the kiosk told on joining: usually minutes near the wait, sometimes "soon" or
    "no estimate" (demo data)."""
    draw = rng.random()
    if draw < 0.03:
        return ShownEstimate(entry, queued, 1, None, "none")
    if wait < 40 and draw < 0.3:
        return ShownEstimate(entry, queued, 1, 30.0, "soon")
    guess = wait * rng.lognormvariate(0, 0.35) + rng.gauss(0, 20)
    return ShownEstimate(entry, queued, rng.randint(1, 4), max(60.0, 60.0 * -(-guess // 60)),
                         "minutes")


def _staffing(store: Store, days: list[float]) -> None:
    """Clerks logged in on the same weekdays, 8-16 (one fewer over lunch)."""
    clerks = {"kela.benefits": 3, "vero.tax": 2, "te.employment": 1, "dvv.population": 1,
              "migri.permits": 1, "poliisi.permits": 1}
    rows = []
    for day in days:
        for hour in range(8, 16):
            for service, count in clerks.items():
                there = count - (hour == 12)
                rows.append(StaffingRecord(day + hour * 3600, service, "fi", 3600.0 * there,
                                           3600.0 * there * 0.85))
    store.add_staffing(rows)


async def _kiosk(
    ws: str, token: str, health: KioskHealth, tasks: list[asyncio.Task[None]]
) -> SignalingClient:
    client = SignalingClient(ws, token, client_name="screenshot-kiosk")
    await client.connected()

    async def report() -> None:
        while True:  # every 10 s, as a real kiosk does
            client.send(C.Health(health=health))
            await asyncio.sleep(10)

    tasks.append(asyncio.create_task(report()))
    return client


async def take(outdir: Path) -> list[Path]:
    """Run the demo server and write the PNGs to ``outdir`` (which must exist)."""
    with tempfile.TemporaryDirectory(prefix="etapiste-screens-") as tmp:
        data = Path(tmp) / "data"
        store = SqliteStore.open(data)
        settings = Settings(
            data_dir=data, port=0, always_open=True, unserved_language_alert_s=1.0
        )
        now = time.time()
        store.seed_catalogue(load_catalogue(settings.catalogue), now=now)
        kiosks = seed(store, now)
        store.close()
        ctx = open_context(settings)
        runner = web.AppRunner(build_app(ctx), access_log=None, handle_signals=False,
                               shutdown_timeout=1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        base, ws = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/ws"
        clients: list[SignalingClient] = []
        tasks: list[asyncio.Task[None]] = []
        try:
            for name, (_kid, token) in kiosks.items():
                if name in ("Kitee kiosk 1", "Pello kiosk 1"):
                    continue  # long offline; not installed yet
                camera = DeviceStatus.FAILED if name == "Lieksa kiosk 1" else DeviceStatus.OK
                health = _health(camera, 8 + len(clients) * 7)
                clients.append(await _kiosk(ws, token, health, tasks))
            for username, ready in (("aino", True), ("erik", False)):
                session = await login(base, username, PASSWORD)
                agent = SignalingClient(ws, session.token, client_name="screenshot-agent")
                await agent.connected()
                if ready:
                    agent.send(C.AgentStateSet(state="ready"))
                else:
                    agent.send(C.AgentStateSet(state="not_ready", reason="break"))
                clients.append(agent)
            await asyncio.sleep(0.5)
            queued: tuple[tuple[int, str, Language], ...] = (
                (0, "te.employment", "fi"), (2, "migri.permits", "en"), (3, "te.employment", "sv"))
            for index, service, language in queued:
                await clients[index].request(C.QueueJoin(service=service, language=language))
                await asyncio.sleep(1.0)
            await asyncio.sleep(2.0)
            return await _photograph(base, outdir, Path(tmp) / "profile")
        finally:
            for task in tasks:
                task.cancel()
            for client in clients:
                await client.close()
            await runner.cleanup()
            ctx.store.close()


async def _photograph(base: str, outdir: Path, profile: Path) -> list[Path]:
    shots = []
    async with chromium_page(profile) as page:
        for number, lang in enumerate(LANGUAGES, start=2):
            (outdir / lang).mkdir(parents=True, exist_ok=True)

            async def shot(name: str, lang: str = lang) -> None:
                path = outdir / lang / f"{name}.png"
                await page.screenshot(path=str(path), full_page=True)
                shots.append(path)

            # The language link, as an operator would choose it; remembered from then on.
            await page.goto(f"{base}/dashboard/language/{lang}?next=/dashboard/login")
            await shot("01-login")
            await page.fill("input[name=username]", "olli")
            await page.fill("input[name=password]", PASSWORD)
            await page.click("button[type=submit]")
            await page.wait_for_url(f"{base}/dashboard/kiosks")
            await page.wait_for_selector("#live-state.on")
            await page.wait_for_selector("tr[data-kiosk]")
            await page.wait_for_timeout(1500)
            await shot("02-kiosks")
            await page.goto(f"{base}/dashboard/alerts")
            await page.wait_for_selector(".alert[data-kind=language_unserved]")
            await page.wait_for_timeout(500)
            await shot("03-alerts")
            await page.goto(f"{base}/dashboard/queues")
            await page.wait_for_selector("table.queues")
            await page.wait_for_timeout(500)
            await shot("04-queues-agents")
            await page.goto(f"{base}/dashboard/report?weeks=8")
            await shot("05-report")
            await page.goto(f"{base}/dashboard/estimates?days=30")
            await shot("06-estimates")
            await page.goto(f"{base}/dashboard/forecast?service=kela.benefits&language=fi&weeks=8")
            await shot("07-forecast")
            # Administration is for admins: the operator logs out, the admin logs in.
            await page.click("header form button")
            await page.wait_for_url(f"{base}/dashboard/login")
            await page.fill("input[name=username]", "ada")
            await page.fill("input[name=password]", PASSWORD)
            await page.click("button[type=submit]")
            await page.wait_for_url(f"{base}/dashboard/kiosks")
            await page.goto(f"{base}/dashboard/admin")
            await shot("08-admin")
            await page.select_option("#provision-form select[name=site_id]", "kitee")
            await page.fill("#provision-form input[name=name]", f"Kitee kiosk {number}")
            await page.click("#provision-form button")
            await page.wait_for_selector("#secret")
            await shot("09-admin-token-once")
            await page.goto(f"{base}/dashboard/audit")
            await shot("10-audit")
            await page.goto(f"{base}/dashboard/password")
            await shot("11-password")
            await page.goto(f"{base}/dashboard/callbacks?days=28")
            await shot("12-callbacks")
            await page.click("header form button")
            await page.wait_for_url(f"{base}/dashboard/login")
        # The operator at night: the browser's dark setting (Finnish pages).
        await page.emulate_media(color_scheme="dark")
        await page.goto(f"{base}/dashboard/language/fi?next=/dashboard/login")
        await page.fill("input[name=username]", "olli")
        await page.fill("input[name=password]", PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_url(f"{base}/dashboard/kiosks")
        await page.wait_for_selector("tr[data-kiosk]")
        await page.wait_for_timeout(1500)
        for name, path in (("dark-02-kiosks", "kiosks"), ("dark-03-alerts", "alerts"),
                           ("dark-04-queues-agents", "queues"),
                           ("dark-07-forecast",
                            "forecast?service=kela.benefits&language=fi&weeks=8")):
            if path != "kiosks":
                await page.goto(f"{base}/dashboard/{path}")
                await page.wait_for_timeout(500)
            await page.screenshot(path=str(outdir / "fi" / f"{name}.png"), full_page=True)
            shots.append(outdir / "fi" / f"{name}.png")
        await page.emulate_media(color_scheme="light")
    return shots


def main(argv: list[str] | None = None) -> int:
    """Write the screenshots to the directory named on the command line."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tools.dashboard_screenshots OUTDIR", file=sys.stderr)
        return 2
    setup_logging("ERROR")
    outdir = Path(args[0])
    outdir.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(take(outdir)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
