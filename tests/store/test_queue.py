"""Queue write-through and call records: order, restart, crash (SIGKILL), reporting rows."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from signaling.errors import StoreError
from signaling.store import SqliteStore, Store
from signaling.store.records import PurgeCutoffs

from .conftest import CATALOGUE_PATH, ROOT, FakeClock

T0 = 1_750_000_000.0
# (entry id, priority, enqueued_at offset). Expected order: priority desc, time, id.
ENTRIES = [("e3", 0, 3.0), ("e1", 0, 1.0), ("e5", 5, 9.0), ("e2", 0, 1.0), ("e4", 5, 2.0)]
EXPECTED = ["e4", "e5", "e1", "e2", "e3"]


@pytest.fixture
def kiosk(store: Store) -> str:
    kiosk_id, _ = store.create_kiosk("nurmes", "Nurmes 1", now=T0)
    return kiosk_id


@pytest.fixture
def agent(store: Store) -> str:
    return store.create_account(
        "aino", "Aino", "agent", "pw-aino", ["kela.benefits"], ["fi"], now=T0
    )


def _fill(store: Store, kiosk: str) -> None:
    for entry_id, priority, offset in ENTRIES:
        store.insert_entry(entry_id, kiosk, "kela.benefits", "fi", priority, T0 + offset, now=T0)


def test_waiting_order(store: Store, kiosk: str) -> None:
    _fill(store, kiosk)
    assert [e.id for e in store.waiting_entries()] == EXPECTED


def test_entries_survive_reopen(
    store: Store, kiosk: str, reopen: Callable[[], Store]
) -> None:
    _fill(store, kiosk)
    store.set_entry_state("e5", "offered", now=T0)
    store.set_entry_state("e2", "in_call", now=T0)
    store.close()
    with contextlib.closing(reopen()) as reopened:
        entries = reopened.waiting_entries()
        assert [e.id for e in entries] == ["e4", "e5", "e1", "e3"]
        assert entries[1].state == "offered"
        assert [e.id for e in reopened.waiting_entries(["waiting"])] == ["e4", "e1", "e3"]
        e2 = reopened.entry("e2")
        assert e2 is not None and e2.state == "in_call"
        assert (e2.kiosk_id, e2.service_id, e2.language, e2.enqueued_at) == (
            kiosk,
            "kela.benefits",
            "fi",
            T0 + 1.0,
        )


def test_entry_state_priority_and_delete(store: Store, kiosk: str, clock: FakeClock) -> None:
    _fill(store, kiosk)
    clock.advance(5)
    assert store.set_entry_state("e3", "waiting", priority=100, now=clock.now)
    assert store.waiting_entries()[0].id == "e3"
    e3 = store.entry("e3")
    assert e3 is not None and e3.updated_at == clock.now
    assert store.delete_entry("e3")
    assert not store.delete_entry("e3")
    assert not store.set_entry_state("e3", "done", now=clock.now)
    assert store.entry("e3") is None


def test_entry_constraints(store: Store, kiosk: str) -> None:
    with pytest.raises(StoreError):
        store.insert_entry("x", "kio_nope", "kela.benefits", "fi", 0, T0, now=T0)
    with pytest.raises(StoreError):
        store.insert_entry("x", kiosk, "nasa.launch", "fi", 0, T0, now=T0)
    store.insert_entry("x", kiosk, "kela.benefits", "fi", 0, T0, now=T0)
    with pytest.raises(StoreError):
        store.insert_entry("x", kiosk, "kela.benefits", "fi", 0, T0, now=T0)
    with pytest.raises(StoreError):
        store.set_entry_state("x", "lost", now=T0)  # type: ignore[arg-type]


def test_resume_hash(store: Store, kiosk: str) -> None:
    store.insert_entry("e1", kiosk, "vero.tax", "sv", 0, T0, "hash-at-insert", now=T0)
    found = store.entry_by_resume_hash("hash-at-insert")
    assert found is not None and found.id == "e1"
    assert store.set_resume_token_hash("e1", "hash-2", now=T0)
    assert store.entry_by_resume_hash("hash-at-insert") is None
    found = store.entry_by_resume_hash("hash-2")
    assert found is not None and found.resume_token_hash == "hash-2"
    store.set_entry_state("e1", "done", now=T0)
    assert store.entry_by_resume_hash("hash-2") is None


# --- calls --------------------------------------------------------------------------------------


def test_answered_call_lifecycle(store: Store, kiosk: str, agent: str) -> None:
    store.insert_entry("e1", kiosk, "kela.benefits", "fi", 0, T0, now=T0)
    store.set_entry_state("e1", "in_call", now=T0)
    store.call_started(
        "c1",
        entry_id="e1",
        kiosk_id=kiosk,
        agent_id=agent,
        service_id="kela.benefits",
        language="fi",
        offered_at=T0 + 30,
        answered_at=T0 + 35,
    )
    [open_call] = store.open_calls()
    assert (open_call.id, open_call.site_id, open_call.queued_at) == ("c1", "nurmes", T0)
    assert open_call.outcome is None and open_call.ended_at is None
    assert store.call_ended("c1", T0 + 600, "answered", "agent_hangup")
    assert not store.call_ended("c1", T0 + 700, "answered", "again")
    assert store.open_calls() == []
    assert not store.call_wrapup("c1", "resolved", "not mine", agent_id="acc_other")
    assert not store.call_wrapup("c_unknown", "resolved")
    assert store.call_wrapup("c1", "resolved", "x" * 5000, agent_id=agent)
    assert store.set_call_quality("c1", {"rtt_ms": 41.5, "loss": 0.01})
    assert store.close_entry("e1", T0 + 600, None) is None
    assert store.entry("e1") is None
    call = store.call("c1")
    assert call is not None
    assert (call.outcome, call.end_reason, call.disposition) == (
        "answered",
        "agent_hangup",
        "resolved",
    )
    assert call.wrapup_note is not None and len(call.wrapup_note) == 1000
    assert store.call_wrapup("c1", "referred")  # no agent check requested
    call = store.call("c1")
    assert call is not None and (call.disposition, call.wrapup_note) == ("referred", None)
    assert call.quality == {"rtt_ms": 41.5, "loss": 0.01}


def test_citizen_rates_an_ended_call_once(store: Store, kiosk: str, agent: str) -> None:
    other, _ = store.create_kiosk("lieksa", "Lieksa 1", now=T0)
    store.insert_entry("e1", kiosk, "kela.benefits", "fi", 0, T0, now=T0)
    store.call_started("c1", entry_id="e1", kiosk_id=kiosk, agent_id=agent,
                       service_id="kela.benefits", language="fi", offered_at=T0 + 5,
                       answered_at=T0 + 6)
    assert not store.rate_call("c1", kiosk, 5)  # still going
    store.call_ended("c1", T0 + 60, "answered", "kiosk_hangup")
    assert not store.rate_call("c1", other, 1)  # not that kiosk's call
    assert not store.rate_call("c_unknown", kiosk, 4)
    assert store.rate_call("c1", kiosk, 4)
    assert not store.rate_call("c1", kiosk, 1)  # once
    call = store.call("c1")
    assert call is not None and call.rating == 4


def test_open_calls_survive_restart(
    store: Store, kiosk: str, agent: str, reopen: Callable[[], Store]
) -> None:
    store.call_started(
        "c9",
        entry_id="e9",
        kiosk_id=kiosk,
        agent_id=agent,
        service_id="kela.benefits",
        language="fi",
        offered_at=None,
        answered_at=T0 + 5,
        queued_at=T0,
    )
    store.close()
    with contextlib.closing(reopen()) as reopened:
        assert [c.id for c in reopened.open_calls()] == ["c9"]


def test_abandoned_entry_gets_a_call_row(store: Store, kiosk: str) -> None:
    store.insert_entry("e1", kiosk, "vero.tax", "sv", 0, T0, now=T0)
    call_id = store.close_entry("e1", T0 + 90, "abandoned")
    assert call_id is not None
    assert store.entry("e1") is None
    call = store.call(call_id)
    assert call is not None
    assert (call.outcome, call.answered_at, call.agent_id, call.queued_at, call.ended_at) == (
        "abandoned",
        None,
        None,
        T0,
        T0 + 90,
    )
    assert (call.site_id, call.service_id, call.language) == ("nurmes", "vero.tax", "sv")
    assert store.open_calls() == []
    assert store.close_entry("e1", T0 + 91, "abandoned") is None


def test_transfer_removal_adds_no_unanswered_row(store: Store, kiosk: str, agent: str) -> None:
    store.insert_entry("e1", kiosk, "kela.benefits", "fi", 0, T0, now=T0)
    store.call_started(
        "c1",
        entry_id="e1",
        kiosk_id=kiosk,
        agent_id=agent,
        service_id="kela.benefits",
        language="fi",
        offered_at=T0 + 1,
        answered_at=T0 + 2,
    )
    store.call_ended("c1", T0 + 50, "transferred", "to vero.tax")
    assert store.close_entry("e1", T0 + 50, "transferred") is None
    assert store.close_entry("e1", T0 + 50, "cancelled") is None  # already gone
    assert [c.id for c in store.calls_between(T0, T0 + 100)] == ["c1"]


def test_entry_closed_and_calls_between(store: Store, kiosk: str) -> None:
    a = store.entry_closed("e1", kiosk, "kela.benefits", "fi", T0 + 10, T0 + 20, "cancelled")
    b = store.entry_closed("e2", kiosk, "kela.benefits", "sv", T0, T0 + 30, "refused", "closed")
    c = store.entry_closed("e3", kiosk, "kela.benefits", "fi", T0 + 100, T0 + 130, "abandoned")
    assert [x.id for x in store.calls_between(T0, T0 + 100)] == [b, a]
    assert [x.id for x in store.calls_between(T0 + 100, T0 + 101)] == [c]
    with pytest.raises(StoreError):
        store.entry_closed("e4", "kio_nope", "kela.benefits", "fi", T0, T0, "cancelled")
    with pytest.raises(StoreError):
        store.entry_closed("e5", kiosk, "kela.benefits", "fi", T0, T0, "vanished")  # type: ignore[arg-type]


def test_purge(store: Store, kiosk: str, agent: str, clock: FakeClock) -> None:
    store.entry_closed("old", kiosk, "kela.benefits", "fi", T0 - 1000, T0 - 900, "abandoned")
    store.entry_closed("new", kiosk, "kela.benefits", "fi", T0 + 10, T0 + 20, "abandoned")
    store.create_session(agent, 60, now=T0 - 1000)
    store.audit("admin:cli", "x", "y", now=clock.now)
    counts = store.purge(PurgeCutoffs(T0, T0, T0, T0))
    assert counts == {"calls": 1, "notes": 0, "sessions": 1, "audit": 0, "waits": 0,
                      "estimates": 0, "staffing": 0}
    assert [c.entry_id for c in store.calls_between(0, T0 + 1000)] == ["new"]
    assert len(store.audit_log()) == 1  # clock.now == T0, so today's line stays


def test_purge_takes_waits_whose_end_was_never_written(store: Store, kiosk: str) -> None:
    # "lost" was closed without its wait's end being stored (a crash between the two);
    # "live" is still waiting after the cut-off and keeps its row.
    for entry in ("lost", "live"):
        store.insert_entry(entry, kiosk, "kela.benefits", "fi", 0, T0 - 1000, now=T0 - 1000)
    store.set_entry_state("lost", "done", now=T0 - 900)
    counts = store.purge(PurgeCutoffs(T0, T0, T0, T0))
    assert counts["waits"] == 1
    assert [w.entry_id for w in store.waits_between(0, T0 + 1000)] == ["live"]


# --- crash ---------------------------------------------------------------------------------------

CRASH_SCRIPT = textwrap.dedent(
    """
    import os, sys
    sys.path.insert(0, sys.argv[3])
    from signaling.catalogue import load_catalogue
    from signaling.store import SqliteStore, Store

    store = SqliteStore.open(sys.argv[1])
    store.seed_catalogue(load_catalogue(sys.argv[2]), now={t0!r})
    kiosk_id, _ = store.create_kiosk("nurmes", "Nurmes 1", now={t0!r})
    entries = {entries!r}
    for entry_id, priority, offset in entries:
        t = {t0!r} + offset
        store.insert_entry(entry_id, kiosk_id, "kela.benefits", "fi", priority, t, now=t)
    store.set_entry_state("e5", "offered", now={t0!r})
    print(kiosk_id, flush=True)
    os.kill(os.getpid(), 9)
    """
)


@pytest.mark.slow
def test_sigkill_keeps_committed_entries(tmp_path: Path) -> None:
    data_dir = tmp_path / "crash"
    script = CRASH_SCRIPT.format(entries=ENTRIES, t0=T0)
    proc = subprocess.run(
        [sys.executable, "-c", script, str(data_dir), str(CATALOGUE_PATH), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    kiosk_id = proc.stdout.strip()
    # The process died with the WAL open: its committed pages live only in the -wal file.
    assert (data_dir / "etapiste.db-wal").exists()
    with SqliteStore.open(data_dir) as store:
        entries = store.waiting_entries()
        assert [e.id for e in entries] == EXPECTED
        assert {e.kiosk_id for e in entries} == {kiosk_id}
        assert store.entry("e5") is not None and entries[1].state == "offered"
        assert len(store.services()) == 9

