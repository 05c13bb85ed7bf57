"""The SQL store: every aggregate over one database handle, SQLite's or PostgreSQL's.

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
from signaling.errors import StoreError
from signaling.store.accounts import AccountsSql
from signaling.store.audit import AuditSql
from signaling.store.bookings import BookingsSql
from signaling.store.callbacks import CallbacksSql
from signaling.store.calls import CallsSql
from signaling.store.cluster import ClusterSql
from signaling.store.db import Database, Handle
from signaling.store.dialect import Name
from signaling.store.members import MembersSql
from signaling.store.operator import OperatorSql
from signaling.store.pg import PgDatabase
from signaling.store.queue import QueueSql
from signaling.store.revocations import RevocationsSql
from signaling.store.services import ServicesSql
from signaling.store.sites import SitesSql
from signaling.store.staffing import StaffingSql
from signaling.store.waits import WaitsSql

__all__ = ["AUDIT_KEY_FILENAME", "PostgresStore", "SqlStore", "SqliteStore", "open_store"]

AUDIT_KEY_FILENAME = "audit.key"


class SqlStore(
    AccountsSql, SitesSql, ServicesSql, QueueSql, CallsSql, AuditSql, OperatorSql,
    RevocationsSql, WaitsSql, StaffingSql, ClusterSql, BookingsSql, CallbacksSql,
    MembersSql,
):
    """The store over one database handle. Use :class:`SqliteStore` or :class:`PostgresStore`."""

    def __init__(self, db: Handle, audit_key: bytes) -> None:
        """Wrap an open, migrated database handle. ``audit_key`` keys the audit chain
        (:mod:`signaling.store.audit`); every node of a cluster must have the same one."""
        self._db = db
        self._audit_key = audit_key

    @property
    def dialect(self) -> Name:
        """Which database this is."""
        return self._db.dialect

    def close(self) -> None:
        """Close the connection. The store must not be used afterwards."""
        self._db.close()

    def ping(self) -> None:
        """Raise :class:`StoreError` unless the database answers (readiness probe)."""
        with self._tx(write=False) as c:
            c.execute("SELECT 1 FROM schema_version LIMIT 1").fetchone()

    def schema_version(self) -> int:
        """The schema version the database is at."""
        with self._tx(write=False) as c:
            return int(c.execute("SELECT MAX(version) FROM schema_version").fetchone()[0])


class PostgresStore(SqlStore):
    """The PostgreSQL store, for several server nodes sharing one database."""

    _db: PgDatabase

    @classmethod
    def open(
        cls, url: str, *, audit_key: bytes, application_name: str = "etapiste"
    ) -> PostgresStore:
        """Connect to ``url`` (``postgresql://...``) and migrate to the latest schema."""
        return cls(PgDatabase.open(url, application_name), audit_key)

    @property
    def url(self) -> str:
        """The database's URL, without a password."""
        return self._db.path

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SqliteStore(SqlStore):
    """The SQLite store. Create with :meth:`open`; close with :meth:`close`."""

    _db: Database

    @classmethod
    def open(
        cls,
        data_dir: str | Path,
        *,
        busy_timeout_ms: int = 5000,
        audit_key_file: Path | None = None,
    ) -> SqliteStore:
        """Open (creating if needed) ``<data_dir>/etapiste.db`` and migrate it to the latest
        schema; the audit chain's key is ``audit_key_file``, by default ``<data_dir>/audit.key``
        (created if missing)."""
        key = load_or_create_key(audit_key_file or Path(data_dir) / AUDIT_KEY_FILENAME)
        return cls(Database.open(Path(data_dir), busy_timeout_ms), key)

    @property
    def path(self) -> Path:
        """The database file."""
        return self._db.path

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(
    database: str | None, data_dir: str | Path, *, audit_key_file: Path | None = None,
    application_name: str = "etapiste",
) -> SqlStore:
    """PostgreSQL when ``database`` is a ``postgresql://`` URL, else SQLite in ``data_dir``.

    The audit chain's key is ``audit_key_file`` (default ``<data_dir>/audit.key``, made if
    missing); nodes sharing a PostgreSQL database must share the file."""
    if database and database.startswith(("postgresql://", "postgres://")):
        key = load_or_create_key(audit_key_file or Path(data_dir) / AUDIT_KEY_FILENAME)
        return PostgresStore.open(database, audit_key=key, application_name=application_name)
    if database:
        raise StoreError("database must be a postgresql:// URL (or unset for SQLite)")
    return SqliteStore.open(data_dir, audit_key_file=audit_key_file)
