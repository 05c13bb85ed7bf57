"""Queue write-through: every citizen's place as the router keeps it, for a restart to restore."""

from __future__ import annotations

import hmac
from collections.abc import Collection

from signaling.store.calls import UNANSWERED_OUTCOMES, insert_unanswered
from signaling.store.db import SqlAggregate, from_row, to_json
from signaling.store.records import EntryRecord, EntryState

__all__ = ["QueueSql"]


class QueueSql(SqlAggregate):
    """Queue entries."""


    def insert_entry(
        self,
        entry_id: str,
        kiosk_id: str,
        service_id: str,
        language: str,
        priority: int,
        enqueued_at: float,
        resume_token_hash: str | None = None,
        *,
        state: EntryState = "waiting",
        now: float,
    ) -> None:
        """Persist a new queue entry (ids come from the routing core), and its wait."""
        with self._tx() as c:
            c.execute(
                "INSERT INTO queue_entries (id, kiosk_id, service_id, language, priority, "
                "enqueued_at, state, resume_token_hash, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry_id, kiosk_id, service_id, language, priority, enqueued_at, state,
                    resume_token_hash, now,
                ),
            )
            # Its wait is kept after the place closes (signaling.store.waits).
            c.execute(
                "INSERT INTO waits (entry_id, service_id, language, queued_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (entry_id, service_id, language, enqueued_at),
            )

    def set_entry_state(
        self, entry_id: str, state: EntryState, *, priority: int | None = None, now: float
    ) -> bool:
        """Move an entry to ``state`` (and optionally change its priority, e.g. to put a
        citizen back at the head after an agent dropped). False if the entry is unknown."""
        return self._changed(
            "UPDATE queue_entries SET state=?, priority=COALESCE(?, priority), updated_at=? "
            "WHERE id=?",
            (state, priority, now, entry_id),
        )

    def delete_entry(self, entry_id: str) -> bool:
        """Forget an entry. False if unknown."""
        return self._changed("DELETE FROM queue_entries WHERE id=?", (entry_id,))

    def close_entry(self, entry_id: str, ended_at: float, outcome: str | None) -> str | None:
        """Remove an entry from the queue; if it was never answered and ``outcome`` is one of
        :data:`UNANSWERED_OUTCOMES`, first record it as an unanswered call row (for abandonment
        figures). Returns that row's id, else None."""
        call_id = None
        with self._tx() as c:
            row = c.execute("SELECT * FROM queue_entries WHERE id=?", (entry_id,)).fetchone()
            if row is None:
                return None
            answered = c.execute("SELECT 1 FROM calls WHERE entry_id=?", (entry_id,)).fetchone()
            if outcome in UNANSWERED_OUTCOMES and answered is None:
                call_id = insert_unanswered(c, dict(row), ended_at, outcome, None)
            c.execute("DELETE FROM queue_entries WHERE id=?", (entry_id,))
        return call_id

    def entry(self, entry_id: str) -> EntryRecord | None:
        """The entry with ``entry_id``, or None."""
        row = self._one("SELECT * FROM queue_entries WHERE id=?", (entry_id,))
        return None if row is None else from_row(EntryRecord, row)

    def waiting_entries(
        self, states: Collection[EntryState] = ("waiting", "offered")
    ) -> list[EntryRecord]:
        """Entries in ``states`` by (priority desc, enqueued_at, id). Offered entries are
        included by default because an offer does not survive a server restart."""
        rows = self._all(
            "SELECT * FROM queue_entries WHERE state IN (SELECT value FROM json_each(?)) "
            "ORDER BY priority DESC, enqueued_at, id",
            (to_json(list(states)),),
        )
        return [from_row(EntryRecord, r) for r in rows]

    def set_resume_token_hash(
        self, entry_id: str, token_hash: str | None, *, now: float
    ) -> bool:
        """Attach (or clear) the hash of the token that lets a reconnecting kiosk keep its
        place. False if the entry is unknown."""
        return self._changed(
            "UPDATE queue_entries SET resume_token_hash=?, updated_at=? WHERE id=?",
            (token_hash, now, entry_id),
        )

    def entry_by_resume_hash(self, token_hash: str) -> EntryRecord | None:
        """The open (not done) entry carrying ``token_hash``, or None."""
        row = self._one(
            "SELECT * FROM queue_entries WHERE resume_token_hash=? AND state != 'done'",
            (token_hash,),
        )
        if row is None or not hmac.compare_digest(str(row["resume_token_hash"]), token_hash):
            return None
        return from_row(EntryRecord, row)
