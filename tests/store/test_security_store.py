"""The store's part in issue 12: the revocation feed, the audit chain, retention, name limits,
and the migration of a database of the previous release (schema 3) to the admin role."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from signaling.catalogue import Catalogue
from signaling.errors import StoreError
from signaling.store import PostgresStore, SqliteStore, Store
from signaling.store.records import PurgeCutoffs, ShownEstimate
from signaling.store.schema import MIGRATIONS
from tests.pgserver import PgServer

from .conftest import T0, FakeClock

DAY = 86400.0


class _Tamper:
    """Someone with write access to the database but not the key, on either backend."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def execute(self, sql: str) -> None:
        with self._store._db.tx() as c:  # type: ignore[attr-defined]
            c.execute(sql)


def _account(store: Store, name: str = "aino", role: str = "agent") -> str:
    return store.create_account(name, name.title(), role, "hash", ["kela.benefits"], ["fi"],  # type: ignore[arg-type]
                                now=T0)


def test_every_revoking_write_is_in_the_feed(store: Store) -> None:
    start = store.revocation_seq()
    acc = _account(store)
    s1, s2 = store.create_session(acc, 600, now=T0), store.create_session(acc, 600, now=T0)
    kiosk_id, _token = store.create_kiosk("nurmes", "Nurmes 1", now=T0)
    other_kiosk, old_token = store.create_kiosk("nurmes", "Nurmes 2", now=T0)
    assert store.revoke_session(s1, now=T0 + 1)
    assert not store.revoke_session(s1, now=T0 + 2)  # nothing new: no second row
    s3 = store.create_session(acc, 600, now=T0)
    store.set_password_hash(acc, "new", now=T0 + 3, must_change=True)
    assert store.account(acc).must_change_password  # type: ignore[union-attr]
    store.revoke_kiosk(kiosk_id, now=T0 + 4)
    store.rotate_kiosk_token(other_kiosk, now=T0 + 5)
    feed = store.revocations_after(start)
    assert [(r.kind, r.reason) for r in feed] == [
        ("session", "logged_out"), ("session", "revoked"), ("session", "revoked"),
        ("kiosk", "revoked"), ("kiosk_token", "revoked"),
    ]
    assert {feed[1].subject, feed[2].subject} == {s2, s3}
    assert feed[3].subject == kiosk_id
    from signaling.credentials import hash_token

    assert feed[4].subject == hash_token(old_token)
    assert store.revocations_after(feed[-1].seq) == []
    assert store.revocation_seq() == feed[-1].seq
    # Disabling revokes the sessions made since, and enabling lets the account back in.
    s4 = store.create_session(acc, 600, now=T0 + 6)
    assert store.disable_account(acc, now=T0 + 7)
    assert [r.subject for r in store.revocations_after(feed[-1].seq)] == [s4]
    assert store.enable_account(acc) and not store.enable_account(acc)
    assert not store.account(acc).disabled  # type: ignore[union-attr]


def test_names_too_long_or_with_control_characters_are_refused(store: Store) -> None:
    with pytest.raises(StoreError):
        store.create_account("long", "x" * 250, "agent", "hash", now=T0)
    with pytest.raises(StoreError):
        store.create_account("rlo", "Aino\u202eenivriV", "agent", "hash", now=T0)
    with pytest.raises(StoreError):
        store.create_kiosk("nurmes", "k" * 300, now=T0)
    with pytest.raises(StoreError):
        store.create_kiosk("nurmes", "two\nlines", now=T0)
    with pytest.raises(StoreError):
        store.create_site("x", "s" * 121, "s", "s", "", now=T0)
    assert store.create_account("ok", "Åsa Öhman-Ek", "admin", "hash", now=T0)


def test_audit_chain_verifies_and_shows_tampering(store: Store) -> None:
    for i in range(5):
        store.audit("admin:cli", f"act{i}", "subj", {"n": i}, now=T0 + i)
    report = store.verify_audit_chain()
    assert report.ok and report.rows == 5 and report.legacy == 0
    conn = _Tamper(store)
    conn.execute("UPDATE audit SET detail='{\"n\":99}' WHERE action='act2'")
    report = store.verify_audit_chain()
    assert not report.ok and "altered" in (report.problem or "")
    bad = report.first_bad_id
    conn.execute("UPDATE audit SET detail='{\"n\":2}' WHERE action='act2'")
    assert store.verify_audit_chain().ok
    conn.execute("DELETE FROM audit WHERE action='act3'")
    report = store.verify_audit_chain()
    assert not report.ok and report.first_bad_id == bad + 2  # type: ignore[operator]


def test_retention_keeps_the_chain_verifiable(store: Store, clock: FakeClock) -> None:
    for i in range(6):
        store.audit("admin:cli", "old" if i < 4 else "new", "s", now=T0 + i * DAY)
    counts = store.purge(PurgeCutoffs(0, 0, T0 + 3.5 * DAY, 0))
    assert counts["audit"] == 4
    assert [a.action for a in store.audit_log()] == ["new", "new"]
    assert store.verify_audit_chain().ok
    store.audit("admin:cli", "later", "s", now=T0 + 7 * DAY)
    assert store.verify_audit_chain().ok
    # Everything goes, then the chain continues from the anchor.
    store.purge(PurgeCutoffs(0, 0, T0 + 100 * DAY, 0))
    assert store.audit_log() == []
    store.audit("admin:cli", "after", "s", now=T0 + 101 * DAY)
    assert store.verify_audit_chain().ok
    # Cutting the front off without the key, anchor and all, is seen.
    store.audit("admin:cli", "more", "s", now=T0 + 102 * DAY)
    conn = _Tamper(store)
    conn.execute("DELETE FROM audit WHERE action='after'")
    assert not store.verify_audit_chain().ok
    conn.execute("UPDATE audit_anchor SET prev_hash=(SELECT prev_hash FROM audit LIMIT 1)")
    assert "anchor" in (store.verify_audit_chain().problem or "")


def test_purge_clears_notes_before_records(store: Store, clock: FakeClock) -> None:
    kiosk_id, _ = store.create_kiosk("nurmes", "Nurmes 1", now=T0)
    acc = _account(store)
    for n, queued in enumerate((T0, T0 + 40 * DAY)):
        store.call_started(f"c{n}", entry_id=f"e{n}", kiosk_id=kiosk_id, agent_id=acc,
                           service_id="kela.benefits", language="fi", offered_at=queued,
                           answered_at=queued, queued_at=queued)
        store.call_ended(f"c{n}", queued + 60, "answered", "hangup")
        store.call_wrapup(f"c{n}", "resolved", "call back on Monday")
    now = T0 + 45 * DAY
    counts = store.purge(PurgeCutoffs(now - 730 * DAY, now - 30 * DAY, now - 730 * DAY, 0))
    assert counts["notes"] == 1 and counts["calls"] == 0
    assert store.call("c0").wrapup_note is None  # type: ignore[union-attr]
    assert store.call("c1").wrapup_note == "call back on Monday"  # type: ignore[union-attr]
    assert store.call("c0").disposition == "resolved"  # type: ignore[union-attr]


@pytest.mark.parametrize("version", [3, 4])
def test_an_older_database_migrates_with_its_accounts_and_references(
    version: int, data_dir: Path, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Schema 3 (the first release) and 4 (honest waits, #16) both reach the current one."""
    monkeypatch.setattr("signaling.store.db.MIGRATIONS", MIGRATIONS[:version])
    old = SqliteStore.open(data_dir)
    old.seed_catalogue(catalogue, now=T0)
    acc = old.create_account("olli", "Olli", "operator", "hash", ["kela.benefits"], ["fi", "sv"],
                             now=T0)
    session = old.create_session(acc, 600, now=T0)
    kiosk_id, _ = old.create_kiosk("nurmes", "Nurmes 1", now=T0)
    old.call_started("c1", entry_id="e1", kiosk_id=kiosk_id, agent_id=acc,
                     service_id="kela.benefits", language="fi", offered_at=T0, answered_at=T0)
    old._db.conn.execute(  # type: ignore[attr-defined]
        "INSERT INTO audit (at, actor, action, subject) VALUES (?, 'admin:cli', 'old', '')", (T0,)
    )
    if version >= 4:
        old.insert_entry("e2", kiosk_id, "kela.benefits", "fi", 0, T0, now=T0)
        old.record_estimates([ShownEstimate("e2", T0, 1, 120.0, "minutes")])
        old.wait_ended("e2", T0 + 60, answered=True)
    assert old.schema_version() == version
    old.close()
    monkeypatch.setattr("signaling.store.db.MIGRATIONS", MIGRATIONS)
    new = SqliteStore.open(data_dir)
    try:
        assert new.schema_version() == len(MIGRATIONS)
        if version >= 4:
            assert [w.waited_s for w in new.waits_between(0, 2e9)] == [60.0]
        account = new.account(acc)
        assert account is not None and account.role == "operator"
        assert account.skills == {"kela.benefits"} and account.languages == {"fi", "sv"}
        assert not account.must_change_password
        assert new.session_active(session, now=T0 + 1)
        assert new.call("c1").agent_id == acc  # type: ignore[union-attr]
        assert new.create_account("ada", "Ada", "admin", "hash", now=T0)
        conn: sqlite3.Connection = new._db.conn
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        with pytest.raises(StoreError):  # the foreign key to accounts still holds
            new.create_session("acc_nope", 600, now=T0)
        new.audit("admin:cli", "new", "", now=T0 + 1)
        report = new.verify_audit_chain()
        assert report.ok and report.legacy == 1 and report.rows == 2
    finally:
        new.close()


@pytest.mark.parametrize("version", [3, 5])
def test_an_older_postgresql_database_migrates_in_place(
    version: int, pg_server: PgServer, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL takes schema 6 by altering accounts in place (no rebuild): every account,
    session and reference is kept, the admin role and the password flag work afterwards."""
    url = pg_server.fresh_database()
    key = bytes(range(32))
    monkeypatch.setattr("signaling.store.pg.MIGRATIONS", MIGRATIONS[:version])
    old = PostgresStore.open(url, audit_key=key)
    old.seed_catalogue(catalogue, now=T0)
    acc = old.create_account("olli", "Olli", "operator", "hash", ["kela.benefits"], ["fi", "sv"],
                             now=T0)
    session = old.create_session(acc, 600, now=T0)
    kiosk_id, _ = old.create_kiosk("nurmes", "Nurmes 1", now=T0)
    old.call_started("c1", entry_id="e1", kiosk_id=kiosk_id, agent_id=acc,
                     service_id="kela.benefits", language="fi", offered_at=T0, answered_at=T0)
    with old._db.tx() as c:
        c.execute("INSERT INTO audit (at, actor, action, subject) VALUES (?, 'admin:cli', 'old', "
                  "'')", (T0,))
    assert old.schema_version() == version
    old.close()
    monkeypatch.setattr("signaling.store.pg.MIGRATIONS", MIGRATIONS)
    new = PostgresStore.open(url, audit_key=key)
    try:
        assert new.schema_version() == len(MIGRATIONS)
        account = new.account(acc)
        assert account is not None and account.role == "operator"
        assert account.skills == {"kela.benefits"} and account.languages == {"fi", "sv"}
        assert not account.must_change_password
        assert new.session_active(session, now=T0 + 1)
        assert new.call("c1").agent_id == acc  # type: ignore[union-attr]
        admin = new.create_account("ada", "Ada", "admin", "hash", now=T0)
        assert new.account(admin).role == "admin"  # type: ignore[union-attr]
        with pytest.raises(StoreError), new._db.tx() as c:  # the database's role check holds
            c.execute("INSERT INTO accounts (id, username, display_name, role, password_hash, "
                      "created_at) VALUES ('acc_x', 'eve', 'Eve', 'root', 'h', 0)")
        with pytest.raises(StoreError):  # the username stays unique in any case
            new.create_account("OLLI", "Olli 2", "agent", "hash", now=T0)
        with pytest.raises(StoreError):  # the foreign key to accounts still holds
            new.create_session("acc_nope", 600, now=T0)
        new.set_password_hash(acc, "new", now=T0 + 2, must_change=True)
        assert new.account(acc).must_change_password  # type: ignore[union-attr]
        assert [r.subject for r in new.revocations_after(0)] == [session]
        new.audit("admin:cli", "new", "", now=T0 + 1)
        report = new.verify_audit_chain()
        assert report.ok and report.legacy == 1 and report.rows == 2
    finally:
        new.close()
