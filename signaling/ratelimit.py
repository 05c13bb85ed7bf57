"""Per-connection flow limits, sans-I/O: the caller passes the time in."""

from __future__ import annotations

from collections import deque


class TokenBucket:
    """Allows ``rate`` messages per second with bursts up to ``burst``."""

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = float(burst)
        self._tokens = float(burst)
        self._at = now

    def peek(self, now: float) -> float:
        """The tokens there are now, taking none."""
        self._tokens = min(self.burst, self._tokens + max(0.0, now - self._at) * self.rate)
        self._at = max(self._at, now)
        return self._tokens

    def allow(self, now: float) -> bool:
        """Take one token if there is one."""
        if self.peek(now) >= 1.0:
            self._tokens -= 1.0
            return True
        return False


class AbuseCounter:
    """Counts a connection's errors in a sliding window; too many means it is abusive."""

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self._times: deque[float] = deque(maxlen=limit + 1)

    def record(self, now: float) -> bool:
        """Record one error; True when the limit is now exceeded."""
        self._times.append(now)
        while self._times and now - self._times[0] > self.window_s:
            self._times.popleft()
        return len(self._times) > self.limit
