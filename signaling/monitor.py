"""The operator monitor: watches kiosks and queues, keeps alerts, builds dashboard snapshots.

A :meth:`Monitor.step` runs soon after the hub reports a change (and at least once a second,
driven by :func:`run_monitor`) and feeds the sans-I/O parts with what changed:

* :class:`~signaling.kiosk_board.KioskBoard` looks again only at the kiosks the hub named (or
  whose offline time came), with :class:`~signaling.kiosk_health.KioskHealthTracker`;
* :class:`~signaling.alerts.AlertEngine` re-evaluates those kiosks and the queues, and the
  raised and cleared alerts are stored;
* :class:`~signaling.recent_calls.RecentCalls` keeps the day's calls and waits from the rows
  that changed since its last read (every few seconds), never the whole day again;
* the last health report of each kiosk is persisted (throttled) for after a restart;
* a JSON-ready snapshot goes to every subscriber (the live channel) when it changed.

The snapshot holds absolute times (``heartbeat_at``, ``since``), never ages, so it only changes
when something happens; browsers compute ages against ``server_time``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from jsonlog import fields
from signaling.admin import AdminError, acknowledge_alert
from signaling.alert_texts import AlertNames, alert_texts
from signaling.alerts import (
    AlertEngine,
    AlertRules,
    Cleared,
    Facts,
    KioskAlertFacts,
    QueueAlertFacts,
    Raised,
)
from signaling.catalogue import Catalogue
from signaling.directory import Directory
from signaling.hub import LiveView
from signaling.kiosk_board import KioskBoard
from signaling.kiosk_health import HealthPolicy, KioskHealthTracker, KioskStatus
from signaling.recent_calls import RecentCalls
from signaling.reports import QueueDay, local_midnight
from signaling.routing.model import AgentState
from signaling.routing.router import Router
from signaling.routing.views import QueueStats
from signaling.settings import Settings
from signaling.staffing_log import StaffingLog
from signaling.store import Store
from signaling.store.records import AlertRecord
from signaling.wait_accuracy import Accuracy

log = logging.getLogger("etapiste.monitor")

SLOW_FACTS_S = 5.0
SLOW_STEP_MS = 100.0
KIOSK_LIST_S = 5.0
"""How often the store is asked whether kiosks or sites changed (one aggregate query); the
lists are re-read only then, or at once when an unknown kiosk shows up."""
ALERT_HISTORY_S = 24 * 3600.0


class Monitor:
    """Kiosk status, alerts and dashboard snapshots for one server."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        catalogue: Catalogue,
        router: Router,
        directory: Directory,
        live: LiveView,
        clock: Callable[[], float],
    ) -> None:
        s = settings
        self.store = store
        self.catalogue = catalogue
        self.router = router
        self.directory = directory
        self.live = live
        self.clock = clock
        self.tz = ZoneInfo(s.timezone)
        self.policy = HealthPolicy(s.kiosk_health_interval_s, s.kiosk_offline_missed)
        self.tracker = KioskHealthTracker(self.policy, clock())
        self.engine = AlertEngine(AlertRules(
            s.longest_wait_alert_s, s.call_failure_alert_count, s.unserved_language_alert_s
        ))
        self.threshold_s = s.service_level_threshold_s
        for a in self.store.open_alerts():
            self.engine.adopt(a.kind, a.subject, a.id, a.raised_at)
        stored = {k: (r.at, r.health) for k, r in self.store.kiosk_health().items()}
        self.board = KioskBoard(self.tracker, stored, self._save_health)
        self._evaluated = False
        self._kiosks_at = -1e18
        self._kiosks_mark: tuple[object, ...] = ()
        self._slow_at = -1e18
        self.recent = RecentCalls(store)
        self._today: dict[tuple[str, str], QueueDay] = {}
        self.estimates_today: dict[str, Accuracy] = {}
        """Accuracy of today's first wait estimates per service (for ``/metrics``)."""
        self.staffing = StaffingLog(store)
        self._alerts: list[AlertRecord] | None = None
        self._waiting: list[QueueAlertFacts] = []
        self._rows: list[dict[str, Any]] = []
        self._rows_version = -1
        self.snapshot: dict[str, Any] = {}
        self._compared: dict[str, Any] | None = None  # the last snapshot, but kiosks and time
        self.subscribers: set[Callable[[], None]] = set()
        self.routing = True
        """Whether this server routes; a cluster's other nodes show the leader's snapshot."""
        self.on_snapshot: Callable[[dict[str, Any]], None] | None = None
        """Called with each changed snapshot (the leader publishes it to the other nodes)."""
        self._listener: Callable[[str], None] | None = None

    def listen(self, listener: Callable[[str], None] | None) -> None:
        """Hear of the hub's changes through ``listener`` (None: stop)."""
        if self._listener is not None:
            self.live.remove_listener(self._listener)
        self._listener = listener
        if listener is not None:
            self.live.add_listener(listener)

    def rebind(self, router: Router, live: LiveView, *, routing: bool) -> None:
        """Watch a new router and hub (this node started or stopped routing)."""
        listener = self._listener
        self.listen(None)
        self.router, self.live, self.routing = router, live, routing
        self.listen(listener)
        self.recent.reset()  # another node routed meanwhile: its calls were never read here

    def mirror(self, snapshot: dict[str, Any]) -> None:
        """Show the routing node's snapshot (on a node that does not route)."""
        if self.routing:
            return
        compared = {k: v for k, v in snapshot.items() if k != "server_time"}
        self.snapshot = snapshot
        if compared != self._compared:  # equal values: no need to serialise 10,000 rows
            self._compared = compared
            for notify in list(self.subscribers):
                notify()

    # ------------------------------------------------------------------------------- facts

    @property
    def statuses(self) -> dict[str, KioskStatus]:
        """Every kiosk's status as last evaluated."""
        return self.board.statuses

    def touch(self, kiosk_id: str) -> None:
        """The hub says something about a kiosk changed."""
        self.board.touch(kiosk_id)

    def invalidate(self) -> None:
        """Re-read kiosks, sites and alerts from the store at the next step."""
        self._kiosks_at = -1e18
        self._kiosks_mark = ()
        self._alerts = None

    def _save_health(self, kiosk_id: str, at: float, health: dict[str, Any]) -> None:
        self.store.save_kiosk_health(kiosk_id, at, health)

    def _refresh_slow(self, now: float) -> set[str]:
        """Re-read what changes seldom; the kiosks that went away."""
        gone: set[str] = set()
        known = self.board.kiosks
        if now - self._kiosks_at >= KIOSK_LIST_S or any(k not in known for k in self.board.dirty):
            self._kiosks_at = now
            mark = self.store.kiosks_changed_mark()
            if mark != self._kiosks_mark or any(k not in known for k in self.board.dirty):
                self._kiosks_mark = mark
                kiosks = [k for k in self.store.list_kiosks() if k.revoked_at is None]
                gone = self.board.set_kiosks(kiosks, {s.id: s for s in self.store.sites()})
        if now - self._slow_at >= SLOW_FACTS_S:
            self._slow_at = now
            recent = self.recent
            changed = recent.refresh(now, local_midnight(now, self.tz), self.threshold_s)
            self.board.set_call_reasons_of({k: recent.reasons.get(k, []) for k in changed})
            self._today = recent.today
            self.estimates_today = recent.estimates
        return gone

    # -------------------------------------------------------------------------------- step

    def step(self) -> None:
        """One evaluation of what changed: statuses, alerts, snapshot; subscribers hear of
        any change. Only kiosks the hub named since the last step are looked at again."""
        now = self.clock()
        gone = self._refresh_slow(now)
        changed: dict[str, KioskAlertFacts | None] = dict(
            self.board.update(now, self.live, self.router)
        )
        changed.update(dict.fromkeys(gone))
        complete, self._evaluated = not self._evaluated, True
        if complete:  # the first step knows every kiosk: alerts of unknown ones are cleared
            changed = dict(self.board.alert_facts)
        changes = self.engine.evaluate_kiosks(changed, now, complete=complete) if changed else []
        stats = self.router.queue_stats(now)
        self.staffing.observe(now, stats)
        waits = {(q.service_id, q.language): q.longest_wait_s for q in stats}
        self._waiting = self._waiting_queues(stats)
        changes += self.engine.evaluate_queues(Facts((), waits, self._waiting), now)
        for change in changes:
            self._store_change(change)
        self._build(now, stats)

    def _waiting_queues(self, stats: list[QueueStats]) -> list[QueueAlertFacts]:
        """Queues with citizens, each with how many clerks will answer it (for the
        ``language_unserved`` alert and the dashboard's "no clerk ready" mark)."""
        waiting = [q for q in stats if q.waiting]
        if not waiting:
            return []
        serving = [
            a for a in self.router.agents() if a.connected and a.state is not AgentState.NOT_READY
        ]
        return [
            QueueAlertFacts(
                q.service_id, q.language, q.longest_wait_s,
                sum(1 for a in serving if q.service_id in a.skills and q.language in a.languages),
            )
            for q in waiting
        ]

    def _store_change(self, change: Raised | Cleared) -> None:
        self._alerts = None
        if isinstance(change, Raised):
            c = change.condition
            alert_id = self.store.raise_alert(
                c.kind, c.subject, change.at, kiosk_id=c.kiosk_id, service_id=c.service_id,
                detail=c.detail,
            )
            self.engine.bind(c.key, alert_id)
            log.warning(
                "alert raised", extra=fields(alert=alert_id, kind=c.kind, subject=c.subject)
            )
        elif change.alert_id is not None:
            self.store.clear_alert(change.alert_id, change.at)
            log.info("alert cleared", extra=fields(alert=change.alert_id, kind=change.key[0]))

    def acknowledge(self, alert_id: int, actor: str, actor_name: str) -> bool:
        """An operator acknowledges an alert (audited)."""
        try:
            acknowledge_alert(self.store, actor, actor_name, alert_id, now=self.clock())
        except AdminError:
            return False
        self._alerts = None
        self.step()
        return True

    # ---------------------------------------------------------------------------- snapshot

    def _build(self, now: float, stats: list[QueueStats]) -> None:
        snap: dict[str, Any] = {
            "alerts": self._alert_rows(now),
            "queues": self._queue_rows(now, stats),
            "agents": self._agent_rows(),
            "settings": {
                "service_level_threshold_s": self.threshold_s,
                "offline_after_s": self.policy.offline_after_s,
                "longest_wait_alert_s": self.engine.rules.longest_wait_s,
                "unserved_alert_s": self.engine.rules.unserved_after_s,
            },
        }
        # The kiosk rows (thousands) are compared by the board's version; the rest (a few
        # hundred small rows) as values, never serialised: json.dumps of it every step was a
        # cost of its own at 200 clerks.
        changed = self._rows_version != self.board.version or snap != self._compared
        self._compared = dict(snap)
        if self._rows_version != self.board.version:
            self._rows, self._rows_version = self.board.row_list(), self.board.version
        snap["kiosks"] = self._rows
        snap["server_time"] = now
        self.snapshot = snap
        if changed:
            for notify in list(self.subscribers):
                notify()
            if self.on_snapshot is not None:
                self.on_snapshot(snap)

    def _alert_names(self, a: AlertRecord) -> AlertNames:
        kiosk_id = a.kiosk_id or a.subject.partition("/")[0]
        k = self.board.kiosks.get(kiosk_id)
        service = self.catalogue.service(a.service_id or a.subject.partition("/")[0])
        return AlertNames(
            kiosk=k.name if k else None,
            site=self.board.site_names(k.site_id) if k else {},
            service=service.names.model_dump() if service else {},
        )

    def alerts(self, now: float) -> list[AlertRecord]:
        """Open alerts and those cleared within the last day, newest first (cached)."""
        if self._alerts is None:
            self._alerts = self.store.recent_alerts(now - ALERT_HISTORY_S)
        return self._alerts

    def _alert_rows(self, now: float) -> list[dict[str, Any]]:
        return [
            {
                "id": a.id,
                "kind": a.kind,
                "text": alert_texts(a, self._alert_names(a)),
                "raised_at": a.raised_at,
                "cleared_at": a.cleared_at,
                "acknowledged_at": a.acknowledged_at,
                "acknowledged_by": a.acknowledged_by,
            }
            for a in self.alerts(now)
        ]

    def _service_names(self, service_id: str) -> tuple[dict[str, str], dict[str, str]]:
        """The service's and its agency's official names, each ``{language: name}``."""
        service = self.catalogue.service(service_id)
        if service is None:
            return {"fi": service_id, "sv": service_id, "en": service_id}, {}
        agency = self.catalogue.agency(service.agency)
        return service.names.model_dump(), agency.names.model_dump() if agency else {}

    def _queue_rows(self, now: float, queue_stats: list[QueueStats]) -> list[dict[str, Any]]:
        stats = {(q.service_id, q.language): q for q in queue_stats}
        unserved = {(q.service_id, q.language) for q in self._waiting if not q.available_agents}
        rows = []
        for key in sorted(set(stats) | set(self._today)):
            q, day = stats.get(key), self._today.get(key)
            service, agency = self._service_names(key[0])
            rows.append(
                {
                    "service_id": key[0],
                    "service": service,
                    "agency": agency,
                    "language": key[1],
                    "unserved": key in unserved,
                    "waiting": q.waiting if q else 0,
                    "longest_wait_since": (
                        round(now - q.longest_wait_s) if q and q.waiting else None
                    ),
                    "ready_agents": q.ready_agents if q else 0,
                    "staffed_agents": q.staffed_agents if q else 0,
                    "answered": day.answered if day else 0,
                    "abandoned": day.abandoned if day else 0,
                    "service_level": day.service_level if day else None,
                    "average_answer_s": day.average_answer_s if day else None,
                    "average_handle_s": day.average_handle_s if day else None,
                }
            )
        return rows

    def _agent_rows(self) -> list[dict[str, Any]]:
        directory = self.directory
        rows = [
            {
                "id": a.agent_id,
                "name": directory.agent_name(a.agent_id),
                "state": a.state.value,
                "reason": a.reason,
                "since": a.since,
                "connected": a.connected,
                "skills": sorted(a.skills),
                "languages": sorted(a.languages),
            }
            for a in self.router.agents()
        ]
        rows.sort(key=lambda r: str(r["name"]))
        return rows


async def run_monitor(monitor: Monitor, period_s: float = 1.0, min_gap_s: float = 0.5) -> None:
    """Step the monitor every ``period_s``, and soon after the hub reports a change.

    A step walks every kiosk, so during a storm of calls it runs at most once per
    ``min_gap_s``: at 2000 kiosks, stepping after every change took a sixth of the server's
    CPU, and an operator's screen gains nothing from more than two updates a second.
    """
    wake = asyncio.Event()

    def on_hub(topic: str) -> None:
        if topic.startswith("kiosk:"):
            monitor.touch(topic[6:])
        wake.set()

    monitor.listen(on_hub)
    try:
        while True:
            started = time.perf_counter()
            try:
                if monitor.routing:
                    monitor.step()
            except Exception:
                log.exception("monitor step failed")
            took_ms = (time.perf_counter() - started) * 1000
            if took_ms >= SLOW_STEP_MS:
                # A step holds the event loop: long ones delay every client's messages.
                log.warning("monitor step slow", extra=fields(ms=round(took_ms, 1)))
            wake.clear()
            try:
                await asyncio.wait_for(wake.wait(), timeout=period_s)
                await asyncio.sleep(min_gap_s)  # gather a burst of changes into one step
            except TimeoutError:
                pass
    finally:
        monitor.listen(None)
        try:
            monitor.staffing.flush(monitor.clock())  # the last minute's clerk-seconds
        except Exception:
            log.exception("staffing flush failed")
