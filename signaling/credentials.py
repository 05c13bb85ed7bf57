"""Credentials: kiosk device tokens, staff passwords and signed session tokens.

* Device tokens are 256-bit random strings shown once; the server keeps only a SHA-256 digest.
  A slow hash buys nothing for tokens with that much entropy and would slow every handshake.
* Passwords are hashed with argon2id (argon2-cffi defaults, RFC 9106 low-memory profile).
* Session tokens are HMAC-SHA256 signed, versioned and short-lived; revocation is checked
  separately against the store by session id.

Nothing here logs or embeds a secret in an exception message.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from signaling.errors import AuthError, ConfigError, ExpiredToken, InvalidToken

__all__ = [
    "DEVICE_TOKEN_PREFIX",
    "KEY_BYTES",
    "PASSWORD_MAX",
    "PASSWORD_MIN",
    "REDACTED",
    "SESSION_TOKEN_VERSION",
    "PasswordRefused",
    "SessionClaims",
    "SessionSigner",
    "check_new_password",
    "dummy_verify",
    "hash_password",
    "hash_token",
    "load_or_create_key",
    "needs_rehash",
    "new_device_token",
    "redact",
    "token_matches",
    "verify_password",
]

DEVICE_TOKEN_PREFIX = "etk_"  # noqa: S105 - a public prefix, not a secret
#: Session token format version; bump it when the payload or signature scheme changes.
SESSION_TOKEN_VERSION = "v1"  # noqa: S105 - a format tag, not a secret
KEY_BYTES = 32
# Bounds the work done on hostile input before the signature is even checked.
_MAX_TOKEN_LEN = 2048

_default_hasher = PasswordHasher()
# Keyed by hasher parameters: verification time follows the parameters inside the hash.
_dummy_hashes: dict[tuple[object, ...], str] = {}


# --- device tokens ----------------------------------------------------------------------------


def new_device_token() -> str:
    """A fresh kiosk device token: ``etk_`` + 32 random bytes, base64url without padding."""
    return DEVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which a device token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, token_hash: str) -> bool:
    """Whether ``token`` hashes to ``token_hash``, compared in constant time."""
    return hmac.compare_digest(hash_token(token), token_hash)


# --- passwords --------------------------------------------------------------------------------

PASSWORD_MIN = 8
PASSWORD_MAX = 256
"""Longest password accepted anywhere (the login API's limit): argon2 time does not depend on
it, but a bound keeps requests small."""


class PasswordRefused(AuthError, ValueError):
    """A new password breaks a rule; the message is safe to show."""


def check_new_password(password: str) -> None:
    """Refuse a new password that is too short or too long (:class:`PasswordRefused`)."""
    if len(password) < PASSWORD_MIN:
        raise PasswordRefused(f"the password needs at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise PasswordRefused(f"the password may have at most {PASSWORD_MAX} characters")



def hash_password(password: str, hasher: PasswordHasher | None = None) -> str:
    """An argon2id hash of ``password`` in PHC string format (salt and parameters included)."""
    return (hasher or _default_hasher).hash(password)


def verify_password(
    password_hash: str, password: str, hasher: PasswordHasher | None = None
) -> bool:
    """Whether ``password`` matches ``password_hash``.

    Never raises for a wrong password; a corrupt or foreign hash also yields False, since the
    caller's only sensible reaction is to refuse the login.
    """
    try:
        return (hasher or _default_hasher).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str, hasher: PasswordHasher | None = None) -> bool:
    """Whether ``password_hash`` was made with weaker parameters than the current hasher's."""
    try:
        return (hasher or _default_hasher).check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def dummy_verify(password: str, hasher: PasswordHasher | None = None) -> None:
    """Spend the time of one real verification, so unknown usernames are not told apart."""
    hasher = hasher or _default_hasher
    params = (
        hasher.time_cost,
        hasher.memory_cost,
        hasher.parallelism,
        hasher.hash_len,
        hasher.salt_len,
        hasher.type,
    )
    dummy = _dummy_hashes.get(params)
    if dummy is None:
        dummy = _dummy_hashes[params] = hasher.hash(secrets.token_urlsafe(16))
    verify_password(dummy, password, hasher)


# --- session tokens ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionClaims:
    """What a verified session token asserts. Check ``session_id`` against revocations."""

    session_id: str
    account_id: str
    role: str
    expires_at: float


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionSigner:
    """Issues and verifies session tokens ``v1.<payload>.<mac>``.

    ``payload`` is base64url JSON ``{"sid", "aid", "role", "exp"}``; ``mac`` is base64url
    HMAC-SHA256 with ``key`` over ``v1.<payload>``. The MAC is compared in its encoded form so
    that a token has exactly one valid spelling.
    """

    def __init__(self, key: bytes, ttl_s: float) -> None:
        if len(key) < KEY_BYTES:
            raise ConfigError(f"session key must be at least {KEY_BYTES} bytes")
        if ttl_s <= 0:
            raise ConfigError("session ttl must be positive")
        self._key = key
        self.ttl_s = ttl_s

    def __repr__(self) -> str:
        return f"SessionSigner(ttl_s={self.ttl_s!r})"

    def _mac(self, signed_part: str) -> str:
        return _b64e(hmac.new(self._key, signed_part.encode("ascii"), hashlib.sha256).digest())

    def issue(self, session_id: str, account_id: str, role: str, now: float) -> str:
        """A token for ``session_id`` valid until ``now + ttl_s``."""
        payload = {"sid": session_id, "aid": account_id, "role": role, "exp": now + self.ttl_s}
        body = _b64e(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8"))
        signed_part = f"{SESSION_TOKEN_VERSION}.{body}"
        return f"{signed_part}.{self._mac(signed_part)}"

    def verify(self, token: str, now: float) -> SessionClaims:
        """The claims of ``token``.

        Raises :class:`InvalidToken` if it is malformed, of another version or not signed with
        this key, and :class:`ExpiredToken` if it was genuine but has expired.
        """
        if len(token) > _MAX_TOKEN_LEN or not token.isascii():
            raise InvalidToken("malformed session token")
        parts = token.split(".")
        if len(parts) != 3:
            raise InvalidToken("malformed session token")
        version, body, mac = parts
        if version != SESSION_TOKEN_VERSION:
            raise InvalidToken("unsupported session token version")
        if not hmac.compare_digest(self._mac(f"{version}.{body}").encode(), mac.encode()):
            raise InvalidToken("bad session token signature")
        try:
            payload = json.loads(_b64d(body))
        except (binascii.Error, ValueError):
            raise InvalidToken("malformed session token payload") from None
        claims = _claims_from(payload)
        if now >= claims.expires_at:
            raise ExpiredToken("session token expired")
        return claims


def _claims_from(payload: object) -> SessionClaims:
    if not isinstance(payload, dict):
        raise InvalidToken("malformed session token payload")
    sid, aid, role, exp = (payload.get(k) for k in ("sid", "aid", "role", "exp"))
    if not (isinstance(sid, str) and isinstance(aid, str) and isinstance(role, str)):
        raise InvalidToken("malformed session token payload")
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        raise InvalidToken("malformed session token payload")
    return SessionClaims(session_id=sid, account_id=aid, role=role, expires_at=float(exp))


# --- redaction --------------------------------------------------------------------------------

# Keys that name a credential, and strings shaped like one of our tokens.
_SECRET_KEY_RE = re.compile(r"token|password|passwd|secret|credential|authorization|cookie", re.I)
_SECRET_VALUE_RE = re.compile(
    re.escape(DEVICE_TOKEN_PREFIX)
    + r"[A-Za-z0-9_-]{20,}|v\d+\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{40,}"
)
REDACTED = "[redacted]"


def redact(value: object, key: str = "") -> object:
    """``value`` with credentials replaced by ``[redacted]``, for logs and the audit table.

    Mapping entries whose key names a credential are dropped to the marker whatever their
    value; strings shaped like a device or session token are masked wherever they appear.
    Containers are copied (tuples and sets become lists, ready for JSON).
    """
    if key and _SECRET_KEY_RE.search(key):
        return REDACTED
    if isinstance(value, str):
        return _SECRET_VALUE_RE.sub(REDACTED, value)
    if isinstance(value, Mapping):
        return {str(k): redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact(v) for v in value]
    return value


# --- key file ---------------------------------------------------------------------------------


def load_or_create_key(path: str | Path) -> bytes:
    """The signing key stored at ``path``, creating a random 32-byte key (mode 0600) if absent.

    An existing key file readable by group or others is refused with :class:`ConfigError`,
    as ssh does for private keys, rather than silently trusted.
    """
    path = Path(path)
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Write a temporary file, then hard-link it into place: readers never see a half-written
    # key, and if two processes race, the loser adopts the winner's key instead of
    # overwriting it.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o600)
            f.write(secrets.token_bytes(KEY_BYTES))
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    with path.open("rb") as f:
        mode = os.fstat(f.fileno()).st_mode
        if stat.S_IMODE(mode) & 0o077:
            raise ConfigError(f"{path}: key file is accessible by group or others; chmod 600 it")
        key = f.read(4096)
    if len(key) < KEY_BYTES:
        raise ConfigError(f"{path}: key file holds {len(key)} bytes, need {KEY_BYTES}")
    return key
