"""The SQLite schema: forward-only migrations and the catalogue-seeding upserts.

Migrations only go forward. Each is a tuple of statements run in one transaction together with
the bump of ``schema_version``, so a crash leaves either the old or the new schema. Never edit
a released migration: add the next one.

No table holds citizen personal data: a queue entry or call names a kiosk, a service and a
language, never a person. Tokens and passwords appear only as hashes.
"""

from __future__ import annotations

from signaling.store.dialect import Dialect, Statement

__all__ = ["MIGRATIONS", "RETIRE_SERVICES", "UPSERT_AGENCY", "UPSERT_SERVICE", "UPSERT_SITE"]

_V1: tuple[Statement, ...] = (
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
_V2: tuple[Statement, ...] = (
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
_V3: tuple[Statement, ...] = (
    "ALTER TABLE calls ADD COLUMN rating INTEGER CHECK (rating BETWEEN 1 AND 5)",
)

# Version 4: honest waits and enough clerks (issue 16).
# * waits: one row per queue place, kept after the place closes (queue_entries rows are
#   deleted): the first estimate the kiosk showed, and the actual wait when the citizen was
#   answered or left. The dashboard and /metrics score the first estimate against it.
# * shown_estimates: every estimate a kiosk showed (time, place, seconds, kind), one row per
#   change of what it showed.
# * staffing: clerk-seconds per UTC hour, service and language: logged in with the skill and
#   language, and of those not on a break; the staffing forecast shows them beside the need.
_V4: tuple[Statement, ...] = (
    """CREATE TABLE waits (
        entry_id TEXT PRIMARY KEY,
        service_id TEXT NOT NULL REFERENCES services(id),
        language TEXT NOT NULL,
        queued_at REAL NOT NULL,
        first_at REAL,
        first_s REAL,
        first_kind TEXT CHECK (first_kind IN ('soon', 'minutes', 'none')),
        ended_at REAL,
        answered INTEGER CHECK (answered IN (0, 1)),
        waited_s REAL
    )""",
    "CREATE INDEX waits_queued ON waits(queued_at)",
    """CREATE TABLE shown_estimates (
        entry_id TEXT NOT NULL,
        at REAL NOT NULL,
        position INTEGER NOT NULL,
        estimate_s REAL,
        kind TEXT NOT NULL CHECK (kind IN ('soon', 'minutes', 'none'))
    )""",
    "CREATE INDEX shown_estimates_entry ON shown_estimates(entry_id, at)",
    "CREATE INDEX shown_estimates_at ON shown_estimates(at)",
    """CREATE TABLE staffing (
        hour REAL NOT NULL,
        service_id TEXT NOT NULL REFERENCES services(id),
        language TEXT NOT NULL,
        logged_in_s REAL NOT NULL DEFAULT 0,
        working_s REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (hour, service_id, language)
    ) WITHOUT ROWID""",
)

# Version 5: a site setting, whether the service point has a hearing (induction) loop; its
# kiosks show the sign (issue 11). Set by an administrator; catalogue seeding leaves it alone.
_V5: tuple[Statement, ...] = (
    "ALTER TABLE sites ADD COLUMN hearing_loop INTEGER NOT NULL DEFAULT 0",
)

# Version 6: security and data protection (issue 12).
# * accounts: the admin role (SQLite cannot alter a CHECK, so the table is rebuilt the way the
#   SQLite manual prescribes; migrations run with foreign keys off and are checked with
#   foreign_key_check before they commit) and the "must change the password at next login" flag
#   an administrator's password reset sets.
# * revocations: every revoking write (logout, session revocation, account disabled or password
#   reset: each session it ends; kiosk revoked or its token rotated) appends a row in the same
#   transaction; each server process polls it, so revocation from the CLI or another node
#   closes live connections.
# * audit: each row carries an HMAC chained to the previous row's; audit_anchor holds the link
#   to the first row kept after retention deleted older ones.
_V6: tuple[Statement, ...] = (
    # PostgreSQL alters a CHECK and adds a column in place; a rebuild there would have to
    # drop and re-create every foreign key that names accounts.
    Dialect(
        sqlite="""CREATE TABLE accounts_v6 (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('agent', 'operator', 'admin')),
        password_hash TEXT NOT NULL,
        created_at REAL NOT NULL,
        disabled_at REAL,
        must_change_password INTEGER NOT NULL DEFAULT 0
    )""",
        postgresql="ALTER TABLE accounts DROP CONSTRAINT accounts_role_check, "
        "ADD CONSTRAINT accounts_role_check CHECK (role IN ('agent', 'operator', 'admin')), "
        "ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0",
    ),
    Dialect(
        sqlite="INSERT INTO accounts_v6 (id, username, display_name, role, password_hash, "
        "created_at, disabled_at) SELECT id, username, display_name, role, password_hash, "
        "created_at, disabled_at FROM accounts",
        postgresql="",
    ),
    Dialect(sqlite="DROP TABLE accounts", postgresql=""),
    Dialect(sqlite="ALTER TABLE accounts_v6 RENAME TO accounts", postgresql=""),
    """CREATE TABLE revocations (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at REAL NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('session', 'kiosk', 'kiosk_token')),
        subject TEXT NOT NULL,
        reason TEXT NOT NULL
    )""",
    "CREATE INDEX revocations_at ON revocations(at)",
    "ALTER TABLE audit ADD COLUMN prev_hash TEXT",
    "ALTER TABLE audit ADD COLUMN hash TEXT",
    "CREATE INDEX audit_actor ON audit(actor, at)",
    "CREATE INDEX audit_action ON audit(action, at)",
    """CREATE TABLE audit_anchor (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        prev_hash TEXT NOT NULL,
        through_id INTEGER NOT NULL,
        mac TEXT NOT NULL
    )""",
    "CREATE INDEX sessions_expires ON sessions(expires_at)",
    "CREATE INDEX calls_ended ON calls(ended_at)",
)

# Version 7: several server nodes on one database. ``cluster_lease`` holds the current routing
# term (one row); each term a node took is kept in ``lease_terms`` with the count and time of
# the routing writes made under it, so a write under an old term would show. Agents' routing
# states outlive the node that routed them (restored when the agent comes back). Messages
# between nodes too large for a NOTIFY wait in ``cluster_payloads`` until read.
_V7: tuple[Statement, ...] = (
    """CREATE TABLE cluster_lease (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        term INTEGER NOT NULL,
        holder TEXT,
        taken_at REAL
    )""",
    "INSERT INTO cluster_lease (id, term) VALUES (1, 0)",
    """CREATE TABLE lease_terms (
        term INTEGER PRIMARY KEY,
        holder TEXT NOT NULL,
        taken_at REAL NOT NULL,
        writes INTEGER NOT NULL DEFAULT 0,
        last_write_at REAL
    )""",
    """CREATE TABLE agent_states (
        agent_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        state TEXT NOT NULL CHECK (state IN ('not_ready', 'ready', 'reserved', 'in_call',
            'wrap_up')),
        reason TEXT,
        since REAL NOT NULL,
        until REAL,
        updated_at REAL NOT NULL
    )""",
    """CREATE TABLE cluster_payloads (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        body TEXT NOT NULL,
        created_at REAL NOT NULL
    )""",
)

# Appointments (issue #14): clerk time set aside per service × language, and bookings. A booking
# keeps no personal data: a digest of its code (the code itself is a bearer secret the citizen
# holds), times, service, language, site, the kiosk it holds and maybe a named clerk.
_V_BOOKINGS: tuple[Statement, ...] = (
    """CREATE TABLE booking_capacity (
        service_id TEXT NOT NULL,
        language TEXT NOT NULL,
        slot_minutes INTEGER NOT NULL,
        clerks INTEGER NOT NULL,
        weekly TEXT NOT NULL,
        exceptions TEXT NOT NULL,
        tz TEXT NOT NULL,
        updated_at REAL NOT NULL,
        PRIMARY KEY (service_id, language)
    )""",
    """CREATE TABLE bookings (
        id TEXT PRIMARY KEY,
        code_digest TEXT NOT NULL UNIQUE,
        code_hint TEXT NOT NULL,
        service_id TEXT NOT NULL,
        language TEXT NOT NULL,
        site_id TEXT NOT NULL REFERENCES sites(id),
        kiosk_id TEXT NOT NULL,
        start_at REAL NOT NULL,
        end_at REAL NOT NULL,
        agent_id TEXT,
        made_by TEXT NOT NULL CHECK (made_by IN ('public', 'kiosk', 'agent')),
        made_by_agent TEXT,
        state TEXT NOT NULL CHECK (state IN ('booked', 'checked_in', 'in_call', 'no_show',
            'cancelled', 'done')),
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        checked_in_at REAL,
        checked_in_kiosk TEXT,
        served_by TEXT,
        call_id TEXT
    )""",
    "CREATE INDEX bookings_start ON bookings(start_at)",
    "CREATE INDEX bookings_site_start ON bookings(site_id, start_at)",
)

# Callback requests (issue 14). The number lives in its own table, one row per open task,
# deleted when the task ends (and at the latest at the retention limit); the ``callbacks`` row
# that stays for the statistics names a service, a language, a site and times, never a person.
_V_CALLBACKS: tuple[Statement, ...] = (
    """CREATE TABLE callbacks (
        id TEXT PRIMARY KEY,
        service_id TEXT NOT NULL,
        language TEXT NOT NULL,
        site_id TEXT,
        kiosk_id TEXT,
        requested_at REAL NOT NULL,
        promised_day TEXT NOT NULL,
        due_at REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        not_before REAL,
        state TEXT NOT NULL CHECK (state IN ('open', 'done', 'unreached', 'expired')),
        agent_id TEXT,
        last_outcome TEXT,
        ended_at REAL
    )""",
    "CREATE INDEX callbacks_open ON callbacks(state, due_at)",
    "CREATE INDEX callbacks_requested ON callbacks(requested_at)",
    """CREATE TABLE callback_numbers (
        callback_id TEXT PRIMARY KEY REFERENCES callbacks(id) ON DELETE CASCADE,
        phone TEXT NOT NULL,
        stored_at REAL NOT NULL
    )""",
)

# Calls of three or four members (issue 15): who took part and when; interpreters' languages;
# teams and their supervisors. member_ref is a kiosk or account id (no citizen data).
_V_MEMBERS: tuple[Statement, ...] = (
    """CREATE TABLE call_members (
        call_id TEXT NOT NULL,
        member_id TEXT NOT NULL,
        member_ref TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('kiosk', 'clerk', 'second_clerk', 'interpreter',
            'supervisor')),
        interpretation_language TEXT,
        joined_at REAL NOT NULL,
        left_at REAL,
        leave_reason TEXT,
        PRIMARY KEY (call_id, member_id)
    )""",
    "CREATE INDEX call_members_joined ON call_members(joined_at)",
    """CREATE TABLE agent_interpretation (
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        language TEXT NOT NULL,
        PRIMARY KEY (account_id, language)
    ) WITHOUT ROWID""",
    """CREATE TABLE agent_teams (
        account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        team TEXT NOT NULL,
        supervisor INTEGER NOT NULL DEFAULT 0
    )""",
)

# A supervisor's mode in a call (listen, whisper, barge), so a restart brings them back in it.
_V_MEMBER_MODE: tuple[Statement, ...] = (
    "ALTER TABLE call_members ADD COLUMN mode TEXT "
    "CHECK (mode IS NULL OR mode IN ('listen', 'whisper', 'barge'))",
)

#: ``MIGRATIONS[n - 1]`` brings the schema from version ``n - 1`` to ``n``.
MIGRATIONS: tuple[tuple[Statement, ...], ...] = (
    _V1, _V2, _V3, _V4, _V5, _V6, _V7, _V_BOOKINGS, _V_CALLBACKS, _V_MEMBERS, _V_MEMBER_MODE,
)


# Catalogue seeding. Each upsert touches a row only when something changed (row-value IS
# DISTINCT FROM treats NULLs as equal, in SQLite and PostgreSQL alike), so re-seeding an
# unchanged catalogue writes nothing.
UPSERT_AGENCY = (
    "INSERT INTO agencies (id, name_fi, name_sv, name_en, updated_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT(id) DO UPDATE SET name_fi=excluded.name_fi, name_sv=excluded.name_sv, "
    "name_en=excluded.name_en, updated_at=excluded.updated_at "
    "WHERE (agencies.name_fi, agencies.name_sv, agencies.name_en) IS DISTINCT FROM "
    "(excluded.name_fi, excluded.name_sv, excluded.name_en)"
)
UPSERT_SERVICE = (
    "INSERT INTO services (id, agency_id, name_fi, name_sv, name_en, languages, max_queue, "
    "default_handle_s, hours, tz, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(id) DO UPDATE SET agency_id=excluded.agency_id, name_fi=excluded.name_fi, "
    "name_sv=excluded.name_sv, name_en=excluded.name_en, languages=excluded.languages, "
    "max_queue=excluded.max_queue, default_handle_s=excluded.default_handle_s, "
    "hours=excluded.hours, tz=excluded.tz, updated_at=excluded.updated_at, retired_at=NULL "
    "WHERE services.retired_at IS NOT NULL OR (services.agency_id, services.name_fi, "
    "services.name_sv, services.name_en, services.languages, services.max_queue, "
    "services.default_handle_s, services.hours, services.tz) IS DISTINCT FROM (excluded.agency_id, "
    "excluded.name_fi, "
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
    "WHERE (sites.name_fi, sites.name_sv, sites.name_en, sites.region) IS DISTINCT FROM "
    "(excluded.name_fi, excluded.name_sv, excluded.name_en, excluded.region)"
)
