"""Device tokens, passwords, signed session tokens, the key file, redaction."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import stat
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from signaling.credentials import (
    KEY_BYTES,
    REDACTED,
    SessionClaims,
    SessionSigner,
    dummy_verify,
    hash_password,
    hash_token,
    load_or_create_key,
    needs_rehash,
    new_device_token,
    redact,
    token_matches,
    verify_password,
)
from signaling.errors import AuthError, ConfigError, ExpiredToken, InvalidToken, SignalingError

KEY = bytes(range(32))
NOW = 1_750_000_000.0


def test_device_token_shape() -> None:
    token = new_device_token()
    assert token.startswith("etk_")
    body = token[4:]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", body)
    assert len(base64.urlsafe_b64decode(body + "=")) == 32
    assert new_device_token() != token


def test_token_hash_is_sha256_hex() -> None:
    token = new_device_token()
    digest = hash_token(token)
    assert digest == hashlib.sha256(token.encode()).hexdigest()
    assert token_matches(token, digest)
    assert not token_matches(new_device_token(), digest)
    assert not token_matches(token, digest[:-1] + ("0" if digest[-1] != "0" else "1"))


def test_password_right_and_wrong(cheap_hasher: PasswordHasher) -> None:
    h = hash_password("correct horse", cheap_hasher)
    assert h.startswith("$argon2id$")
    assert "correct horse" not in h
    assert verify_password(h, "correct horse", cheap_hasher)
    assert not verify_password(h, "wrong horse", cheap_hasher)
    assert not verify_password(h, "", cheap_hasher)


def test_verify_never_raises_on_garbage() -> None:
    assert not verify_password("not a hash", "pw")
    assert not verify_password("", "pw")


def test_default_hasher_is_argon2id() -> None:
    h = hash_password("pw")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "pw")
    assert not needs_rehash(h)


def test_needs_rehash_after_parameter_change(cheap_hasher: PasswordHasher) -> None:
    weak = hash_password("pw", cheap_hasher)
    assert not needs_rehash(weak, cheap_hasher)
    assert needs_rehash(weak)
    assert needs_rehash("garbage")


def test_dummy_verify_runs(cheap_hasher: PasswordHasher) -> None:
    dummy_verify("anything", cheap_hasher)


# --- session tokens ----------------------------------------------------------------------------


def test_session_round_trip() -> None:
    signer = SessionSigner(KEY, ttl_s=900)
    token = signer.issue("ses_1", "acc_1", "agent", NOW)
    assert token.startswith("v1.")
    claims = signer.verify(token, NOW + 10)
    assert claims == SessionClaims("ses_1", "acc_1", "agent", NOW + 900)


def test_session_token_holds_no_key() -> None:
    token = SessionSigner(KEY, ttl_s=900).issue("ses_1", "acc_1", "operator", NOW)
    body = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert set(body) == {"sid", "aid", "role", "exp"}


def test_expired() -> None:
    signer = SessionSigner(KEY, ttl_s=60)
    token = signer.issue("s", "a", "agent", NOW)
    signer.verify(token, NOW + 59.9)
    with pytest.raises(ExpiredToken):
        signer.verify(token, NOW + 60)
    with pytest.raises(ExpiredToken):
        signer.verify(token, NOW + 3600)


def test_every_flipped_byte_is_invalid() -> None:
    signer = SessionSigner(KEY, ttl_s=60)
    token = signer.issue("ses_abc", "acc_def", "agent", NOW)
    for i in range(len(token)):
        for flip in (0x01, 0x20, 0x80):
            tampered = token[:i] + chr(ord(token[i]) ^ flip) + token[i + 1 :]
            with pytest.raises(InvalidToken):
                signer.verify(tampered, NOW)


def test_other_key_version_and_garbage_are_invalid() -> None:
    token = SessionSigner(KEY, ttl_s=60).issue("s", "a", "agent", NOW)
    with pytest.raises(InvalidToken):
        SessionSigner(bytes(32), ttl_s=60).verify(token, NOW)
    with pytest.raises(InvalidToken):
        SessionSigner(KEY, ttl_s=60).verify("v2" + token[2:], NOW)
    for garbage in ("", "v1", "v1..", "a.b.c.d", "v1.e30.", "x" * 10_000, "v1.ä.b"):
        with pytest.raises(InvalidToken):
            SessionSigner(KEY, ttl_s=60).verify(garbage, NOW)


def test_signed_but_malformed_payload_is_invalid() -> None:
    signer = SessionSigner(KEY, ttl_s=60)
    body = base64.urlsafe_b64encode(b'{"sid": 1}').rstrip(b"=").decode()
    token = f"v1.{body}.{signer._mac('v1.' + body)}"
    with pytest.raises(InvalidToken):
        signer.verify(token, NOW)


def test_expired_tampered_token_is_invalid_not_expired() -> None:
    signer = SessionSigner(KEY, ttl_s=60)
    token = signer.issue("s", "a", "agent", NOW)
    with pytest.raises(InvalidToken):
        signer.verify(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), NOW + 1000)


def test_auth_error_tree() -> None:
    for exc in (InvalidToken, ExpiredToken):
        assert issubclass(exc, AuthError)
        assert issubclass(exc, SignalingError)


def test_signer_refuses_short_key() -> None:
    with pytest.raises(ConfigError):
        SessionSigner(b"short", ttl_s=60)
    with pytest.raises(ConfigError):
        SessionSigner(KEY, ttl_s=0)
    text = repr(SessionSigner(KEY, ttl_s=5))
    assert KEY.hex() not in text and repr(KEY) not in text


# --- key file ---------------------------------------------------------------------------------


def test_key_file_created_private(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "session.key"
    key = load_or_create_key(path)
    assert len(key) == KEY_BYTES
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key(path) == key
    assert [p.name for p in path.parent.iterdir()] == ["session.key"]


def test_key_file_mode_ignores_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        path = tmp_path / "k"
        load_or_create_key(path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k"
    path.write_bytes(os.urandom(32))
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_or_create_key(path)


def test_short_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k"
    path.write_bytes(b"abc")
    path.chmod(0o600)
    with pytest.raises(ConfigError, match="3 bytes"):
        load_or_create_key(path)


# --- redaction --------------------------------------------------------------------------------


def test_redact_keys_and_token_shaped_values() -> None:
    device = new_device_token()
    session = SessionSigner(KEY, ttl_s=60).issue("s", "a", "agent", NOW)
    detail = {
        "password": "hunter2",
        "new_token": "anything",
        "nested": {"Authorization": "Bearer x", "ok": 1, "list": [device, "fine"]},
        "note": f"kiosk said {device} and {session}",
        "site": "nurmes",
    }
    out = redact(detail)
    text = json.dumps(out)
    for secret in ("hunter2", device, session, "Bearer x"):
        assert secret not in text
    assert isinstance(out, dict)
    assert out["site"] == "nurmes"
    assert out["password"] == REDACTED
    assert out["nested"]["ok"] == 1
