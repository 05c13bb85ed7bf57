"""When to try a media path again, and when to stop trying (sans-I/O).

aiortc cannot restart ICE, so a failed media path is replaced by a new peer connection
(:mod:`client_core.call`).  A path that can never be set up (a peer whose DTLS certificate
aiortc rejects, a firewall that lets signaling through but no media) used to be retried every
1.5 s for as long as somebody waited: 11 attempts in 16 s, and a citizen in front of a
"reconnecting" screen until the clerk gave up.

:class:`RestartBudget` spaces attempts out (:data:`BACKOFF_S`: 1.5, 3, 6, 12 s) and says to
give up after ``max_failures`` attempts in a row that never delivered media; an attempt that
did resets the count.  Only attempts that were negotiated and then failed count: while the
signaling link is down no attempt can be made, and the server's call grace (20 s) decides.
The side that gives up ends the call with ``media_failed``; the server then puts the citizen
back at the head of the queue once, or tells both what happened (see the router).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

BACKOFF_S: Final = (1.5, 3.0, 6.0, 12.0)
MAX_FAILURES: Final = 5
"""Attempts in a row without media before the offerer gives up (about 25 s of trying)."""


@dataclass
class RestartBudget:
    """Counts failed attempts; gives the wait before the next one, or says to stop."""

    max_failures: int = MAX_FAILURES
    backoff_s: tuple[float, ...] = BACKOFF_S
    failures: int = 0
    _counted: int | None = None

    def failed(self, attempt: int) -> bool:
        """Attempt ``attempt`` failed; False once the budget is spent (give up).

        A second report of the same attempt's failure (the watcher and the other side can
        both notice) is not counted twice.
        """
        if self._counted != attempt:
            self._counted = attempt
            self.failures += 1
        return self.failures < self.max_failures

    def wait_s(self) -> float:
        """Least time between the last attempt and the next one."""
        if self.failures <= 0:
            return self.backoff_s[0]
        return self.backoff_s[min(self.failures, len(self.backoff_s)) - 1]

    def media_flowed(self) -> None:
        """An attempt delivered media: the next failure starts a fresh count."""
        self.failures = 0
        self._counted = None
