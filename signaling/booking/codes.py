"""New booking codes and what the store keeps of them.

A code is a bearer secret: the store keeps only its digest (so a database copy does not
let anyone check in or cancel), logs show :func:`wire.booking_code.code_hint`. The space is
18**6 ≈ 34 million codes against at most a few thousand live bookings, and check-in and
cancel are rate-limited, so guessing one is not a practical attack.
"""

from __future__ import annotations

import hashlib
import secrets

from wire.booking_code import CODE_ALPHABET, CODE_LENGTH

__all__ = ["code_digest", "new_code"]


def new_code() -> str:
    """A fresh random code (from :mod:`secrets`, so it cannot be predicted)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_digest(code: str) -> str:
    """What the store keeps of a normalised code."""
    return hashlib.sha256(b"etapiste-booking:" + code.encode("ascii")).hexdigest()
