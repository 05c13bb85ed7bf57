"""The store's typed interface: what the server needs of persistence, by aggregate.

:class:`Store` is the whole interface; the server, the hub and the admin actions are written
against it, never against a database. :class:`~signaling.store.sqlite.SqliteStore` (one node,
the embedded default) and :class:`~signaling.store.sqlite.PostgresStore` (several nodes
sharing state) implement it over the same aggregates and migrations.

**Synchronous, on purpose.** The hub calls the store from the event loop between two messages
and relies on each call being one short transaction that is done when it returns: the router's
actions are written through in order, before the next event is handled, so a crash never leaves
a place or call half recorded. An ``async`` interface would let other events interleave with a
write in flight, and every hub module would have to become a coroutine for no gain at this
load: the national load is calls per minute, and an indexed SQLite write transaction takes
about a tenth of a millisecond here. The only slow work near the store, argon2, runs off the
loop in the server's bounded password pool (:mod:`signaling.password_pool`); the store calls
around it stay on the loop.

**The PostgreSQL backend** (psycopg 3, :mod:`signaling.store.pg`) keeps this interface: one
``psycopg.Connection`` per node, one ``with conn.transaction():`` per method as
:mod:`signaling.store.db` does with ``BEGIN IMMEDIATE``, the aggregates' own SQL rewritten by
:mod:`signaling.store.dialect`, and a lock on the lease row where SQLite relies on its single
writer (:meth:`ClusterStore.fenced`), or an advisory lock (the audit chain). A call costs a
LAN round trip; if that ever shows in ``bench/signaling_load.py``, the hub's persistence
module is the place for a write-behind queue. Times are always the caller's (``now``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Protocol

from signaling.catalogue import Catalogue
from signaling.store.booking_interface import BookingStore
from signaling.store.callback_interface import CallbackStore
from signaling.store.cluster_interface import ClusterStore
from signaling.store.member_interface import MemberStore
from signaling.store.records import (
    AccountRecord,
    AgencyRecord,
    AlertRecord,
    AuditRecord,
    CallOutcome,
    CallRecord,
    ChainReport,
    EntryRecord,
    EntryState,
    KioskHealthRecord,
    KioskRecord,
    LoginRecord,
    PurgeCutoffs,
    Revocation,
    Role,
    ServiceOverride,
    ServiceRecord,
    ShownEstimate,
    SiteRecord,
    StaffingRecord,
    WaitRecord,
)

__all__ = [
    "AccountStore",
    "AuditStore",
    "BookingStore",
    "CallStore",
    "ClusterStore",
    "MemberStore",
    "OperatorStore",
    "QueueStore",
    "RevocationStore",
    "ServiceStore",
    "SiteStore",
    "StaffingStore",
    "Store",
    "WaitStore",
]


class AccountStore(Protocol):
    """Staff accounts, their skills and languages, password hashes, login sessions."""

    def create_account(
        self, username: str, display_name: str, role: Role, password_hash: str,
        skills: Iterable[str] = (), languages: Iterable[str] = (), *, now: float,
    ) -> str:
        """A new account's id; usernames are unique ignoring ASCII case."""
        ...

    def login_record(self, username: str) -> LoginRecord | None:
        """What a password check needs of the named account."""
        ...

    def replace_password_hash(self, account_id: str, old_hash: str, new_hash: str) -> bool:
        """Upgrade a hash of the same password, only if it is still ``old_hash``."""
        ...

    def set_password_hash(
        self, account_id: str, password_hash: str, *, now: float, must_change: bool = False
    ) -> None:
        """A new password: store its hash and revoke the account's sessions (each in the
        revocation feed); ``must_change`` for a temporary one an administrator set."""
        ...

    def account(self, account_id: str) -> AccountRecord | None:
        """One account, enabled or not."""
        ...

    def accounts(self) -> list[AccountRecord]:
        """Every account, by username."""
        ...

    def set_skills(self, account_id: str, skills: Iterable[str]) -> None:
        """Replace an agent's services."""
        ...

    def set_languages(self, account_id: str, languages: Iterable[str]) -> None:
        """Replace an agent's languages."""
        ...

    def disable_account(self, account_id: str, *, now: float) -> bool:
        """Disable an account and revoke its sessions (each in the revocation feed)."""
        ...

    def enable_account(self, account_id: str) -> bool:
        """Let a disabled account log in again."""
        ...

    def create_session(self, account_id: str, ttl_s: float, *, now: float) -> str:
        """Record a login session; its id."""
        ...

    def session_active(self, session_id: str, *, now: float) -> bool:
        """Unexpired, unrevoked, and the account enabled."""
        ...

    def revoke_session(self, session_id: str, *, now: float, reason: str = "logged_out") -> bool:
        """End one session (logout, or ``reason`` ``revoked``), in the revocation feed."""
        ...


class SiteStore(Protocol):
    """Joint service points and their kiosks; device tokens as hashes."""

    def create_site(
        self, site_id: str, name_fi: str, name_sv: str, name_en: str, region: str, *, now: float
    ) -> SiteRecord:
        """Add a site that is not in the catalogue."""
        ...

    def site(self, site_id: str) -> SiteRecord | None:
        """One site."""
        ...

    def sites(self) -> list[SiteRecord]:
        """Every site, by id."""
        ...

    def create_kiosk(self, site_id: str, name: str, *, now: float) -> tuple[str, str]:
        """``(kiosk_id, device_token)``; the token is returned this once."""
        ...

    def rotate_kiosk_token(self, kiosk_id: str, *, now: float) -> str:
        """A new token for an unrevoked kiosk; the old one stops working (revocation feed)."""
        ...

    def kiosk_by_token(self, token: str) -> KioskRecord | None:
        """The unrevoked kiosk owning ``token``."""
        ...

    def kiosk(self, kiosk_id: str) -> KioskRecord | None:
        """One kiosk, revoked or not."""
        ...

    def revoke_kiosk(self, kiosk_id: str, *, now: float) -> bool:
        """Revoke a kiosk's token for good (revocation feed)."""
        ...

    def list_kiosks(self, site_id: str | None = None) -> list[KioskRecord]:
        """Kiosks (revoked ones too), optionally of one site."""
        ...

    def kiosks_changed_mark(self) -> tuple[object, ...]:
        """Changes whenever a site or kiosk is added or revoked (re-read the lists then)."""
        ...

    def set_site_hearing_loop(self, site_id: str, hearing_loop: bool) -> bool:
        """Whether the site has a hearing loop; False if there is no such site."""
        ...


class ServiceStore(Protocol):
    """Agencies and services from the catalogue, and administrators' overrides."""

    def seed_catalogue(self, catalogue: Catalogue, *, now: float) -> None:
        """Upsert agencies, services and sites; retire services no longer listed."""
        ...

    def agencies(self) -> list[AgencyRecord]:
        """Every agency, by id."""
        ...

    def services(self) -> list[ServiceRecord]:
        """Services in the catalogue (retired ones excluded), by id."""
        ...

    def set_service_override(
        self, service_id: str, by: str, *, weekly: Mapping[str, Sequence[tuple[str, str]]] | None,
        max_queue: int | None, now: float,
    ) -> ServiceOverride:
        """Replace a service's weekly hours and/or queue cap."""
        ...

    def service_overrides(self) -> list[ServiceOverride]:
        """Every override, by service id."""
        ...


class QueueStore(Protocol):
    """Citizens' places as the router keeps them, written through for a restart."""

    def insert_entry(
        self, entry_id: str, kiosk_id: str, service_id: str, language: str, priority: int,
        enqueued_at: float, resume_token_hash: str | None = None, *,
        state: EntryState = "waiting", now: float,
    ) -> None:
        """Persist a new place (ids come from the router)."""
        ...

    def set_entry_state(
        self, entry_id: str, state: EntryState, *, priority: int | None = None, now: float
    ) -> bool:
        """Move a place to ``state`` (and maybe a new priority)."""
        ...

    def delete_entry(self, entry_id: str) -> bool:
        """Forget a place."""
        ...

    def close_entry(self, entry_id: str, ended_at: float, outcome: str | None) -> str | None:
        """Remove a place; record it as an unanswered call if it ended unanswered."""
        ...

    def entry(self, entry_id: str) -> EntryRecord | None:
        """One place."""
        ...

    def waiting_entries(
        self, states: Collection[EntryState] = ("waiting", "offered")
    ) -> list[EntryRecord]:
        """Places in ``states``, in serving order."""
        ...

    def set_resume_token_hash(
        self, entry_id: str, token_hash: str | None, *, now: float
    ) -> bool:
        """Attach (or clear) the hash of the kiosk's resume token."""
        ...

    def entry_by_resume_hash(self, token_hash: str) -> EntryRecord | None:
        """The open place carrying ``token_hash``."""
        ...


class CallStore(Protocol):
    """Call records, and places that ended unanswered, for the figures."""

    def call_started(
        self, call_id: str, *, entry_id: str, kiosk_id: str, agent_id: str, service_id: str,
        language: str, offered_at: float | None, answered_at: float,
        queued_at: float | None = None,
    ) -> None:
        """Record an answered call."""
        ...

    def call_ended(
        self, call_id: str, ended_at: float, outcome: CallOutcome, end_reason: str | None
    ) -> bool:
        """Close an open call."""
        ...

    def rate_call(self, call_id: str, kiosk_id: str, rating: int) -> bool:
        """The citizen's 1-5 rating of an ended call of that kiosk, once."""
        ...

    def call_wrapup(
        self, call_id: str, disposition: str, note: str | None = None, *,
        agent_id: str | None = None,
    ) -> bool:
        """The agent's wrap-up of a call."""
        ...

    def set_call_quality(self, call_id: str, quality: Mapping[str, object]) -> bool:
        """Media quality figures of a call."""
        ...

    def entry_closed(
        self, entry_id: str, kiosk_id: str, service_id: str, language: str, queued_at: float,
        ended_at: float, outcome: CallOutcome, end_reason: str | None = None,
    ) -> str:
        """Record a place that ended unanswered from explicit data."""
        ...

    def call(self, call_id: str) -> CallRecord | None:
        """One call."""
        ...

    def open_calls(self) -> list[CallRecord]:
        """Answered calls not yet ended, oldest first."""
        ...

    def calls_between(self, t0: float, t1: float) -> list[CallRecord]:
        """Calls queued in ``[t0, t1)``."""
        ...

    def calls_changed_since(self, t: float) -> list[CallRecord]:
        """Calls not ended yet, and calls that ended at or after ``t`` (indexed by end)."""
        ...


class AuditStore(Protocol):
    """The audit trail, and retention."""

    def audit(
        self, actor: str, action: str, subject: str | None = None,
        detail: Mapping[str, object] | None = None, *, now: float,
    ) -> None:
        """Append an audit line (secrets redacted)."""
        ...

    def audit_log(self, since: float = 0.0, limit: int = 1000) -> list[AuditRecord]:
        """Audit lines at or after ``since``, oldest first."""
        ...

    def audit_search(
        self, *, actor: str | None = None, action: str | None = None,
        since: float | None = None, until: float | None = None, before_id: int | None = None,
        limit: int = 200,
    ) -> list[AuditRecord]:
        """Audit lines newest first, filtered by actor (contains), action, time, page."""
        ...

    def audit_actions(self) -> list[str]:
        """The actions that occur in the audit log."""
        ...

    def verify_audit_chain(self) -> ChainReport:
        """Check the tamper-evident chain over the audit rows."""
        ...

    def purge(self, cutoffs: PurgeCutoffs) -> dict[str, int]:
        """Enforce retention; rows deleted (notes: cleared) by kind."""
        ...


class RevocationStore(Protocol):
    """The feed of revoking writes, which every server process follows."""

    def revocation_seq(self) -> int:
        """The newest revocation's sequence number (0 if none)."""
        ...

    def revocations_after(self, seq: int) -> list[Revocation]:
        """Revocations after ``seq``, oldest first."""
        ...


class OperatorStore(Protocol):
    """What the operator dashboard keeps: alerts and kiosks' last health reports."""

    def raise_alert(
        self, kind: str, subject: str, raised_at: float, *, kiosk_id: str | None = None,
        service_id: str | None = None, detail: Mapping[str, object] | None = None,
    ) -> int:
        """Record a new alert; its id."""
        ...

    def clear_alert(self, alert_id: int, cleared_at: float) -> bool:
        """The alert's cause has gone."""
        ...

    def acknowledge_alert(self, alert_id: int, by: str, at: float) -> bool:
        """An operator has seen the alert."""
        ...

    def open_alerts(self) -> list[AlertRecord]:
        """Alerts whose cause persists."""
        ...

    def recent_alerts(self, since: float, limit: int = 200) -> list[AlertRecord]:
        """Open alerts and those cleared since ``since``."""
        ...

    def alert(self, alert_id: int) -> AlertRecord | None:
        """One alert."""
        ...

    def save_kiosk_health(self, kiosk_id: str, at: float, health: Mapping[str, object]) -> None:
        """Keep a kiosk's latest health report."""
        ...

    def kiosk_health(self) -> dict[str, KioskHealthRecord]:
        """The last stored report of every kiosk."""
        ...


class WaitStore(Protocol):
    """The wait estimates kiosks showed, and the waits that followed."""

    def record_estimates(self, shown: Sequence[ShownEstimate]) -> None:
        """Store shown estimates (one transaction); keep each place's first."""
        ...

    def wait_ended(self, entry_id: str, ended_at: float, *, answered: bool) -> bool:
        """How a place's wait ended: answered, or left unanswered."""
        ...

    def waits_between(self, t0: float, t1: float) -> list[WaitRecord]:
        """Waits of the places that joined in ``[t0, t1)``."""
        ...

    def waits_of(self, entry_ids: Collection[str]) -> list[WaitRecord]:
        """The waits of these places (those that exist)."""
        ...

    def shown_estimates(self, entry_id: str) -> list[ShownEstimate]:
        """Every estimate one place's kiosk showed, in order."""
        ...


class StaffingStore(Protocol):
    """Clerk-seconds per hour, service and language."""

    def add_staffing(self, rows: Sequence[StaffingRecord]) -> None:
        """Add clerk-seconds to their hours (one transaction)."""
        ...

    def staffing_between(self, t0: float, t1: float) -> list[StaffingRecord]:
        """The hours starting in ``[t0, t1)``."""
        ...


class Store(
    AccountStore, SiteStore, ServiceStore, QueueStore, CallStore, AuditStore, OperatorStore,
    RevocationStore, WaitStore, StaffingStore, ClusterStore, BookingStore, CallbackStore,
    MemberStore, Protocol,
):
    """Everything the server persists, plus the handle's own life."""

    def ping(self) -> None:
        """Raise :class:`~signaling.errors.StoreError` unless the database answers."""
        ...

    def schema_version(self) -> int:
        """The schema version the database is at."""
        ...

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        ...

    def close(self) -> None:
        """Release the database; the store must not be used afterwards."""
        ...
