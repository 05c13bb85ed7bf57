"""Records the store hands out: frozen dataclasses, never raw rows.

No record holds citizen personal data: a queue entry or call names a kiosk, a service and a
language, never a person. Tokens and passwords appear only as hashes, and only
:class:`LoginRecord` carries one, for the password check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "CALL_OUTCOMES",
    "ENTRY_STATES",
    "ROLES",
    "AccountRecord",
    "AgencyRecord",
    "AgentStateRecord",
    "AlertRecord",
    "AuditRecord",
    "CallOutcome",
    "CallRecord",
    "ChainReport",
    "EntryRecord",
    "EntryState",
    "KioskHealthRecord",
    "KioskRecord",
    "LoginRecord",
    "PurgeCutoffs",
    "Revocation",
    "RevocationKind",
    "Role",
    "ServiceOverride",
    "ServiceRecord",
    "ShownEstimate",
    "SiteRecord",
    "StaffingRecord",
    "TermRecord",
    "WaitRecord",
]

Role = Literal["agent", "operator", "admin"]
EstimateKind = Literal["soon", "minutes", "none"]
EntryState = Literal["waiting", "offered", "in_call", "done"]
CallOutcome = Literal["answered", "abandoned", "cancelled", "refused", "transferred", "failed"]
ROLES: tuple[Role, ...] = ("agent", "operator", "admin")
RevocationKind = Literal["session", "kiosk", "kiosk_token"]
ENTRY_STATES: tuple[EntryState, ...] = ("waiting", "offered", "in_call", "done")
CALL_OUTCOMES: tuple[CallOutcome, ...] = (
    "answered",
    "abandoned",
    "cancelled",
    "refused",
    "transferred",
    "failed",
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
    hearing_loop: bool = False
    """The point has a hearing (induction) loop: its kiosks show the sign."""


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
    must_change_password: bool = False
    """An administrator reset the password: the next login must set a new one."""

    @property
    def disabled(self) -> bool:
        """Whether an administrator disabled the account."""
        return self.disabled_at is not None


@dataclass(frozen=True, slots=True)
class LoginRecord:
    """What a password check needs of an account: its id, password hash and whether an
    administrator disabled it."""

    id: str
    password_hash: str
    disabled: bool

    def __repr__(self) -> str:
        return f"LoginRecord(id={self.id!r}, disabled={self.disabled!r})"


@dataclass(frozen=True, slots=True)
class Revocation:
    """A revoking write, as every server process reads it to close live connections.

    ``kind`` says what ``subject`` is: a session id (logout, revocation, or one of the sessions
    an account loses when it is disabled or its password reset), a kiosk id (revoked), or the
    digest of a kiosk's device token that was rotated. ``reason`` is the goodbye the
    connections get (``revoked`` or ``logged_out``)."""

    seq: int
    at: float
    kind: RevocationKind
    subject: str
    reason: str


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
    hash: str | None = None
    """The row's link in the tamper-evident chain (None for rows older than the chain)."""


@dataclass(frozen=True, slots=True)
class ChainReport:
    """What checking the audit chain found. ``ok`` unless a row was changed, removed from the
    middle or inserted without the key; ``legacy`` rows predate the chain (schema 3)."""

    rows: int
    legacy: int
    first_bad_id: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the chain is intact."""
        return self.problem is None


@dataclass(frozen=True, slots=True)
class PurgeCutoffs:
    """Retention: what is older than each time goes. Call records by when the citizen
    queued, notes by when the call ended, audit rows by when written, sessions by when they
    expired or were revoked."""

    calls_before: float
    notes_before: float
    audit_before: float
    sessions_before: float


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


@dataclass(frozen=True, slots=True)
class ShownEstimate:
    """A wait estimate a kiosk showed: at ``at``, for the place ``entry_id`` at ``position``,
    ``estimate_s`` seconds (None with ``kind`` ``"none"``)."""

    entry_id: str
    at: float
    position: int
    estimate_s: float | None
    kind: EstimateKind


@dataclass(frozen=True, slots=True)
class WaitRecord:
    """One queue place's wait: the first estimate shown and what followed.

    ``answered`` is None while the citizen waits, True when a clerk answered at ``ended_at``,
    False when they left the queue unanswered then; ``waited_s`` is ``ended_at − queued_at``.
    """

    entry_id: str
    service_id: str
    language: str
    queued_at: float
    first_at: float | None
    first_s: float | None
    first_kind: EstimateKind | None
    ended_at: float | None
    answered: bool | None
    waited_s: float | None


@dataclass(frozen=True, slots=True)
class StaffingRecord:
    """Clerk-seconds in one UTC hour (``hour``: its start) for one service × language:
    logged in with the skill and language, and of those working (not on a break). Divided
    by 3600, the clerks there were on average."""

    hour: float
    service_id: str
    language: str
    logged_in_s: float
    working_s: float


@dataclass(frozen=True, slots=True)
class TermRecord:
    """A routing term: who took it when, and the routing writes made under it."""

    term: int
    holder: str
    taken_at: float
    writes: int
    last_write_at: float | None


@dataclass(frozen=True, slots=True)
class AgentStateRecord:
    """An agent's last routing state, kept so that a new routing node can restore it."""

    agent_id: str
    state: str
    reason: str | None
    since: float
    until: float | None
    updated_at: float
