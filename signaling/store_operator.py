"""Store methods of the operator dashboard: alerts, last kiosk health, service overrides.

Mixed into :class:`signaling.store.Store` (tables from schema version 2), kept in a module of
their own so the dashboard's persistence reads in one place. Same rules as the store: one short
transaction a call, parameterised SQL, frozen records out, no citizen personal data in.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from signaling.credentials import redact
from signaling.store_schema import to_json

__all__ = ["AlertRecord", "KioskHealthRecord", "OperatorRecords", "ServiceOverride"]


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """One alert: raised, possibly acknowledged by an operator, cleared when the cause went."""

    id: int
    kind: str
    subject: str
    kiosk_id: str | None
    service_id: str | None
    raised_at: float
    cleared_at: float | None
    acknowledged_at: float | None
    acknowledged_by: str | None
    detail: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class KioskHealthRecord:
    """The last health report a kiosk sent (the wire ``KioskHealth`` as JSON) and when."""

    kiosk_id: str
    at: float
    health: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class ServiceOverride:
    """An administrator's replacement of a catalogue service's weekly hours or queue cap."""

    service_id: str
    weekly: Mapping[str, tuple[tuple[str, str], ...]] | None
    max_queue: int | None
    updated_at: float
    updated_by: str


def _alert(row: sqlite3.Row) -> AlertRecord:
    return AlertRecord(
        id=int(row["id"]),
        kind=str(row["kind"]),
        subject=str(row["subject"]),
        kiosk_id=row["kiosk_id"],
        service_id=row["service_id"],
        raised_at=float(row["raised_at"]),
        cleared_at=row["cleared_at"],
        acknowledged_at=row["acknowledged_at"],
        acknowledged_by=row["acknowledged_by"],
        detail=json.loads(row["detail"]),
    )


class OperatorRecords:
    """Alert, kiosk-health and service-override methods; needs the store's transaction."""

    if TYPE_CHECKING:
        _clock: Callable[[], float]

        def _tx(self, write: bool = True) -> AbstractContextManager[sqlite3.Connection]: ...
        def _all(self, sql: str, params: Iterable[object] = ()) -> list[sqlite3.Row]: ...
        def _changed(self, sql: str, params: Iterable[object]) -> bool: ...

    # --- alerts -------------------------------------------------------------------------------

    def raise_alert(
        self,
        kind: str,
        subject: str,
        raised_at: float,
        *,
        kiosk_id: str | None = None,
        service_id: str | None = None,
        detail: Mapping[str, object] | None = None,
    ) -> int:
        """Record a new alert and return its id."""
        with self._tx() as c:
            cur = c.execute(
                "INSERT INTO alerts (kind, subject, kiosk_id, service_id, raised_at, detail) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (kind, subject, kiosk_id, service_id, raised_at, to_json(redact(detail or {}))),
            )
            return int(cur.lastrowid or 0)

    def clear_alert(self, alert_id: int, cleared_at: float) -> bool:
        """Mark an alert's cause as gone. False if unknown or already cleared."""
        return self._changed(
            "UPDATE alerts SET cleared_at=? WHERE id=? AND cleared_at IS NULL",
            (cleared_at, alert_id),
        )

    def acknowledge_alert(self, alert_id: int, by: str, at: float) -> bool:
        """An operator has seen the alert. False if unknown or already acknowledged."""
        return self._changed(
            "UPDATE alerts SET acknowledged_at=?, acknowledged_by=? "
            "WHERE id=? AND acknowledged_at IS NULL",
            (at, by, alert_id),
        )

    def open_alerts(self) -> list[AlertRecord]:
        """Alerts whose cause is still there, oldest first."""
        rows = self._all("SELECT * FROM alerts WHERE cleared_at IS NULL ORDER BY raised_at, id")
        return [_alert(r) for r in rows]

    def recent_alerts(self, since: float, limit: int = 200) -> list[AlertRecord]:
        """Open alerts plus those cleared at or after ``since``, newest first."""
        rows = self._all(
            "SELECT * FROM alerts WHERE cleared_at IS NULL OR cleared_at >= ? "
            "ORDER BY raised_at DESC, id DESC LIMIT ?",
            (since, limit),
        )
        return [_alert(r) for r in rows]

    def alert(self, alert_id: int) -> AlertRecord | None:
        """The alert with ``alert_id``, or None."""
        rows = self._all("SELECT * FROM alerts WHERE id=?", (alert_id,))
        return _alert(rows[0]) if rows else None

    # --- last kiosk health --------------------------------------------------------------------

    def save_kiosk_health(self, kiosk_id: str, at: float, health: Mapping[str, object]) -> None:
        """Keep the latest health report of a kiosk (replacing the previous one)."""
        with self._tx() as c:
            c.execute(
                "INSERT INTO kiosk_health (kiosk_id, at, health) VALUES (?, ?, ?) "
                "ON CONFLICT(kiosk_id) DO UPDATE SET at=excluded.at, health=excluded.health",
                (kiosk_id, at, to_json(redact(health))),
            )

    def kiosk_health(self) -> dict[str, KioskHealthRecord]:
        """The last stored health report of every kiosk that ever sent one."""
        rows = self._all("SELECT * FROM kiosk_health")
        return {
            str(r["kiosk_id"]): KioskHealthRecord(
                str(r["kiosk_id"]), float(r["at"]), json.loads(r["health"])
            )
            for r in rows
        }

    # --- service overrides --------------------------------------------------------------------

    def set_service_override(
        self,
        service_id: str,
        by: str,
        *,
        weekly: Mapping[str, Sequence[tuple[str, str]]] | None,
        max_queue: int | None,
    ) -> ServiceOverride:
        """Replace a service's weekly hours and/or queue cap (None keeps the catalogue's)."""
        now = self._clock()
        weekly_json = None
        if weekly is not None:
            weekly_json = to_json({d: [list(i) for i in v] for d, v in weekly.items()})
        with self._tx() as c:
            c.execute(
                "INSERT INTO service_overrides (service_id, weekly, max_queue, updated_at, "
                "updated_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT(service_id) DO UPDATE SET "
                "weekly=excluded.weekly, max_queue=excluded.max_queue, "
                "updated_at=excluded.updated_at, updated_by=excluded.updated_by",
                (service_id, weekly_json, max_queue, now, by),
            )
        return next(o for o in self.service_overrides() if o.service_id == service_id)

    def service_overrides(self) -> list[ServiceOverride]:
        """Every service override, by service id."""
        return list(self._iter_overrides())

    def _iter_overrides(self) -> Iterator[ServiceOverride]:
        for r in self._all("SELECT * FROM service_overrides ORDER BY service_id"):
            weekly = None
            if r["weekly"] is not None:
                weekly = {
                    d: tuple((str(a), str(b)) for a, b in v)
                    for d, v in json.loads(r["weekly"]).items()
                }
            yield ServiceOverride(
                str(r["service_id"]), weekly, r["max_queue"], float(r["updated_at"]),
                str(r["updated_by"]),
            )
