"""Password checks against a real store: the store keeps hashes, the authenticator verifies."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher

from signaling.admin import add_account
from signaling.auth import Authenticator
from signaling.credentials import SessionSigner
from signaling.errors import BadCredentials
from signaling.store import Store

from .conftest import T0, raw

KEY = b"k" * 32


def _auth(store: Store, hasher: PasswordHasher) -> Authenticator:
    return Authenticator(store, SessionSigner(KEY, 600), hasher)


def _aino(store: Store, hasher: PasswordHasher) -> str:
    return add_account(
        store, "admin:cli", "aino", "Aino A.", "agent", "s3cret-pass", ["kela.benefits"], ["fi"],
        now=T0, hasher=hasher,
    )


def test_right_password_only(store: Store, cheap_hasher: PasswordHasher) -> None:
    account_id = _aino(store, cheap_hasher)
    auth = _auth(store, cheap_hasher)
    account = store.account(account_id)
    assert auth.check_password("aino", "s3cret-pass") == account
    assert auth.check_password("AINO ", "s3cret-pass") == account
    assert auth.check_password("aino", "wrong") is None
    assert auth.check_password("nobody", "s3cret-pass") is None


def test_only_an_argon2id_hash_is_stored(store: Store, cheap_hasher: PasswordHasher) -> None:
    account_id = _aino(store, cheap_hasher)
    stored = raw(store, "SELECT password_hash FROM accounts WHERE id=?", (account_id,))[0][0]
    assert stored.startswith("$argon2id$") and "s3cret-pass" not in stored


async def test_disabled_account_cannot_log_in(store: Store, cheap_hasher: PasswordHasher) -> None:
    account_id = _aino(store, cheap_hasher)
    store.disable_account(account_id, now=T0)
    auth = _auth(store, cheap_hasher)
    assert auth.check_password("aino", "s3cret-pass") is None
    with pytest.raises(BadCredentials):
        await auth.login("aino", "s3cret-pass", T0, client="192.0.2.7")
    last = store.audit_log()[-1]
    # Failed logins name the username tried and where from (finding: "anonymous", nothing else).
    assert last.action == "login_failed"
    assert last.detail == {"username": "aino", "client": "192.0.2.7"}
    # What was typed as a username is kept printable and short.
    with pytest.raises(BadCredentials):
        await auth.login("x\u202e\n" + "y" * 100, "pw", T0)
    tried = str(store.audit_log()[-1].detail["username"])
    assert "\u202e" not in tried and "\n" not in tried and len(tried) == 64
    auth.pool.close()


def test_outdated_hash_is_upgraded_on_login(
    data_dir: Path, store: Store, cheap_hasher: PasswordHasher
) -> None:
    _aino(store, cheap_hasher)
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    auth = _auth(store, stronger)
    before = raw(store, "SELECT password_hash FROM accounts")[0][0]
    assert auth.check_password("aino", "s3cret-pass") is not None
    after = raw(store, "SELECT password_hash FROM accounts")[0][0]
    assert before != after and "t=2" in after
    assert auth.check_password("aino", "s3cret-pass") is not None


def test_unknown_user_still_pays_for_a_verification(
    store: Store, cheap_hasher: PasswordHasher, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Timing stays flat: the unknown-user path verifies against a dummy hash.
    calls: list[str] = []
    monkeypatch.setattr("signaling.auth.dummy_verify", lambda pw, hasher=None: calls.append(pw))
    assert _auth(store, cheap_hasher).check_password("ghost", "pw") is None
    assert calls == ["pw"]
