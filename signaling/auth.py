"""Turning credentials into principals: kiosk device tokens, staff passwords and sessions.

Password work (argon2) runs in the :class:`~signaling.password_pool.PasswordPool`, never on
the event loop; the store lookups and writes around it stay on the loop, so each is one short
transaction as everywhere else.
"""

from __future__ import annotations

import logging

from argon2 import PasswordHasher

from jsonlog import fields
from signaling.credentials import (
    PasswordRefused,
    SessionSigner,
    check_new_password,
    dummy_verify,
    hash_password,
    hash_token,
    needs_rehash,
    verify_password,
)
from signaling.errors import AuthError, BadCredentials
from signaling.identity import Principal
from signaling.password_pool import PasswordPool
from signaling.store import Store
from signaling.store.records import AccountRecord
from signaling.text_rules import USERNAME_TRIED_MAX, printable

__all__ = ["Authenticator", "LoginResult"]

log = logging.getLogger("etapiste.auth")

DEVICE_TOKEN_PREFIX = "etk_"  # noqa: S105 - a prefix, not a secret
LoginResult = tuple[str, float, Principal]
"""``(session token, expiry time, principal)``."""


def _check(
    password_hash: str | None, password: str, hasher: PasswordHasher | None
) -> tuple[bool, str | None]:
    """On a pool thread: whether ``password`` matches, and a stronger hash of it if the
    stored one is outdated. An unknown user costs the same as a known one."""
    if password_hash is None:
        dummy_verify(password, hasher)
        return False, None
    if not verify_password(password_hash, password, hasher):
        return False, None
    stronger = hash_password(password, hasher) if needs_rehash(password_hash, hasher) else None
    return True, stronger


class Authenticator:
    """Checks bearer tokens and passwords against the store; never logs a credential."""

    cookie_name = "etapiste_session"

    def __init__(
        self,
        store: Store,
        signer: SessionSigner,
        hasher: PasswordHasher | None = None,
        pool: PasswordPool | None = None,
    ) -> None:
        self.store = store
        self.signer = signer
        self.hasher = hasher
        """argon2 parameters for checking and upgrading passwords (None: the defaults)."""
        self.pool = pool or PasswordPool()

    def principal_for_token(self, token: str, now: float) -> Principal | None:
        """The kiosk or account a bearer token stands for, or None if it is not valid now."""
        if token.startswith(DEVICE_TOKEN_PREFIX):
            kiosk = self.store.kiosk_by_token(token)
            if kiosk is None:
                log.info("kiosk token refused")
                return None
            return Principal(role="kiosk", id=kiosk.id, name=kiosk.name, site_id=kiosk.site_id,
                             token_digest=hash_token(token))
        try:
            claims = self.signer.verify(token, now)
        except AuthError as exc:
            log.info("session token refused", extra=fields(why=type(exc).__name__))
            return None
        if not self.store.session_active(claims.session_id, now=now):
            log.info("revoked session refused", extra=fields(session=claims.session_id))
            return None
        account = self.store.account(claims.account_id)
        if account is None or account.disabled:
            return None
        return self._principal(account, claims.session_id, claims.expires_at)

    @staticmethod
    def _principal(account: AccountRecord, session_id: str, expires_at: float) -> Principal:
        return Principal(
            role=account.role,
            id=account.id,
            name=account.display_name,
            skills=frozenset(account.skills),
            languages=frozenset(account.languages),
            session_id=session_id,
            expires_at=expires_at,
            must_change_password=account.must_change_password,
        )

    def check_password(self, username: str, password: str) -> AccountRecord | None:
        """The enabled account whose password matches, else None, on the calling thread (the
        command line and tests; the server uses :meth:`login`)."""
        record = self.store.login_record(username)
        ok, stronger = _check(record.password_hash if record else None, password, self.hasher)
        if record is None or not ok or record.disabled:
            return None
        if stronger is not None:
            self.store.replace_password_hash(record.id, record.password_hash, stronger)
        return self.store.account(record.id)

    async def login(
        self, username: str, password: str, now: float, *, client: str = "?"
    ) -> LoginResult:
        """Exchange a password for a session token; :class:`BadCredentials` if wrong, and
        :class:`~signaling.password_pool.PoolBusy` if too many checks are under way."""
        record = self.store.login_record(username)
        ok, stronger = await self.pool.run(
            _check, record.password_hash if record else None, password, self.hasher
        )
        if record is None or not ok or record.disabled:
            tried = printable(username, USERNAME_TRIED_MAX)
            self.store.audit("anonymous", "login_failed", None,
                             {"username": tried, "client": client}, now=now)
            raise BadCredentials("unknown user or wrong password")
        if stronger is not None:
            self.store.replace_password_hash(record.id, record.password_hash, stronger)
        account = self.store.account(record.id)
        if account is None:
            raise BadCredentials("unknown user or wrong password")
        result = self._session(account, now)
        self.store.audit(f"{account.role}:{account.id}", "login", account.id,
                         {"client": client}, now=now)
        return result

    def _session(self, account: AccountRecord, now: float) -> LoginResult:
        session_id = self.store.create_session(account.id, self.signer.ttl_s, now=now)
        token = self.signer.issue(session_id, account.id, account.role, now)
        expires_at = now + self.signer.ttl_s
        return token, expires_at, self._principal(account, session_id, expires_at)

    async def change_password(
        self, principal: Principal, current: str, new: str, now: float, *, client: str = "?"
    ) -> LoginResult:
        """Replace the password of a logged-in account (a temporary one, or by choice).

        The current password is checked again, so a stolen session alone cannot take the
        account over. Every session of the account ends (other devices are logged out); the
        caller gets a new one. :class:`BadCredentials` if ``current`` is wrong,
        :class:`PasswordRefused` if ``new`` breaks a rule or equals ``current``."""
        check_new_password(new)
        if new == current:
            raise PasswordRefused("the new password must differ from the old one")
        account = self.store.account(principal.id)
        record = self.store.login_record(account.username) if account else None
        ok, _ = await self.pool.run(
            _check, record.password_hash if record else None, current, self.hasher
        )
        if account is None or record is None or not ok or record.disabled:
            self.store.audit(principal.label, "password_change_failed", principal.id,
                             {"client": client}, now=now)
            raise BadCredentials("wrong password")
        new_hash = await self.pool.run(hash_password, new, self.hasher)
        self.store.set_password_hash(account.id, new_hash, now=now)
        self.store.audit(principal.label, "password_change", account.id, {"client": client},
                         now=now)
        fresh = self.store.account(account.id)
        assert fresh is not None
        return self._session(fresh, now)
