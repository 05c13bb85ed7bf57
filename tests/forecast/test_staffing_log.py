"""The staffing history: clerks seen at each step, booked as clerk-seconds per hour."""

from __future__ import annotations

from pathlib import Path

import pytest

from signaling.catalogue import load_catalogue
from signaling.routing.views import QueueStats
from signaling.staffing_log import MAX_GAP_S, StaffingLog
from signaling.store import SqliteStore

ROOT = Path(__file__).resolve().parents[2]
HOUR = 1_750_003_200.0  # a UTC hour's start (and a Finnish one)


def stats(staffed: int, working: int) -> list[QueueStats]:
    return [QueueStats("kela.benefits", "fi", 0, 0.0, 0, staffed, working)]


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = SqliteStore.open(tmp_path)
    s.seed_catalogue(load_catalogue(ROOT / "deploy" / "catalogue.toml"), now=HOUR)
    yield s
    s.close()


def test_seconds_split_at_the_hour_and_a_stall_counts_only_so_long(store: SqliteStore) -> None:
    log = StaffingLog(store, flush_s=1e9)
    log.observe(HOUR - 200, stats(2, 1))  # two clerks, one of them on a break
    log.observe(HOUR + 100, stats(3, 3))  # 200 s before the hour, 100 s after
    log.observe(HOUR + 100 + MAX_GAP_S + 1000, stats(0, 0))  # a stall: only MAX_GAP_S count
    log.flush()
    booked = {(r.hour, r.logged_in_s, r.working_s) for r in store.staffing_between(0, 2e9)}
    assert booked == {
        (HOUR - 3600, 2 * 200.0, 200.0),
        (HOUR, 2 * 100.0 + 3 * MAX_GAP_S, 100.0 + 3 * MAX_GAP_S),
    }


def test_flushes_every_so_often_and_on_request(store: SqliteStore) -> None:
    log = StaffingLog(store, flush_s=60)
    log.observe(HOUR, stats(1, 1))
    log.observe(HOUR + 30, stats(1, 1))
    assert store.staffing_between(0, 2e9) == []  # not yet
    log.observe(HOUR + 61, stats(1, 0))
    (row,) = store.staffing_between(0, 2e9)
    assert (row.logged_in_s, row.working_s) == (61.0, 61.0)
    log.flush(HOUR + 71)  # the server stops: the last ten seconds too
    (row,) = store.staffing_between(0, 2e9)
    assert (row.logged_in_s, row.working_s) == (71.0, 61.0)
