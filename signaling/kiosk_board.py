"""The operator monitor's view of the kiosks, kept from changes only.

A kiosk is looked at again when something about it changed: it connected or left, reported
its health or call quality, joined, left or was served (the hub names the kiosk), its call
history changed, or the time came at which it would turn offline without a new report (a heap
of those times). Everything else keeps the row, status and alert facts computed last time; at
2,000 kiosks, walking all of them twice a second held the event loop for about 50 ms a step,
which showed as the tail of every clerk's offer latency.
"""

from __future__ import annotations

import heapq
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from jsonlog import fields
from signaling.alerts import DEVICES, KioskAlertFacts, kiosk_facts_for_alerts
from signaling.hub import LiveView
from signaling.kiosk_health import KioskFacts, KioskHealthTracker, KioskStatus
from signaling.routing.router import Router
from signaling.store.records import KioskRecord, SiteRecord

__all__ = ["HEALTH_PERSIST_S", "STEP_LIMIT", "KioskBoard"]

log = logging.getLogger("etapiste.monitor")

HEALTH_PERSIST_S = 60.0
STEP_LIMIT = 1000
"""Kiosks looked at again in one update at most, after the first (the rest wait a step)."""


class KioskBoard:
    """Rows, statuses and alert facts of every kiosk, updated for the changed ones."""

    def __init__(
        self, tracker: KioskHealthTracker, stored_health: Mapping[str, tuple[float, Any]],
        persist: Callable[[str, float, dict[str, Any]], None],
    ) -> None:
        self.tracker = tracker
        self._stored = dict(stored_health)
        self._persist = persist
        self._persisted: dict[str, tuple[float, str]] = {}
        self.kiosks: dict[str, KioskRecord] = {}
        self.sites: dict[str, SiteRecord] = {}
        self.order: list[str] = []
        self.rows: dict[str, dict[str, Any]] = {}
        self._listed: list[dict[str, Any]] = []  # the rows in `order` (those that have one)
        self._place: dict[str, int] = {}  # kiosk id -> index in _listed
        self._stale = True  # _listed must be made again from `order` and `rows`
        self.rows_built = 0
        """Rows computed so far (what a test checks follows the changed kiosks)."""
        self.statuses: dict[str, KioskStatus] = {}
        self.alert_facts: dict[str, KioskAlertFacts] = {}
        self.call_reasons: dict[str, list[str | None]] = {}
        self.dirty: set[str] = set()
        self.version = 0
        """Bumped whenever a row changed: the snapshot's kiosk part is rebuilt then only."""
        self._deadlines: list[tuple[float, str]] = []
        self._all_alertable = False
        self._looked = False  # the first update looks at every kiosk, whatever their number

    def touch(self, kiosk_id: str) -> None:
        """Something about ``kiosk_id`` changed: look at it at the next update."""
        self.dirty.add(kiosk_id)

    def set_kiosks(self, kiosks: list[KioskRecord], sites: dict[str, SiteRecord]) -> set[str]:
        """The kiosks and sites as the store has them now; the ids that went away."""
        new = {k.id: k for k in kiosks}
        gone = set(self.kiosks) - set(new)
        changed = {k for k, rec in new.items() if self.kiosks.get(k) != rec}
        if changed or gone or sites != self.sites:
            self.dirty |= changed if sites == self.sites else set(new)
            self.kiosks, self.sites = new, sites
            self.order = sorted(new, key=self._sort_key)
            self.version += 1
            self._stale = True
        for kiosk_id in gone:
            self.rows.pop(kiosk_id, None)
            self.statuses.pop(kiosk_id, None)
            self.alert_facts.pop(kiosk_id, None)
            self.tracker.forget(kiosk_id)
        return gone

    def set_call_reasons_of(self, reasons: Mapping[str, list[str | None]]) -> None:
        """Some kiosks' latest call end reasons, newest first (empty: none any more); the
        others keep theirs. Changed kiosks become dirty."""
        for kiosk_id, latest in reasons.items():
            if latest != self.call_reasons.get(kiosk_id, []):
                self.dirty.add(kiosk_id)
            if latest:
                self.call_reasons[kiosk_id] = latest
            else:
                self.call_reasons.pop(kiosk_id, None)

    def site_names(self, site_id: str) -> dict[str, str]:
        """The joint service point's official names, ``{language: name}``."""
        site = self.sites.get(site_id)
        if site is None:
            return {"fi": site_id, "sv": site_id, "en": site_id}
        return {"fi": site.name_fi, "sv": site.name_sv, "en": site.name_en}

    def _sort_key(self, kiosk_id: str) -> tuple[str, str, str]:
        k = self.kiosks[kiosk_id]
        site = self.sites.get(k.site_id)
        region = site.region if site and site.region else "—"
        return region, self.site_names(k.site_id)["fi"], k.name

    # --------------------------------------------------------------------- update

    def update(
        self, now: float, live: LiveView, router: Router
    ) -> dict[str, KioskAlertFacts]:
        """Look again at the dirty kiosks and those due to turn offline; their alert facts."""
        while self._deadlines and self._deadlines[0][0] <= now:
            self.dirty.add(heapq.heappop(self._deadlines)[1])
        if not self._all_alertable and now - self.tracker.started_at > (
            self.tracker.policy.offline_after_s
        ):
            self._all_alertable = True  # offline verdicts from before the start now count
            self.dirty |= set(self.kiosks)
        dirty, self.dirty = self.dirty & set(self.kiosks), set()
        if not dirty:
            return {}
        if self._looked and len(dirty) > STEP_LIMIT:
            # Everyone at once (offline verdicts starting to count, a site renamed) held the
            # loop for ~300 ms of CPU at 10,000 kiosks: the rest waits for the next steps.
            rest = set(sorted(dirty)[STEP_LIMIT:])
            dirty -= rest
            self.dirty = rest
        self._looked = True
        connected = live.connected_kiosks()
        changed: dict[str, KioskAlertFacts] = {}
        for kiosk_id in dirty:
            changed[kiosk_id] = self._update_one(kiosk_id, now, live, router, connected)
        return changed

    def _update_one(
        self, kiosk_id: str, now: float, live: LiveView, router: Router, connected: Any
    ) -> KioskAlertFacts:
        at, health = self._health(kiosk_id, live)
        if health is not None and kiosk_id in live.kiosk_live:
            self._persist_health(kiosk_id, at, health)
        facts = KioskFacts(kiosk_id, kiosk_id in connected, at)
        status, transition = self.tracker.update(facts, now)
        if transition is not None:
            log.info("kiosk state", extra=fields(
                kiosk=kiosk_id, change=f"{transition.old} -> {transition.new}"))
        offline_at = self.tracker.offline_at(facts)
        if status.state == "online" and offline_at is not None:
            heapq.heappush(self._deadlines, (offline_at + 0.001, kiosk_id))
        self.statuses[kiosk_id] = status
        offline = None
        if status.alertable and status.state != "never_seen":
            offline = status.state == "offline"
        devices = None if health is None else {d: str(health.get(d)) for d in DEVICES}
        alert = kiosk_facts_for_alerts(
            kiosk_id, offline, devices, self.call_reasons.get(kiosk_id, [])
        )
        self.alert_facts[kiosk_id] = alert
        row = self._row(kiosk_id, status, health or {}, live, router)
        self.rows_built += 1
        if row != self.rows.get(kiosk_id):
            new = kiosk_id not in self.rows
            self.rows[kiosk_id] = row
            self.version += 1
            if new:  # the first row of a kiosk: the list is made again, once, when asked
                self._stale = True
            elif not self._stale:
                self._listed[self._place[kiosk_id]] = row
        return alert

    def _health(self, kiosk_id: str, live: LiveView) -> tuple[float | None, dict[str, Any] | None]:
        facts = live.kiosk_live.get(kiosk_id)
        if facts is not None and facts.health is not None and facts.health_at is not None:
            return facts.health_at, facts.health.model_dump(mode="json")
        stored = self._stored.get(kiosk_id)
        return (stored[0], dict(stored[1])) if stored else (None, None)

    def _persist_health(self, kiosk_id: str, at: float | None, health: dict[str, Any]) -> None:
        if at is None:
            return
        devices = json.dumps([health.get(d) for d in ("camera", "microphone", "speaker")])
        last = self._persisted.get(kiosk_id)
        if last is not None and at <= last[0]:
            return
        if last is None or at - last[0] >= HEALTH_PERSIST_S or last[1] != devices:
            self._persist(kiosk_id, at, health)
            self._persisted[kiosk_id] = (at, devices)

    def _row(
        self, kiosk_id: str, st: KioskStatus, h: dict[str, Any], live: LiveView, router: Router
    ) -> dict[str, Any]:
        k = self.kiosks[kiosk_id]
        facts = live.kiosk_live.get(kiosk_id)
        quality = facts.last_quality.quality if facts and facts.last_quality else None
        site = self.sites.get(k.site_id)
        activity = ""
        if router.call_for_kiosk(kiosk_id) is not None:
            activity = "in_call"
        elif router.entry_for_kiosk(kiosk_id) is not None:
            activity = "waiting"
        return {
            "id": k.id,
            "name": k.name,
            "site_id": k.site_id,
            "site": self.site_names(k.site_id),
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

    def row_list(self) -> list[dict[str, Any]]:
        """Every kiosk's row, in the dashboard's order (region, site, name): a copy of the
        kept list (a pointer copy, not the rows), so a snapshot holding it never changes.

        The list is made again from the order only when kiosks came, went or moved (or a
        kiosk got its first row); otherwise a changed row took its old one's place."""
        if self._stale:
            self._listed = [self.rows[k] for k in self.order if k in self.rows]
            self._place = {row["id"]: i for i, row in enumerate(self._listed)}
            self._stale = False
        return list(self._listed)
