"""The PostgreSQL database handle: the same transactions and SQL as SQLite's, through psycopg 3.

psycopg 3, not asyncpg: the store's interface is synchronous on purpose (see
:mod:`signaling.store.interface`), and psycopg's blocking connection fits it as it is; its
asyncio connection serves the cluster's LISTEN/NOTIFY on the same library. The statements
are the aggregates' own, rewritten by :mod:`signaling.store.dialect`.

A call blocks the event loop for a LAN round trip, so a dead database must fail fast rather
than hang: the connection has TCP keepalives and a user timeout of a few seconds, statements
and lock waits have timeouts, and a broken connection is replaced on the next call.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg.rows import RowMaker

from signaling.errors import StoreError
from signaling.store.db import Conn, Cursor, Params
from signaling.store.dialect import Name, bind, pick, to_postgresql
from signaling.store.schema import MIGRATIONS

__all__ = ["CONNECT_OPTIONS", "PgDatabase", "redact_url"]

log = logging.getLogger("etapiste.store")

#: libpq options for every connection of a node: a lost server or network shows within
#: seconds (keepalives, TCP user timeout), and no statement or lock wait holds the loop long.
#: A node must notice a lost database before PostgreSQL drops its sessions (and gives its
#: routing lease to another node): 2.5 s here against about 3 s asked of the server
#: (deploy/README.md, "What PostgreSQL must do").
CONNECT_OPTIONS: dict[str, Any] = {
    "connect_timeout": 3,
    "keepalives": 1,
    "keepalives_idle": 1,
    "keepalives_interval": 1,
    "keepalives_count": 1,
    "tcp_user_timeout": 2500,
}
_SESSION = (
    "-c statement_timeout=5000 -c lock_timeout=3000 -c idle_in_transaction_session_timeout=10000"
)
_MIGRATION_LOCK = 0x45_54_41_50  # pg_advisory_xact_lock key: one node migrates at a time
_STAMP = (
    "INSERT INTO schema_version VALUES (?, extract(epoch from clock_timestamp())::double precision)"
)
# SQLite's NOCASE for PostgreSQL: case-insensitive equality, unique and ordering (ICU).
_NOCASE = (
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'nocase') THEN "
    "CREATE COLLATION nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false); "
    "END IF; END $$"
)


def redact_url(url: str) -> str:
    """``url`` without its password, for logs and errors."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


class _Row(tuple[Any, ...]):
    """A row readable by column name or position, like ``sqlite3.Row``."""

    _index: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        """The column names, in order."""
        return list(self._index)


def _row_factory(cursor: psycopg.Cursor[Any]) -> RowMaker[_Row]:
    names = [d.name for d in (cursor.description or [])]
    index = {n: i for i, n in enumerate(names)}
    cls = type("Row", (_Row,), {"_index": index})

    def make(values: Sequence[Any]) -> _Row:
        return cls(values)  # type: ignore[no-any-return]

    return make


class _PgConn:
    """A psycopg connection taking the aggregates' SQLite-flavoured SQL."""

    def __init__(self, conn: psycopg.Connection[_Row]) -> None:
        self._conn = conn

    def execute(self, sql: str, parameters: Params = (), /) -> Cursor:
        text, style = to_postgresql(sql)
        cur = self._conn.cursor()
        cur.execute(text, bind(style, parameters) or None)
        return cur

    def executemany(self, sql: str, seq_of_parameters: Iterable[Params], /) -> Cursor:
        text, style = to_postgresql(sql)
        rows = [bind(style, p) for p in seq_of_parameters]
        cur = self._conn.cursor()
        if rows:
            cur.executemany(text, rows)
        return cur


class PgDatabase:
    """One PostgreSQL connection, its lock and its (nesting) transactions."""

    dialect: Name = "postgresql"

    def __init__(self, url: str, application_name: str = "etapiste") -> None:
        self.url = url
        self.application_name = application_name
        self.lock = threading.RLock()
        self._conn: psycopg.Connection[_Row] | None = None
        self._depth = 0

    @property
    def path(self) -> str:
        """Where the database is (the URL without its password)."""
        return redact_url(self.url)

    @classmethod
    def open(cls, url: str, application_name: str = "etapiste") -> PgDatabase:
        """Connect and migrate to the latest schema."""
        db = cls(url, application_name)
        with db.lock:
            db._connect()
        db.migrate()
        return db

    def _connect(self) -> psycopg.Connection[_Row]:
        if self._conn is not None and not self._conn.closed and not self._conn.broken:
            return self._conn
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        try:
            self._conn = psycopg.connect(
                self.url, autocommit=True, row_factory=_row_factory,
                application_name=self.application_name, options=_SESSION, **CONNECT_OPTIONS,
            )
        except psycopg.Error as exc:
            raise StoreError(f"cannot open store at {self.path}: {_first_line(exc)}") from exc
        return self._conn

    def close(self) -> None:
        """Close the connection; the handle must not be used afterwards."""
        with self.lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def migrate(self) -> None:
        """Bring the schema to the latest version; refuse a newer one. One node at a time."""
        with self.tx() as c:
            c.execute(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
            c.execute(_NOCASE)
            c.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                "version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)"
            )
            current = int(
                c.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]
            )
            if current > len(MIGRATIONS):
                raise StoreError(
                    f"{self.path}: schema version {current} is newer than this server "
                    f"supports ({len(MIGRATIONS)}); upgrade the server"
                )
            for version in range(current + 1, len(MIGRATIONS) + 1):
                for statement in MIGRATIONS[version - 1]:
                    text = pick(statement, "postgresql")
                    if text:  # empty: a step only the other database needs
                        c.execute(text)
                c.execute(_STAMP, (version,))
                log.info("store migrated", extra={"fields": {"schema_version": version}})

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Turn psycopg's exceptions into :class:`StoreError`."""
        try:
            yield
        except psycopg.errors.IntegrityError as exc:
            raise StoreError(f"constraint failed: {_first_line(exc)}") from exc
        except psycopg.Error as exc:
            raise StoreError(f"store error: {_first_line(exc)}") from exc

    @contextmanager
    def tx(self, write: bool = True) -> Iterator[Conn]:
        """One transaction (a savepoint inside another): committed if the block completes."""
        with self.lock, self.errors():
            conn = self._connect()
            if not write and not self._depth:
                # A lone read needs no transaction block: one round trip, not three.
                yield _PgConn(conn)
                return
            self._depth += 1
            try:
                with conn.transaction():
                    yield _PgConn(conn)
            finally:
                self._depth -= 1


    def scrub(self) -> None:
        """After personal data was deleted: vacuum the callback numbers' table so the dead
        row is removed now rather than at the next autovacuum (only outside a transaction)."""
        if self._depth:
            return
        with self.lock, self.errors():
            self._connect().execute("VACUUM callback_numbers")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
