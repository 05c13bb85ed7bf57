"""What the hub knows beyond the router: kiosks' last reports, calls' members and stats.

:class:`LiveState` is the hub's own bookkeeping. :class:`LiveView` is the read-only face of
the hub that the operator monitor, ``/metrics`` and the admin pages get: they read who is
connected and what kiosks last reported, and can listen for changes, but cannot change any of
it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass, field
from typing import Protocol

from signaling.hub.connections import Connections
from signaling.routing import actions as A
from wire import server_messages as S
from wire.types import CallStats, KioskHealth

__all__ = ["CallLive", "KioskFacts", "KioskLive", "LiveState", "LiveView", "View"]


@dataclass
class KioskLive:
    """What the hub knows of a kiosk beyond the router's view."""

    health: KioskHealth | None = None
    health_at: float | None = None
    last_quality: CallStats | None = None
    missed: S.ServerMessage | None = None
    """How the citizen's place or call ended while the kiosk was away, told on resume."""


@dataclass
class CallLive:
    """Per-call facts the relay needs."""

    call_id: str
    kiosk_id: str
    agent_id: str
    service_id: str
    language: str
    stats: dict[str, CallStats] = field(default_factory=dict)


class LiveState:
    """Kiosk facts and calls in progress, kept in step with the router's actions."""

    def __init__(self) -> None:
        self.kiosks: dict[str, KioskLive] = {}
        self.calls: dict[str, CallLive] = {}
        self.agent_calls: dict[str, str] = {}

    def kiosk(self, kiosk_id: str) -> KioskLive:
        """The facts of ``kiosk_id`` (created empty on first use)."""
        live = self.kiosks.get(kiosk_id)
        if live is None:
            live = self.kiosks[kiosk_id] = KioskLive()
        return live

    def add_call(self, call: CallLive) -> None:
        """A call is in progress (started now, or adopted after a restart)."""
        self.calls[call.call_id] = call
        self.agent_calls[call.agent_id] = call.call_id

    def apply(self, action: A.Action) -> None:
        """Follow the router's calls: started, ended."""
        if isinstance(action, A.CallStarted):
            self.add_call(
                CallLive(
                    action.call_id, action.kiosk_id, action.agent_id, action.service_id,
                    action.language,
                )
            )
        elif isinstance(action, A.CallEnded):
            self.calls.pop(action.call_id, None)
            if self.agent_calls.get(action.agent_id) == action.call_id:
                del self.agent_calls[action.agent_id]

    def member_other(self, call_id: str, role: str, member_id: str) -> str | None:
        """The other member of ``call_id`` if ``member_id`` (a ``role``) is one, else None."""
        call = self.calls.get(call_id)
        if call is not None:
            if role == "kiosk" and call.kiosk_id == member_id:
                return call.agent_id
            if role == "agent" and call.agent_id == member_id:
                return call.kiosk_id
        return None


class KioskFacts(Protocol):
    """A kiosk's last reports, read-only."""

    @property
    def health(self) -> KioskHealth | None:
        """The last health report."""

    @property
    def health_at(self) -> float | None:
        """When the last health report came."""

    @property
    def last_quality(self) -> CallStats | None:
        """The kiosk's last call statistics."""


class LiveView(Protocol):
    """What the monitor, ``/metrics`` and the admin pages may read of the hub."""

    @property
    def kiosk_live(self) -> Mapping[str, KioskFacts]:
        """Facts of every kiosk that connected since the start."""

    def connected_kiosks(self) -> Set[str]:
        """Ids of the kiosks connected now."""

    def connected_agents(self) -> Set[str]:
        """Ids of the agents connected now."""

    def add_listener(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(topic)`` when queues (``queues``), agents (``agents``) or one kiosk
        (``kiosk:<id>``: it came or went, reported, queued or was served) change."""

    def remove_listener(self, listener: Callable[[str], None]) -> None:
        """Stop calling ``listener``."""


class View:
    """The hub's :class:`LiveView`, and the listener list the hub notifies."""

    def __init__(self, connections: Connections, state: LiveState) -> None:
        self._connections = connections
        self._state = state
        self.listeners: list[Callable[[str], None]] = []

    @property
    def kiosk_live(self) -> Mapping[str, KioskFacts]:
        """Facts of every kiosk that connected since the start."""
        return self._state.kiosks

    def connected_kiosks(self) -> Set[str]:
        """Ids of the kiosks connected now."""
        return self._connections.kiosk_ids()

    def connected_agents(self) -> Set[str]:
        """Ids of the agents connected now."""
        return self._connections.agent_ids()

    def add_listener(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(topic)`` when queues (``queues``), agents (``agents``) or one kiosk
        (``kiosk:<id>``: it came or went, reported, queued or was served) change."""
        self.listeners.append(listener)

    def remove_listener(self, listener: Callable[[str], None]) -> None:
        """Stop calling ``listener``."""
        self.listeners.remove(listener)

    def notify_kiosk(self, kiosk_id: str) -> None:
        """Tell every listener that one kiosk changed (topic ``kiosk:<id>``)."""
        self.notify(f"kiosk:{kiosk_id}")

    def notify(self, topic: str) -> None:
        """Tell every listener that ``topic`` changed."""
        for listener in self.listeners:
            listener(topic)
