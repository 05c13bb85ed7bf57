"""What the server keeps about a citizen's visit, column by column, and for how long.

This is the data map behind the kiosk's privacy notice (``kiosk/i18n/*.toml``, section
``[privacy]``): every column of the tables that describe a visit is listed here with the fact
of the notice it belongs to, and ``tests/server/test_privacy_notice.py`` checks both ways: a
column added to those tables without an entry here fails, and so does a fact the notice does
not state in Finnish, Swedish and English, or a period that differs from the settings.

No column names a person: a visit is a kiosk, a service, a language and times.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["FACT_PERIOD", "GONE_WITH_THE_VISIT", "INTERNAL", "SHOWN_ESTIMATES", "VISIT_RECORD",
           "WAIT_RECORD"]

VISIT_RECORD: Mapping[str, str] = MappingProxyType({
    "id": "internal",
    "entry_id": "internal",
    "queued_at": "times",
    "offered_at": "times",
    "answered_at": "times",
    "ended_at": "times",
    "site_id": "place",
    "kiosk_id": "place",
    "service_id": "service",
    "language": "service",
    "agent_id": "clerk",
    "outcome": "ending",
    "end_reason": "ending",
    "disposition": "outcome",
    "wrapup_note": "note",
    "quality": "quality",
    "rating": "rating",
})
"""Columns of ``calls``: one row per visit, kept for ``retention_calls_days`` (the note for
``retention_notes_days``)."""

GONE_WITH_THE_VISIT: Mapping[str, str] = MappingProxyType({
    "id": "internal",
    "kiosk_id": "place",
    "service_id": "service",
    "language": "service",
    "priority": "internal",
    "enqueued_at": "times",
    "state": "internal",
    "resume_token_hash": "internal",
    "updated_at": "internal",
})
"""Columns of ``queue_entries``: the place in the queue, deleted when the visit ends."""

WAIT_RECORD: Mapping[str, str] = MappingProxyType({
    "entry_id": "internal",
    "service_id": "service",
    "language": "service",
    "queued_at": "times",
    "first_at": "estimate",
    "first_s": "estimate",
    "first_kind": "estimate",
    "ended_at": "times",
    "answered": "ending",
    "waited_s": "times",
})
"""Columns of ``waits`` (issue 16): one row per queue place, the first wait estimate its
kiosk showed and the wait that followed; kept with the call records."""

SHOWN_ESTIMATES: Mapping[str, str] = MappingProxyType({
    "entry_id": "internal",
    "at": "estimate",
    "position": "estimate",
    "estimate_s": "estimate",
    "kind": "estimate",
})
"""Columns of ``shown_estimates`` (issue 16): every change of the place and wait a kiosk
showed; kept with the call records."""

INTERNAL = "internal"
"""Identifiers and bookkeeping that say nothing about the visit beyond the facts above."""

FACT_PERIOD: Mapping[str, str] = MappingProxyType({
    "times": "retention_calls_days",
    "place": "retention_calls_days",
    "service": "retention_calls_days",
    "clerk": "retention_calls_days",
    "ending": "retention_calls_days",
    "outcome": "retention_calls_days",
    "quality": "retention_calls_days",
    "rating": "retention_calls_days",
    "estimate": "retention_calls_days",
    "note": "retention_notes_days",
    "saved_photo": "retention_photos_days",
})
"""The setting that bounds how long each fact is kept (a saved photo lives on the clerk's
computer, not in these tables)."""
