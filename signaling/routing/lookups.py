"""Read-only questions to the router: rules, queues, entries, agents and calls.

Wait estimates are answered by :mod:`signaling.routing.positions`, which computes them.

Every answer is a copy (:mod:`signaling.routing.views`), so callers cannot change the
router's state through it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from signaling.routing import views
from signaling.routing.model import AgentState, ServiceRules
from signaling.routing.state import RoutingState
from signaling.routing.views import AgentView, CallView, EntryView, QueueStats

__all__ = ["RoutingLookups"]


class RoutingLookups(RoutingState):
    """The router's read-only views (mixed into :class:`~signaling.routing.router.Router`)."""

    @property
    def services(self) -> Mapping[str, ServiceRules]:
        """The rules of every routable service (read-only)."""
        return MappingProxyType(self._services)

    def queue_stats(self, now: float) -> list[QueueStats]:
        """Stats of each queue with entries or staffed agents, by (service, language)."""
        keys = set(self._book.keys())
        keys.update(key for key in self._staff.queues() if key[0] in self._services)
        ready: dict[tuple[str, str], int] = {}
        for a in self._agents.values():
            if a.state is AgentState.READY and a.connected:
                for key in ((sid, lang) for sid in a.skills for lang in a.languages):
                    ready[key] = ready.get(key, 0) + 1
        stats = []
        for key in sorted(keys):
            oldest = self._book.oldest(key)
            stats.append(
                QueueStats(
                    key[0],
                    key[1],
                    self._book.length(key),
                    0.0 if oldest is None else max(0.0, now - oldest),
                    ready.get(key, 0),
                    self._staffed(*key),
                    self._staff.of(*key).working,
                )
            )
        return stats

    def queue(self, service_id: str, language: str, now: float) -> list[EntryView]:
        """Entries of one queue in serving order (index + 1 is the position)."""
        return [views.of_entry(e) for e in self._book.view((service_id, language), now)]

    def entries(self) -> list[EntryView]:
        """Every queue entry, sorted by entry id."""
        return [views.of_entry(e) for _id, e in sorted(self._entries.items())]

    def entry_for_kiosk(self, kiosk_id: str) -> EntryView | None:
        """The kiosk's queue entry, if it is waiting."""
        entry = self._kiosk_entry.get(kiosk_id)
        return None if entry is None else views.of_entry(entry)

    def agent_view(self, agent_id: str) -> AgentView | None:
        """A logged-in agent, or None."""
        agent = self._agents.get(agent_id)
        return None if agent is None else views.of_agent(agent)

    def agents(self) -> list[AgentView]:
        """Every logged-in agent, sorted by agent id."""
        return [views.of_agent(a) for _id, a in sorted(self._agents.items())]

    def call(self, call_id: str) -> CallView | None:
        """A call in progress, or None."""
        call = self._calls.get(call_id)
        return None if call is None else views.of_call(call)

    def call_for_kiosk(self, kiosk_id: str) -> CallView | None:
        """The kiosk's call in progress, if any."""
        call = self._kiosk_call.get(kiosk_id)
        return None if call is None else views.of_call(call)

    def calls(self) -> list[CallView]:
        """Every call in progress, sorted by call id."""
        return [views.of_call(c) for _id, c in sorted(self._calls.items())]
