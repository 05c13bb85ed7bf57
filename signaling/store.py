"""Persistent store of the signaling server: SQLite in WAL mode, one short transaction a call.

The server calls the store synchronously from its event loop; every method is one small,
indexed transaction. WAL with ``synchronous=NORMAL`` makes each commit survive a crash of the
process (only a power loss can drop the last commits), which is what queue write-through needs.
Methods return frozen dataclasses from :mod:`signaling.store_schema`, never raw rows, and use
parameterised SQL only. Times are float epoch seconds.
"""

from __future__ import annotations

import dataclasses
import hmac
import json
import logging
import os
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from argon2 import PasswordHasher

from signaling.catalogue import Catalogue, Names
from signaling.credentials import (
    DEVICE_TOKEN_PREFIX,
    dummy_verify,
    hash_password,
    hash_token,
    needs_rehash,
    new_device_token,
    redact,
    verify_password,
)
from signaling.errors import StoreError
from signaling.store_operator import OperatorRecords
from signaling.store_schema import (
    MIGRATIONS,
    RETIRE_SERVICES,
    ROLES,
    UPSERT_AGENCY,
    UPSERT_SERVICE,
    UPSERT_SITE,
    AccountRecord,
    AgencyRecord,
    AuditRecord,
    CallOutcome,
    CallRecord,
    EntryRecord,
    EntryState,
    KioskRecord,
    Role,
    ServiceRecord,
    SiteRecord,
    call_from_row,
    from_row,
    service_from_row,
    service_params,
    to_json,
)

__all__ = ["DB_FILENAME", "UNANSWERED_OUTCOMES", "Store"]

log = logging.getLogger("etapiste.store")

DB_FILENAME = "etapiste.db"
#: Outcomes for which a queue entry that was never answered still gets a calls row.
UNANSWERED_OUTCOMES: frozenset[str] = frozenset({"abandoned", "cancelled", "refused", "failed"})
_WRAPUP_NOTE_MAX = 1000


def _names(names: Names) -> tuple[str, str, str]:
    return names.fi, names.sv, names.en


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


class Store(OperatorRecords):
    """The SQLite store. Create with :meth:`open`; close with :meth:`close`.

    Built for one event loop, but an internal lock keeps the connection consistent if a
    benchmark or an executor thread calls in; it is not held during password hashing.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        clock: Callable[[], float],
        hasher: PasswordHasher | None,
    ) -> None:
        """Wrap an open connection. Use :meth:`open`, which also configures and migrates."""
        self._conn = conn
        self._conn.row_factory = sqlite3.Row
        self.path = path
        self._clock = clock
        self._hasher = hasher
        self._lock = threading.RLock()

    # --- lifecycle ----------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        data_dir: str | Path,
        *,
        clock: Callable[[], float] = time.time,
        hasher: PasswordHasher | None = None,
        busy_timeout_ms: int = 5000,
    ) -> Store:
        """Open (creating if needed) ``<data_dir>/etapiste.db`` and migrate it to the latest
        schema. ``hasher`` overrides the argon2 parameters (tests use cheap ones)."""
        data_dir = Path(data_dir)
        path = data_dir / DB_FILENAME
        try:
            data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            # The file holds password hashes: create it private before SQLite does with 0644.
            # SQLite gives the -wal and -shm files the same permissions.
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open store at {path}: {exc}") from exc
        store = cls(conn, path, clock, hasher)
        try:
            with store._errors():
                conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
                mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    log.warning("journal mode not wal", extra={"fields": {"mode": str(mode)}})
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA foreign_keys=ON")
            store._migrate()
        except BaseException:
            conn.close()
            raise
        return store

    def close(self) -> None:
        """Close the connection. The store must not be used afterwards."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ping(self) -> None:
        """Raise :class:`StoreError` unless the database answers (readiness probe)."""
        with self._tx(write=False) as c:
            c.execute("SELECT 1 FROM schema_version LIMIT 1").fetchone()

    def schema_version(self) -> int:
        """The schema version the database is at."""
        with self._tx(write=False) as c:
            return int(c.execute("SELECT MAX(version) FROM schema_version").fetchone()[0])

    def _migrate(self) -> None:
        with self._tx() as c:
            c.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                "version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)"
            )
            row = c.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
            current = int(row[0])
            if current > len(MIGRATIONS):
                raise StoreError(
                    f"{self.path}: schema version {current} is newer than this server "
                    f"supports ({len(MIGRATIONS)}); upgrade the server"
                )
            for version in range(current + 1, len(MIGRATIONS) + 1):
                for statement in MIGRATIONS[version - 1]:
                    c.execute(statement)
                c.execute("INSERT INTO schema_version VALUES (?, ?)", (version, self._clock()))
                log.info("store migrated", extra={"fields": {"schema_version": version}})

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"constraint failed: {exc}") from exc
        except sqlite3.Error as exc:
            raise StoreError(f"store error: {exc}") from exc

    @contextmanager
    def _tx(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front, so a writer never fails half-way on a lock
        # upgrade; reads use a deferred transaction for one consistent snapshot.
        with self._lock, self._errors():
            self._conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    def _changed(self, sql: str, params: Iterable[object]) -> bool:
        with self._tx() as c:
            return c.execute(sql, tuple(params)).rowcount > 0

    def _one(self, sql: str, params: Iterable[object]) -> sqlite3.Row | None:
        with self._tx(write=False) as c:
            row: sqlite3.Row | None = c.execute(sql, tuple(params)).fetchone()
            return row

    def _all(self, sql: str, params: Iterable[object] = ()) -> list[sqlite3.Row]:
        with self._tx(write=False) as c:
            return c.execute(sql, tuple(params)).fetchall()

    # --- catalogue ----------------------------------------------------------------------------

    def seed_catalogue(self, catalogue: Catalogue) -> None:
        """Upsert agencies, services and sites from ``catalogue``. Idempotent: unchanged rows
        keep their timestamps. Services missing from the catalogue are retired, not deleted,
        because call history refers to them."""
        now = self._clock()
        with self._tx() as c:
            c.executemany(
                UPSERT_AGENCY,
                [(a.id, *_names(a.names), now) for a in catalogue.agencies],
            )
            c.executemany(
                UPSERT_SERVICE, [service_params(catalogue, s, now) for s in catalogue.services]
            )
            c.execute(RETIRE_SERVICES, (now, now, to_json([s.id for s in catalogue.services])))
            sites = [(x.id, *_names(x.names), x.region, now) for x in catalogue.sites]
            c.executemany(UPSERT_SITE, sites)

    def agencies(self) -> list[AgencyRecord]:
        """All agencies, by id."""
        return [from_row(AgencyRecord, r) for r in self._all("SELECT * FROM agencies ORDER BY id")]

    def services(self) -> list[ServiceRecord]:
        """Services currently in the catalogue (retired ones excluded), by id."""
        rows = self._all("SELECT * FROM services WHERE retired_at IS NULL ORDER BY id")
        return [service_from_row(r) for r in rows]

    # --- sites and kiosks ---------------------------------------------------------------------

    def create_site(
        self, site_id: str, name_fi: str, name_sv: str, name_en: str, region: str
    ) -> SiteRecord:
        """Add a site that is not in the catalogue."""
        site = SiteRecord(site_id, name_fi, name_sv, name_en, region, self._clock())
        with self._tx() as c:
            c.execute(
                "INSERT INTO sites (id, name_fi, name_sv, name_en, region, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                dataclasses.astuple(site),
            )
        return site

    def site(self, site_id: str) -> SiteRecord | None:
        """The site with ``site_id``, or None."""
        row = self._one("SELECT * FROM sites WHERE id=?", (site_id,))
        return None if row is None else from_row(SiteRecord, row)

    def sites(self) -> list[SiteRecord]:
        """All sites, by id."""
        return [from_row(SiteRecord, r) for r in self._all("SELECT * FROM sites ORDER BY id")]

    def create_kiosk(self, site_id: str, name: str) -> tuple[str, str]:
        """Register a kiosk at ``site_id``. Returns ``(kiosk_id, token)``; the token is shown
        this once and only its hash is kept."""
        kiosk_id, token = _new_id("kio"), new_device_token()
        with self._tx() as c:
            c.execute(
                "INSERT INTO kiosks (id, site_id, name, token_hash, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (kiosk_id, site_id, name, hash_token(token), self._clock()),
            )
        return kiosk_id, token

    def rotate_kiosk_token(self, kiosk_id: str) -> str:
        """Give an unrevoked kiosk a new token (returned once); the old one stops working."""
        token = new_device_token()
        if not self._changed(
            "UPDATE kiosks SET token_hash=? WHERE id=? AND revoked_at IS NULL",
            (hash_token(token), kiosk_id),
        ):
            raise StoreError(f"no active kiosk {kiosk_id!r}")
        return token

    def kiosk_by_token(self, token: str) -> KioskRecord | None:
        """The unrevoked kiosk owning ``token``, or None."""
        if not token.startswith(DEVICE_TOKEN_PREFIX) or len(token) > 256:
            return None
        digest = hash_token(token)
        row = self._one("SELECT * FROM kiosks WHERE token_hash=? AND revoked_at IS NULL", (digest,))
        if row is None or not hmac.compare_digest(str(row["token_hash"]), digest):
            return None
        return from_row(KioskRecord, row)

    def kiosk(self, kiosk_id: str) -> KioskRecord | None:
        """The kiosk with ``kiosk_id`` (revoked or not), or None."""
        row = self._one("SELECT * FROM kiosks WHERE id=?", (kiosk_id,))
        return None if row is None else from_row(KioskRecord, row)

    def revoke_kiosk(self, kiosk_id: str) -> bool:
        """Revoke a kiosk's token for good. False if unknown or already revoked."""
        return self._changed(
            "UPDATE kiosks SET revoked_at=? WHERE id=? AND revoked_at IS NULL",
            (self._clock(), kiosk_id),
        )

    def list_kiosks(self, site_id: str | None = None) -> list[KioskRecord]:
        """Kiosks (including revoked ones), optionally of one site, by site and name."""
        rows = self._all(
            "SELECT * FROM kiosks WHERE ?1 IS NULL OR site_id=?1 ORDER BY site_id, name, id",
            (site_id,),
        )
        return [from_row(KioskRecord, r) for r in rows]

    # --- accounts and sessions ----------------------------------------------------------------

    def create_account(
        self,
        username: str,
        display_name: str,
        role: Role,
        password: str,
        skills: Iterable[str] = (),
        languages: Iterable[str] = (),
    ) -> str:
        """Create a staff account and return its id. ``skills`` must be known service ids.
        Usernames are unique ignoring ASCII case."""
        username = username.strip()
        if role not in ROLES or not username or not password:
            raise ValueError("need a role of 'agent' or 'operator', a username and a password")
        account_id = _new_id("acc")
        password_hash = hash_password(password, self._hasher)
        with self._tx() as c:
            c.execute(
                "INSERT INTO accounts (id, username, display_name, role, password_hash, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (account_id, username, display_name, role, password_hash, self._clock()),
            )
            _write_skills(c, account_id, skills)
            _write_languages(c, account_id, languages)
        return account_id

    def authenticate(self, username: str, password: str) -> AccountRecord | None:
        """The enabled account whose password matches, else None. Takes the time of one
        argon2 verification whether or not the user exists; upgrades outdated hashes."""
        row = self._one(
            "SELECT id, password_hash, disabled_at FROM accounts WHERE username=?",
            (username.strip(),),
        )
        if row is None:
            dummy_verify(password, self._hasher)
            return None
        account_id, password_hash = str(row["id"]), str(row["password_hash"])
        if not verify_password(password_hash, password, self._hasher):
            return None
        if row["disabled_at"] is not None:
            return None
        if needs_rehash(password_hash, self._hasher):
            self._changed(
                "UPDATE accounts SET password_hash=? WHERE id=? AND password_hash=?",
                (hash_password(password, self._hasher), account_id, password_hash),
            )
        return self.account(account_id)

    def account(self, account_id: str) -> AccountRecord | None:
        """The account with ``account_id`` (enabled or not), or None."""
        with self._tx(write=False) as c:
            row = c.execute("SELECT * FROM accounts WHERE id=?", (account_id,)).fetchone()
            return None if row is None else _account(c, row)

    def accounts(self) -> list[AccountRecord]:
        """All accounts, by username."""
        with self._tx(write=False) as c:
            rows = c.execute("SELECT * FROM accounts ORDER BY username").fetchall()
            return [_account(c, r) for r in rows]

    def set_skills(self, account_id: str, skills: Iterable[str]) -> None:
        """Replace the services an agent may take calls for."""
        with self._tx() as c:
            _require_account(c, account_id)
            c.execute("DELETE FROM agent_skills WHERE account_id=?", (account_id,))
            _write_skills(c, account_id, skills)

    def set_languages(self, account_id: str, languages: Iterable[str]) -> None:
        """Replace the languages an agent serves in."""
        with self._tx() as c:
            _require_account(c, account_id)
            c.execute("DELETE FROM agent_languages WHERE account_id=?", (account_id,))
            _write_languages(c, account_id, languages)

    def set_password(self, account_id: str, password: str) -> None:
        """Set a new password and revoke the account's sessions."""
        if not password:
            raise ValueError("empty password")
        password_hash = hash_password(password, self._hasher)
        with self._tx() as c:
            _require_account(c, account_id)
            c.execute("UPDATE accounts SET password_hash=? WHERE id=?", (password_hash, account_id))
            c.execute(
                "UPDATE sessions SET revoked_at=? WHERE account_id=? AND revoked_at IS NULL",
                (self._clock(), account_id),
            )

    def disable_account(self, account_id: str) -> bool:
        """Disable an account and revoke its sessions. False if unknown or already disabled."""
        now = self._clock()
        with self._tx() as c:
            changed = c.execute(
                "UPDATE accounts SET disabled_at=? WHERE id=? AND disabled_at IS NULL",
                (now, account_id),
            ).rowcount
            c.execute(
                "UPDATE sessions SET revoked_at=? WHERE account_id=? AND revoked_at IS NULL",
                (now, account_id),
            )
        return changed > 0

    def create_session(self, account_id: str, ttl_s: float, now: float) -> str:
        """Record a login session lasting ``ttl_s`` and return its id. The id alone grants
        nothing: clients hold a signed token that names it."""
        session_id = f"ses_{secrets.token_urlsafe(16)}"
        with self._tx() as c:
            c.execute(
                "INSERT INTO sessions (id, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                (session_id, account_id, now, now + ttl_s),
            )
        return session_id

    def session_active(self, session_id: str, now: float) -> bool:
        """Whether the session exists, is unexpired and unrevoked, and its account enabled."""
        row = self._one(
            "SELECT 1 FROM sessions s JOIN accounts a ON a.id = s.account_id "
            "WHERE s.id=? AND s.revoked_at IS NULL AND s.expires_at > ? AND a.disabled_at IS NULL",
            (session_id, now),
        )
        return row is not None

    def revoke_session(self, session_id: str) -> bool:
        """Revoke one session (logout). False if unknown or already revoked."""
        return self._changed(
            "UPDATE sessions SET revoked_at=? WHERE id=? AND revoked_at IS NULL",
            (self._clock(), session_id),
        )

    # --- queue write-through ------------------------------------------------------------------

    def insert_entry(
        self,
        entry_id: str,
        kiosk_id: str,
        service_id: str,
        language: str,
        priority: int,
        enqueued_at: float,
        resume_token_hash: str | None = None,
        *,
        state: EntryState = "waiting",
    ) -> None:
        """Persist a new queue entry (ids come from the routing core)."""
        with self._tx() as c:
            c.execute(
                "INSERT INTO queue_entries (id, kiosk_id, service_id, language, priority, "
                "enqueued_at, state, resume_token_hash, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry_id, kiosk_id, service_id, language, priority, enqueued_at, state,
                    resume_token_hash, self._clock(),
                ),
            )

    def set_entry_state(
        self, entry_id: str, state: EntryState, *, priority: int | None = None
    ) -> bool:
        """Move an entry to ``state`` (and optionally change its priority, e.g. to put a
        citizen back at the head after an agent dropped). False if the entry is unknown."""
        return self._changed(
            "UPDATE queue_entries SET state=?, priority=COALESCE(?, priority), updated_at=? "
            "WHERE id=?",
            (state, priority, self._clock(), entry_id),
        )

    def delete_entry(self, entry_id: str) -> bool:
        """Forget an entry. False if unknown."""
        return self._changed("DELETE FROM queue_entries WHERE id=?", (entry_id,))

    def close_entry(self, entry_id: str, ended_at: float, outcome: str | None) -> str | None:
        """Remove an entry from the queue; if it was never answered and ``outcome`` is one of
        :data:`UNANSWERED_OUTCOMES`, first record it as an unanswered call row (for abandonment
        figures). Returns that row's id, else None."""
        call_id = None
        with self._tx() as c:
            row = c.execute("SELECT * FROM queue_entries WHERE id=?", (entry_id,)).fetchone()
            if row is None:
                return None
            answered = c.execute("SELECT 1 FROM calls WHERE entry_id=?", (entry_id,)).fetchone()
            if outcome in UNANSWERED_OUTCOMES and answered is None:
                call_id = _insert_unanswered(c, dict(row), ended_at, outcome, None)
            c.execute("DELETE FROM queue_entries WHERE id=?", (entry_id,))
        return call_id

    def entry(self, entry_id: str) -> EntryRecord | None:
        """The entry with ``entry_id``, or None."""
        row = self._one("SELECT * FROM queue_entries WHERE id=?", (entry_id,))
        return None if row is None else from_row(EntryRecord, row)

    def waiting_entries(
        self, states: Collection[EntryState] = ("waiting", "offered")
    ) -> list[EntryRecord]:
        """Entries in ``states`` by (priority desc, enqueued_at, id). Offered entries are
        included by default because an offer does not survive a server restart."""
        rows = self._all(
            "SELECT * FROM queue_entries WHERE state IN (SELECT value FROM json_each(?)) "
            "ORDER BY priority DESC, enqueued_at, id",
            (to_json(list(states)),),
        )
        return [from_row(EntryRecord, r) for r in rows]

    def set_resume_token_hash(self, entry_id: str, token_hash: str | None) -> bool:
        """Attach (or clear) the hash of the token that lets a reconnecting kiosk keep its
        place. False if the entry is unknown."""
        return self._changed(
            "UPDATE queue_entries SET resume_token_hash=?, updated_at=? WHERE id=?",
            (token_hash, self._clock(), entry_id),
        )

    def entry_by_resume_hash(self, token_hash: str) -> EntryRecord | None:
        """The open (not done) entry carrying ``token_hash``, or None."""
        row = self._one(
            "SELECT * FROM queue_entries WHERE resume_token_hash=? AND state != 'done'",
            (token_hash,),
        )
        if row is None or not hmac.compare_digest(str(row["resume_token_hash"]), token_hash):
            return None
        return from_row(EntryRecord, row)

    # --- calls --------------------------------------------------------------------------------

    def call_started(
        self, call_id: str, *, entry_id: str, kiosk_id: str, agent_id: str, service_id: str,
        language: str, offered_at: float | None, answered_at: float, queued_at: float | None = None,
    ) -> None:
        """Record an answered call. The site comes from the kiosk; ``queued_at`` defaults to
        the stored entry's enqueue time (else the answer time)."""
        with self._tx() as c:
            inserted = c.execute(
                "INSERT INTO calls (id, entry_id, kiosk_id, site_id, agent_id, service_id, "
                "language, queued_at, offered_at, answered_at) "
                "SELECT ?1, ?2, k.id, k.site_id, ?3, ?4, ?5, "
                "COALESCE(?6, (SELECT enqueued_at FROM queue_entries WHERE id=?2), ?8), ?7, ?8 "
                "FROM kiosks k WHERE k.id=?9",
                (
                    call_id, entry_id, agent_id, service_id, language, queued_at, offered_at,
                    answered_at, kiosk_id,
                ),
            ).rowcount
            if not inserted:
                raise StoreError(f"no kiosk {kiosk_id!r}")

    def call_ended(
        self, call_id: str, ended_at: float, outcome: CallOutcome, end_reason: str | None
    ) -> bool:
        """Close an open call. False if unknown or already ended."""
        return self._changed(
            "UPDATE calls SET ended_at=?, outcome=?, end_reason=? WHERE id=? AND ended_at IS NULL",
            (ended_at, outcome, end_reason, call_id),
        )

    def rate_call(self, call_id: str, kiosk_id: str, rating: int) -> bool:
        """Store the citizen's rating of an ended, answered call made from ``kiosk_id``.
        False if there is no such call of that kiosk, it has not ended, or it is rated."""
        return self._changed(
            "UPDATE calls SET rating=? WHERE id=? AND kiosk_id=? AND answered_at IS NOT NULL "
            "AND ended_at IS NOT NULL AND rating IS NULL",
            (rating, call_id, kiosk_id),
        )

    def call_wrapup(
        self,
        call_id: str,
        disposition: str,
        note: str | None = None,
        *,
        agent_id: str | None = None,
    ) -> bool:
        """Store the agent's wrap-up. The note must carry no citizen personal data and is cut
        at 1000 characters. With ``agent_id``, only that agent's call is updated. False if no
        call matched."""
        note = None if note is None else note[:_WRAPUP_NOTE_MAX]
        return self._changed(
            "UPDATE calls SET disposition=?1, wrapup_note=?2 "
            "WHERE id=?3 AND (?4 IS NULL OR agent_id=?4)",
            (disposition, note, call_id, agent_id),
        )

    def set_call_quality(self, call_id: str, quality: Mapping[str, object]) -> bool:
        """Store media quality figures (RTT, loss, fps...) for a call. False if unknown."""
        return self._changed(
            "UPDATE calls SET quality=? WHERE id=?", (to_json(redact(quality)), call_id)
        )

    def entry_closed(
        self, entry_id: str, kiosk_id: str, service_id: str, language: str, queued_at: float,
        ended_at: float, outcome: CallOutcome, end_reason: str | None = None,
    ) -> str:
        """Record an entry that ended unanswered from explicit data (e.g. one never stored).
        Returns the new call row's id. See :meth:`close_entry` for stored entries."""
        with self._tx() as c:
            entry: dict[str, object] = {"id": entry_id, "kiosk_id": kiosk_id}
            entry.update(service_id=service_id, language=language, enqueued_at=queued_at)
            return _insert_unanswered(c, entry, ended_at, outcome, end_reason)

    def call(self, call_id: str) -> CallRecord | None:
        """The call with ``call_id``, or None."""
        row = self._one("SELECT * FROM calls WHERE id=?", (call_id,))
        return None if row is None else call_from_row(row)

    def open_calls(self) -> list[CallRecord]:
        """Answered calls not yet ended, oldest first: after a restart these are still live
        peer-to-peer and must be adopted, not dropped."""
        rows = self._all(
            "SELECT * FROM calls WHERE ended_at IS NULL AND answered_at IS NOT NULL "
            "ORDER BY answered_at, id"
        )
        return [call_from_row(r) for r in rows]

    def calls_between(self, t0: float, t1: float) -> list[CallRecord]:
        """Call rows queued in ``[t0, t1)``, by queue time."""
        rows = self._all(
            "SELECT * FROM calls WHERE queued_at >= ? AND queued_at < ? ORDER BY queued_at, id",
            (t0, t1),
        )
        return [call_from_row(r) for r in rows]

    # --- audit and retention ------------------------------------------------------------------

    def audit(
        self,
        actor: str,
        action: str,
        subject: str | None = None,
        detail: Mapping[str, object] | None = None,
    ) -> None:
        """Append an audit line. Credential-named keys and token-shaped strings are redacted,
        so a careless caller cannot put a secret in the table."""
        with self._tx() as c:
            c.execute(
                "INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
                (
                    self._clock(),
                    redact(actor),
                    redact(action),
                    redact(subject or ""),
                    to_json(redact(detail or {})),
                ),
            )

    def audit_log(self, since: float = 0.0, limit: int = 1000) -> list[AuditRecord]:
        """Audit lines at or after ``since``, oldest first, at most ``limit``."""
        rows = self._all("SELECT * FROM audit WHERE at >= ? ORDER BY id LIMIT ?", (since, limit))
        return [from_row(AuditRecord, r, detail=json.loads(r["detail"])) for r in rows]

    def purge_history(self, before: float) -> int:
        """Enforce retention: delete ended calls queued, audit lines written, and sessions
        expired before ``before`` (and entries left 'done'). Returns the number of rows deleted."""
        with self._tx() as c:
            n = c.execute(
                "DELETE FROM calls WHERE queued_at < ? AND ended_at IS NOT NULL", (before,)
            ).rowcount
            n += c.execute("DELETE FROM audit WHERE at < ?", (before,)).rowcount
            n += c.execute("DELETE FROM sessions WHERE expires_at < ?", (before,)).rowcount
            n += c.execute(
                "DELETE FROM queue_entries WHERE state='done' AND updated_at < ?", (before,)
            ).rowcount
        return n


# --- row helpers ------------------------------------------------------------------------------


def _account(c: sqlite3.Connection, row: sqlite3.Row) -> AccountRecord:
    skills = c.execute("SELECT service_id FROM agent_skills WHERE account_id=?", (row["id"],))
    langs = c.execute("SELECT language FROM agent_languages WHERE account_id=?", (row["id"],))
    return from_row(
        AccountRecord, row, skills=frozenset(r[0] for r in skills), languages=frozenset(r[0] for r
        in langs),
    )


def _require_account(c: sqlite3.Connection, account_id: str) -> None:
    if c.execute("SELECT 1 FROM accounts WHERE id=?", (account_id,)).fetchone() is None:
        raise StoreError(f"no account {account_id!r}")


def _write_skills(c: sqlite3.Connection, account_id: str, skills: Iterable[str]) -> None:
    wanted = sorted(set(skills))
    known = {r[0] for r in c.execute("SELECT id FROM services WHERE retired_at IS NULL")}
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise StoreError(f"unknown service id(s): {', '.join(unknown)}")
    c.executemany(
        "INSERT INTO agent_skills (account_id, service_id) VALUES (?, ?)",
        [(account_id, s) for s in wanted],
    )


def _write_languages(c: sqlite3.Connection, account_id: str, languages: Iterable[str]) -> None:
    wanted = sorted(set(languages))
    bad = [lang for lang in wanted if not re.fullmatch(r"[a-z]{2,3}", lang)]
    if bad:
        raise StoreError(f"invalid language code(s): {', '.join(bad)}")
    c.executemany(
        "INSERT INTO agent_languages (account_id, language) VALUES (?, ?)",
        [(account_id, x) for x in wanted],
    )


def _insert_unanswered(
    c: sqlite3.Connection,
    entry: Mapping[str, object],
    ended_at: float,
    outcome: str,
    end_reason: str | None,
) -> str:
    """Insert the calls row of an entry (keys as in ``queue_entries``) that was never answered."""
    params = {k: entry[k] for k in ("id", "kiosk_id", "service_id", "language", "enqueued_at")}
    params.update(call_id=_new_id("call"), ended_at=ended_at, outcome=outcome, reason=end_reason)
    inserted = c.execute(
        "INSERT INTO calls (id, entry_id, kiosk_id, site_id, service_id, language, queued_at, "
        "ended_at, outcome, end_reason) SELECT :call_id, :id, k.id, k.site_id, :service_id, "
        ":language, :enqueued_at, :ended_at, :outcome, :reason FROM kiosks k WHERE k.id=:kiosk_id",
        params,
    ).rowcount
    if not inserted:
        raise StoreError(f"no kiosk {entry['kiosk_id']!r}")
    return str(params["call_id"])
