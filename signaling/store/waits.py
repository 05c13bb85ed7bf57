"""Waits: every wait estimate a kiosk showed, and the wait that followed (issue 16).

A queue place gets a ``waits`` row when it is stored (:meth:`QueueSql.insert_entry`) and keeps
it after the place closes. :meth:`WaitsSql.record_estimates` stores what kiosks were shown and
fills in each place's first estimate; :meth:`WaitsSql.wait_ended` stores how the wait ended.
No row names a citizen: a place is known by its id, service and language only.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from signaling.store.db import Row, SqlAggregate, from_row, to_json
from signaling.store.records import ShownEstimate, WaitRecord

__all__ = ["WaitsSql"]


class WaitsSql(SqlAggregate):
    """Shown estimates and actual waits."""

    def record_estimates(self, shown: Sequence[ShownEstimate]) -> None:
        """Store estimates kiosks showed, in one transaction; the first shown for a place is
        also kept in its ``waits`` row (a place not stored gets no first estimate)."""
        if not shown:
            return
        with self._tx() as c:
            c.executemany(
                "INSERT INTO shown_estimates (entry_id, at, position, estimate_s, kind) "
                "VALUES (?, ?, ?, ?, ?)",
                [(s.entry_id, s.at, s.position, s.estimate_s, s.kind) for s in shown],
            )
            c.executemany(
                "UPDATE waits SET first_at=?, first_s=?, first_kind=? "
                "WHERE entry_id=? AND first_at IS NULL",
                [(s.at, s.estimate_s, s.kind, s.entry_id) for s in shown],
            )

    def wait_ended(self, entry_id: str, ended_at: float, *, answered: bool) -> bool:
        """The citizen was answered (or left unanswered) at ``ended_at``. False if the place
        is unknown or its wait already ended."""
        return self._changed(
            "UPDATE waits SET ended_at=?1, answered=?2, "
            "waited_s=CASE WHEN ?1 > queued_at THEN ?1 - queued_at ELSE 0 END "
            "WHERE entry_id=?3 AND ended_at IS NULL",
            (ended_at, int(answered), entry_id),
        )

    def waits_between(self, t0: float, t1: float) -> list[WaitRecord]:
        """Waits of the places that joined in ``[t0, t1)``, by join time."""
        rows = self._all(
            "SELECT * FROM waits WHERE queued_at >= ? AND queued_at < ? ORDER BY queued_at, "
            "entry_id",
            (t0, t1),
        )
        return [_wait(r) for r in rows]

    def waits_of(self, entry_ids: Collection[str]) -> list[WaitRecord]:
        """The waits of these places (those that exist), by join time."""
        if not entry_ids:
            return []
        rows = self._all(
            "SELECT * FROM waits WHERE entry_id IN (SELECT value FROM json_each(?)) "
            "ORDER BY queued_at, entry_id",
            (to_json(sorted(entry_ids)),),
        )
        return [_wait(r) for r in rows]

    def shown_estimates(self, entry_id: str) -> list[ShownEstimate]:
        """Every estimate the place's kiosk showed, in order."""
        rows = self._all(
            "SELECT * FROM shown_estimates WHERE entry_id=? ORDER BY at, rowid", (entry_id,)
        )
        return [from_row(ShownEstimate, r) for r in rows]


def _wait(r: Row) -> WaitRecord:
    return from_row(WaitRecord, r, answered=None if r["answered"] is None else bool(r["answered"]))
