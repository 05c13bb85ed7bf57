"""Booking codes: short, easy to read aloud, and what a typed or scanned code is reduced to.

A booking code is :data:`CODE_LENGTH` characters from :data:`CODE_ALPHABET`, which leaves out
characters that are easily confused when read, heard or typed (0/O/Q/D, 1/I/L, 2/Z, 5/S,
8/B, 6/G, U/V, M/N on a poor line, and so on). It is shown in two groups of
three (``"ACE-479"``). A QR code holds either the bare code or a URL whose last path segment
(or ``code=`` query value) is the code; :func:`normalise_code` accepts all of these, so the
kiosk can send whatever it read and both sides agree on what was meant.

The code is a bearer secret (whoever holds it can check in or cancel): never log it whole.
"""

from __future__ import annotations

import re

CODE_ALPHABET = "ACEFHJKMPRTWXY3479"
"""Characters a code is made of (18): no two look or sound alike in fi/sv/en (M stays,
N goes: "äm" and "än" are hard to tell apart on a phone line)."""

CODE_LENGTH = 6
"""Characters in a code (18**6 ≈ 34 million codes)."""

_SEPARATORS = re.compile(r"[\s\-_.]+")
_URL_CODE = re.compile(r"(?:[?&#]code=|/)([A-Za-z0-9\-_. ]{6,16})/?(?:[?#].*)?$")


def normalise_code(raw: str) -> str | None:
    """The code in ``raw`` (typed with any case, spaces or dashes, or a URL ending in it),
    or None if ``raw`` cannot be a code."""
    text = raw.strip()
    if "/" in text or "code=" in text:
        found = _URL_CODE.search(text)
        if found is None:
            return None
        text = found.group(1)
    code = _SEPARATORS.sub("", text).upper()
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def display_code(code: str) -> str:
    """A code as shown to people: two groups of three (``"ACE-479"``)."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def code_hint(code: str) -> str:
    """What logs and lists may show of a code: its first two characters."""
    return code[:2] + "…"
