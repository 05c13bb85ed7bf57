"""Answers that change nothing: services and their waits, an agent's history, queue figures."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from signaling.directory import Directory
from signaling.hub.connections import Connections
from signaling.identity import Principal
from signaling.routing.router import Router
from signaling.store import Store
from wire import server_messages as S

__all__ = ["HISTORY_LIMIT", "Queries"]

HISTORY_LIMIT = 200


class Queries:
    """Read-only questions of clients, and the queue figures pushed to agents."""

    def __init__(
        self,
        router: Router,
        store: Store,
        directory: Directory,
        connections: Connections,
        timezone: str,
    ) -> None:
        self._router = router
        self._store = store
        self._directory = directory
        self._connections = connections
        self._tz = ZoneInfo(timezone)
        self.stats_dirty = True
        self._stats_pushed_at = float("-inf")

    def services(self, ref: str | None, now: float) -> S.Services:
        """Every service with its opening state, languages served and estimated waits."""
        return S.Services(ref=ref, services=self._directory.services(now, self._router))

    def history(self, agent_id: str, ref: str | None, now: float) -> S.History:
        """The agent's calls since local midnight, newest first."""
        local = datetime.fromtimestamp(now, self._tz)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
        items = [
            S.HistoryItem(
                call_id=c.id,
                service=c.service_id,
                language=c.language,  # type: ignore[arg-type]
                site=self._directory.site_ref(c.site_id),
                queued_at=c.queued_at,
                answered_at=c.answered_at,
                ended_at=c.ended_at,
                outcome=c.outcome,
                disposition=c.disposition,
            )
            for c in self._store.calls_between(midnight, now + 1)
            if c.agent_id == agent_id
        ]
        items.sort(key=lambda item: item.queued_at, reverse=True)
        return S.History(ref=ref, calls=items[:HISTORY_LIMIT])

    def queue_stats_for(
        self, principal: Principal, now: float, rows: list[S.QueueStat] | None = None
    ) -> S.QueueStats:
        """The queues within an agent's skills and languages."""
        if rows is None:
            rows = self._rows(now)
        mine = [
            r for r in rows if r.service in principal.skills and r.language in principal.languages
        ]
        return S.QueueStats(queues=mine)

    def _rows(self, now: float) -> list[S.QueueStat]:
        return [
            S.QueueStat(
                service=q.service_id,
                language=q.language,  # type: ignore[arg-type]
                waiting=q.waiting,
                longest_wait_s=q.longest_wait_s,
                ready_agents=q.ready_agents,
            )
            for q in self._router.queue_stats(now)
        ]

    def push_queue_stats(self, now: float, min_interval_s: float = 1.0) -> None:
        """Send queue figures to every agent, at most once per ``min_interval_s``.

        The figures are computed once per push, not per agent: with a hundred agents and
        thousands waiting, per-agent recomputation stalled the loop for hundreds of ms.
        """
        if not self.stats_dirty or now - self._stats_pushed_at < min_interval_s:
            return
        self.stats_dirty = False
        self._stats_pushed_at = now
        agents = self._connections.agents
        if not agents:
            return
        rows = self._rows(now)
        # One message per set of skills and languages (clerks of a team share theirs), so a
        # connection encodes it once for all who get it (see web_ws.WsConnection.send).
        made: dict[tuple[frozenset[str], frozenset[str]], S.QueueStats] = {}
        for conn in list(agents.values()):
            p = conn.principal
            key = (p.skills, p.languages)
            message = made.get(key)
            if message is None:
                message = made[key] = self.queue_stats_for(p, now, rows)
            conn.send(message)
