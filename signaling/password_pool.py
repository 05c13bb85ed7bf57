"""Password hashing and checking off the event loop, in a small pool with a queue limit.

argon2 is slow on purpose (tens to hundreds of milliseconds, 64 MiB each with the defaults).
Run on the event loop, every kiosk's and clerk's messages wait behind it; run in an unbounded
executor, fifty anonymous wrong logins queue fifty hashes and 3 GiB of memory. So the work goes
to a pool of ``workers`` threads, at most ``queue_limit`` more jobs wait, and beyond that
:class:`PoolBusy` is raised at once (the web layer answers 503 with ``Retry-After``).

The threads run at the lowest scheduling priority (``nice`` 19; on Linux a thread's nice value
is its own and argon2's lane threads inherit it), so on a small machine the event loop thread
gets the CPU first when both want it. argon2-cffi releases the GIL while hashing.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from signaling.errors import AuthError

__all__ = ["PasswordPool", "PoolBusy"]

P = ParamSpec("P")
T = TypeVar("T")

_NICE = 19


class PoolBusy(AuthError):
    """Too many password checks are already running or waiting; try again shortly."""


def _lower_priority() -> None:
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), _NICE)


class PasswordPool:
    """Runs password work on ``workers`` low-priority threads, refusing beyond the limit."""

    def __init__(self, workers: int = 1, queue_limit: int = 8) -> None:
        if workers < 1 or queue_limit < 0:
            raise ValueError("need at least one worker and a non-negative queue limit")
        self.workers = workers
        self.queue_limit = queue_limit
        self._executor = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="password", initializer=_lower_priority
        )
        self._in_flight = 0

    @property
    def in_flight(self) -> int:
        """Jobs running or waiting now."""
        return self._in_flight

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` on a pool thread; :class:`PoolBusy` if the pool is full."""
        if self._in_flight >= self.workers + self.queue_limit:
            raise PoolBusy("password checks are busy")
        self._in_flight += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(
                self._executor, functools.partial(fn, *args, **kwargs)
            )
        finally:
            self._in_flight -= 1

    def close(self) -> None:
        """Stop the threads once the jobs in hand are done."""
        self._executor.shutdown(wait=False, cancel_futures=True)
