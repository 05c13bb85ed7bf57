"""``python -m tools.booking_screenshots OUTDIR``: PNGs of the public booking page on a phone
(390×844 CSS px, device scale 1) in Finnish, Swedish and English (``OUTDIR/<lang>/``): the
choice, the free times, the confirmation with code and QR code, the print view, the cancel
page; and on a desktop the usage report's appointments and the admin page's booking hours.
Starts a server on a throw-away data directory with clerk time set aside for a few services,
kiosks at two service points and a seeded day of bookings and calls; no personal data exists
to invent."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from aiohttp import web

from jsonlog import setup_logging
from signaling.booking.capacity import Capacity
from signaling.booking.model import BookingState
from signaling.catalogue import load_catalogue
from signaling.context import open_context
from signaling.credentials import hash_password
from signaling.server import build_app
from signaling.settings import Settings
from signaling.store import SqliteStore
from tools.dashboard_screenshots import chromium_page
from wire.types import LANGUAGES

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
SET_ASIDE = (
    ("migri.permits", "fi"), ("migri.permits", "sv"), ("migri.permits", "en"),
    ("kela.benefits", "fi"), ("kela.benefits", "sv"), ("vero.tax", "fi"),
)
LOCALES = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}
PICK = {"fi": "Lieksa", "sv": "Lieksa", "en": "Lieksa"}
PASSWORD = "demo-screens-2026"  # noqa: S105 - a throw-away demo account


async def take(outdir: Path) -> list[Path]:
    """Run the server and write the PNGs."""
    with tempfile.TemporaryDirectory(prefix="etapiste-book-") as tmp:
        data = Path(tmp) / "data"
        settings = Settings(data_dir=data, port=0, public_url="https://etapiste.example")
        store = SqliteStore.open(data)
        now = time.time()
        store.seed_catalogue(load_catalogue(settings.catalogue), now=now)
        for service, language in SET_ASIDE:
            weekly = {d: [["09:00", "11:30"], ["12:30", "15:00"]] for d in WEEKDAYS}
            store.set_capacity(Capacity(service, language, 30, 1, weekly), now=now)
        kiosks = [store.create_kiosk(site_id, f"{site_id.title()} 1", now=now)[0]
                  for site_id in ("lieksa", "nurmes")]
        store.create_account("ada", "Ada Ylläpitäjä", "admin", hash_password(PASSWORD), now=now)
        aino = store.create_account("aino", "Aino Virtanen", "agent", hash_password(PASSWORD),
                                    ["kela.benefits", "migri.permits"], ["fi"], now=now)
        _history(store, kiosks, aino, now)
        store.close()
        ctx = open_context(settings)
        runner = web.AppRunner(build_app(ctx), access_log=None, handle_signals=False,
                               shutdown_timeout=1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        base = f"http://127.0.0.1:{port}"
        out: list[Path] = []
        try:
            for lang in LANGUAGES:
                folder = outdir / lang
                folder.mkdir(parents=True, exist_ok=True)
                profile = Path(tmp) / f"profile-{lang}"
                async with chromium_page(profile, 390, 844, locale=LOCALES[lang]) as page:
                    async def shot(name: str, full: bool = True, where: Path = folder) -> None:
                        path = where / f"{name}.png"
                        await page.screenshot(path=str(path), full_page=full)
                        out.append(path)

                    await page.goto(f"{base}/book?lang={lang}")
                    await page.locator("input[name=q]").nth(0).check()
                    await page.get_by_label(PICK[lang]).check()
                    await shot("1-choose")
                    await page.locator("form[action='/book/slots'] button").click()
                    await page.wait_for_selector(".slots button")
                    await shot("2-slots", full=False)
                    await page.locator(".slots button").nth(2).click()
                    await page.wait_for_selector(".code")
                    await shot("3-confirmation")
                    await page.emulate_media(media="print")
                    await shot("4-print")
                    await page.emulate_media(media="screen")
                    await page.goto(f"{base}/book/cancel?lang={lang}")
                    await page.fill("#code", "ACE-479")
                    await page.locator("form[action='/book/cancel'] button").click()
                    await page.wait_for_selector("p.error")
                    await shot("5-cancel-unknown", full=False)
            async with chromium_page(Path(tmp) / "profile-report", 1280, 900,
                                     locale="fi-FI") as page:
                await page.goto(f"{base}/dashboard/login")
                await page.fill("input[name=username]", "ada")
                await page.fill("input[name=password]", PASSWORD)
                await page.click("button[type=submit]")
                for lang in LANGUAGES:
                    await page.goto(f"{base}/dashboard/language/{lang}?next=/dashboard/report")
                    await page.goto(f"{base}/dashboard/report?weeks=1")
                    await page.locator("#appointments").scroll_into_view_if_needed()
                    path = outdir / lang / "6-report-appointments.png"
                    await page.screenshot(path=str(path))
                    out.append(path)
                    await page.goto(f"{base}/dashboard/admin")
                    await page.locator("#booking-capacity").scroll_into_view_if_needed()
                    path = outdir / lang / "7-admin-booking-hours.png"
                    await page.screenshot(path=str(path))
                    out.append(path)
        finally:
            await runner.cleanup()
            ctx.store.close()
        return out


def _history(store: SqliteStore, kiosks: list[str], agent_id: str, now: float) -> None:
    """Earlier today: bookings served, missed and cancelled, and a few walk-in calls."""
    day = now - 6 * 3600
    states: tuple[BookingState, ...] = ("done", "done", "no_show", "cancelled")
    for i, state in enumerate(states):
        made = store.make_booking(
            code_digest=f"screens-{i}", code_hint="AC…", service_id="migri.permits",
            language="fi", site_id="lieksa", start_at=day + i * 1800,
            end_at=day + i * 1800 + 1800, agent_id=None, made_by="public", now=day - 86400,
        )
        assert made is not None
        store.update_booking(replace(made, state=state, updated_at=day), expect=("booked",))
    for i in range(3):
        start = day + 3 * 3600 + i * 2400
        entry = f"walk-{i}"
        store.insert_entry(entry, kiosks[i % 2], "kela.benefits", "fi", 0, start, now=start)
        store.call_started(
            f"call-walk-{i}", entry_id=entry, kiosk_id=kiosks[i % 2], agent_id=agent_id,
            service_id="kela.benefits", language="fi", offered_at=start + 60,
            answered_at=start + 90, queued_at=start,
        )
        store.call_ended(f"call-walk-{i}", start + 90 + 900, "answered", "hangup")
        store.close_entry(entry, start + 990, None)


def main(argv: list[str] | None = None) -> int:
    """Write the screenshots to the directory named on the command line."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tools.booking_screenshots OUTDIR", file=sys.stderr)
        return 2
    setup_logging("ERROR")
    outdir = Path(args[0])
    outdir.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(take(outdir)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
