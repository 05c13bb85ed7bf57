"""``python -m tools.booking_screenshots OUTDIR``: PNGs of the public booking page on a phone
(390×844 CSS px, device scale 1) in Finnish, Swedish and English (``OUTDIR/<lang>/``): the
choice, the free times, the confirmation with code and QR code, the print view, and the cancel
page. Starts a server on a throw-away data directory with clerk time set aside for a few
services and kiosks at two service points; no personal data exists to invent."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import web

from jsonlog import setup_logging
from signaling.booking.capacity import Capacity
from signaling.catalogue import load_catalogue
from signaling.context import open_context
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
        for site_id in ("lieksa", "nurmes"):
            store.create_kiosk(site_id, f"{site_id.title()} 1", now=now)
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
        finally:
            await runner.cleanup()
            ctx.store.close()
        return out


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
