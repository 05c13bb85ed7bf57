"""Staffing history: clerk-seconds per hour, service and language (issue 16).

The staffing forecast shows the clerks who were there beside the clerks needed. The server
samples who serves each queue about once a second and adds the seconds here in batches
(:mod:`signaling.staffing_log`); hours are UTC hours by their start, which are also whole
Finnish hours.
"""

from __future__ import annotations

from collections.abc import Sequence

from signaling.store.db import SqlAggregate, from_row
from signaling.store.records import StaffingRecord

__all__ = ["StaffingSql"]


class StaffingSql(SqlAggregate):
    """Clerk-seconds per hour."""

    def add_staffing(self, rows: Sequence[StaffingRecord]) -> None:
        """Add clerk-seconds to their hours (one transaction)."""
        if not rows:
            return
        with self._tx() as c:
            c.executemany(
                "INSERT INTO staffing (hour, service_id, language, logged_in_s, working_s) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(hour, service_id, language) DO UPDATE SET "
                "logged_in_s = staffing.logged_in_s + excluded.logged_in_s, "
                "working_s = staffing.working_s + excluded.working_s",
                [(r.hour, r.service_id, r.language, r.logged_in_s, r.working_s) for r in rows],
            )

    def staffing_between(self, t0: float, t1: float) -> list[StaffingRecord]:
        """The hours starting in ``[t0, t1)``, by hour, service and language."""
        rows = self._all(
            "SELECT * FROM staffing WHERE hour >= ? AND hour < ? "
            "ORDER BY hour, service_id, language",
            (t0, t1),
        )
        return [from_row(StaffingRecord, r) for r in rows]
