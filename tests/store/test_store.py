"""The SQLite store on real files: schema, catalogue seeding, kiosks, accounts, sessions, audit."""

from __future__ import annotations

import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from signaling.admin import add_account
from signaling.auth import Authenticator
from signaling.catalogue import Catalogue, parse_catalogue
from signaling.credentials import SessionSigner, new_device_token
from signaling.errors import StoreError
from signaling.store import DB_FILENAME, SqliteStore, Store
from signaling.store.schema import MIGRATIONS

from .conftest import T0, FakeClock, raw


def test_open_creates_private_wal_database(data_dir: Path) -> None:
    store = SqliteStore.open(data_dir)
    db = data_dir / DB_FILENAME
    assert db.exists()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert store.schema_version() == len(MIGRATIONS)
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()
    store.ping()


def test_pragmas_on_connection(data_dir: Path) -> None:
    conn = SqliteStore.open(data_dir)._db.conn
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_migrations_idempotent(data_dir: Path) -> None:
    before = time.time()
    SqliteStore.open(data_dir).close()
    s = SqliteStore.open(data_dir)
    try:
        rows = s._db.conn.execute("SELECT version, applied_at FROM schema_version").fetchall()
        assert [r[0] for r in rows] == list(range(1, len(MIGRATIONS) + 1))
        # Stamped once, by the database itself, when each migration ran.
        assert all(before - 1 <= r[1] <= time.time() + 1 for r in rows)
    finally:
        s.close()


def test_upgrade_from_version_2_keeps_the_calls(
    data_dir: Path,
    clock: FakeClock,
    catalogue: Catalogue,
    cheap_hasher: PasswordHasher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("signaling.store.db.MIGRATIONS", MIGRATIONS[:2])
    old = SqliteStore.open(data_dir)
    old.seed_catalogue(catalogue, now=clock.now)
    kiosk, _ = old.create_kiosk("nurmes", "Nurmes 1", now=clock.now)
    agent = old.create_account(
        "aino", "Aino", "agent", "pw", ["kela.benefits"], ["fi"], now=clock.now
    )
    # As a server of version 2 stored a place (no waits table then).
    old._db.conn.execute(
        "INSERT INTO queue_entries (id, kiosk_id, service_id, language, priority, enqueued_at, "
        "state, updated_at) VALUES ('e1', ?, 'kela.benefits', 'fi', 0, 1.0, 'waiting', ?)",
        (kiosk, clock.now),
    )
    old.call_started("c1", entry_id="e1", kiosk_id=kiosk, agent_id=agent,
                     service_id="kela.benefits", language="fi", offered_at=2.0, answered_at=3.0)
    assert old.schema_version() == 2
    old.close()
    monkeypatch.undo()
    s = SqliteStore.open(data_dir)
    try:
        assert s.schema_version() == len(MIGRATIONS)
        call = s.call("c1")
        assert call is not None and call.rating is None
        assert s.waits_between(0, 2e9) == []  # places from before version 4 have no wait row
    finally:
        s.close()


def test_newer_schema_is_refused(data_dir: Path) -> None:
    SqliteStore.open(data_dir).close()
    conn = sqlite3.connect(data_dir / DB_FILENAME)
    conn.execute("INSERT INTO schema_version VALUES (99, 0)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        SqliteStore.open(data_dir)


def test_seed_catalogue_idempotent(store: Store, catalogue: Catalogue, clock: FakeClock) -> None:
    first = store.services()
    assert {s.id for s in first} == {s.id for s in catalogue.services}
    assert len(store.agencies()) == 9
    assert {s.id for s in store.sites()} == {"nurmes", "lieksa", "kitee"}
    clock.advance(60)
    store.seed_catalogue(catalogue, now=clock.now)
    assert store.services() == first
    kela = next(s for s in first if s.id == "kela.benefits")
    assert kela.weekly["mon"] == (("09:00", "16:00"),)
    assert kela.tz == "Europe/Helsinki"
    assert "2025-12-24" in kela.closed_dates
    assert kela.languages == ("fi", "sv", "en")


def test_seed_updates_changed_and_retires_missing(
    store: Store, catalogue: Catalogue, clock: FakeClock
) -> None:
    data = catalogue.model_dump()
    data["services"][0]["max_queue"] = 99
    data["services"] = data["services"][:-1]
    changed = parse_catalogue(data)
    clock.advance(60)
    store.seed_catalogue(changed, now=clock.now)
    services = {s.id: s for s in store.services()}
    assert catalogue.services[-1].id not in services
    first = services[catalogue.services[0].id]
    assert (first.max_queue, first.updated_at) == (99, clock.now)
    assert services[catalogue.services[1].id].updated_at == clock.now - 60
    clock.advance(60)
    store.seed_catalogue(catalogue, now=clock.now)
    assert catalogue.services[-1].id in {s.id for s in store.services()}


def test_create_site(store: Store) -> None:
    site = store.create_site(
        "joensuu", "Joensuun virastotalo", "Joensuu ämbetshus", "J", "P-K", now=T0
    )
    assert store.site("joensuu") == site
    assert store.site("nowhere") is None
    with pytest.raises(StoreError):
        store.create_site("joensuu", "a", "b", "c", "d", now=T0)


# --- kiosks -----------------------------------------------------------------------------------


def test_kiosk_token_lifecycle(store: Store) -> None:
    kiosk_id, token = store.create_kiosk("nurmes", "Nurmes 1", now=T0)
    kiosk = store.kiosk_by_token(token)
    assert kiosk is not None
    assert (kiosk.id, kiosk.site_id, kiosk.name, kiosk.revoked_at) == (
        kiosk_id,
        "nurmes",
        "Nurmes 1",
        None,
    )
    assert store.kiosk_by_token(new_device_token()) is None
    assert store.kiosk_by_token("") is None
    assert store.kiosk_by_token(token + "x") is None
    assert store.revoke_kiosk(kiosk_id, now=T0)
    assert not store.revoke_kiosk(kiosk_id, now=T0)
    assert store.kiosk_by_token(token) is None
    revoked = store.kiosk(kiosk_id)
    assert revoked is not None and revoked.revoked_at is not None
    with pytest.raises(StoreError):
        store.rotate_kiosk_token(kiosk_id, now=T0)


def test_token_stored_only_as_hash(store: Store) -> None:
    kiosk_id, token = store.create_kiosk("lieksa", "Lieksa 1", now=T0)
    stored = raw(store, "SELECT token_hash FROM kiosks WHERE id=?", (kiosk_id,))
    assert stored[0][0] != token
    assert not hasattr(store.kiosk(kiosk_id), "token_hash")


def test_rotate_kiosk_token(store: Store) -> None:
    kiosk_id, old = store.create_kiosk("kitee", "Kitee 1", now=T0)
    new = store.rotate_kiosk_token(kiosk_id, now=T0)
    assert store.kiosk_by_token(old) is None
    kiosk = store.kiosk_by_token(new)
    assert kiosk is not None and kiosk.id == kiosk_id


def test_kiosk_needs_known_site(store: Store) -> None:
    with pytest.raises(StoreError, match="constraint"):
        store.create_kiosk("atlantis", "x", now=T0)


def test_list_kiosks(store: Store) -> None:
    a, _ = store.create_kiosk("nurmes", "B", now=T0)
    b, _ = store.create_kiosk("nurmes", "A", now=T0)
    c, _ = store.create_kiosk("lieksa", "C", now=T0)
    assert [k.id for k in store.list_kiosks()] == [c, b, a]
    assert [k.id for k in store.list_kiosks("nurmes")] == [b, a]


# --- accounts and sessions ----------------------------------------------------------------------


HASH = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"


def _agent(store: Store, username: str = "aino") -> str:
    return store.create_account(
        username, "Aino A.", "agent", HASH, ["kela.benefits", "vero.tax"], ["fi", "sv"], now=T0
    )


def test_account_and_login_record(store: Store) -> None:
    account_id = _agent(store)
    account = store.account(account_id)
    assert account is not None
    assert account.role == "agent" and not account.disabled
    assert account.skills == {"kela.benefits", "vero.tax"}
    assert account.languages == {"fi", "sv"}
    record = store.login_record(" AINO ")  # usernames ignore case and surrounding spaces
    assert record is not None and (record.id, record.password_hash) == (account_id, HASH)
    assert HASH not in repr(record)
    assert store.login_record("nobody") is None
    assert store.account("acc_nope") is None
    assert [a.id for a in store.accounts()] == [account_id]


def test_duplicate_username_case_insensitive(store: Store) -> None:
    _agent(store, "aino")
    with pytest.raises(StoreError):
        _agent(store, "Aino")


def test_bad_account_input(store: Store) -> None:
    with pytest.raises(StoreError, match="unknown service"):
        store.create_account("x", "X", "agent", HASH, ["nasa.launch"], now=T0)
    with pytest.raises(StoreError, match="language"):
        store.create_account("y", "Y", "agent", HASH, [], ["Finnish"], now=T0)
    with pytest.raises(ValueError):
        store.create_account("z", "Z", "root", HASH, now=T0)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        store.create_account("w", "W", "agent", "", now=T0)
    assert store.accounts() == []  # failed creations left nothing behind


def test_set_skills_and_languages(store: Store) -> None:
    account_id = _agent(store)
    store.set_skills(account_id, ["migri.permits"])
    store.set_languages(account_id, ["en"])
    account = store.account(account_id)
    assert account is not None
    assert account.skills == frozenset({"migri.permits"})
    assert account.languages == frozenset({"en"})
    with pytest.raises(StoreError):
        store.set_skills("acc_nope", [])


def test_disabled_account_cannot_log_in(store: Store, clock: FakeClock) -> None:
    account_id = _agent(store)
    session = store.create_session(account_id, 600, now=clock.now)
    assert store.disable_account(account_id, now=clock.now)
    assert not store.disable_account(account_id, now=clock.now)
    record = store.login_record("aino")
    assert record is not None and record.disabled
    assert not store.session_active(session, now=clock.now)


def test_set_password_revokes_sessions(store: Store, clock: FakeClock) -> None:
    account_id = _agent(store)
    session = store.create_session(account_id, 600, now=clock.now)
    store.set_password_hash(account_id, "new-hash", now=clock.now)
    assert not store.session_active(session, now=clock.now)
    record = store.login_record("aino")
    assert record is not None and record.password_hash == "new-hash"
    with pytest.raises(StoreError):
        store.set_password_hash("acc_nope", "new-hash", now=clock.now)


def test_replace_password_hash_only_if_unchanged(store: Store, clock: FakeClock) -> None:
    account_id = _agent(store)
    session = store.create_session(account_id, 600, now=clock.now)
    assert not store.replace_password_hash(account_id, "stale", "stronger")
    assert store.replace_password_hash(account_id, HASH, "stronger")
    record = store.login_record("aino")
    assert record is not None and record.password_hash == "stronger"
    assert store.session_active(session, now=clock.now)  # an upgrade is not a new password


def test_sessions(store: Store, clock: FakeClock) -> None:
    account_id = _agent(store)
    now = clock.now
    session = store.create_session(account_id, 600, now=now)
    assert session.startswith("ses_")
    assert store.session_active(session, now=now + 599)
    assert not store.session_active(session, now=now + 600)
    assert not store.session_active("ses_unknown", now=now)
    assert store.revoke_session(session, now=clock.now)
    assert not store.revoke_session(session, now=clock.now)
    assert not store.session_active(session, now=now)


# --- audit --------------------------------------------------------------------------------------


def test_audit_rows(store: Store, clock: FakeClock) -> None:
    store.audit("admin:cli", "kiosk_add", "kio_1", {"site": "nurmes"}, now=clock.now)
    store.audit("anonymous", "login_failed", None, {}, now=clock.now)
    rows = store.audit_log()
    assert [(r.actor, r.action, r.subject, r.detail) for r in rows] == [
        ("admin:cli", "kiosk_add", "kio_1", {"site": "nurmes"}),
        ("anonymous", "login_failed", "", {}),
    ]
    assert rows[0].at == clock.now


def test_no_token_or_password_anywhere_in_the_files(
    data_dir: Path, clock: FakeClock, cheap_hasher: PasswordHasher, catalogue: Catalogue
) -> None:
    password = "Very-Secret-Passw0rd!"
    store = SqliteStore.open(data_dir)
    store.seed_catalogue(catalogue, now=clock.now)
    kiosk_id, token = store.create_kiosk("nurmes", "Nurmes 1", now=clock.now)
    now = clock.now
    auth = Authenticator(store, SessionSigner(b"k" * 32, 600), cheap_hasher)
    account_id = add_account(
        store, "admin:cli", "aino", "Aino", "agent", password, ["kela.benefits"], ["fi"],
        now=now, hasher=cheap_hasher,
    )
    assert auth.check_password("aino", password) is not None
    assert auth.check_password("aino", "Wrong-" + password) is None
    rotated = store.rotate_kiosk_token(kiosk_id, now=now)
    # Careless callers: secrets in detail keys, values, free text and the subject.
    store.audit(
        f"kiosk:{kiosk_id}", "kiosk_add", token, {"token": token, "note": f"t={token}"}, now=now
    )
    store.audit("admin:cli", "account_add", account_id, {"password": password, "ok": True}, now=now)
    store.audit("admin:cli", "rotate", kiosk_id, {"nested": {"new": [rotated]}}, now=clock.now)
    store.insert_entry("e1", kiosk_id, "kela.benefits", "fi", 0, now, "resume-hash", now=now)
    wal_seen = (data_dir / f"{DB_FILENAME}-wal").exists()
    blobs = b"".join(p.read_bytes() for p in data_dir.iterdir() if p.is_file())
    assert wal_seen and blobs
    for secret in (token, rotated, password):
        assert secret.encode() not in blobs
    store.close()
    blobs = b"".join(p.read_bytes() for p in data_dir.iterdir() if p.is_file())
    for secret in (token, rotated, password):
        assert secret.encode() not in blobs
    assert b"[redacted]" in blobs  # the audit rows were written, just scrubbed


def test_thread_use(store: Store) -> None:
    # A benchmark may drive the store from a worker thread.
    errors: list[BaseException] = []

    def work() -> None:
        try:
            store.create_kiosk("nurmes", "threaded", now=T0)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert not errors
    assert [k.name for k in store.list_kiosks()] == ["threaded"]
