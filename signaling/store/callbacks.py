"""Callback requests (issue 14): the task, its outcome, and the number while the task is open.

The number is the only personal data the server keeps about a citizen, so it is kept apart:
one ``callback_numbers`` row per open task, deleted when the task ends
(:meth:`CallbacksSql.end_callback`) and at the latest at the retention limit
(:meth:`CallbacksSql.purge_callbacks`). The ``callbacks`` row that stays for the statistics
(promised, kept) names a service, a language, a site and times.

**Gone from the file, not only from queries.** SQLite leaves a deleted row's bytes in its page
and in the write-ahead log until they are reused. The SQLite handle runs with
``secure_delete`` (deleted content is overwritten with zeros) and, after a number is deleted,
:meth:`~signaling.store.db.Database.scrub` checkpoints the log into the database and truncates
it, so neither file holds the number afterwards (``tests/agent_console/test_callback_e2e.py``
reads both files' bytes). On PostgreSQL the deleted row is invisible at once and its dead
tuple is removed by the next (auto)vacuum of the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from signaling.store.db import SqlAggregate, from_row

__all__ = ["CallbackRecord", "CallbacksSql", "OpenCallback"]


@dataclass(frozen=True, slots=True)
class CallbackRecord:
    """One callback request as the statistics keep it (no number)."""

    id: str
    service_id: str
    language: str
    site_id: str | None
    kiosk_id: str | None
    requested_at: float
    promised_day: str
    due_at: float
    attempts: int
    not_before: float | None
    state: str
    agent_id: str | None
    last_outcome: str | None
    ended_at: float | None


@dataclass(frozen=True, slots=True)
class OpenCallback:
    """An open task with its number, for restoring the desk after a restart."""

    record: CallbackRecord
    phone: str | None


class CallbacksSql(SqlAggregate):
    """Callback tasks and their numbers."""

    def add_callback(
        self, record: CallbackRecord, phone: str, *, now: float
    ) -> None:
        """Store a new open task and its number (E.164) in one transaction."""
        with self._tx() as c:
            c.execute(
                "INSERT INTO callbacks (id, service_id, language, site_id, kiosk_id, "
                "requested_at, promised_day, due_at, attempts, not_before, state, agent_id, "
                "last_outcome, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', NULL, "
                "NULL, NULL)",
                (record.id, record.service_id, record.language, record.site_id, record.kiosk_id,
                 record.requested_at, record.promised_day, record.due_at, record.attempts,
                 record.not_before),
            )
            c.execute(
                "INSERT INTO callback_numbers (callback_id, phone, stored_at) VALUES (?, ?, ?)",
                (record.id, phone, now),
            )

    def callback_phone(self, callback_id: str) -> str | None:
        """The number of an open task (None once deleted)."""
        row = self._one("SELECT phone FROM callback_numbers WHERE callback_id=?", (callback_id,))
        return None if row is None else str(row["phone"])

    def callback_attempt(
        self, callback_id: str, *, attempts: int, not_before: float | None, agent_id: str | None,
        outcome: str | None,
    ) -> bool:
        """Record an attempt (or a task returned to the pool) on an open task."""
        return self._changed(
            "UPDATE callbacks SET attempts=?, not_before=?, agent_id=?, "
            "last_outcome=COALESCE(?, last_outcome) WHERE id=? AND state='open'",
            (attempts, not_before, agent_id, outcome, callback_id),
        )

    def end_callback(
        self, callback_id: str, state: str, *, attempts: int, agent_id: str | None, at: float
    ) -> bool:
        """End a task (``done``, ``unreached``, ``expired``) and delete its number for good.
        False if it was not open."""
        with self._tx() as c:
            changed = c.execute(
                "UPDATE callbacks SET state=?, attempts=?, agent_id=COALESCE(?, agent_id), "
                "ended_at=?, last_outcome=CASE WHEN ?='done' THEN 'done' ELSE last_outcome END "
                "WHERE id=? AND state='open'",
                (state, attempts, agent_id, at, state, callback_id),
            ).rowcount > 0
            c.execute("DELETE FROM callback_numbers WHERE callback_id=?", (callback_id,))
        self._db.scrub()
        return changed

    def open_callbacks(self) -> list[OpenCallback]:
        """Every open task with its number, soonest due first (for a restart)."""
        rows = self._all(
            "SELECT c.*, n.phone FROM callbacks c LEFT JOIN callback_numbers n "
            "ON n.callback_id = c.id WHERE c.state='open' ORDER BY c.due_at, c.requested_at"
        )
        return [OpenCallback(from_row(CallbackRecord, r), r["phone"]) for r in rows]

    def callback(self, callback_id: str) -> CallbackRecord | None:
        """One task's record, open or ended."""
        row = self._one("SELECT * FROM callbacks WHERE id=?", (callback_id,))
        return None if row is None else from_row(CallbackRecord, row)

    def callbacks_between(self, t0: float, t1: float) -> list[CallbackRecord]:
        """Requests made in ``[t0, t1)``, oldest first (for the dashboard)."""
        rows = self._all(
            "SELECT * FROM callbacks WHERE requested_at >= ? AND requested_at < ? "
            "ORDER BY requested_at, id",
            (t0, t1),
        )
        return [from_row(CallbackRecord, r) for r in rows]

    def purge_callbacks(self, *, numbers_before: float, records_before: float) -> dict[str, int]:
        """Retention: numbers stored before ``numbers_before`` go even if their task is still
        open (the task then ends ``expired``); ended records requested before
        ``records_before`` go."""
        with self._tx() as c:
            stale = [str(r[0]) for r in c.execute(
                "SELECT callback_id FROM callback_numbers WHERE stored_at < ?", (numbers_before,)
            ).fetchall()]
            for callback_id in stale:
                c.execute(
                    "UPDATE callbacks SET state='expired', ended_at=? WHERE id=? "
                    "AND state='open'",
                    (numbers_before, callback_id),
                )
                c.execute("DELETE FROM callback_numbers WHERE callback_id=?", (callback_id,))
            records = c.execute(
                "DELETE FROM callbacks WHERE requested_at < ? AND state <> 'open'",
                (records_before,),
            ).rowcount
        if stale:
            self._db.scrub()
        return {"callback_numbers": len(stale), "callbacks": records}
