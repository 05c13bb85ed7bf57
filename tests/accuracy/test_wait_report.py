"""Accuracy per service and local day from stored waits: the first estimate against the wait."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from signaling.store.records import WaitRecord
from signaling.wait_report import accuracy_by_day, accuracy_by_service

HELSINKI = ZoneInfo("Europe/Helsinki")
# 2026-03-04 23:30 Finnish time, then the next morning.
LATE = dt.datetime(2026, 3, 4, 23, 30, tzinfo=HELSINKI).timestamp()
MORNING = dt.datetime(2026, 3, 5, 9, 0, tzinfo=HELSINKI).timestamp()


def wait(entry: str, service: str, joined: float, first_s: float | None, kind: str,
         waited: float | None, answered: bool | None) -> WaitRecord:
    ended = None if waited is None else joined + waited
    return WaitRecord(entry, service, "fi", joined, joined, first_s, kind,  # type: ignore[arg-type]
                      ended, answered, waited)


def test_first_estimates_per_service_and_day() -> None:
    waits = [
        wait("a", "kela", LATE, 600.0, "minutes", 540.0, True),  # 60 s off
        wait("b", "kela", MORNING, 300.0, "minutes", 600.0, True),  # 300 s off
        wait("c", "kela", MORNING + 60, 120.0, "minutes", 60.0, True),  # 60 s off
        wait("d", "kela", MORNING + 120, 30.0, "soon", 700.0, False),  # left after 11 min
        wait("e", "vero", MORNING, None, "none", 100.0, True),  # no estimate: not scored
        wait("f", "vero", MORNING, 60.0, "minutes", None, None),  # still waiting
    ]
    rows = accuracy_by_day(waits, HELSINKI, until=MORNING + 3600)
    assert [(r.day.isoformat(), r.service_id) for r in rows] == [
        ("2026-03-05", "kela"), ("2026-03-05", "vero"), ("2026-03-04", "kela"),
    ]
    kela = rows[0].figures
    assert (kela.shown, kela.scored, kela.median_abs_error_s, kela.within_2min) == (
        3, 2, 180.0, 0.5
    )
    assert kela.soon_then_over_10min == 1
    vero = rows[1].figures
    assert (vero.shown, vero.scored, vero.none_share, vero.median_abs_error_s) == (
        2, 0, 0.5, None
    )
    assert accuracy_by_service(waits[:1], until=MORNING)["kela"].median_abs_error_s == 60.0
