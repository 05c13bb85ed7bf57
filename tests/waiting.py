"""Polling for a condition inside a test's event loop, bounded in time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def wait_until(
    predicate: Callable[[], object], timeout: float = 10.0, what: str = ""
) -> None:
    """Poll ``predicate`` on the loop until it holds; fail after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
        await asyncio.sleep(0.02)
