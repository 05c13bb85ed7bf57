"""The revocation feed: every write that takes a credential away appends a row here.

Revoking in the store is not enough: a client that authenticated before keeps its open
connection. So each revoking write (in :mod:`.accounts` and :mod:`.sites`) appends a
:class:`~signaling.store.records.Revocation` in the same transaction, and every server process
reads the rows after the last one it has seen, about once a second, and closes the connections
they name. It works whoever wrote: a dashboard, the command line, another server node.
"""

from __future__ import annotations

from signaling.store.db import Conn, SqlAggregate
from signaling.store.records import Revocation, RevocationKind

__all__ = ["RevocationsSql", "record_revocation"]

_BATCH = 1000


def record_revocation(
    c: Conn, kind: RevocationKind, subject: str, reason: str, now: float
) -> None:
    """Append one revocation inside the caller's transaction."""
    c.execute(
        "INSERT INTO revocations (at, kind, subject, reason) VALUES (?, ?, ?, ?)",
        (now, kind, subject, reason),
    )


class RevocationsSql(SqlAggregate):
    """Reading the revocation feed."""

    def revocation_seq(self) -> int:
        """The sequence number of the newest revocation (0 if none)."""
        row = self._one("SELECT COALESCE(MAX(seq), 0) FROM revocations", ())
        return int(row[0]) if row is not None else 0

    def revocations_after(self, seq: int) -> list[Revocation]:
        """Revocations with a sequence number above ``seq``, oldest first (at most 1000)."""
        rows = self._all(
            "SELECT seq, at, kind, subject, reason FROM revocations WHERE seq > ? "
            "ORDER BY seq LIMIT ?",
            (seq, _BATCH),
        )
        return [
            Revocation(int(r["seq"]), float(r["at"]), r["kind"], str(r["subject"]),
                       str(r["reason"]))
            for r in rows
        ]
