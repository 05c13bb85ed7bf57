"""Booking capacity from the admin command line and the admin page: set, except a day,
refuse nonsense, audited."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from signaling.__main__ import main
from signaling.store import SqliteStore
from tests.dashboard.helpers import form_login, http_session, page_csrf
from tests.server.harness import PASSWORD, running_server

pytestmark = pytest.mark.usefixtures("keep_root_logging")


def run(data: Path, *args: str) -> int:
    return main(["--data-dir", str(data), *args])


def test_capacity_and_exceptions_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert run(data, "booking-capacity", "migri.permits", "sv", "--weekly",
               "tue=09:00-12:00", "--slot-minutes", "45", "--clerks", "2") == 0
    assert run(data, "booking-exception", "migri.permits", "sv", "2026-12-08", "--spans",
               "") == 0
    assert run(data, "booking-capacity", "migri.permits", "sv", "--weekly",
               "tue=12:00-09:00") == 1
    assert run(data, "booking-capacity", "no.such", "fi", "--weekly", "tue=09:00-12:00") == 1
    assert run(data, "booking-capacity", "migri.permits", "fi", "--weekly", "tue=09:00-12:00",
               "--slot-minutes", "1") == 1
    capsys.readouterr()
    assert run(data, "booking-capacities") == 0
    out = capsys.readouterr().out
    assert "migri.permits\tsv\tslot=45min\tclerks=2\ttue=09:00-12:00" in out
    assert "2026-12-08=none" in out
    store = SqliteStore.open(data)
    try:
        capacity = store.capacity("migri.permits", "sv")
        assert capacity is not None
        assert len(capacity.slots_on(date(2026, 12, 1))) == 4  # 09:00, 09:45, 10:30, 11:15
        assert capacity.slots_on(date(2026, 12, 8)) == []
        actions = [a.action for a in store.audit_log()]
        assert actions.count("booking_capacity_set") == 1
        assert actions.count("booking_exception_set") == 1
    finally:
        store.close()


async def test_admin_sets_booking_hours_on_the_admin_page(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data") as h:
        h.add_agent("ada", [], ["fi"], role="admin")
        async with http_session() as http:
            await form_login(http, h.base_url, "ada", PASSWORD)
            csrf = await page_csrf(http, h.base_url, "/dashboard/admin")
            form = {"csrf": csrf, "q": "migri.permits:sv", "weekly": "tue=09:00-12:00",
                    "slot_minutes": "45", "clerks": "2"}
            async with http.post(f"{h.base_url}/dashboard/admin/booking-capacity",
                                 data=form, allow_redirects=False) as r:
                assert r.status == 303 and "done=booking_saved" in r.headers["Location"]
            bad = {**form, "weekly": "tue=12:00-09:00"}
            async with http.post(f"{h.base_url}/dashboard/admin/booking-capacity",
                                 data=bad, allow_redirects=False) as r:
                assert "error=" in r.headers["Location"]
            day = {"csrf": csrf, "q": "migri.permits:sv", "day": "2026-12-08", "spans": ""}
            async with http.post(f"{h.base_url}/dashboard/admin/booking-exception",
                                 data=day, allow_redirects=False) as r:
                assert "done=booking_saved" in r.headers["Location"]
            async with http.post(f"{h.base_url}/dashboard/admin/booking-exception",
                                 data={**day, "csrf": "wrong"}, allow_redirects=False) as r:
                assert r.status == 403
            async with http.get(f"{h.base_url}/dashboard/admin") as r:
                page = await r.text()
        assert 'id="booking-capacity"' in page and 'value="tue=09:00-12:00"' in page
        capacity = h.ctx.store.capacity("migri.permits", "sv")
        assert capacity is not None and capacity.slot_minutes == 45 and capacity.clerks == 2
        assert capacity.slots_on(date(2026, 12, 8)) == []
        actions = [a.action for a in h.ctx.store.audit_log()]
        assert "booking_capacity_set" in actions and "booking_exception_set" in actions
