"""Booking capacity from the admin command line: set, except a day, refuse nonsense, audited."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from signaling.__main__ import main
from signaling.store import SqliteStore

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
