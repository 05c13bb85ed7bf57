"""The audit trail: append-only, tamper-evident, searchable; and retention of old records.

**Tamper evidence.** Each row carries ``hash = HMAC-SHA256(key, prev_hash ␤ row)`` over its
id, time, actor, action, subject and detail, where ``prev_hash`` is the previous row's hash.
Changing, inserting or deleting a row in the middle breaks the chain at that row, and without
the key (``audit.key`` beside the database, mode 0600, never in the database) nobody can forge
a consistent chain; :meth:`AuditSql.verify_audit_chain` walks it (``python -m signaling
verify-audit``). Retention deletes the oldest rows: the link to the first row kept is written
to ``audit_anchor`` under the same key, so a purge is not mistaken for tampering, and cutting
rows off the front without the key is still detected. What a chain cannot show is the newest
rows cut off the end: every audit line also goes to the structured log with its hash, so a
log shipped off the machine pins the tail.

Rows written before the chain existed (schema 3) have no hash and are reported as ``legacy``.

Appending reads the previous hash inside the write transaction; SQLite's single writer
(``BEGIN IMMEDIATE``) orders appends. On PostgreSQL several nodes append at once, so an append
(and a purge, which moves the anchor) first takes a transaction-level advisory lock
(``pg_advisory_xact_lock``): without it two nodes could chain rows to the same previous hash.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterator, Mapping

from signaling.credentials import redact
from signaling.store.db import Conn, Row, SqlAggregate, from_row, to_json
from signaling.store.dialect import Name
from signaling.store.records import AuditRecord, ChainReport, PurgeCutoffs

__all__ = ["GENESIS", "AuditSql"]

log = logging.getLogger("etapiste.audit")

GENESIS = "0" * 64
"""The ``prev_hash`` of the first row of a chain."""
_PAGE = 2000
_CHAIN_LOCK = 0x45_54_41_55  # pg_advisory_xact_lock key: one appender of the chain at a time


def _row_mac(key: bytes, prev: str, row_id: int, at: float, actor: str, action: str,
             subject: str, detail: str) -> str:
    body = json.dumps([row_id, at, actor, action, subject, detail], ensure_ascii=False,
                      separators=(",", ":"))
    return hmac.new(key, f"{prev}\n{body}".encode(), hashlib.sha256).hexdigest()


def _anchor_mac(key: bytes, prev: str, through_id: int) -> str:
    return hmac.new(key, f"anchor\n{prev}\n{through_id}".encode(), hashlib.sha256).hexdigest()


class AuditSql(SqlAggregate):
    """Audit lines, the chain over them, and retention."""

    _audit_key: bytes

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
        values = (str(redact(actor)), str(redact(action)), str(redact(subject or "")),
                  to_json(redact(detail or {})))
        with self._tx() as c:
            _lock_chain(c, self._db.dialect)
            prev = _chain_head(c)
            row_id = int(c.execute(
                "INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?) "
                "RETURNING id",
                (now, *values),
            ).fetchone()[0])
            digest = _row_mac(self._audit_key, prev, row_id, now, *values)
            c.execute("UPDATE audit SET prev_hash=?, hash=? WHERE id=?", (prev, digest, row_id))
        log.info("audit", extra={"fields": {"id": row_id, "actor": values[0],
                                            "action": values[1], "subject": values[2],
                                            "hash": digest}})

    def audit_log(self, since: float = 0.0, limit: int = 1000) -> list[AuditRecord]:
        """Audit lines at or after ``since``, oldest first, at most ``limit``."""
        rows = self._all("SELECT * FROM audit WHERE at >= ? ORDER BY id LIMIT ?", (since, limit))
        return [_record(r) for r in rows]

    def audit_search(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        since: float | None = None,
        until: float | None = None,
        before_id: int | None = None,
        limit: int = 200,
    ) -> list[AuditRecord]:
        """Audit lines, newest first: ``actor`` contains the text (any case), ``action`` is
        exactly that, written in ``[since, until)``, older than row ``before_id``."""
        pattern = None
        if actor:
            escaped = actor.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped}%"
        rows = self._all(
            # CASTs give PostgreSQL the parameters' types; lower() makes LIKE ignore case
            # there as SQLite's does.
            "SELECT * FROM audit WHERE (CAST(?1 AS TEXT) IS NULL "
            "OR lower(actor) LIKE lower(?1) ESCAPE '\\') "
            "AND (CAST(?2 AS TEXT) IS NULL OR action = ?2) "
            "AND (CAST(?3 AS REAL) IS NULL OR at >= ?3) AND (CAST(?4 AS REAL) IS NULL OR at < ?4) "
            "AND (CAST(?5 AS INTEGER) IS NULL OR id < ?5) ORDER BY id DESC LIMIT ?6",
            (pattern, action or None, since, until, before_id, max(1, limit)),
        )
        return [_record(r) for r in rows]

    def audit_actions(self) -> list[str]:
        """Every action that occurs in the audit log, sorted (for a filter list)."""
        return [str(r[0]) for r in self._all("SELECT DISTINCT action FROM audit ORDER BY 1")]

    def verify_audit_chain(self) -> ChainReport:
        """Walk the chain from the first row kept; see the module note."""
        key = self._audit_key
        with self._tx(write=False) as c:
            anchor = c.execute("SELECT prev_hash, through_id, mac FROM audit_anchor").fetchone()
            expected = GENESIS
            if anchor is not None:
                prev, through = str(anchor["prev_hash"]), int(anchor["through_id"])
                if not hmac.compare_digest(_anchor_mac(key, prev, through), str(anchor["mac"])):
                    return ChainReport(0, 0, None, "the retention anchor was altered")
                expected = prev
            rows = legacy = 0
            chained = False
            for r in _rows(c):
                rows += 1
                if r["hash"] is None:
                    if chained:
                        return ChainReport(rows, legacy, int(r["id"]), "a row without a hash")
                    legacy += 1
                    continue
                chained = True
                if r["prev_hash"] != expected:
                    return ChainReport(rows, legacy, int(r["id"]),
                                       "the chain is broken before this row (removed rows?)")
                mac = _row_mac(key, expected, int(r["id"]), float(r["at"]), str(r["actor"]),
                               str(r["action"]), str(r["subject"]), str(r["detail"]))
                if not hmac.compare_digest(mac, str(r["hash"])):
                    return ChainReport(rows, legacy, int(r["id"]), "this row was altered")
                expected = str(r["hash"])
            return ChainReport(rows, legacy)

    def purge(self, cutoffs: PurgeCutoffs) -> dict[str, int]:
        """Enforce retention (see :class:`PurgeCutoffs`); how many rows went, by kind."""
        with self._tx() as c:
            _lock_chain(c, self._db.dialect)
            counts = {
                "calls": c.execute(
                    "DELETE FROM calls WHERE queued_at < ? AND ended_at IS NOT NULL",
                    (cutoffs.calls_before,),
                ).rowcount,
                "notes": c.execute(
                    "UPDATE calls SET wrapup_note=NULL WHERE wrapup_note IS NOT NULL "
                    "AND ended_at < ?",
                    (cutoffs.notes_before,),
                ).rowcount,
                "sessions": c.execute(
                    "DELETE FROM sessions WHERE expires_at < ?1 OR revoked_at < ?1",
                    (cutoffs.sessions_before,),
                ).rowcount,
                "audit": _purge_audit(c, self._audit_key, cutoffs.audit_before),
                # Wait statistics (issue 16) name a queue place, never a person; they go with
                # the call records they are scored against.
                "waits": c.execute(
                    "DELETE FROM waits WHERE queued_at < ? AND ended_at IS NOT NULL",
                    (cutoffs.calls_before,),
                ).rowcount,
                "estimates": c.execute(
                    "DELETE FROM shown_estimates WHERE at < ?", (cutoffs.calls_before,)
                ).rowcount,
                "staffing": c.execute(
                    "DELETE FROM staffing WHERE hour < ?", (cutoffs.calls_before,)
                ).rowcount,
            }
            # Bookkeeping that is no one's data: finished queue places, old revocations (every
            # server reads them within seconds), alerts cleared before the call records go.
            c.execute("DELETE FROM queue_entries WHERE state='done' AND updated_at < ?",
                      (cutoffs.sessions_before,))
            c.execute("DELETE FROM revocations WHERE at < ?", (cutoffs.sessions_before,))
            c.execute("DELETE FROM alerts WHERE cleared_at < ?", (cutoffs.calls_before,))
        return counts


def _record(r: Row) -> AuditRecord:
    return from_row(AuditRecord, r, detail=json.loads(r["detail"]))


def _rows(c: Conn) -> Iterator[Row]:
    last = -1
    while True:
        page = c.execute(
            "SELECT * FROM audit WHERE id > ? ORDER BY id LIMIT ?", (last, _PAGE)
        ).fetchall()
        if not page:
            return
        yield from page
        last = int(page[-1]["id"])


def _lock_chain(c: Conn, dialect: Name) -> None:
    """Order appends to the chain across PostgreSQL sessions (SQLite has one writer)."""
    if dialect == "postgresql":
        c.execute(f"SELECT pg_advisory_xact_lock({_CHAIN_LOCK})")


def _chain_head(c: Conn) -> str:
    """The ``prev_hash`` the next row gets."""
    row = c.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    if row is not None:
        return str(row[0]) if row[0] is not None else GENESIS
    anchor = c.execute("SELECT prev_hash FROM audit_anchor").fetchone()
    return str(anchor[0]) if anchor is not None else GENESIS


def _purge_audit(c: Conn, key: bytes, before: float) -> int:
    """Delete the oldest audit rows, up to the first one written at or after ``before`` (a
    prefix, so the chain stays whole), and move the anchor to the first row kept."""
    first_kept = c.execute("SELECT MIN(id) FROM audit WHERE at >= ?", (before,)).fetchone()[0]
    last = c.execute("SELECT MAX(id) FROM audit").fetchone()[0]
    if last is None:
        return 0
    through = int(first_kept) - 1 if first_kept is not None else int(last)
    doomed = c.execute("SELECT COUNT(*) FROM audit WHERE id <= ?", (through,)).fetchone()[0]
    if not doomed:
        return 0
    kept = c.execute(
        "SELECT prev_hash, hash FROM audit WHERE id > ? ORDER BY id LIMIT 1", (through,)
    ).fetchone()
    if kept is not None:
        prev = str(kept["prev_hash"]) if kept["hash"] is not None else GENESIS
    else:
        gone = c.execute("SELECT hash FROM audit WHERE id = ?", (through,)).fetchone()
        prev = str(gone[0]) if gone is not None and gone[0] is not None else GENESIS
    c.execute("DELETE FROM audit WHERE id <= ?", (through,))
    c.execute(
        "INSERT INTO audit_anchor (id, prev_hash, through_id, mac) VALUES (1, ?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET prev_hash=excluded.prev_hash, "
        "through_id=excluded.through_id, mac=excluded.mac",
        (prev, through, _anchor_mac(key, prev, through)),
    )
    return int(doomed)
