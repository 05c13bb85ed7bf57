"""Fixtures for the store tests: real SQLite files under tmp_path, a fake clock, cheap argon2."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from argon2 import PasswordHasher

from signaling.catalogue import Catalogue, load_catalogue
from signaling.credentials import load_or_create_key
from signaling.store import PostgresStore, SqliteStore, Store
from tests.pgserver import PgServer

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE_PATH = ROOT / "deploy" / "catalogue.toml"


T0 = 1_750_000_000.0


class FakeClock:
    """A settable time, passed to the store as ``now`` so timestamps in assertions are exact."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def cheap_hasher() -> PasswordHasher:
    # Production parameters cost ~64 MiB and tens of ms per hash; tests only need argon2id.
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue(CATALOGUE_PATH)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture(scope="session")
def pg_template(pg_server: PgServer, catalogue: Catalogue) -> str:
    """A database migrated and seeded as the ``store`` fixture would, copied for each test."""
    url = pg_server.fresh_database()
    s = PostgresStore.open(url, audit_key=bytes(32))
    s.seed_catalogue(catalogue, now=T0)
    s.close()
    return url.rsplit("/", 1)[1]


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """Which database the store tests run on: each runs on both."""
    return str(request.param)


@pytest.fixture
def reopen(
    backend: str, data_dir: Path, request: pytest.FixtureRequest
) -> Callable[[], Store]:
    """Open the test's database (again): as a restarted server or another node would."""
    if backend == "sqlite":
        return lambda: SqliteStore.open(data_dir)
    server: PgServer = request.getfixturevalue("pg_server")
    url = server.url(request.getfixturevalue("pg_template"))
    # One database for the session, emptied before each test: CREATE DATABASE costs a second.
    with psycopg.connect(url, autocommit=True) as admin:
        tables = [r[0] for r in admin.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename NOT IN ('schema_version', 'cluster_lease')"
        )]
        admin.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        admin.execute("UPDATE cluster_lease SET term = 0, holder = NULL, taken_at = NULL")
    # The audit key lives beside the data as SQLite's does: a reopened store keeps the chain.
    return lambda: PostgresStore.open(url, audit_key=load_or_create_key(data_dir / "audit.key"))


@pytest.fixture
def store(reopen: Callable[[], Store], clock: FakeClock, catalogue: Catalogue) -> Iterator[Store]:
    s = reopen()
    s.seed_catalogue(catalogue, now=clock.now)
    yield s
    s.close()


def raw(store: Store, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
    """Rows of ``sql`` read straight from the store's database (what is really kept)."""
    with store._db.tx(write=False) as c:  # type: ignore[attr-defined]
        return list(c.execute(sql, params).fetchall())
