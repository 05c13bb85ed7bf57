"""The monitor's view of the day's calls and waits is read once, then only from changes: a
refresh never reads the day's old rows again, and what it shows is what a full read shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from signaling.catalogue import load_catalogue
from signaling.recent_calls import OVERLAP_S, RecentCalls
from signaling.reports import local_midnight, queue_day
from signaling.settings import Settings
from signaling.store import SqliteStore, Store
from signaling.store.records import ShownEstimate
from signaling.wait_report import accuracy_by_service

TZ = ZoneInfo("Europe/Helsinki")
NOON = 1_750_068_000.0  # 2025-06-16 13:00 in Helsinki
SERVICE = "kela.benefits"
THRESHOLD = 120.0


def full_read(store: Store, now: float) -> tuple[Any, Any, Any]:
    """What the monitor used to compute from the whole day on every refresh."""
    midnight = local_midnight(now, TZ)
    reasons: dict[str, list[tuple[float, str | None]]] = {}
    for c in store.calls_between(now - 86400, now + 1):
        if c.answered_at is not None and c.ended_at is not None:
            reasons.setdefault(c.kiosk_id, []).append(
                (c.ended_at, "failed" if c.outcome == "failed" else c.end_reason))
    by_kiosk = {k: [r for _t, r in sorted(v, key=lambda x: -x[0])] for k, v in reasons.items()}
    today = queue_day(store.calls_between(midnight, now + 1), THRESHOLD)
    estimates = accuracy_by_service(store.waits_between(midnight, now + 1), until=now)
    return by_kiosk, today, estimates


def call(store: Store, kiosk: str, agent: str, n: str, queued: float, *, end: float | None,
         reason: str = "hangup") -> None:
    entry = f"e-{n}"
    store.insert_entry(entry, kiosk, SERVICE, "fi", 0, queued, now=queued)
    store.record_estimates([ShownEstimate(entry, queued, 1, 90.0, "minutes")])
    store.set_entry_state(entry, "in_call", now=queued + 60)
    store.wait_ended(entry, queued + 60, answered=True)
    store.call_started(f"c-{n}", entry_id=entry, kiosk_id=kiosk, agent_id=agent,
                       service_id=SERVICE, language="fi", offered_at=queued + 55,
                       answered_at=queued + 60, queued_at=queued)
    if end is not None:
        store.call_ended(f"c-{n}", end, "answered", reason)
        store.close_entry(entry, end, None)


@pytest.fixture
def store(tmp_path: Path) -> Any:
    s = SqliteStore.open(tmp_path / "data")
    s.seed_catalogue(load_catalogue(Settings().catalogue), now=NOON - 86400)
    yield s
    s.close()


def test_a_refresh_reads_only_what_changed_and_agrees_with_a_full_read(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    kiosks = [store.create_kiosk("lieksa", f"Lieksa {i}", now=NOON - 86400)[0] for i in range(3)]
    agent = store.create_account("aino", "Aino", "agent", "h", [SERVICE], ["fi"], now=0)
    # A busy morning and yesterday afternoon: 120 calls, every one ended.
    for i in range(120):
        queued = NOON - 30 * 3600 + 450 + i * 900  # none leaves the 24 h during the test
        call(store, kiosks[i % 3], agent, f"old{i}", queued, end=queued + 400,
             reason="hangup" if i % 5 else "network")
    recent = RecentCalls(store)
    # The figures a full read gives, read through a second handle (the spies below see only
    # what the monitor's store is asked).
    reference = SqliteStore.open(store.path.parent)  # type: ignore[attr-defined]
    now = NOON
    recent.refresh(now, local_midnight(now, TZ), THRESHOLD)
    assert (recent.reasons, recent.today, recent.estimates) == full_read(reference, now)
    first = recent.rows_read
    assert first > 100

    day_reads: list[float] = []
    names: list[str] = []
    for name in ("calls_between", "waits_between"):
        real = getattr(store, name)

        def spy(t0: float, t1: float, real: Any = real, name: str = name) -> Any:
            day_reads.append(t0)
            names.append(name)
            return real(t0, t1)

        monkeypatch.setattr(store, name, spy)

    # Nothing happened: nothing is read.
    now += 5
    assert recent.refresh(now, local_midnight(now, TZ), THRESHOLD) == set()
    assert recent.rows_read == first
    # As the day goes on: citizens join, are shown an estimate, are answered or leave, calls
    # end; the monitor refreshes every 5 s in between.
    def refresh() -> set[str]:
        return recent.refresh(now, local_midnight(now, TZ), THRESHOLD)

    def join(entry: str, kiosk: str, kind: str = "minutes") -> None:
        store.insert_entry(entry, kiosk, SERVICE, "fi", 0, now, now=now)
        store.record_estimates([ShownEstimate(entry, now, 1, 90.0 if kind == "minutes" else None,
                                              kind)])  # type: ignore[arg-type]

    def answer(entry: str, kiosk: str, call_id: str) -> None:
        e = store.entry(entry)
        assert e is not None
        store.set_entry_state(entry, "in_call", now=now)
        store.wait_ended(entry, now, answered=True)
        store.call_started(call_id, entry_id=entry, kiosk_id=kiosk, agent_id=agent,
                           service_id=SERVICE, language="fi", offered_at=now - 2,
                           answered_at=now, queued_at=e.enqueued_at)

    join("e-a", kiosks[0])
    join("e-b", kiosks[1])
    join("e-c", kiosks[2], "soon")
    now += 5
    assert refresh() == set()  # places, no calls: no kiosk's reasons move
    assert (recent.reasons, recent.today, recent.estimates) == full_read(reference, now)
    answer("e-a", kiosks[0], "c-a")
    answer("e-b", kiosks[1], "c-b")
    store.close_entry("e-c", now, "abandoned")
    store.wait_ended("e-c", now, answered=False)
    join("e-d", kiosks[2], "soon")
    now += 5
    assert refresh() == {kiosks[0], kiosks[1], kiosks[2]}
    assert (recent.reasons, recent.today, recent.estimates) == full_read(reference, now)
    store.call_ended("c-b", now, "answered", "network")
    now += 5
    assert refresh() == {kiosks[1]}  # c-a, still in progress, is read again but unchanged
    assert (recent.reasons, recent.today, recent.estimates) == full_read(reference, now)
    assert recent.rows_read - first <= 20, recent.rows_read - first  # not the day's 240 rows
    before = recent.rows_read
    now += 5
    refresh()
    # The call in progress, the place still waiting, and the call that ended within the
    # overlap of the previous read; nothing else.
    assert recent.rows_read - before == 3
    assert (recent.reasons, recent.today, recent.estimates) == full_read(reference, now)
    # No read went back into the day again: each started at most OVERLAP_S before the last.
    assert day_reads and min(day_reads) >= NOON - OVERLAP_S
    assert "calls_between" not in names
    # A day later the old calls have left every kiosk's reasons (a new day: one full read).
    now += 86400
    recent.refresh(now, local_midnight(now, TZ), THRESHOLD)
    assert recent.reasons == full_read(reference, now)[0] == {}
    assert "calls_between" in names
    reference.close()
