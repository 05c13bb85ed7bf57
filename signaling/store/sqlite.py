"""The SQLite store: every aggregate over one database handle.

The server calls the store synchronously from its event loop; every method is one small,
indexed transaction. Methods return frozen records (:mod:`signaling.store.records`), never raw
rows. Times are float epoch seconds, and always the caller's: the store reads no clock. A time
that a row records (when a kiosk was revoked, an entry last changed, an audit line written) is
passed in as ``now``, so what the hub stores is exactly the router's time; the one exception is
the migration history, which the database stamps itself.
"""

from __future__ import annotations

from pathlib import Path

from signaling.credentials import load_or_create_key
from signaling.store.accounts import AccountsSql
from signaling.store.audit import AuditSql
from signaling.store.calls import CallsSql
from signaling.store.db import Database
from signaling.store.operator import OperatorSql
from signaling.store.queue import QueueSql
from signaling.store.revocations import RevocationsSql
from signaling.store.services import ServicesSql
from signaling.store.sites import SitesSql
from signaling.store.staffing import StaffingSql
from signaling.store.waits import WaitsSql

__all__ = ["AUDIT_KEY_FILENAME", "SqliteStore"]

AUDIT_KEY_FILENAME = "audit.key"


class SqliteStore(
    AccountsSql, SitesSql, ServicesSql, QueueSql, CallsSql, AuditSql, OperatorSql,
    RevocationsSql, WaitsSql, StaffingSql,
):
    """The SQLite store. Create with :meth:`open`; close with :meth:`close`."""

    def __init__(self, db: Database, audit_key: bytes) -> None:
        """Wrap an open database. Use :meth:`open`, which also configures and migrates.
        ``audit_key`` keys the audit chain (:mod:`signaling.store.audit`)."""
        self._db = db
        self._audit_key = audit_key

    @classmethod
    def open(
        cls,
        data_dir: str | Path,
        *,
        busy_timeout_ms: int = 5000,
    ) -> SqliteStore:
        """Open (creating if needed) ``<data_dir>/etapiste.db`` and migrate it to the latest
        schema; the audit chain's key is ``<data_dir>/audit.key`` (created if missing)."""
        key = load_or_create_key(Path(data_dir) / AUDIT_KEY_FILENAME)
        return cls(Database.open(Path(data_dir), busy_timeout_ms), key)

    @property
    def path(self) -> Path:
        """The database file."""
        return self._db.path

    def close(self) -> None:
        """Close the connection. The store must not be used afterwards."""
        self._db.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ping(self) -> None:
        """Raise :class:`StoreError` unless the database answers (readiness probe)."""
        with self._tx(write=False) as c:
            c.execute("SELECT 1 FROM schema_version LIMIT 1").fetchone()

    def schema_version(self) -> int:
        """The schema version the database is at."""
        with self._tx(write=False) as c:
            return int(c.execute("SELECT MAX(version) FROM schema_version").fetchone()[0])
