"""Cluster tests need PostgreSQL (the session's server) and nginx."""

from __future__ import annotations

import pytest

from tests.cluster.harness import unavailable_reason


@pytest.fixture(autouse=True)
def _needs_nginx() -> None:
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
