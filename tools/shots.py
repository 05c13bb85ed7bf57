"""What the screenshot makers share: the service list they show and a settled window."""

from __future__ import annotations

import datetime as dt
import time
import tomllib
from pathlib import Path

from PyQt6.QtWidgets import QApplication, QWidget

from client_qt.video_view import VideoView
from kiosk.i18n import LOCAL_TZ
from wire.server_messages import ServiceInfo
from wire.types import Names

ROOT = Path(__file__).resolve().parent.parent


def catalogue_services(
    now: float, path: Path = ROOT / "deploy" / "catalogue.toml"
) -> list[ServiceInfo]:
    """The catalogue's services as the server would describe them on a weekday morning."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    agencies = {a["id"]: a["names"] for a in data["agencies"]}
    local = dt.datetime.fromtimestamp(now, LOCAL_TZ)
    nine = local.replace(hour=9, minute=0, second=0, microsecond=0)
    closed = {
        "mml.property": (nine + dt.timedelta(days=1)).timestamp(),
        "oikeusapu.legal_aid": (nine + dt.timedelta(days=2, hours=3, minutes=30)).timestamp(),
    }
    waits = {"kela.benefits": 420.0, "vero.tax": 900.0, "migri.permits": 60.0}
    out = []
    for s in data["services"]:
        langs = list(s["languages"])
        is_open = s["id"] not in closed
        out.append(
            ServiceInfo(
                id=s["id"],
                agency=s["agency"],
                names=Names(**s["names"]),
                agency_names=Names(**agencies[s["agency"]]),
                languages=langs,
                open=is_open,
                next_opening=closed.get(s["id"]),
                languages_available=langs if is_open else [],
                estimated_wait_s={lang: waits.get(s["id"], 300.0) for lang in langs},
            )
        )
    return out


def without_clerk_in(
    services: list[ServiceInfo], language: str, now: float, *, nobody: bool = False
) -> list[ServiceInfo]:
    """The list with no clerk in ``language`` for Kela and tax (Kela's clerk in that language
    expected at 13.00); ``nobody``: no clerk at all for Kela."""
    local = dt.datetime.fromtimestamp(now, LOCAL_TZ)
    one_pm = local.replace(hour=13, minute=0, second=0, microsecond=0)
    if one_pm <= local:
        one_pm += dt.timedelta(days=1)
    out = []
    for info in services:
        if info.id in ("kela.benefits", "vero.tax") and info.open:
            others = [] if nobody and info.id == "kela.benefits" else [
                x for x in info.languages_available if x != language
            ]
            expected = {language: one_pm.timestamp()} if info.id == "kela.benefits" else {}
            info = info.model_copy(
                update={
                    "languages_available": others,
                    "estimated_wait_s": {x: info.estimated_wait_s.get(x) for x in others},
                    "language_expected_at": expected,
                }
            )
        out.append(info)
    return out


def settle(window: QWidget, timeout: float = 2.0) -> None:
    """Process events until every visible video view shows its newest picture at its size."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        QApplication.processEvents()
        views = [v for v in window.findChildren(VideoView) if v.isVisible()]
        if all(v.settled() for v in views):
            break
        time.sleep(0.005)
    for _ in range(3):  # layout changes set off by the last pass (a "more below" hint)
        QApplication.processEvents()
