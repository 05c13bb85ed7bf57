"""Staff accounts (agents and operators), their skills and languages, and login sessions."""

from __future__ import annotations

import re
import secrets
import sqlite3
from collections.abc import Iterable

from argon2 import PasswordHasher

from signaling.credentials import dummy_verify, hash_password, needs_rehash, verify_password
from signaling.errors import StoreError
from signaling.store.db import SqlAggregate, from_row, new_id
from signaling.store.records import ROLES, AccountRecord, Role

__all__ = ["AccountsSql"]


class AccountsSql(SqlAggregate):
    """Accounts and sessions."""

    _hasher: PasswordHasher | None

    def create_account(
        self,
        username: str,
        display_name: str,
        role: Role,
        password: str,
        skills: Iterable[str] = (),
        languages: Iterable[str] = (),
        *,
        now: float,
    ) -> str:
        """Create a staff account and return its id. ``skills`` must be known service ids.
        Usernames are unique ignoring ASCII case."""
        username = username.strip()
        if role not in ROLES or not username or not password:
            raise ValueError("need a role of 'agent' or 'operator', a username and a password")
        account_id = new_id("acc")
        password_hash = hash_password(password, self._hasher)
        with self._tx() as c:
            c.execute(
                "INSERT INTO accounts (id, username, display_name, role, password_hash, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (account_id, username, display_name, role, password_hash, now),
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

    def set_password(self, account_id: str, password: str, *, now: float) -> None:
        """Set a new password and revoke the account's sessions."""
        if not password:
            raise ValueError("empty password")
        password_hash = hash_password(password, self._hasher)
        with self._tx() as c:
            _require_account(c, account_id)
            c.execute("UPDATE accounts SET password_hash=? WHERE id=?", (password_hash, account_id))
            c.execute(
                "UPDATE sessions SET revoked_at=? WHERE account_id=? AND revoked_at IS NULL",
                (now, account_id),
            )

    def disable_account(self, account_id: str, *, now: float) -> bool:
        """Disable an account and revoke its sessions. False if unknown or already disabled."""
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

    def create_session(self, account_id: str, ttl_s: float, *, now: float) -> str:
        """Record a login session lasting ``ttl_s`` and return its id. The id alone grants
        nothing: clients hold a signed token that names it."""
        session_id = f"ses_{secrets.token_urlsafe(16)}"
        with self._tx() as c:
            c.execute(
                "INSERT INTO sessions (id, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                (session_id, account_id, now, now + ttl_s),
            )
        return session_id

    def session_active(self, session_id: str, *, now: float) -> bool:
        """Whether the session exists, is unexpired and unrevoked, and its account enabled."""
        row = self._one(
            "SELECT 1 FROM sessions s JOIN accounts a ON a.id = s.account_id "
            "WHERE s.id=? AND s.revoked_at IS NULL AND s.expires_at > ? AND a.disabled_at IS NULL",
            (session_id, now),
        )
        return row is not None

    def revoke_session(self, session_id: str, *, now: float) -> bool:
        """Revoke one session (logout). False if unknown or already revoked."""
        return self._changed(
            "UPDATE sessions SET revoked_at=? WHERE id=? AND revoked_at IS NULL",
            (now, session_id),
        )


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
