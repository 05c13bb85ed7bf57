"""Staff accounts (agents and operators), their skills and languages, and login sessions.

Passwords reach the store hashed and leave it only as :class:`LoginRecord` for the one check
that verifies them (:class:`signaling.auth.Authenticator`); hashing lives with the other
credentials in :mod:`signaling.credentials`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

from signaling.errors import StoreError
from signaling.store.db import Conn, Row, SqlAggregate, from_row, new_id
from signaling.store.records import ROLES, AccountRecord, LoginRecord, Role
from signaling.store.revocations import record_revocation
from signaling.text_rules import DISPLAY_NAME_MAX, TextRejected, check_name

__all__ = ["AccountsSql"]


class AccountsSql(SqlAggregate):
    """Accounts and sessions."""

    def create_account(
        self,
        username: str,
        display_name: str,
        role: Role,
        password_hash: str,
        skills: Iterable[str] = (),
        languages: Iterable[str] = (),
        *,
        now: float,
    ) -> str:
        """Create a staff account and return its id. ``skills`` must be known service ids.
        Usernames are unique ignoring ASCII case. The password arrives hashed
        (:func:`signaling.credentials.hash_password`): the store never sees it in clear."""
        username = username.strip()
        if role not in ROLES or not username or not password_hash:
            raise ValueError("need a role (agent, operator, admin), a username and a password")
        try:
            display_name = check_name(display_name, "display name", DISPLAY_NAME_MAX)
        except TextRejected as exc:
            raise StoreError(f"invalid {exc}") from exc
        account_id = new_id("acc")
        with self._tx() as c:
            c.execute(
                "INSERT INTO accounts (id, username, display_name, role, password_hash, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (account_id, username, display_name, role, password_hash, now),
            )
            _write_skills(c, account_id, skills)
            _write_languages(c, account_id, languages)
        return account_id

    def login_record(self, username: str) -> LoginRecord | None:
        """What a password check needs of the account named ``username``, or None."""
        row = self._one(
            "SELECT id, password_hash, disabled_at FROM accounts WHERE username=?",
            (username.strip(),),
        )
        if row is None:
            return None
        return LoginRecord(
            str(row["id"]), str(row["password_hash"]), row["disabled_at"] is not None
        )

    def replace_password_hash(self, account_id: str, old_hash: str, new_hash: str) -> bool:
        """Swap an outdated hash of the same password for a stronger one (sessions stay).
        False if the hash changed meanwhile."""
        return self._changed(
            "UPDATE accounts SET password_hash=? WHERE id=? AND password_hash=?",
            (new_hash, account_id, old_hash),
        )

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

    def set_password_hash(
        self, account_id: str, password_hash: str, *, now: float, must_change: bool = False
    ) -> None:
        """Set a new password (hashed) and revoke the account's sessions. ``must_change``: the
        password is a temporary one an administrator set, to be replaced at the next login."""
        if not password_hash:
            raise ValueError("empty password")
        with self._tx() as c:
            _require_account(c, account_id)
            c.execute(
                "UPDATE accounts SET password_hash=?, must_change_password=? WHERE id=?",
                (password_hash, int(must_change), account_id),
            )
            _revoke_sessions(c, account_id, now)

    def disable_account(self, account_id: str, *, now: float) -> bool:
        """Disable an account and revoke its sessions. False if unknown or already disabled."""
        with self._tx() as c:
            changed = c.execute(
                "UPDATE accounts SET disabled_at=? WHERE id=? AND disabled_at IS NULL",
                (now, account_id),
            ).rowcount
            _revoke_sessions(c, account_id, now)
        return changed > 0

    def enable_account(self, account_id: str) -> bool:
        """Let a disabled account log in again. False if unknown or not disabled."""
        return self._changed(
            "UPDATE accounts SET disabled_at=NULL WHERE id=? AND disabled_at IS NOT NULL",
            (account_id,),
        )

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

    def revoke_session(self, session_id: str, *, now: float, reason: str = "logged_out") -> bool:
        """Revoke one session (logout, or ``reason`` ``revoked``). False if unknown or already
        revoked."""
        with self._tx() as c:
            changed = c.execute(
                "UPDATE sessions SET revoked_at=? WHERE id=? AND revoked_at IS NULL",
                (now, session_id),
            ).rowcount
            if changed:
                record_revocation(c, "session", session_id, reason, now)
        return changed > 0


def _account(c: Conn, row: Row) -> AccountRecord:
    skills = c.execute("SELECT service_id FROM agent_skills WHERE account_id=?", (row["id"],))
    langs = c.execute("SELECT language FROM agent_languages WHERE account_id=?", (row["id"],))
    return from_row(
        AccountRecord, row, skills=frozenset(r[0] for r in skills),
        languages=frozenset(r[0] for r in langs),
        must_change_password=bool(row["must_change_password"]),
    )


def _revoke_sessions(c: Conn, account_id: str, now: float) -> None:
    """Revoke every live session of an account, each in the revocation feed."""
    ids = [
        str(r[0])
        for r in c.execute(
            "SELECT id FROM sessions WHERE account_id=? AND revoked_at IS NULL AND expires_at > ?",
            (account_id, now),
        )
    ]
    c.execute(
        "UPDATE sessions SET revoked_at=? WHERE account_id=? AND revoked_at IS NULL",
        (now, account_id),
    )
    for session_id in ids:
        record_revocation(c, "session", session_id, "revoked", now)


def _require_account(c: Conn, account_id: str) -> None:
    if c.execute("SELECT 1 FROM accounts WHERE id=?", (account_id,)).fetchone() is None:
        raise StoreError(f"no account {account_id!r}")


def _write_skills(c: Conn, account_id: str, skills: Iterable[str]) -> None:
    wanted = sorted(set(skills))
    known = {r[0] for r in c.execute("SELECT id FROM services WHERE retired_at IS NULL")}
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise StoreError(f"unknown service id(s): {', '.join(unknown)}")
    c.executemany(
        "INSERT INTO agent_skills (account_id, service_id) VALUES (?, ?)",
        [(account_id, s) for s in wanted],
    )


def _write_languages(c: Conn, account_id: str, languages: Iterable[str]) -> None:
    wanted = sorted(set(languages))
    bad = [lang for lang in wanted if not re.fullmatch(r"[a-z]{2,3}", lang)]
    if bad:
        raise StoreError(f"invalid language code(s): {', '.join(bad)}")
    c.executemany(
        "INSERT INTO agent_languages (account_id, language) VALUES (?, ?)",
        [(account_id, x) for x in wanted],
    )
