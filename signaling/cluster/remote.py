"""A client connected to another node, as the routing node's hub sees it.

The hub talks to a :class:`RemoteConnection` exactly as to a local socket: ``send`` and
``close`` become operations on the bus for the node that holds the socket. The hub therefore
runs unchanged on whichever node leads: sessions, resume tokens, the SDP/ICE relay between a
kiosk on one node and a clerk on another, the messages a kiosk missed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from signaling.cluster.envelope import Op
from signaling.identity import Principal
from wire import server_messages as S
from wire.codec import dump

__all__ = ["RemoteConnection", "principal_from", "principal_to"]


class RemoteConnection:
    """A connection on node ``node_id`` with id ``connection_id`` (the hub's Connection)."""

    def __init__(
        self, node_id: str, connection_id: str, principal: Principal,
        post: Callable[[str, Op], None],
    ) -> None:
        self.node_id = node_id
        self.connection_id = connection_id
        self.principal = principal
        self._post = post
        self.closed = False

    def send(self, message: S.ServerMessage) -> None:
        """Have the client's node send ``message``."""
        if self.closed:
            return
        op: Op = {"op": "send", "c": self.connection_id, "m": dump(message)}
        if isinstance(message, S.Welcome):
            op["w"] = 1
        if isinstance(message, S.Error):
            op["e"] = 1
        self._post(self.node_id, op)

    def close(self, reason: str, code: int = 1000) -> None:
        """Have the client's node say goodbye and close."""
        if self.closed:
            return
        self.closed = True
        self._post(self.node_id, {"op": "close", "c": self.connection_id, "r": reason, "k": code})


def principal_to(p: Principal) -> dict[str, Any]:
    """A principal as JSON (it holds no credential)."""
    return {
        "role": p.role, "id": p.id, "name": p.name, "site_id": p.site_id,
        "skills": sorted(p.skills), "languages": sorted(p.languages),
        "session_id": p.session_id, "expires_at": p.expires_at, "token": p.token_digest,
    }


def principal_from(d: dict[str, Any]) -> Principal:
    """A principal from :func:`principal_to`'s JSON."""
    return Principal(
        role=d["role"], id=str(d["id"]), name=str(d["name"]), site_id=d.get("site_id"),
        skills=frozenset(d.get("skills") or ()), languages=frozenset(d.get("languages") or ()),
        session_id=d.get("session_id"), expires_at=d.get("expires_at"),
        token_digest=d.get("token"),
    )
