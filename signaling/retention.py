"""Retention: how long each kind of record is kept, and the purge that enforces it.

The periods are settings (``retention_*_days``; the defaults and the reason for each are in
``deploy/README.md``). The server purges when it starts and then every
``retention_interval_s``; ``python -m signaling purge`` does the same by hand. Each purge that
removed anything, and every purge at start, is written to the audit log with its counts.
Clerks' saved document photos are on their own computers, not in the database: the agent
console deletes them (it is told the period in ``welcome``) and reports the count, which the
hub audits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from jsonlog import fields
from signaling.settings import Settings
from signaling.store import Store
from signaling.store.records import PurgeCutoffs

__all__ = ["DAY_S", "RetentionPolicy", "purge"]

log = logging.getLogger("etapiste.retention")

DAY_S = 86400.0


@dataclass(frozen=True)
class RetentionPolicy:
    """Retention periods in days."""

    calls_days: int = 730
    notes_days: int = 30
    audit_days: int = 730
    sessions_days: int = 30
    photos_days: int = 7
    callback_numbers_days: int = 7

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionPolicy:
        """The periods configured for a server."""
        return cls(
            calls_days=settings.retention_calls_days,
            notes_days=settings.retention_notes_days,
            audit_days=settings.retention_audit_days,
            sessions_days=settings.retention_sessions_days,
            photos_days=settings.retention_photos_days,
            callback_numbers_days=settings.retention_callback_numbers_days,
        )

    def cutoffs(self, now: float) -> PurgeCutoffs:
        """What is older than each of these times goes."""
        return PurgeCutoffs(
            calls_before=now - self.calls_days * DAY_S,
            notes_before=now - self.notes_days * DAY_S,
            audit_before=now - self.audit_days * DAY_S,
            sessions_before=now - self.sessions_days * DAY_S,
        )


def purge(
    store: Store, policy: RetentionPolicy, actor: str, now: float, *, always_audit: bool = False
) -> dict[str, int]:
    """Delete what has outlived its period; audit the counts (when anything went, or always
    with ``always_audit``)."""
    cutoffs = policy.cutoffs(now)
    counts = store.purge(cutoffs)
    # Callback numbers (issue 14) go when their task ends; this is the latest they may stay.
    counts.update(store.purge_callbacks(
        numbers_before=now - policy.callback_numbers_days * DAY_S,
        records_before=cutoffs.calls_before,
    ))
    log.info("retention purge", extra=fields(**counts))
    if always_audit or any(counts.values()):
        detail: dict[str, object] = dict(counts)
        detail["days"] = {"calls": policy.calls_days, "notes": policy.notes_days,
                          "audit": policy.audit_days, "sessions": policy.sessions_days,
                          "callback_numbers": policy.callback_numbers_days}
        store.audit(actor, "retention_purge", None, detail, now=now)
    return counts
