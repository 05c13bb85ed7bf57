"""Settings for the whole suite."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from hypothesis import Phase, settings

from tests import pgserver

# The "explain" phase re-runs a failing example under a tracer to annotate it; on a 2-core CI
# machine it can take longer than the rest of the suite. A failure is still shrunk and shown.
settings.register_profile(
    "etapiste",
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    print_blob=True,
)
settings.load_profile("etapiste")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pgserver.PgServer]:
    """One real PostgreSQL server for the whole session (skipped where none can run)."""
    reason = pgserver.unavailable_reason()
    if reason:
        pytest.skip(f"PostgreSQL not available: {reason}")
    with pgserver.running_server() as server:
        yield server


@pytest.fixture
def keep_root_logging() -> Iterator[None]:
    """Put the root logger's handlers and level back after a test that ran a CLI ``main``
    (which points the root logger at stderr)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
