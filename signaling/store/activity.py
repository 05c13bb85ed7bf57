"""When clerks were at work: their state changes, read back from the audit trail.

The hub already audits every routing state change of a clerk (``agent_state``), each login and
each logout, and each connection that dropped a clerk (``agent_dropped``); this reads them
back in time order for the language outlook (:mod:`signaling.outlook`). No new table: the audit
rows are kept for the audit retention period, far longer than the weeks the outlook looks at.
"""

from __future__ import annotations

import json

from signaling.store.db import SqlAggregate
from signaling.store.records import ClerkActivity

__all__ = ["LOGGED_OUT", "ActivitySql"]

LOGGED_OUT = "logged_out"
_QUERY = (
    "SELECT at, action, subject, detail FROM audit WHERE at >= ? AND at < ? "
    "AND action IN ('agent_state', 'agent_login', 'agent_logout', 'agent_dropped') "
    "ORDER BY at, id"
)


class ActivitySql(SqlAggregate):
    """Clerks' state changes over a time range."""

    def clerk_activity(self, since: float, until: float) -> list[ClerkActivity]:
        """State changes of every clerk in ``[since, until)``, oldest first."""
        rows = self._all(_QUERY, (since, until))
        out = []
        for row in rows:
            state = LOGGED_OUT
            if row["action"] == "agent_state":
                state = str(json.loads(row["detail"]).get("state") or LOGGED_OUT)
            out.append(ClerkActivity(float(row["at"]), str(row["subject"]), state))
        return out
