"""Routing terms and their fence, agents' states and payloads, on both databases; the dialect
rules that carry the store's SQL to PostgreSQL."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

import pytest

from signaling.errors import FencedError, StoreError
from signaling.store import Store
from signaling.store.dialect import bind, to_postgresql

from .conftest import T0, raw


def _kiosk(store: Store) -> str:
    return store.create_kiosk("nurmes", "Nurmes 1", now=T0)[0]


def test_terms_increase_and_each_is_recorded(store: Store) -> None:
    assert store.current_term() == (0, None)
    first = store.take_term("node-a", now=T0)
    second = store.take_term("node-b", now=T0 + 1)
    assert (first, second) == (1, 2)
    assert store.current_term() == (2, "node-b")
    assert [(t.term, t.holder, t.writes) for t in store.terms()] == [
        (1, "node-a", 0), (2, "node-b", 0)
    ]


def test_a_write_under_the_current_term_is_kept_and_counted(store: Store) -> None:
    kiosk = _kiosk(store)
    term = store.take_term("node-a", now=T0)
    with store.fenced(term, now=T0 + 1):
        store.insert_entry("e1", kiosk, "kela.benefits", "fi", 0, T0, now=T0 + 1)
        store.set_entry_state("e1", "offered", now=T0 + 1)
    entry = store.entry("e1")
    assert entry is not None and entry.state == "offered"
    (record,) = store.terms()
    assert record.writes == 1 and record.last_write_at == T0 + 1


def test_an_old_term_writes_nothing(store: Store, reopen: Callable[[], Store]) -> None:
    kiosk = _kiosk(store)
    old = store.take_term("node-a", now=T0)
    other = reopen()  # another node on the same database
    try:
        new = other.take_term("node-b", now=T0 + 5)
        with pytest.raises(FencedError), store.fenced(old, now=T0 + 6):
            store.insert_entry("e1", kiosk, "kela.benefits", "fi", 0, T0, now=T0 + 6)
        assert store.entry("e1") is None
        with other.fenced(new, now=T0 + 7):
            other.insert_entry("e2", kiosk, "kela.benefits", "fi", 0, T0, now=T0 + 7)
        assert store.entry("e2") is not None
        by_term = {t.term: t for t in other.terms()}
        # The split-brain check the cluster tests make: nothing under a term after the next.
        assert by_term[old].writes == 0 and by_term[new].writes == 1
    finally:
        other.close()


def test_a_failed_write_inside_the_fence_rolls_back_alone(store: Store) -> None:
    kiosk = _kiosk(store)
    term = store.take_term("node-a", now=T0)
    with store.fenced(term, now=T0):
        store.insert_entry("e1", kiosk, "kela.benefits", "fi", 0, T0, now=T0)
        with pytest.raises(StoreError):
            store.insert_entry("e1", kiosk, "kela.benefits", "fi", 0, T0, now=T0)  # duplicate
        store.set_entry_state("e1", "offered", now=T0)
    entry = store.entry("e1")
    assert entry is not None and entry.state == "offered"


def test_an_error_in_the_fence_keeps_nothing_of_it(store: Store) -> None:
    kiosk = _kiosk(store)
    term = store.take_term("node-a", now=T0)
    with contextlib.suppress(RuntimeError), store.fenced(term, now=T0):
        store.insert_entry("e1", kiosk, "kela.benefits", "fi", 0, T0, now=T0)
        raise RuntimeError("the node died half-way")
    assert store.entry("e1") is None
    assert store.terms()[0].writes == 0


def test_a_new_term_waits_for_an_open_fenced_write(
    store: Store, reopen: Callable[[], Store], backend: str
) -> None:
    """The bump of the term needs the lease row: an old-term transaction in flight finishes
    first (its write lands before the new term exists), never after."""
    if backend == "sqlite":
        pytest.skip("one SQLite file has one process: nothing to race")
    kiosk = _kiosk(store)
    old = store.take_term("node-a", now=T0)
    other = reopen()
    taken: list[float] = []
    try:
        with store.fenced(old, now=T0):
            store.insert_entry("e1", kiosk, "kela.benefits", "fi", 0, T0, now=T0)
            bump = threading.Thread(
                target=lambda: (other.take_term("node-b", now=T0 + 1),
                                taken.append(time.monotonic())),
            )
            bump.start()
            time.sleep(0.5)
            assert not taken  # blocked on the row the write holds
            released = time.monotonic()
        bump.join(10)
        assert taken and taken[0] >= released
        assert store.entry("e1") is not None
    finally:
        other.close()


def test_agent_states_are_kept_and_forgotten(store: Store) -> None:
    agent = store.create_account("aino", "Aino", "agent", "pw", ["kela.benefits"], ["fi"], now=T0)
    store.save_agent_state(agent, "ready", None, T0, None, now=T0)
    store.save_agent_state(agent, "wrap_up", None, T0 + 1, T0 + 31, now=T0 + 1)
    (state,) = store.agent_states()
    assert (state.agent_id, state.state, state.until) == (agent, "wrap_up", T0 + 31)
    assert store.forget_agent_state(agent)
    assert store.agent_states() == []


def test_payloads_are_read_once_and_old_ones_purged(store: Store) -> None:
    body = "x" * 20_000
    first = store.put_payload(body, now=T0)
    second = store.put_payload("y", now=T0 + 100)
    assert store.take_payload(first) == body
    assert store.take_payload(first) is None
    assert store.purge_payloads(T0 + 200) == 1
    assert store.take_payload(second) is None


def test_epoch_seconds_keep_their_fraction(store: Store) -> None:
    """PostgreSQL's REAL is 4 bytes; the dialect makes it double precision."""
    kiosk = _kiosk(store)
    store.insert_entry("e1", kiosk, "kela.benefits", "fi", 0, T0 + 0.123, now=T0)
    assert raw(store, "SELECT enqueued_at FROM queue_entries")[0][0] == T0 + 0.123


def test_usernames_are_unique_ignoring_case_on_both(store: Store) -> None:
    store.create_account("Aino", "Aino", "agent", "pw", [], [], now=T0)
    with pytest.raises(StoreError):
        store.create_account("aino", "Aino 2", "agent", "pw", [], [], now=T0)
    assert store.login_record("AINO") is not None


@pytest.mark.parametrize(
    ("sql", "expected", "style"),
    [
        ("SELECT * FROM t WHERE a=? AND b=?", "SELECT * FROM t WHERE a=%s AND b=%s", "sequence"),
        ("UPDATE t SET a=?1 WHERE b=?2 OR c=?1", "UPDATE t SET a=%(p1)s WHERE b=%(p2)s OR c=%(p1)s",
         "numbered"),
        ("INSERT INTO t VALUES (:id, 'a:b ? 5%')", "INSERT INTO t VALUES (%(id)s, 'a:b ? 5%%')",
         "named"),
        ("SELECT value FROM json_each(?)", "SELECT value FROM json_array_elements_text(%s::json)",
         "sequence"),
        ("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL, n INTEGER) WITHOUT ROWID",
         "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
         "at DOUBLE PRECISION, n BIGINT) ", "sequence"),
    ],
)
def test_dialect_rules(sql: str, expected: str, style: str) -> None:
    assert to_postgresql(sql) == (expected, style)


def test_numbered_parameters_become_named() -> None:
    assert bind("numbered", ("a", 2)) == {"p1": "a", "p2": 2}
    assert bind("sequence", ("a", 2)) == ("a", 2)
