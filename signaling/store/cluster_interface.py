"""The store's interface for several server nodes: routing terms and their fence, agents'
routing states, and messages between nodes too large for a notification."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from signaling.store.records import AgentStateRecord, TermRecord

__all__ = ["ClusterStore"]


class ClusterStore(Protocol):
    """Routing terms and their fence, agents' routing states, inter-node payloads."""

    def take_term(self, holder: str, *, now: float) -> int:
        """Start a new routing term held by ``holder`` (who holds the lease); its number."""
        ...

    def current_term(self) -> tuple[int, str | None]:
        """The current term and its holder."""
        ...

    def terms(self) -> list[TermRecord]:
        """Every term taken, oldest first, with the routing writes made under it."""
        ...

    def fenced(self, term: int, *, now: float) -> AbstractContextManager[None]:
        """One transaction for one event's routing writes (store calls inside it join it),
        committed only while ``term`` is current; else :class:`FencedError`, nothing kept."""
        ...

    def save_agent_state(
        self, agent_id: str, state: str, reason: str | None, since: float, until: float | None,
        *, now: float,
    ) -> None:
        """Keep an agent's routing state for a restore."""
        ...

    def forget_agent_state(self, agent_id: str) -> bool:
        """The agent is no longer routed (logged out, left)."""
        ...

    def agent_states(self) -> list[AgentStateRecord]:
        """Every kept agent state."""
        ...

    def put_payload(self, body: str, *, now: float) -> int:
        """Keep a message too large for a notification; its id."""
        ...

    def take_payload(self, payload_id: int) -> str | None:
        """Read and delete a kept message."""
        ...

    def purge_payloads(self, before: float) -> int:
        """Drop kept messages older than ``before``."""
        ...
