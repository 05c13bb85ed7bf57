"""Console tests: offscreen Qt, a qasync loop per test, failing on unexpected Qt warnings."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

T = TypeVar("T")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder fails on a Qt warning (qutebrowser's habit)."""
    for item in items:
        if "tests/agent_console" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            # Offscreen has no real screens; Qt says so once, harmlessly.
            item.add_marker(pytest.mark.qt_log_ignore(r"This plugin does not support"))


@pytest.fixture
def qloop(qapp: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync event loop over the test's QApplication: asyncio and Qt in one thread."""
    import qasync

    # A window of an earlier test collected during this one would otherwise be "the last
    # window closed" and end the loop under the test (as in tests/kiosk/conftest.py).
    qapp.setQuitOnLastWindowClosed(False)

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        asyncio.set_event_loop(None)


@pytest.fixture
def run(qloop: asyncio.AbstractEventLoop) -> Callable[[Awaitable[T], float], T]:
    """Run a coroutine on the Qt loop with a hard time limit."""

    def runner(coro: Awaitable[T], timeout: float = 60.0) -> T:
        return qloop.run_until_complete(asyncio.wait_for(coro, timeout))  # type: ignore[arg-type]

    return runner
