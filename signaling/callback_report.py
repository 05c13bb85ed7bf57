"""Callbacks promised and kept (issue 14), per service point and service: for planners.

A promise is *kept* when the clerk recorded ``done`` before the promised day ended; ``done``
later is *late*; ``unreached`` means every attempt went unanswered; ``expired`` means nobody
called by the end of the promised day (the promise was broken by us, not by the citizen).
Open requests are counted apart. Pure functions over the stored records (no number in them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from signaling.store.callbacks import CallbackRecord

__all__ = ["CallbackRow", "callback_rows"]


@dataclass
class CallbackRow:
    """One service point × service over the period."""

    site_id: str
    service_id: str
    promised: int = 0
    kept: int = 0
    late: int = 0
    unreached: int = 0
    expired: int = 0
    open: int = 0

    @property
    def kept_share(self) -> float | None:
        """Kept of the promises that are over (None when none is over yet)."""
        over = self.promised - self.open
        return None if over == 0 else self.kept / over


def callback_rows(records: Iterable[CallbackRecord]) -> list[CallbackRow]:
    """Rows by site and service, in site then service order."""
    rows: dict[tuple[str, str], CallbackRow] = {}
    for r in records:
        key = (r.site_id or "", r.service_id)
        row = rows.setdefault(key, CallbackRow(*key))
        row.promised += 1
        if r.state == "open":
            row.open += 1
        elif r.state == "done":
            if r.ended_at is not None and r.ended_at <= r.due_at:
                row.kept += 1
            else:
                row.late += 1
        elif r.state == "unreached":
            row.unreached += 1
        else:
            row.expired += 1
    return [rows[k] for k in sorted(rows)]
