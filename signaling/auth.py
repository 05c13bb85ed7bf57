"""Turning credentials into principals: kiosk device tokens and agent/operator sessions."""

from __future__ import annotations

import logging

from argon2 import PasswordHasher

from jsonlog import fields
from signaling.credentials import (
    SessionSigner,
    dummy_verify,
    hash_password,
    needs_rehash,
    verify_password,
)
from signaling.errors import AuthError, BadCredentials
from signaling.identity import Principal
from signaling.store import Store
from signaling.store.records import AccountRecord

log = logging.getLogger("etapiste.auth")

DEVICE_TOKEN_PREFIX = "etk_"  # noqa: S105 - a prefix, not a secret


class Authenticator:
    """Checks bearer tokens and passwords against the store; never logs a credential."""

    cookie_name = "etapiste_session"

    def __init__(
        self, store: Store, signer: SessionSigner, hasher: PasswordHasher | None = None
    ) -> None:
        self.store = store
        self.signer = signer
        self.hasher = hasher
        """argon2 parameters for checking and upgrading passwords (None: the defaults)."""

    def principal_for_token(self, token: str, now: float) -> Principal | None:
        """The kiosk or account a bearer token stands for, or None if it is not valid now."""
        if token.startswith(DEVICE_TOKEN_PREFIX):
            kiosk = self.store.kiosk_by_token(token)
            if kiosk is None:
                log.info("kiosk token refused")
                return None
            return Principal(role="kiosk", id=kiosk.id, name=kiosk.name, site_id=kiosk.site_id)
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
        return Principal(
            role=account.role,
            id=account.id,
            name=account.display_name,
            skills=frozenset(account.skills),
            languages=frozenset(account.languages),
            session_id=claims.session_id,
        )

    def check_password(self, username: str, password: str) -> AccountRecord | None:
        """The enabled account whose password matches, else None. Takes the time of one
        argon2 verification whether or not the user exists; upgrades outdated hashes."""
        record = self.store.login_record(username)
        if record is None:
            dummy_verify(password, self.hasher)
            return None
        if not verify_password(record.password_hash, password, self.hasher) or record.disabled:
            return None
        if needs_rehash(record.password_hash, self.hasher):
            stronger = hash_password(password, self.hasher)
            self.store.replace_password_hash(record.id, record.password_hash, stronger)
        return self.store.account(record.id)

    def login(self, username: str, password: str, now: float) -> tuple[str, float, Principal]:
        """Exchange a password for a session token; raises :class:`BadCredentials`."""
        account = self.check_password(username, password)
        if account is None or account.disabled:
            self.store.audit("anonymous", "login_failed", None, {}, now=now)
            raise BadCredentials("unknown user or wrong password")
        session_id = self.store.create_session(account.id, self.signer.ttl_s, now=now)
        token = self.signer.issue(session_id, account.id, account.role, now)
        self.store.audit(f"{account.role}:{account.id}", "login", account.id, {}, now=now)
        principal = Principal(
            role=account.role,
            id=account.id,
            name=account.display_name,
            skills=frozenset(account.skills),
            languages=frozenset(account.languages),
            session_id=session_id,
        )
        return token, now + self.signer.ttl_s, principal
