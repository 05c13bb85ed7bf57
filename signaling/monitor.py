"""The operator monitor: watches kiosks and queues, keeps alerts, builds dashboard snapshots.

One :meth:`Monitor.step` a second (driven by :func:`run_monitor`) feeds the sans-I/O parts with
facts from the hub, the router and the store:

* :class:`~signaling.kiosk_health.KioskHealthTracker` says which kiosks are online;
* :class:`~signaling.alerts.AlertEngine` raises and clears alerts, which are stored;
* the last health report of each kiosk is persisted (throttled) for after a restart;
* a JSON-ready snapshot goes to every subscriber (the live channel) when it changed.

The snapshot holds absolute times (``heartbeat_at``, ``since``), never ages, so it only changes
when something happens; browsers compute ages against ``server_time``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from jsonlog import fields
from signaling.admin import AdminError, acknowledge_alert
from signaling.alert_texts import AlertNames, alert_texts
from signaling.alerts import (
    DEVICES,
    AlertEngine,
    AlertRules,
    Cleared,
    Facts,
    QueueAlertFacts,
    Raised,
    kiosk_facts_for_alerts,
)
from signaling.catalogue import Catalogue
from signaling.directory import Directory
from signaling.hub import LiveView
from signaling.kiosk_health import HealthPolicy, KioskFacts, KioskHealthTracker, KioskStatus
from signaling.reports import QueueDay, local_midnight, queue_day
from signaling.routing.model import AgentState
from signaling.routing.router import Router
from signaling.routing.views import QueueStats
from signaling.settings import Settings
from signaling.staffing_log import StaffingLog
from signaling.store import Store
from signaling.store.records import AlertRecord, KioskRecord, SiteRecord
from signaling.wait_accuracy import Accuracy
from signaling.wait_report import accuracy_by_service

log = logging.getLogger("etapiste.monitor")

HEALTH_PERSIST_S = 60.0
SLOW_FACTS_S = 5.0
SLOW_STEP_MS = 100.0
KIOSK_LIST_S = 5.0
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
        self._stored_health = {k: (r.at, r.health) for k, r in self.store.kiosk_health().items()}
        self._persisted: dict[str, tuple[float, str]] = {}
        self._kiosks: list[KioskRecord] = []
        self._sites: dict[str, SiteRecord] = {}
        self._kiosks_at = -1e18
        self._slow_at = -1e18
        self._call_reasons: dict[str, list[str | None]] = {}
        self._today: dict[tuple[str, str], QueueDay] = {}
        self.estimates_today: dict[str, Accuracy] = {}
        """Accuracy of today's first wait estimates per service (for ``/metrics``)."""
        self.staffing = StaffingLog(store)
        self._alerts: list[AlertRecord] | None = None
        self._waiting: list[QueueAlertFacts] = []
        self.statuses: dict[str, KioskStatus] = {}
        self.snapshot: dict[str, Any] = {}
        self._digest = ""
        self.subscribers: set[Callable[[], None]] = set()

    # ------------------------------------------------------------------------------- facts

    def invalidate(self) -> None:
        """Re-read kiosks, sites and alerts from the store at the next step."""
        self._kiosks_at = -1e18
        self._alerts = None

    def _refresh_slow(self, now: float) -> None:
        known = {k.id for k in self._kiosks}
        connected = self.live.connected_kiosks()
        if now - self._kiosks_at >= KIOSK_LIST_S or not known.issuperset(connected):
            self._kiosks = [k for k in self.store.list_kiosks() if k.revoked_at is None]
            self._sites = {s.id: s for s in self.store.sites()}
            self._kiosks_at = now
        if now - self._slow_at >= SLOW_FACTS_S:
            self._slow_at = now
            reasons: dict[str, list[tuple[float, str | None]]] = defaultdict(list)
            for c in self.store.calls_between(now - 86400, now + 1):
                if c.answered_at is not None and c.ended_at is not None:
                    failed = c.outcome == "failed"
                    reasons[c.kiosk_id].append((c.ended_at, "failed" if failed else c.end_reason))
            self._call_reasons = {
                k: [r for _t, r in sorted(v, key=lambda x: -x[0])] for k, v in reasons.items()
            }
            midnight = local_midnight(now, self.tz)
            self._today = queue_day(
                self.store.calls_between(midnight, now + 1), self.threshold_s
            )
            self.estimates_today = accuracy_by_service(
                self.store.waits_between(midnight, now + 1), until=now
            )

    def _health(self, kiosk_id: str) -> tuple[float | None, dict[str, Any] | None]:
        live = self.live.kiosk_live.get(kiosk_id)
        if live is not None and live.health is not None and live.health_at is not None:
            return live.health_at, live.health.model_dump(mode="json")
        stored = self._stored_health.get(kiosk_id)
        return (stored[0], dict(stored[1])) if stored else (None, None)

    def _persist_health(self, kiosk_id: str, at: float | None, health: dict[str, Any]) -> None:
        if at is None:
            return
        devices = json.dumps([health.get(d) for d in ("camera", "microphone", "speaker")])
        last = self._persisted.get(kiosk_id)
        if last is not None and at <= last[0]:
            return
        if last is None or at - last[0] >= HEALTH_PERSIST_S or last[1] != devices:
            self.store.save_kiosk_health(kiosk_id, at, health)
            self._persisted[kiosk_id] = (at, devices)

    # -------------------------------------------------------------------------------- step

    def step(self) -> None:
        """One evaluation: statuses, alerts, snapshot; subscribers hear of any change."""
        now = self.clock()
        self._refresh_slow(now)
        live = self.live
        connected, reports = live.connected_kiosks(), live.kiosk_live
        facts, healths = [], {}
        for k in self._kiosks:
            at, health = self._health(k.id)
            healths[k.id] = health
            facts.append(KioskFacts(k.id, k.id in connected, at))
            if health is not None and k.id in reports:
                self._persist_health(k.id, at, health)
        self.statuses, changes = self.tracker.evaluate(facts, now)
        for t in changes:
            log.info("kiosk state", extra=fields(kiosk=t.kiosk_id, change=f"{t.old} -> {t.new}"))
        kiosk_facts = []
        for k in self._kiosks:
            st = self.statuses[k.id]
            offline = None
            if st.alertable and st.state != "never_seen":
                offline = st.state == "offline"
            h = healths.get(k.id)
            devices = None if h is None else {d: str(h.get(d)) for d in DEVICES}
            kiosk_facts.append(
                kiosk_facts_for_alerts(k.id, offline, devices, self._call_reasons.get(k.id, []))
            )
        stats = self.router.queue_stats(now)
        self.staffing.observe(now, stats)
        waits = {(q.service_id, q.language): q.longest_wait_s for q in stats}
        self._waiting = self._waiting_queues(stats)
        for change in self.engine.evaluate(Facts(kiosk_facts, waits, self._waiting), now):
            self._store_change(change)
        self._build(now, healths)

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

    def _build(self, now: float, healths: dict[str, dict[str, Any] | None]) -> None:
        snap: dict[str, Any] = {
            "kiosks": self._kiosk_rows(healths),
            "alerts": self._alert_rows(now),
            "queues": self._queue_rows(now),
            "agents": self._agent_rows(),
            "settings": {
                "service_level_threshold_s": self.threshold_s,
                "offline_after_s": self.policy.offline_after_s,
                "longest_wait_alert_s": self.engine.rules.longest_wait_s,
                "unserved_alert_s": self.engine.rules.unserved_after_s,
            },
        }
        digest = json.dumps(snap, sort_keys=True, default=str)
        snap["server_time"] = now
        self.snapshot = snap
        if digest != self._digest:
            self._digest = digest
            for notify in list(self.subscribers):
                notify()

    def _site_names(self, site_id: str) -> dict[str, str]:
        """The joint service point's official names, ``{language: name}``."""
        site = self._sites.get(site_id)
        if site is None:
            return {"fi": site_id, "sv": site_id, "en": site_id}
        return {"fi": site.name_fi, "sv": site.name_sv, "en": site.name_en}

    def _alert_names(self, a: AlertRecord) -> AlertNames:
        kiosk_id = a.kiosk_id or a.subject.partition("/")[0]
        k = next((k for k in self._kiosks if k.id == kiosk_id), None)
        service = self.catalogue.service(a.service_id or a.subject.partition("/")[0])
        return AlertNames(
            kiosk=k.name if k else None,
            site=self._site_names(k.site_id) if k else {},
            service=service.names.model_dump() if service else {},
        )

    def _kiosk_rows(self, healths: dict[str, dict[str, Any] | None]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        router = self.router
        for k in self._kiosks:
            st = self.statuses[k.id]
            h = healths.get(k.id) or {}
            live = self.live.kiosk_live.get(k.id)
            quality = live.last_quality.quality if live and live.last_quality else None
            site = self._sites.get(k.site_id)
            activity = ""
            if router.call_for_kiosk(k.id) is not None:
                activity = "in_call"
            elif router.entry_for_kiosk(k.id) is not None:
                activity = "waiting"
            rows.append(
                {
                    "id": k.id,
                    "name": k.name,
                    "site_id": k.site_id,
                    "site": self._site_names(k.site_id),
                    "region": (site.region if site and site.region else "—"),
                    "state": st.state,
                    "connected": st.connected,
                    "heartbeat_at": st.heartbeat_at,
                    "camera": h.get("camera"),
                    "microphone": h.get("microphone"),
                    "speaker": h.get("speaker"),
                    "cpu": h.get("cpu_percent"),
                    "memory": h.get("memory_percent"),
                    "disk": h.get("disk_percent"),
                    "temperature": h.get("temperature_c"),
                    "app_version": h.get("app_version"),
                    "server_rtt_ms": h.get("server_rtt_ms"),
                    "last_quality": str(quality) if quality else h.get("last_call_quality"),
                    "activity": activity,
                }
            )
        rows.sort(key=lambda r: (r["region"], r["site"]["fi"], r["name"]))
        return rows

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

    def _queue_rows(self, now: float) -> list[dict[str, Any]]:
        stats = {(q.service_id, q.language): q for q in self.router.queue_stats(now)}
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
        wake.set()

    monitor.live.add_listener(on_hub)
    try:
        while True:
            started = time.perf_counter()
            try:
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
        monitor.live.remove_listener(on_hub)
        try:
            monitor.staffing.flush(monitor.clock())  # the last minute's clerk-seconds
        except Exception:
            log.exception("staffing flush failed")
