"""Schema of the SQLite store: migrations, seeding SQL, records, and rows-to-records mapping.

Migrations only go forward. Each is a tuple of statements run in one transaction together with
the bump of ``schema_version``, so a crash leaves either the old or the new schema. Never edit
a released migration: add the next one.

No table holds citizen personal data: a queue entry or call names a kiosk, a service and a
language, never a person. Tokens and passwords appear only as hashes.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from signaling.catalogue import Catalogue, Service

__all__ = [
    "CALL_OUTCOMES",
    "ENTRY_STATES",
    "MIGRATIONS",
    "ROLES",
    "AccountRecord",
    "AgencyRecord",
    "AuditRecord",
    "CallOutcome",
    "CallRecord",
    "EntryRecord",
    "EntryState",
    "KioskRecord",
    "Role",
    "ServiceRecord",
    "SiteRecord",
    "call_from_row",
    "from_row",
    "service_from_row",
    "service_params",
    "to_json",
]

Role = Literal["agent", "operator"]
EntryState = Literal["waiting", "offered", "in_call", "done"]
CallOutcome = Literal["answered", "abandoned", "cancelled", "refused", "transferred", "failed"]
ROLES: tuple[Role, ...] = ("agent", "operator")
ENTRY_STATES: tuple[EntryState, ...] = ("waiting", "offered", "in_call", "done")
CALL_OUTCOMES: tuple[CallOutcome, ...] = (
    "answered",
    "abandoned",
    "cancelled",
    "refused",
    "transferred",
    "failed",
)

_V1: tuple[str, ...] = (
    """CREATE TABLE agencies (
        id TEXT PRIMARY KEY,
        name_fi TEXT NOT NULL, name_sv TEXT NOT NULL, name_en TEXT NOT NULL,
        updated_at REAL NOT NULL
    )""",
    """CREATE TABLE sites (
        id TEXT PRIMARY KEY,
        name_fi TEXT NOT NULL, name_sv TEXT NOT NULL, name_en TEXT NOT NULL,
        region TEXT NOT NULL,
        created_at REAL NOT NULL
    )""",
    """CREATE TABLE kiosks (
        id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id),
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at REAL NOT NULL,
        revoked_at REAL
    )""",
    "CREATE INDEX kiosks_site ON kiosks(site_id)",
    """CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('agent', 'operator')),
        password_hash TEXT NOT NULL,
        created_at REAL NOT NULL,
        disabled_at REAL
    )""",
    # retired_at: a service dropped from the catalogue stays for the call history that
    # references it, but is no longer offered.
    """CREATE TABLE services (
        id TEXT PRIMARY KEY,
        agency_id TEXT NOT NULL REFERENCES agencies(id),
        name_fi TEXT NOT NULL, name_sv TEXT NOT NULL, name_en TEXT NOT NULL,
        languages TEXT NOT NULL,
        max_queue INTEGER NOT NULL,
        default_handle_s INTEGER NOT NULL,
        hours TEXT NOT NULL,
        tz TEXT NOT NULL,
        updated_at REAL NOT NULL,
        retired_at REAL
    )""",
    """CREATE TABLE agent_skills (
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        service_id TEXT NOT NULL REFERENCES services(id),
        PRIMARY KEY (account_id, service_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE agent_languages (
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        language TEXT NOT NULL,
        PRIMARY KEY (account_id, language)
    ) WITHOUT ROWID""",
    """CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        revoked_at REAL
    )""",
    "CREATE INDEX sessions_account ON sessions(account_id)",
    """CREATE TABLE queue_entries (
        id TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL REFERENCES kiosks(id),
        service_id TEXT NOT NULL REFERENCES services(id),
        language TEXT NOT NULL,
        priority INTEGER NOT NULL DEFAULT 0,
        enqueued_at REAL NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('waiting', 'offered', 'in_call', 'done')),
        resume_token_hash TEXT UNIQUE,
        updated_at REAL NOT NULL
    )""",
    "CREATE INDEX queue_entries_order ON queue_entries(state, priority DESC, enqueued_at, id)",
    # entry_id is deliberately not a foreign key: queue entries are deleted once closed,
    # while the call row stays for reporting.
    """CREATE TABLE calls (
        id TEXT PRIMARY KEY,
        entry_id TEXT NOT NULL,
        kiosk_id TEXT NOT NULL REFERENCES kiosks(id),
        site_id TEXT NOT NULL REFERENCES sites(id),
        agent_id TEXT REFERENCES accounts(id),
        service_id TEXT NOT NULL REFERENCES services(id),
        language TEXT NOT NULL,
        queued_at REAL NOT NULL,
        offered_at REAL,
        answered_at REAL,
        ended_at REAL,
        outcome TEXT CHECK (outcome IN
            ('answered', 'abandoned', 'cancelled', 'refused', 'transferred', 'failed')),
        end_reason TEXT,
        disposition TEXT,
        wrapup_note TEXT,
        quality TEXT
    )""",
    "CREATE INDEX calls_queued ON calls(queued_at)",
    "CREATE INDEX calls_open ON calls(ended_at) WHERE ended_at IS NULL",
    """CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at REAL NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}'
    )""",
    "CREATE INDEX audit_at ON audit(at)",
)

# Version 2: operator dashboard. Alerts are kept (raised, cleared, acknowledged) for the
# record; the last health report of each kiosk survives a restart; an administrator's edits
# of a service's opening hours or queue cap override the catalogue file.
_V2: tuple[str, ...] = (
    """CREATE TABLE alerts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        kiosk_id TEXT,
        service_id TEXT,
        raised_at REAL NOT NULL,
        cleared_at REAL,
        acknowledged_at REAL,
        acknowledged_by TEXT,
        detail TEXT NOT NULL DEFAULT '{}'
    )""",
    "CREATE INDEX alerts_open ON alerts(cleared_at, raised_at)",
    """CREATE TABLE kiosk_health (
        kiosk_id TEXT PRIMARY KEY REFERENCES kiosks(id),
        at REAL NOT NULL,
        health TEXT NOT NULL
    )""",
    """CREATE TABLE service_overrides (
        service_id TEXT PRIMARY KEY REFERENCES services(id),
        weekly TEXT,
        max_queue INTEGER,
        updated_at REAL NOT NULL,
        updated_by TEXT NOT NULL
    )""",
)

# Version 3: the citizen's anonymous 1-5 rating of an answered call, from the kiosk.
_V3: tuple[str, ...] = (
    "ALTER TABLE calls ADD COLUMN rating INTEGER CHECK (rating BETWEEN 1 AND 5)",
)

#: ``MIGRATIONS[n - 1]`` brings the schema from version ``n - 1`` to ``n``.
MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2, _V3)

# Catalogue seeding. Each upsert touches a row only when something changed (row-value IS NOT
# treats NULLs as equal), so re-seeding an unchanged catalogue writes nothing.
UPSERT_AGENCY = (
    "INSERT INTO agencies (id, name_fi, name_sv, name_en, updated_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT(id) DO UPDATE SET name_fi=excluded.name_fi, name_sv=excluded.name_sv, "
    "name_en=excluded.name_en, updated_at=excluded.updated_at "
    "WHERE (name_fi, name_sv, name_en) IS NOT "
    "(excluded.name_fi, excluded.name_sv, excluded.name_en)"
)
UPSERT_SERVICE = (
    "INSERT INTO services (id, agency_id, name_fi, name_sv, name_en, languages, max_queue, "
    "default_handle_s, hours, tz, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(id) DO UPDATE SET agency_id=excluded.agency_id, name_fi=excluded.name_fi, "
    "name_sv=excluded.name_sv, name_en=excluded.name_en, languages=excluded.languages, "
    "max_queue=excluded.max_queue, default_handle_s=excluded.default_handle_s, "
    "hours=excluded.hours, tz=excluded.tz, updated_at=excluded.updated_at, retired_at=NULL "
    "WHERE retired_at IS NOT NULL OR (agency_id, name_fi, name_sv, name_en, languages, "
    "max_queue, default_handle_s, hours, tz) IS NOT (excluded.agency_id, excluded.name_fi, "
    "excluded.name_sv, excluded.name_en, excluded.languages, excluded.max_queue, "
    "excluded.default_handle_s, excluded.hours, excluded.tz)"
)
RETIRE_SERVICES = (
    "UPDATE services SET retired_at=?, updated_at=? WHERE retired_at IS NULL "
    "AND id NOT IN (SELECT value FROM json_each(?))"
)
UPSERT_SITE = (
    "INSERT INTO sites (id, name_fi, name_sv, name_en, region, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name_fi=excluded.name_fi, "
    "name_sv=excluded.name_sv, name_en=excluded.name_en, region=excluded.region "
    "WHERE (name_fi, name_sv, name_en, region) IS NOT "
    "(excluded.name_fi, excluded.name_sv, excluded.name_en, excluded.region)"
)


@dataclass(frozen=True, slots=True)
class AgencyRecord:
    """An agency as seeded from the catalogue."""

    id: str
    name_fi: str
    name_sv: str
    name_en: str


@dataclass(frozen=True, slots=True)
class SiteRecord:
    """A joint service point."""

    id: str
    name_fi: str
    name_sv: str
    name_en: str
    region: str
    created_at: float


@dataclass(frozen=True, slots=True)
class KioskRecord:
    """A kiosk device. The token hash is not exposed: nothing outside the store needs it."""

    id: str
    site_id: str
    name: str
    created_at: float
    revoked_at: float | None


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """A staff account (agent or operator), without its password hash."""

    id: str
    username: str
    display_name: str
    role: Role
    created_at: float
    disabled_at: float | None
    skills: frozenset[str]
    languages: frozenset[str]

    @property
    def disabled(self) -> bool:
        """Whether an administrator disabled the account."""
        return self.disabled_at is not None


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    """A service as stored. ``weekly`` maps weekday keys to ``(start, end)`` "HH:MM" pairs;
    ``closed_dates`` are ISO dates (catalogue holidays already merged in)."""

    id: str
    agency_id: str
    name_fi: str
    name_sv: str
    name_en: str
    languages: tuple[str, ...]
    max_queue: int
    default_handle_s: int
    weekly: Mapping[str, tuple[tuple[str, str], ...]]
    closed_dates: tuple[str, ...]
    tz: str
    updated_at: float


@dataclass(frozen=True, slots=True)
class EntryRecord:
    """A citizen's place in a queue (service × language), identified only by kiosk."""

    id: str
    kiosk_id: str
    service_id: str
    language: str
    priority: int
    enqueued_at: float
    state: EntryState
    resume_token_hash: str | None
    updated_at: float


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One call, or one queue entry that ended unanswered (``answered_at`` is None)."""

    id: str
    entry_id: str
    kiosk_id: str
    site_id: str
    agent_id: str | None
    service_id: str
    language: str
    queued_at: float
    offered_at: float | None
    answered_at: float | None
    ended_at: float | None
    outcome: CallOutcome | None
    end_reason: str | None
    disposition: str | None
    wrapup_note: str | None
    quality: Mapping[str, object] | None
    rating: int | None = None
    """The citizen's 1-5 rating from the kiosk, if given."""


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One audit log line. ``actor`` is e.g. ``agent:<id>``, ``admin:cli``, ``kiosk:<id>``."""

    id: int
    at: float
    actor: str
    action: str
    subject: str
    detail: Mapping[str, object]


# --- row mapping ------------------------------------------------------------------------------

_R = TypeVar("_R")


def from_row(cls: type[_R], row: sqlite3.Row, **override: Any) -> _R:
    """Build record ``cls`` from the row's columns named like its fields; ``override`` wins.

    Selecting by column name keeps records right when a migration appends columns."""
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    return cls(**{n: override[n] if n in override else row[n] for n in names})


def to_json(value: object) -> str:
    """Canonical JSON (sorted keys, no spaces) so equal data gives equal column text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def service_params(catalogue: Catalogue, s: Service, now: float) -> tuple[object, ...]:
    """Parameters of :data:`UPSERT_SERVICE` for catalogue service ``s``."""
    hours = {
        "weekly": {day: [list(iv) for iv in ivs] for day, ivs in s.hours.weekly.items()},
        "closed_dates": [d.isoformat() for d in catalogue.closed_dates(s)],
    }
    return (s.id, s.agency, s.names.fi, s.names.sv, s.names.en, to_json(list(s.languages)),
            s.max_queue, s.default_handle_s, to_json(hours), s.hours.tz, now)


def service_from_row(row: sqlite3.Row) -> ServiceRecord:
    """A :class:`ServiceRecord` from a ``services`` row."""
    hours = json.loads(row["hours"])
    weekly = {day: tuple((str(a), str(b)) for a, b in ivs) for day, ivs in hours["weekly"].items()}
    return from_row(
        ServiceRecord,
        row,
        languages=tuple(json.loads(row["languages"])),
        weekly=weekly,
        closed_dates=tuple(hours.get("closed_dates", ())),
    )


def call_from_row(row: sqlite3.Row) -> CallRecord:
    """A :class:`CallRecord` from a ``calls`` row."""
    quality = None if row["quality"] is None else json.loads(row["quality"])
    return from_row(CallRecord, row, quality=quality)
