"""The audit trail of administrative and agent actions, and retention of old records."""

from __future__ import annotations

import json
from collections.abc import Mapping

from signaling.credentials import redact
from signaling.store.db import SqlAggregate, from_row, to_json
from signaling.store.records import AuditRecord

__all__ = ["AuditSql"]


class AuditSql(SqlAggregate):
    """Audit lines and retention."""


    def audit(
        self,
        actor: str,
        action: str,
        subject: str | None = None,
        detail: Mapping[str, object] | None = None,
        *,
        now: float,
    ) -> None:
        """Append an audit line. Credential-named keys and token-shaped strings are redacted,
        so a careless caller cannot put a secret in the table."""
        with self._tx() as c:
            c.execute(
                "INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
                (
                    now,
                    redact(actor),
                    redact(action),
                    redact(subject or ""),
                    to_json(redact(detail or {})),
                ),
            )

    def audit_log(self, since: float = 0.0, limit: int = 1000) -> list[AuditRecord]:
        """Audit lines at or after ``since``, oldest first, at most ``limit``."""
        rows = self._all("SELECT * FROM audit WHERE at >= ? ORDER BY id LIMIT ?", (since, limit))
        return [from_row(AuditRecord, r, detail=json.loads(r["detail"])) for r in rows]

    def purge_history(self, before: float) -> int:
        """Enforce retention: delete ended calls queued, audit lines written, sessions expired,
        ended waits joined, estimates shown and staffing hours before ``before`` (and entries
        left 'done'). Returns the number of rows deleted."""
        with self._tx() as c:
            n = c.execute(
                "DELETE FROM calls WHERE queued_at < ? AND ended_at IS NOT NULL", (before,)
            ).rowcount
            n += c.execute("DELETE FROM audit WHERE at < ?", (before,)).rowcount
            n += c.execute("DELETE FROM sessions WHERE expires_at < ?", (before,)).rowcount
            n += c.execute(
                "DELETE FROM queue_entries WHERE state='done' AND updated_at < ?", (before,)
            ).rowcount
            n += c.execute(
                "DELETE FROM waits WHERE queued_at < ? AND ended_at IS NOT NULL", (before,)
            ).rowcount
            n += c.execute("DELETE FROM shown_estimates WHERE at < ?", (before,)).rowcount
            n += c.execute("DELETE FROM staffing WHERE hour < ?", (before,)).rowcount
        return n
