"""The server's Prometheus metrics, filled at scrape time (served by :mod:`.web_metrics`).

A :class:`prometheus_client.registry.Collector` reads the router, the open connections and the
monitor's latest evaluation on each scrape, so figures are never stale and nothing is
double-counted. Labels name services, languages, kiosks and sites only: no citizen data.
Process metrics come from prometheus-client's own collectors.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from signaling.monitor import Monitor
from signaling.routing.model import AgentState
from signaling.routing.router import Router

KIOSK_STATES = ("online", "offline", "never_seen")


class EtapisteCollector(Collector):
    """Queue, agent, kiosk, call and alert gauges of one server."""

    def __init__(
        self,
        router: Router,
        monitor: Monitor,
        connection_roles: Callable[[], Iterable[str]],
        clock: Callable[[], float],
    ) -> None:
        self.monitor = monitor
        self.connection_roles = connection_roles
        """The role of every open connection."""
        self.clock = clock

    @property
    def router(self) -> Router:
        """The router the monitor watches (a cluster node gets a new one when it leads)."""
        return self.monitor.router

    def collect(self) -> Iterator[Metric]:
        """Yield the metric families (called by the registry on each scrape)."""
        now = self.clock()
        yield from self._queues(now)
        yield from self._agents()
        yield from self._estimates()
        yield from self._kiosks(now)
        leader = GaugeMetricFamily(
            "etapiste_routing_leader",
            "1 on the node that routes (one node always; of several, the lease holder)",
        )
        leader.add_metric([], 1 if self.monitor.routing else 0)
        yield leader
        calls = GaugeMetricFamily("etapiste_calls_active", "Calls in progress")
        calls.add_metric([], len(self.router.calls()))
        yield calls
        conns = GaugeMetricFamily(
            "etapiste_connections", "Open WebSocket connections by role", labels=["role"]
        )
        roles = Counter(self.connection_roles())
        for role in ("kiosk", "agent", "operator"):
            conns.add_metric([role], roles.get(role, 0))
        yield conns
        alerts = GaugeMetricFamily(
            "etapiste_alerts_open", "Alerts whose cause persists, by kind", labels=["kind"]
        )
        kinds = Counter(kind for kind, _subject in self.monitor.engine.active())
        for kind in ("kiosk_offline", "device_fault", "call_failures", "long_wait"):
            alerts.add_metric([kind], kinds.get(kind, 0))
        yield alerts

    def _queues(self, now: float) -> Iterator[Metric]:
        labels = ["service", "language"]
        waiting = GaugeMetricFamily("etapiste_queue_waiting", "Citizens waiting", labels=labels)
        longest = GaugeMetricFamily(
            "etapiste_queue_longest_wait_seconds", "Longest current wait", labels=labels
        )
        ready = GaugeMetricFamily("etapiste_queue_ready_agents", "Ready agents", labels=labels)
        staffed = GaugeMetricFamily(
            "etapiste_queue_staffed_agents", "Logged-in agents serving the queue", labels=labels
        )
        answered = GaugeMetricFamily(
            "etapiste_queue_answered_today", "Calls answered since local midnight", labels=labels
        )
        abandoned = GaugeMetricFamily(
            "etapiste_queue_abandoned_today", "Citizens who left unanswered today", labels=labels
        )
        level = GaugeMetricFamily(
            "etapiste_queue_service_level_ratio",
            "Answered within the threshold over answered, today",
            labels=labels,
        )
        for row in self.monitor.snapshot.get("queues", []):
            key = [row["service_id"], row["language"]]
            since = row["longest_wait_since"]
            waiting.add_metric(key, row["waiting"])
            longest.add_metric(key, 0.0 if since is None else max(0.0, now - since))
            ready.add_metric(key, row["ready_agents"])
            staffed.add_metric(key, row["staffed_agents"])
            answered.add_metric(key, row["answered"])
            abandoned.add_metric(key, row["abandoned"])
            if row["service_level"] is not None:
                level.add_metric(key, row["service_level"])
        yield from (waiting, longest, ready, staffed, answered, abandoned, level)

    def _estimates(self) -> Iterator[Metric]:
        """Today's first wait estimates per service against the waits that followed
        (signaling.wait_report; none until someone was answered)."""
        labels = ["service"]
        error = GaugeMetricFamily(
            "etapiste_wait_estimate_abs_error_median_seconds",
            "Median |first shown estimate - actual wait| of citizens answered today",
            labels=labels,
        )
        close = GaugeMetricFamily(
            "etapiste_wait_estimate_within_2min_ratio",
            "Share of citizens answered today whose wait was within 2 min of their first estimate",
            labels=labels,
        )
        scored = GaugeMetricFamily(
            "etapiste_wait_estimates_scored_today",
            "Citizens answered today whose first estimate was a number",
            labels=labels,
        )
        broken = GaugeMetricFamily(
            "etapiste_wait_estimate_soon_then_over_10min_today",
            "Citizens first told a clerk would answer soon who still waited over 10 min, today",
            labels=labels,
        )
        for service, figures in self.monitor.estimates_today.items():
            scored.add_metric([service], figures.scored)
            broken.add_metric([service], figures.soon_then_over_10min)
            if figures.median_abs_error_s is not None and figures.within_2min is not None:
                error.add_metric([service], figures.median_abs_error_s)
                close.add_metric([service], figures.within_2min)
        yield from (error, close, scored, broken)

    def _agents(self) -> Iterator[Metric]:
        family = GaugeMetricFamily("etapiste_agents", "Logged-in agents by state", labels=["state"])
        states = Counter(a.state for a in self.router.agents())
        for state in AgentState:
            family.add_metric([state.value], states.get(state, 0))
        yield family

    def _kiosks(self, now: float) -> Iterator[Metric]:
        by_state = GaugeMetricFamily("etapiste_kiosks", "Kiosks by status", labels=["state"])
        up = GaugeMetricFamily(
            "etapiste_kiosk_up", "1 if the kiosk reports health in time", labels=["kiosk", "site"]
        )
        age = GaugeMetricFamily(
            "etapiste_kiosk_heartbeat_age_seconds",
            "Seconds since the kiosk's last health report",
            labels=["kiosk", "site"],
        )
        rows = self.monitor.snapshot.get("kiosks", [])
        states = Counter(r["state"] for r in rows)
        for state in KIOSK_STATES:
            by_state.add_metric([state], states.get(state, 0))
        for r in rows:
            up.add_metric([r["id"], r["site_id"]], 1.0 if r["state"] == "online" else 0.0)
            if r["heartbeat_at"] is not None:
                age.add_metric([r["id"], r["site_id"]], max(0.0, now - r["heartbeat_at"]))
        yield from (by_state, up, age)


def make_registry(
    router: Router,
    monitor: Monitor,
    connection_roles: Callable[[], Iterable[str]],
    clock: Callable[[], float],
) -> CollectorRegistry:
    """A registry of its own (not the global one), so several servers in a test do not mix."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(EtapisteCollector(router, monitor, connection_roles, clock))
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    return registry
