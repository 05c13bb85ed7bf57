"""The one SQLite database handle the store's aggregates share, and row helpers.

SQLite in WAL mode, one short transaction a call. WAL with ``synchronous=NORMAL`` makes each
commit survive a crash of the process (only a power loss can drop the last commits), which is
what queue write-through needs. SQL is parameterised only.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

from signaling.errors import StoreError
from signaling.store.schema import MIGRATIONS

__all__ = ["DB_FILENAME", "Database", "SqlAggregate", "from_row", "new_id", "to_json"]

log = logging.getLogger("etapiste.store")

DB_FILENAME = "etapiste.db"
# The migration history is metadata of the file, not of the service: the database stamps it.
_STAMP_MIGRATION = (
    "INSERT INTO schema_version VALUES (?, (julianday('now') - 2440587.5) * 86400.0)"
)


class Database:
    """One SQLite connection, its lock and its transactions.

    Built for one event loop, but the lock keeps the connection consistent if a benchmark or
    an executor thread calls in.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.conn.row_factory = sqlite3.Row
        self.path = path
        self.lock = threading.RLock()

    @classmethod
    def open(cls, data_dir: Path, busy_timeout_ms: int = 5000) -> Database:
        """Open (creating if needed) ``<data_dir>/etapiste.db`` and migrate it."""
        path = data_dir / DB_FILENAME
        try:
            data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            # The file holds password hashes: create it private before SQLite does with 0644.
            # SQLite gives the -wal and -shm files the same permissions.
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open store at {path}: {exc}") from exc
        db = cls(conn, path)
        try:
            with db.errors():
                conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
                mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    log.warning("journal mode not wal", extra={"fields": {"mode": str(mode)}})
                conn.execute("PRAGMA synchronous=NORMAL")
            # Migrations run with foreign keys off (a table rebuild must not cascade deletes),
            # and check them before committing; then they are on for good.
            db.migrate()
            with db.errors():
                conn.execute("PRAGMA foreign_keys=ON")
        except BaseException:
            conn.close()
            raise
        return db

    def close(self) -> None:
        """Close the connection; the handle must not be used afterwards."""
        with self.lock:
            self.conn.close()

    def migrate(self) -> None:
        """Bring the schema to the latest version; refuse a newer one."""
        with self.tx() as c:
            c.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                "version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)"
            )
            row = c.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
            current = int(row[0])
            if current > len(MIGRATIONS):
                raise StoreError(
                    f"{self.path}: schema version {current} is newer than this server "
                    f"supports ({len(MIGRATIONS)}); upgrade the server"
                )
            for version in range(current + 1, len(MIGRATIONS) + 1):
                for statement in MIGRATIONS[version - 1]:
                    c.execute(statement)
                broken = c.execute("PRAGMA foreign_key_check").fetchone()
                if broken is not None:
                    raise StoreError(f"migration to version {version} broke a foreign key")
                c.execute(_STAMP_MIGRATION, (version,))
                log.info("store migrated", extra={"fields": {"schema_version": version}})

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Turn SQLite's exceptions into :class:`StoreError`."""
        try:
            yield
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"constraint failed: {exc}") from exc
        except sqlite3.Error as exc:
            raise StoreError(f"store error: {exc}") from exc

    @contextmanager
    def tx(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction: committed if the block completes, rolled back if it raises."""
        # IMMEDIATE takes the write lock up front, so a writer never fails half-way on a lock
        # upgrade; reads use a deferred transaction for one consistent snapshot.
        with self.lock, self.errors():
            self.conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise


class SqlAggregate:
    """Base of the store's aggregates: the shared handle and one-statement helpers."""

    _db: Database

    def _tx(self, write: bool = True) -> AbstractContextManager[sqlite3.Connection]:
        return self._db.tx(write)

    def _changed(self, sql: str, params: Iterable[object]) -> bool:
        with self._db.tx() as c:
            return c.execute(sql, tuple(params)).rowcount > 0

    def _one(self, sql: str, params: Iterable[object]) -> sqlite3.Row | None:
        with self._db.tx(write=False) as c:
            row: sqlite3.Row | None = c.execute(sql, tuple(params)).fetchone()
            return row

    def _all(self, sql: str, params: Iterable[object] = ()) -> list[sqlite3.Row]:
        with self._db.tx(write=False) as c:
            return c.execute(sql, tuple(params)).fetchall()


_R = TypeVar("_R")


def from_row(cls: type[_R], row: sqlite3.Row, **override: Any) -> _R:
    """Build record ``cls`` from the row's columns named like its fields; ``override`` wins.

    Selecting by column name keeps records right when a migration appends columns."""
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    return cls(**{n: override[n] if n in override else row[n] for n in names})


def to_json(value: object) -> str:
    """Canonical JSON (sorted keys, no spaces) so equal data gives equal column text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def new_id(prefix: str) -> str:
    """A fresh random id such as ``acc_0123456789abcdef``."""
    return f"{prefix}_{secrets.token_hex(8)}"
