"""Call records: answered calls, and queue places that ended unanswered (for the figures).

A call row names a kiosk, its site, an agent, a service and a language; never a citizen.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from signaling.credentials import redact
from signaling.errors import StoreError
from signaling.store.db import Conn, Row, SqlAggregate, from_row, new_id, to_json
from signaling.store.records import CallOutcome, CallRecord

__all__ = ["UNANSWERED_OUTCOMES", "CallsSql", "call_from_row", "insert_unanswered"]

#: Outcomes for which a queue entry that was never answered still gets a calls row.
UNANSWERED_OUTCOMES: frozenset[str] = frozenset({"abandoned", "cancelled", "refused", "failed"})
_WRAPUP_NOTE_MAX = 1000


class CallsSql(SqlAggregate):
    """Calls."""


    def call_started(
        self, call_id: str, *, entry_id: str, kiosk_id: str, agent_id: str, service_id: str,
        language: str, offered_at: float | None, answered_at: float, queued_at: float | None = None,
    ) -> None:
        """Record an answered call. The site comes from the kiosk; ``queued_at`` defaults to
        the stored entry's enqueue time (else the answer time)."""
        with self._tx() as c:
            inserted = c.execute(
                "INSERT INTO calls (id, entry_id, kiosk_id, site_id, agent_id, service_id, "
                "language, queued_at, offered_at, answered_at) "
                "SELECT ?1, ?2, k.id, k.site_id, ?3, ?4, ?5, "
                "COALESCE(?6, (SELECT enqueued_at FROM queue_entries WHERE id=?2), ?8), ?7, ?8 "
                "FROM kiosks k WHERE k.id=?9",
                (
                    call_id, entry_id, agent_id, service_id, language, queued_at, offered_at,
                    answered_at, kiosk_id,
                ),
            ).rowcount
            if not inserted:
                raise StoreError(f"no kiosk {kiosk_id!r}")

    def call_ended(
        self, call_id: str, ended_at: float, outcome: CallOutcome, end_reason: str | None
    ) -> bool:
        """Close an open call. False if unknown or already ended."""
        return self._changed(
            "UPDATE calls SET ended_at=?, outcome=?, end_reason=? WHERE id=? AND ended_at IS NULL",
            (ended_at, outcome, end_reason, call_id),
        )

    def rate_call(self, call_id: str, kiosk_id: str, rating: int) -> bool:
        """Store the citizen's rating of an ended, answered call made from ``kiosk_id``.
        False if there is no such call of that kiosk, it has not ended, or it is rated."""
        return self._changed(
            "UPDATE calls SET rating=? WHERE id=? AND kiosk_id=? AND answered_at IS NOT NULL "
            "AND ended_at IS NOT NULL AND rating IS NULL",
            (rating, call_id, kiosk_id),
        )

    def call_wrapup(
        self,
        call_id: str,
        disposition: str,
        note: str | None = None,
        *,
        agent_id: str | None = None,
    ) -> bool:
        """Store the agent's wrap-up. The note must carry no citizen personal data and is cut
        at 1000 characters. With ``agent_id``, only that agent's call is updated. False if no
        call matched."""
        note = None if note is None else note[:_WRAPUP_NOTE_MAX]
        return self._changed(
            "UPDATE calls SET disposition=?1, wrapup_note=?2 "
            "WHERE id=?3 AND (CAST(?4 AS TEXT) IS NULL OR agent_id=?4)",
            (disposition, note, call_id, agent_id),
        )

    def set_call_quality(self, call_id: str, quality: Mapping[str, object]) -> bool:
        """Store media quality figures (RTT, loss, fps...) for a call. False if unknown."""
        return self._changed(
            "UPDATE calls SET quality=? WHERE id=?", (to_json(redact(quality)), call_id)
        )

    def entry_closed(
        self, entry_id: str, kiosk_id: str, service_id: str, language: str, queued_at: float,
        ended_at: float, outcome: CallOutcome, end_reason: str | None = None,
    ) -> str:
        """Record an entry that ended unanswered from explicit data (e.g. one never stored).
        Returns the new call row's id. See :meth:`close_entry` for stored entries."""
        with self._tx() as c:
            entry: dict[str, object] = {"id": entry_id, "kiosk_id": kiosk_id}
            entry.update(service_id=service_id, language=language, enqueued_at=queued_at)
            return insert_unanswered(c, entry, ended_at, outcome, end_reason)

    def call(self, call_id: str) -> CallRecord | None:
        """The call with ``call_id``, or None."""
        row = self._one("SELECT * FROM calls WHERE id=?", (call_id,))
        return None if row is None else call_from_row(row)

    def open_calls(self) -> list[CallRecord]:
        """Answered calls not yet ended, oldest first: after a restart these are still live
        peer-to-peer and must be adopted, not dropped."""
        rows = self._all(
            "SELECT * FROM calls WHERE ended_at IS NULL AND answered_at IS NOT NULL "
            "ORDER BY answered_at, id"
        )
        return [call_from_row(r) for r in rows]

    def calls_between(self, t0: float, t1: float) -> list[CallRecord]:
        """Call rows queued in ``[t0, t1)``, by queue time."""
        rows = self._all(
            "SELECT * FROM calls WHERE queued_at >= ? AND queued_at < ? ORDER BY queued_at, id",
            (t0, t1),
        )
        return [call_from_row(r) for r in rows]

    def calls_changed_since(self, t: float) -> list[CallRecord]:
        """Calls not ended yet, and calls that ended at or after ``t``. Both halves use the
        ``calls_ended`` index (NULLs included): the cost follows the calls in progress and
        those just ended, never the day's history."""
        rows = self._all(
            "SELECT * FROM calls WHERE ended_at IS NULL "
            "UNION ALL SELECT * FROM calls WHERE ended_at >= ?",
            (t,),
        )
        return [call_from_row(r) for r in rows]


def insert_unanswered(
    c: Conn,
    entry: Mapping[str, object],
    ended_at: float,
    outcome: str,
    end_reason: str | None,
) -> str:
    """Insert the calls row of an entry (keys as in ``queue_entries``) that was never answered."""
    params = {k: entry[k] for k in ("id", "kiosk_id", "service_id", "language", "enqueued_at")}
    params.update(call_id=new_id("call"), ended_at=ended_at, outcome=outcome, reason=end_reason)
    inserted = c.execute(
        "INSERT INTO calls (id, entry_id, kiosk_id, site_id, service_id, language, queued_at, "
        "ended_at, outcome, end_reason) SELECT :call_id, :id, k.id, k.site_id, :service_id, "
        ":language, :enqueued_at, :ended_at, :outcome, :reason FROM kiosks k WHERE k.id=:kiosk_id",
        params,
    ).rowcount
    if not inserted:
        raise StoreError(f"no kiosk {entry['kiosk_id']!r}")
    return str(params["call_id"])



def call_from_row(row: Row) -> CallRecord:
    """A :class:`CallRecord` from a ``calls`` row."""
    quality = None if row["quality"] is None else json.loads(row["quality"])
    return from_row(CallRecord, row, quality=quality)
