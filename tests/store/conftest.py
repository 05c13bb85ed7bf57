"""Fixtures for the store tests: real SQLite files under tmp_path, a fake clock, cheap argon2."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from signaling.catalogue import Catalogue, load_catalogue
from signaling.store import SqliteStore, Store

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


@pytest.fixture
def store(
    data_dir: Path, clock: FakeClock, cheap_hasher: PasswordHasher, catalogue: Catalogue
) -> Iterator[Store]:
    s = SqliteStore.open(data_dir)
    s.seed_catalogue(catalogue, now=clock.now)
    yield s
    s.close()
