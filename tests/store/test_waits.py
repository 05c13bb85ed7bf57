"""Waits and staffing history on a real SQLite file: what kiosks were shown, what followed."""

from __future__ import annotations

from collections.abc import Callable

from signaling.store import Store
from signaling.store.records import PurgeCutoffs, ShownEstimate, StaffingRecord

from .conftest import T0

SERVICE = "kela.benefits"


def _place(store: Store, entry_id: str, joined: float) -> None:
    kiosk_id, _ = store.create_kiosk("nurmes", f"Nurmes {entry_id}", now=T0)
    store.insert_entry(entry_id, kiosk_id, SERVICE, "fi", 0, joined, now=joined)


def test_every_shown_estimate_is_kept_and_the_first_beside_the_wait(store: Store) -> None:
    _place(store, "e1", T0)
    shown = [
        ShownEstimate("e1", T0, 3, 600.0, "minutes"),
        ShownEstimate("e1", T0 + 200, 2, 300.0, "minutes"),
    ]
    store.record_estimates(shown[:1])
    store.record_estimates([*shown[1:], ShownEstimate("e1", T0 + 400, 1, 30.0, "soon")])
    assert store.shown_estimates("e1") == [*shown, ShownEstimate("e1", T0 + 400, 1, 30.0, "soon")]
    (wait,) = store.waits_between(T0, T0 + 1)
    assert (wait.first_at, wait.first_s, wait.first_kind) == (T0, 600.0, "minutes")
    assert (wait.ended_at, wait.answered, wait.waited_s) == (None, None, None)
    # Answered 7.5 minutes after joining; a second end (a late duplicate) changes nothing.
    assert store.wait_ended("e1", T0 + 450, answered=True)
    assert not store.wait_ended("e1", T0 + 900, answered=False)
    (wait,) = store.waits_between(T0, T0 + 1)
    assert (wait.ended_at, wait.answered, wait.waited_s) == (T0 + 450, True, 450.0)
    # The row outlives the queue place itself.
    store.close_entry("e1", T0 + 450, None)
    assert store.entry("e1") is None and len(store.waits_between(T0, T0 + 1)) == 1


def test_no_estimate_and_leaving_unanswered_are_kept_too(store: Store) -> None:
    _place(store, "e2", T0 + 10)
    store.record_estimates([ShownEstimate("e2", T0 + 10, 1, None, "none")])
    assert store.wait_ended("e2", T0 + 70, answered=False)
    (wait,) = store.waits_between(T0, T0 + 3600)
    assert (wait.first_s, wait.first_kind, wait.answered, wait.waited_s) == (
        None, "none", False, 60.0
    )
    assert store.waits_between(T0 + 11, T0 + 3600) == []  # by join time
    assert not store.wait_ended("nobody", T0, answered=True)


def test_waits_survive_a_restart_and_retention_removes_old_ones(
    store: Store, reopen: Callable[[], Store]
) -> None:
    _place(store, "e3", T0)
    store.record_estimates([ShownEstimate("e3", T0 + 1, 1, 120.0, "minutes")])
    store.wait_ended("e3", T0 + 100, answered=True)
    store.add_staffing([StaffingRecord(T0, SERVICE, "fi", 1800.0, 900.0)])
    store.close()
    again = reopen()
    try:
        assert [w.entry_id for w in again.waits_between(0, 2e9)] == ["e3"]
        assert len(again.shown_estimates("e3")) == 1
        day = T0 + 86400
        counts = again.purge(PurgeCutoffs(day, day, 0, 0))
        assert (counts["waits"], counts["estimates"], counts["staffing"]) == (1, 1, 1)
        assert again.waits_between(0, 2e9) == [] and again.shown_estimates("e3") == []
        assert again.staffing_between(0, 2e9) == []
    finally:
        again.close()


def test_staffing_seconds_add_up_per_hour_service_and_language(store: Store) -> None:
    hour = T0 - T0 % 3600
    store.add_staffing([
        StaffingRecord(hour, SERVICE, "fi", 60.0, 30.0),
        StaffingRecord(hour, SERVICE, "sv", 60.0, 60.0),
    ])
    store.add_staffing([StaffingRecord(hour, SERVICE, "fi", 60.0, 60.0)])
    store.add_staffing([StaffingRecord(hour + 3600, SERVICE, "fi", 10.0, 0.0)])
    assert store.staffing_between(hour, hour + 3600) == [
        StaffingRecord(hour, SERVICE, "fi", 120.0, 90.0),
        StaffingRecord(hour, SERVICE, "sv", 60.0, 60.0),
    ]
    assert len(store.staffing_between(hour, hour + 7200)) == 3
