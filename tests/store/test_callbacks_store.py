"""Callback tasks in the store, on SQLite and PostgreSQL: the number is kept apart and deleted
when the task ends or at the retention limit; the record stays for the statistics."""

from __future__ import annotations

from signaling.store import Store
from signaling.store.callbacks import CallbackRecord
from signaling.store.schema import MIGRATIONS

from .conftest import T0, raw

PHONE = "+358401234567"


def _record(cid: str, requested_at: float = T0) -> CallbackRecord:
    return CallbackRecord(cid, "kela.benefits", "sv", "nurmes", None, requested_at, "2024-06-11",
                          requested_at + 3600, 0, None, "open", None, None, None)


def test_a_task_keeps_its_number_until_it_ends_then_only_the_record_stays(store: Store) -> None:
    assert store.schema_version() == len(MIGRATIONS)
    store.add_callback(_record("cb1"), PHONE, now=T0)
    assert store.callback_phone("cb1") == PHONE
    (open_,) = store.open_callbacks()
    assert (open_.record.id, open_.phone, open_.record.state) == ("cb1", PHONE, "open")
    assert store.callback_attempt("cb1", attempts=1, not_before=T0 + 900, agent_id=None,
                                  outcome="no_answer")
    assert store.end_callback("cb1", "done", attempts=1, agent_id="acc_1", at=T0 + 1000)
    assert not store.end_callback("cb1", "done", attempts=1, agent_id="acc_1", at=T0 + 1001)
    assert store.callback_phone("cb1") is None
    assert raw(store, "SELECT * FROM callback_numbers") == []
    rec = store.callback("cb1")
    assert rec is not None
    assert (rec.state, rec.attempts, rec.agent_id, rec.last_outcome, rec.ended_at) == (
        "done", 1, "acc_1", "done", T0 + 1000)
    assert store.open_callbacks() == []
    assert [r.id for r in store.callbacks_between(T0, T0 + 1)] == ["cb1"]


def test_retention_deletes_old_numbers_even_of_open_tasks_and_old_records(store: Store) -> None:
    store.add_callback(_record("old", T0 - 10 * 86400), "+46701234567", now=T0 - 10 * 86400)
    store.add_callback(_record("new"), PHONE, now=T0)
    store.add_callback(_record("ended", T0 - 800 * 86400), "+358501234567",
                       now=T0 - 800 * 86400)
    store.end_callback("ended", "expired", attempts=0, agent_id=None, at=T0 - 799 * 86400)
    counts = store.purge_callbacks(numbers_before=T0 - 7 * 86400,
                                   records_before=T0 - 730 * 86400)
    assert counts == {"callback_numbers": 1, "callbacks": 1}
    assert store.callback_phone("old") is None and store.callback_phone("new") == PHONE
    old = store.callback("old")
    assert old is not None and old.state == "expired"
    assert store.callback("ended") is None
    assert [o.record.id for o in store.open_callbacks()] == ["new"]
