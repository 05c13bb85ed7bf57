"""Time for presenters: injectable so countdowns can be tested without waiting."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Monotonic seconds for countdowns and wall seconds for server timestamps."""

    def monotonic(self) -> float:
        """Seconds on a clock that never jumps."""
        ...

    def time(self) -> float:
        """Seconds since the epoch (the server's ``since`` / ``until`` are epoch times)."""
        ...


class SystemClock:
    """The real clocks."""

    def monotonic(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()

    def time(self) -> float:
        """``time.time()``."""
        return time.time()


class ManualClock:
    """A clock tests move by hand."""

    def __init__(self, start: float = 1_000.0, wall: float = 1_750_000_000.0) -> None:
        self._mono = start
        self._wall = wall

    def monotonic(self) -> float:
        """The current manual monotonic time."""
        return self._mono

    def time(self) -> float:
        """The current manual wall time."""
        return self._wall

    def advance(self, seconds: float) -> None:
        """Move both clocks forward."""
        self._mono += seconds
        self._wall += seconds
