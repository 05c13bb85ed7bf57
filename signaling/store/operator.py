"""What the operator dashboard keeps: alerts (raised, acknowledged, cleared) and the last health
report of each kiosk, so both survive a restart.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from signaling.credentials import redact
from signaling.store.db import Row, SqlAggregate, to_json
from signaling.store.records import AlertRecord, KioskHealthRecord

__all__ = ["OperatorSql"]


class OperatorSql(SqlAggregate):
    """Alerts and kiosk health."""


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
            row = c.execute(
                "INSERT INTO alerts (kind, subject, kiosk_id, service_id, raised_at, detail) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (kind, subject, kiosk_id, service_id, raised_at, to_json(redact(detail or {}))),
            ).fetchone()
            return int(row[0])

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


def _alert(row: Row) -> AlertRecord:
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
