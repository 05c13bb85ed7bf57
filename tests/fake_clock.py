"""A monotonic clock a test can move forward (idle timeouts, countdowns, credential ages)."""

from __future__ import annotations

import time


class FakeClock:
    """Monotonic time that a test can move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        """Move the clock ``seconds`` ahead."""
        self.offset += seconds
