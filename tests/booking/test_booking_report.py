"""Appointments in the usage report: counts per site and service, kiosk time booked / walk-in /
idle, and the report page showing both to an operator."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from signaling.booking.model import BookingRecord
from signaling.booking_report import appointment_rows, kiosk_day_seconds, kiosk_time
from signaling.store.records import CallRecord
from tests.dashboard.helpers import form_login, http_session, record_calls
from tests.server.harness import PASSWORD, running_server

HKI = ZoneInfo("Europe/Helsinki")
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=HKI).timestamp()


def booking(i: int, state: str, site: str = "lieksa", call_id: str | None = None) -> BookingRecord:
    start = MONDAY_9 + i * 1800
    return BookingRecord(
        f"b{i}", f"d{i}", "AC…", "migri.permits", "fi", site, "k1", start, start + 1800, None,
        "public", None, state, start - 86400, start, call_id=call_id,  # type: ignore[arg-type]
    )


def call(call_id: str, answered: float, ended: float, site: str = "lieksa") -> CallRecord:
    return CallRecord(call_id, "e", "k1", site, "a", "migri.permits", "fi", answered - 60, None,
                      answered, ended, "answered", "hangup", None, None, None)


def test_counts_per_site_and_service() -> None:
    rows = appointment_rows(
        [booking(0, "done"), booking(1, "no_show"), booking(2, "cancelled"), booking(3, "booked"),
         booking(4, "done", site="nurmes")],
        MONDAY_9 - 3600, MONDAY_9 + 86400,
    )
    assert [(r.site_id, r.booked, r.done, r.no_show, r.cancelled) for r in rows] == [
        ("lieksa", 4, 1, 1, 1), ("nurmes", 1, 1, 0, 0),
    ]


def test_kiosk_time_splits_booked_walk_in_and_idle() -> None:
    day_start = datetime(2026, 11, 30, 0, 0, tzinfo=HKI).timestamp()
    day_end = day_start + 86400
    assert kiosk_day_seconds(day_start, day_end, HKI) == 8 * 3600
    served = booking(0, "done", call_id="c-booked")
    bookings = [served, booking(1, "no_show"), booking(2, "cancelled")]
    calls = [call("c-booked", MONDAY_9, MONDAY_9 + 1200),  # the booked meeting's own call
             call("c-walk", MONDAY_9 + 7200, MONDAY_9 + 7200 + 900)]
    (lieksa,) = kiosk_time(bookings, calls, {"lieksa": 1}, day_start, day_end, HKI)
    assert lieksa.booked_s == 3600  # served + no-show slots; the cancelled one is not held
    assert lieksa.walk_in_s == 900
    assert lieksa.idle_s == 8 * 3600 - 3600 - 900
    assert replace(served, state="cancelled").state == "cancelled"


async def test_report_page_shows_appointments_and_kiosk_time(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data") as h:
        h.add_agent("olli", [], ["fi"], role="operator")
        agent = h.add_agent("aino", ["migri.permits"], ["fi"])
        kiosk = h.add_kiosk("lieksa", "Lieksa 1")
        record_calls(h.ctx.store, kiosk, agent, "migri.permits", h.ctx.clock() - 7200)
        async with http_session() as http:
            await form_login(http, h.base_url, "olli", PASSWORD)
            async with http.get(f"{h.base_url}/dashboard/report?weeks=1",
                                headers={"Accept-Language": "en"}) as r:
                text = await r.text()
        assert r.status == 200
        assert '<table class="grid" id="appointments">' in text
        assert "No appointments in this period." in text
        assert '<table class="grid" id="kiosk-time">' in text and "Walk-in calls" in text
