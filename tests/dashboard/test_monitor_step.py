"""A monitor step costs what changed, not what exists: it builds rows only for the kiosks that
changed and counts only the calls and waits that changed into the day's figures, however many
kiosks and calls the day holds. (Counted, not timed: the cost is measured by
``bench/signaling_load.py``; this keeps the O(changes) property from eroding.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from signaling.context import open_context
from signaling.monitor import SLOW_FACTS_S
from signaling.reports import local_midnight, queue_day
from signaling.settings import Settings
from signaling.store import Store
from signaling.store.records import ShownEstimate
from signaling.wait_report import accuracy_by_service

NOON = 1_750_068_000.0  # 2025-06-16 13:00 in Helsinki
SERVICE = "kela.benefits"
KIOSKS = 300
MORNING_CALLS = 200


class Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def call(store: Store, kiosk: str, agent: str, n: str, queued: float, *,
         end: float | None) -> None:
    """A citizen who joined at ``queued``, saw an estimate, was answered a minute later and
    (if ``end``) hung up then."""
    entry = f"e-{n}"
    store.insert_entry(entry, kiosk, SERVICE, "fi", 0, queued, now=queued)
    store.record_estimates([ShownEstimate(entry, queued, 1, 90.0, "minutes")])
    store.set_entry_state(entry, "in_call", now=queued + 60)
    store.wait_ended(entry, queued + 60, answered=True)
    store.call_started(f"c-{n}", entry_id=entry, kiosk_id=kiosk, agent_id=agent,
                       service_id=SERVICE, language="fi", offered_at=queued + 55,
                       answered_at=queued + 60, queued_at=queued)
    if end is not None:
        store.call_ended(f"c-{n}", end, "answered", "hangup")
        store.close_entry(entry, end, None)


@pytest.fixture
def ctx(tmp_path: Path) -> Any:
    clock = Clock(NOON - 12 * 3600)
    context = open_context(
        Settings(data_dir=tmp_path / "data", port=0, always_open=True), clock
    )
    context.clock_for_test = clock  # type: ignore[attr-defined]
    yield context
    context.store.close()


def test_a_step_builds_rows_and_counts_records_of_the_changes_only(ctx: Any) -> None:
    store: Store = ctx.store
    clock: Clock = ctx.clock_for_test
    monitor = ctx.monitor
    kiosks = [store.create_kiosk("lieksa", f"Lieksa {i:03d}", now=clock())[0]
              for i in range(KIOSKS)]
    agent = store.create_account("aino", "Aino", "agent", "h", [SERVICE], ["fi"], now=0)
    for i in range(MORNING_CALLS):  # a busy morning, every call ended
        queued = NOON - 4 * 3600 + i * 60
        call(store, kiosks[i % KIOSKS], agent, f"m{i}", queued, end=queued + 300)
    clock.t = NOON
    monitor.invalidate()
    monitor.step()
    board, recent = monitor.board, monitor.recent
    assert board.rows_built >= KIOSKS  # the first step: every kiosk
    assert recent.records_counted >= 2 * MORNING_CALLS  # and the whole day once
    first_rows = monitor.snapshot["kiosks"]
    assert len(first_rows) == KIOSKS

    # The next steps: two kiosks changed, and one citizen of the day was served meanwhile.
    built, counted = board.rows_built, recent.records_counted
    monitor.touch(kiosks[5])
    monitor.touch(kiosks[250])
    clock.t += 0.5
    monitor.step()
    assert board.rows_built - built == 2
    queued = clock.t
    call(store, kiosks[7], agent, "new", queued, end=queued + 65)
    clock.t = queued + 66
    built = board.rows_built
    monitor.step()
    # The new call and its wait: each counted once (the call's kiosk changed reasons, so its
    # row is built again); nothing of the morning's 200 calls is counted again.
    assert recent.records_counted - counted == 2
    assert board.rows_built - built == 1
    # The figures are what a full read of the day gives.
    now, midnight = clock.t, local_midnight(clock.t, monitor.tz)
    assert recent.today == queue_day(store.calls_between(midnight, now + 1),
                                     monitor.threshold_s)
    assert monitor.estimates_today == accuracy_by_service(
        store.waits_between(midnight, now + 1), until=now)
    # The kiosk list keeps its order and length.
    assert [r["id"] for r in monitor.snapshot["kiosks"]] == [r["id"] for r in first_rows]


def test_a_quiet_step_builds_nothing(ctx: Any) -> None:
    store: Store = ctx.store
    clock: Clock = ctx.clock_for_test
    for i in range(50):
        store.create_kiosk("nurmes", f"Nurmes {i:02d}", now=clock())
    ctx.monitor.invalidate()
    ctx.monitor.step()
    built = ctx.monitor.board.rows_built
    counted = ctx.monitor.recent.records_counted
    for _ in range(3):
        clock.t += SLOW_FACTS_S
        ctx.monitor.step()
    assert ctx.monitor.board.rows_built == built
    assert ctx.monitor.recent.records_counted == counted
