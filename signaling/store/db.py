"""The database handle the store's aggregates share, and row helpers.

:class:`Handle` is what an aggregate needs of a database: transactions that nest (an inner one
is a savepoint, so one event's routing writes commit together while a failed write rolls back
alone), and a connection that runs SQLite-flavoured SQL (:mod:`signaling.store.dialect`).
:class:`Database` is the SQLite handle; :mod:`signaling.store.pg` has PostgreSQL's.

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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar

from signaling.errors import StoreError
from signaling.store.checkpoint import Checkpointer
from signaling.store.dialect import Name, pick
from signaling.store.schema import MIGRATIONS

__all__ = [
    "DB_FILENAME", "Conn", "Cursor", "Database", "Handle", "Row", "SqlAggregate", "from_row",
    "new_id", "to_json",
]

Params = Sequence[Any] | Mapping[str, Any]


class Row(Protocol):
    """A result row: by column name or position (``sqlite3.Row`` and the PostgreSQL rows)."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> list[str]: ...


class Cursor(Protocol):
    """What the aggregates read of an executed statement."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Conn(Protocol):
    """A connection inside a transaction, taking SQLite-flavoured SQL."""

    def execute(self, sql: str, parameters: Params = (), /) -> Cursor: ...

    def executemany(self, sql: str, seq_of_parameters: Iterable[Params], /) -> Cursor: ...


class Handle(Protocol):
    """One database as the aggregates use it."""

    dialect: Name

    def tx(self, write: bool = True) -> AbstractContextManager[Conn]:
        """A transaction (a savepoint inside another); committed if the block completes."""
        ...

    def close(self) -> None:
        """Release the database."""
        ...

    def scrub(self) -> None:
        """Make deleted personal data unrecoverable from the database's files (as far as the
        database allows); called after such a delete, outside any transaction."""
        ...

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

    dialect: Name = "sqlite"

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.conn.row_factory = sqlite3.Row
        self.path = path
        self.lock = threading.RLock()
        self._depth = 0
        self.checkpointer: Checkpointer | None = None
        self._scrub_pending = False

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
                conn.execute("PRAGMA wal_autocheckpoint=0")  # the checkpointer's thread does it
                # Deleted rows are overwritten with zeros, not left in free space: a callback
                # number or a purged note must not be readable from the file afterwards.
                conn.execute("PRAGMA secure_delete=ON")
            # Migrations run with foreign keys off (a table rebuild must not cascade deletes),
            # and check them before committing; then they are on for good.
            db.migrate()
            with db.errors():
                conn.execute("PRAGMA foreign_keys=ON")
        except BaseException:
            conn.close()
            raise
        db.checkpointer = Checkpointer(path)
        return db

    def close(self) -> None:
        """Close the connection; the handle must not be used afterwards."""
        if self.checkpointer is not None:
            self.checkpointer.stop()
        with self.lock:
            self.conn.close()  # the last connection to close checkpoints the rest

    def scrub(self) -> None:
        """Copy the write-ahead log into the database and truncate it: the log still holds
        the pages as they were before a delete. Skipped inside a transaction, and when a
        reader holds the log (the next scrub truncates it)."""
        with self.lock, self.errors():
            if self._depth:
                self._scrub_pending = True
                return
            busy = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            self._scrub_pending = bool(busy)
            if busy:
                log.warning("wal not truncated: a reader holds it")

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
                    text = pick(statement, "sqlite")
                    if text:
                        c.execute(text)
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
        """One transaction: committed if the block completes, rolled back if it raises.

        Inside another transaction it is a savepoint: rolled back alone if the block raises,
        committed with the outer transaction."""
        # IMMEDIATE takes the write lock up front, so a writer never fails half-way on a lock
        # upgrade; reads use a deferred transaction for one consistent snapshot.
        with self.lock, self.errors():
            if self._depth:
                yield from self._savepoint()
                return
            self.conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            self._depth = 1
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            finally:
                self._depth = 0
            if self._scrub_pending:
                self.scrub()

    def _savepoint(self) -> Iterator[sqlite3.Connection]:
        name = f"sp{self._depth}"
        self.conn.execute(f"SAVEPOINT {name}")
        self._depth += 1
        try:
            yield self.conn
            self.conn.execute(f"RELEASE {name}")
        except BaseException:
            self.conn.execute(f"ROLLBACK TO {name}")
            self.conn.execute(f"RELEASE {name}")
            raise
        finally:
            self._depth -= 1


class SqlAggregate:
    """Base of the store's aggregates: the shared handle and one-statement helpers."""

    _db: Handle

    def _tx(self, write: bool = True) -> AbstractContextManager[Conn]:
        return self._db.tx(write)

    def _changed(self, sql: str, params: Iterable[object]) -> bool:
        with self._db.tx() as c:
            return c.execute(sql, tuple(params)).rowcount > 0

    def _one(self, sql: str, params: Iterable[object]) -> Row | None:
        with self._db.tx(write=False) as c:
            row: Row | None = c.execute(sql, tuple(params)).fetchone()
            return row

    def _all(self, sql: str, params: Iterable[object] = ()) -> list[Row]:
        with self._db.tx(write=False) as c:
            return c.execute(sql, tuple(params)).fetchall()


_R = TypeVar("_R")


def from_row(cls: type[_R], row: Row, **override: Any) -> _R:
    """Build record ``cls`` from the row's columns named like its fields; ``override`` wins.

    Selecting by column name keeps records right when a migration appends columns."""
    names = _field_names(cls)
    if not override:
        return cls(**{n: row[n] for n in names})
    return cls(**{n: override[n] if n in override else row[n] for n in names})


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    # dataclasses.fields() builds its tuple anew on every call: at thousands of rows a read
    # (the monitor's refresh at 10,000 kiosks) it was a third of from_row's time.
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def to_json(value: object) -> str:
    """Canonical JSON (sorted keys, no spaces) so equal data gives equal column text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def new_id(prefix: str) -> str:
    """A fresh random id such as ``acc_0123456789abcdef``."""
    return f"{prefix}_{secrets.token_hex(8)}"
