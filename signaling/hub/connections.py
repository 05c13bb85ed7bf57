"""Who is connected, and the resume tokens that let a kiosk keep its citizen's place.

A kiosk, agent or operator has at most one registered connection: a newer one replaces (and
closes) the older. A kiosk's resume token is shown to it once in ``welcome`` and kept here only
as a SHA-256 digest; presenting it again on reconnect resumes the same citizen session.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import KeysView
from typing import Protocol

from signaling.identity import Principal
from wire import server_messages as S

__all__ = ["Connection", "Connections", "ResumeTokens", "token_hash"]


class Connection(Protocol):
    """What the hub needs of a client connection."""

    principal: Principal
    connection_id: str

    def send(self, message: S.ServerMessage) -> None:
        """Queue a message for the client; never blocks."""

    def close(self, reason: str, code: int = 1000) -> None:
        """Say goodbye with a reason and close."""


class Connections:
    """The registered connection of each kiosk, agent and operator."""

    def __init__(self) -> None:
        self.kiosks: dict[str, Connection] = {}
        self.agents: dict[str, Connection] = {}
        self.operators: dict[str, Connection] = {}

    def _table(self, principal: Principal) -> dict[str, Connection]:
        if principal.role == "kiosk":
            return self.kiosks
        return self.agents if principal.role == "agent" else self.operators

    def register(self, conn: Connection) -> None:
        """Make ``conn`` its principal's connection, closing any other one as replaced."""
        table = self._table(conn.principal)
        old = table.get(conn.principal.id)
        table[conn.principal.id] = conn
        if old is not None and old is not conn:
            old.close("replaced", 1000)

    def drop(self, conn: Connection) -> bool:
        """Unregister ``conn``; False if another connection has replaced it meanwhile."""
        table = self._table(conn.principal)
        if table.get(conn.principal.id) is not conn:
            return False
        del table[conn.principal.id]
        return True

    def evict_kiosk(self, kiosk_id: str, keep: Connection) -> None:
        """Unregister and close the kiosk's connection unless it is ``keep``."""
        old = self.kiosks.pop(kiosk_id, None)
        if old is not None and old is not keep:
            old.close("replaced", 1000)

    def member(self, member_id: str) -> Connection | None:
        """The connection of a call member (kiosk or agent)."""
        # Kiosk and agent ids come from different tables but share one namespace of
        # principals; a lookup in each is cheaper than merging 2000 sockets per message.
        return self.kiosks.get(member_id) or self.agents.get(member_id)

    def kiosk_ids(self) -> KeysView[str]:
        """Ids of the connected kiosks (a live, read-only view)."""
        return self.kiosks.keys()

    def agent_ids(self) -> KeysView[str]:
        """Ids of the connected agents (a live, read-only view)."""
        return self.agents.keys()


def token_hash(token: str) -> str:
    """The digest under which a resume token is kept (in memory and in the store)."""
    return hashlib.sha256(token.encode()).hexdigest()


class ResumeTokens:
    """Each kiosk's current resume token, as a digest."""

    def __init__(self) -> None:
        self._hashes: dict[str, str] = {}

    def matches(self, kiosk_id: str, token: str | None) -> bool:
        """Whether ``token`` resumes the kiosk's current citizen session."""
        known = self._hashes.get(kiosk_id)
        return (
            token is not None and known is not None
            and secrets.compare_digest(token_hash(token), known)
        )

    def issue(self, kiosk_id: str) -> str:
        """Start a new citizen session: a fresh token, shown once; the old one stops working."""
        token = secrets.token_urlsafe(24)
        self._hashes[kiosk_id] = token_hash(token)
        return token

    def hash_of(self, kiosk_id: str) -> str | None:
        """The digest of the kiosk's current token (stored with its queue entry)."""
        return self._hashes.get(kiosk_id)

    def adopt(self, kiosk_id: str, digest: str | None) -> None:
        """Take up a stored digest after a restart, so the kiosk can resume."""
        if digest is not None:
            self._hashes[kiosk_id] = digest
