"""Closing live connections whose credential was taken away, whoever took it away.

A token is checked when a connection opens; what matters after that is the store's revocation
feed (:mod:`signaling.store.revocations`): logouts, revoked sessions, disabled accounts and
password resets (each session they end), revoked kiosks and rotated kiosk tokens. Every server
process reads the feed about once a second (:meth:`RevocationWatch.poll`) and closes the
connections it names with a typed goodbye; the WebSocket layer then detaches them from the hub
exactly as if the client had gone away, so a kiosk's place and an agent's calls follow the
usual grace rules. Sessions that reach their expiry time are closed by the same poll.

A connection that opened while a revocation was being written might have been checked just
before it and registered just after the poll read it: :meth:`RevocationWatch.revoked_since`
lets the WebSocket layer look again, from the feed position read before its check.

With PostgreSQL, sequence numbers can commit out of order (a smaller number committed after a
larger one was read). The poll therefore rereads a window of :data:`LOOKBACK_S` seconds and
skips rows it has acted on; SQLite commits in order, so there the window only costs a read.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable
from typing import Protocol

from jsonlog import fields
from signaling.identity import Principal
from signaling.store import Store
from signaling.store.records import Revocation

__all__ = ["LOOKBACK_S", "Closable", "RevocationWatch", "goodbye_for"]

log = logging.getLogger("etapiste.revocation")

LOOKBACK_S = 10.0


class Closable(Protocol):
    """A live connection the watch may close."""

    principal: Principal

    def close(self, reason: str, code: int = 1000) -> None:
        """Say goodbye with ``reason`` and close."""


def _names(revocation: Revocation, p: Principal) -> bool:
    if revocation.kind == "session":
        return p.session_id is not None and p.session_id == revocation.subject
    if revocation.kind == "kiosk":
        return p.role == "kiosk" and p.id == revocation.subject
    return p.role == "kiosk" and p.token_digest == revocation.subject


def goodbye_for(revocation: Revocation) -> str:
    """The goodbye reason a connection named by ``revocation`` gets."""
    return "logged_out" if revocation.reason == "logged_out" else "revoked"


class RevocationWatch:
    """Follows the revocation feed and closes what it names; also ends expired sessions."""

    def __init__(
        self,
        store: Store,
        connections: Callable[[], Iterable[Closable]],
        on_revoked: Callable[[], None] | None = None,
    ) -> None:
        self._store = store
        self._connections = connections
        self._on_revoked = on_revoked
        self._settled = store.revocation_seq()
        """Every revocation up to here was read at least LOOKBACK_S ago."""
        self._recent: deque[tuple[float, int]] = deque()
        self._acted: set[int] = set()

    def position(self) -> int:
        """The newest revocation now: what a new connection checks from."""
        return self._store.revocation_seq()

    def revoked_since(self, p: Principal, seq: int) -> str | None:
        """The goodbye reason if a revocation after ``seq`` names ``p``, else None."""
        for revocation in self._store.revocations_after(seq):
            if _names(revocation, p):
                return goodbye_for(revocation)
        return None

    def poll(self, now: float) -> int:
        """Read new revocations and close the connections they name, and the connections of
        sessions that have expired; how many were closed."""
        while self._recent and now - self._recent[0][0] > LOOKBACK_S:
            _, seq = self._recent.popleft()
            self._settled = max(self._settled, seq)
            self._acted.discard(seq)
        feed = self._store.revocations_after(self._settled)
        fresh = [r for r in feed if r.seq not in self._acted]
        closed = 0
        if fresh:
            conns = list(self._connections())
            for revocation in fresh:
                self._acted.add(revocation.seq)
                self._recent.append((now, revocation.seq))
                for conn in conns:
                    if _names(revocation, conn.principal):
                        log.info("revoked connection closed", extra=fields(
                            who=conn.principal.label, kind=revocation.kind))
                        conn.close(goodbye_for(revocation), 1008)
                        closed += 1
            if self._on_revoked is not None:
                self._on_revoked()
        for conn in list(self._connections()):
            expires = conn.principal.expires_at
            if expires is not None and now >= expires:
                log.info("session expired", extra=fields(who=conn.principal.label))
                conn.close("session_expired", 1008)
                closed += 1
        return closed
