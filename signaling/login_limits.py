"""How often logins may be tried: per client address, and failures per username. Sans-I/O.

* Per client: a token bucket for every attempt (``rate`` per second, bursts of ``burst``), so
  one address cannot keep the password pool busy. Behind a proxy the address is the one the
  proxy vouches for (:mod:`signaling.client_address`), not the proxy's own.
* Per username: a bucket that only failures drain (``failures`` in a row, then one more every
  ``refill_s``), so guessing one person's password from many addresses is slow too. A
  username that is out of tries is refused before any password is checked. It can be used to
  keep a known user out for a while; the threat model accepts that (the user's own correct
  password still fails during the lock, an administrator sees the failures in the audit log).

Wrong current passwords when changing a password count against the account's label
(``agent:acc_…``), which no username can spell (a colon is not allowed in one).

Both tables are bounded: past ``max_keys`` entries the oldest half is forgotten.
"""

from __future__ import annotations

from signaling.ratelimit import TokenBucket

__all__ = ["LoginLimits"]


class LoginLimits:
    """Per-client and per-username login limits."""

    def __init__(
        self,
        rate: float = 1.0,
        burst: int = 10,
        failures: int = 10,
        refill_s: float = 60.0,
        max_keys: int = 10_000,
    ) -> None:
        self.rate, self.burst = rate, burst
        self.failures, self.refill_s = failures, refill_s
        self.max_keys = max_keys
        self._clients: dict[str, TokenBucket] = {}
        self._users: dict[str, TokenBucket] = {}

    def _bucket(
        self, table: dict[str, TokenBucket], key: str, rate: float, burst: int, now: float
    ) -> TokenBucket:
        bucket = table.get(key)
        if bucket is None:
            if len(table) >= self.max_keys:
                for old in list(table)[: len(table) // 2]:
                    del table[old]
            bucket = table[key] = TokenBucket(rate, burst, now)
        return bucket

    def client_allowed(self, client: str, now: float) -> bool:
        """Take one attempt from ``client``'s bucket; False when it is empty."""
        return self._bucket(self._clients, client, self.rate, self.burst, now).allow(now)

    def username_allowed(self, username: str, now: float) -> bool:
        """Whether ``username`` has tries left (takes none)."""
        bucket = self._users.get(username.strip().lower())
        return bucket is None or bucket.peek(now) >= 1.0

    def failed(self, username: str, now: float) -> None:
        """A wrong password (or unknown user) for ``username``."""
        key = username.strip().lower()
        self._bucket(self._users, key, 1.0 / self.refill_s, self.failures, now).allow(now)
