"""Limits on the names and free text people type: lengths and characters, checked once here.

Every name an administrator gives (a staff member's display name, a kiosk's or a site's name,
a region) ends up in protocol messages whose text fields have limits of their own
(:data:`wire.types.ShortText`, 200 characters). A name the wire cannot carry would make that
account or kiosk unable to connect for ever, so names are refused at creation (admin pages, the
command line, the store) when they are too long or hold characters that do not belong in a
name: control characters, bidirectional overrides and other invisible formatting (which can
make a name display as something else), line and paragraph separators.

:func:`fit_for_wire` is the belt to those braces: names stored before these rules existed are
cut to what the wire carries, so even they never stop a client from connecting.
"""

from __future__ import annotations

import unicodedata

from signaling.errors import SignalingError

__all__ = [
    "DISPLAY_NAME_MAX",
    "KIOSK_NAME_MAX",
    "REGION_MAX",
    "SITE_NAME_MAX",
    "USERNAME_TRIED_MAX",
    "WIRE_TEXT_MAX",
    "TextRejected",
    "check_name",
    "fit_for_wire",
    "printable",
]

DISPLAY_NAME_MAX = 80
"""A staff member's name as citizens and colleagues see it."""
KIOSK_NAME_MAX = 80
SITE_NAME_MAX = 120
REGION_MAX = 80
WIRE_TEXT_MAX = 200
""":data:`wire.types.ShortText`: the longest name a protocol message carries."""
USERNAME_TRIED_MAX = 64
"""How much of a username typed at a failed login the audit keeps."""

# Unicode categories never allowed in a name: controls, format characters (bidi overrides,
# zero-width joiners, soft hyphens), separators other than the plain space, unassigned,
# private use and surrogates.
_BANNED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cn", "Co", "Cs"})


class TextRejected(SignalingError, ValueError):
    """A name or text broke a rule; the message says which and is safe to show."""


def _bad_char(text: str) -> bool:
    return any(
        unicodedata.category(ch) in _BANNED_CATEGORIES or (ch.isspace() and ch != " ")
        for ch in text
    )


def check_name(text: str, what: str, max_len: int, *, required: bool = True) -> str:
    """``text`` stripped and NFC-normalised, or :class:`TextRejected` if it is empty (when
    ``required``), longer than ``max_len`` characters, or holds a character no name needs."""
    name = unicodedata.normalize("NFC", text.strip())
    if required and not name:
        raise TextRejected(f"{what}: required")
    if len(name) > max_len:
        raise TextRejected(f"{what}: at most {max_len} characters")
    if _bad_char(name):
        raise TextRejected(f"{what}: letters, digits, spaces and punctuation only")
    return name


def printable(text: str, max_len: int) -> str:
    """``text`` without the characters :func:`check_name` refuses (newlines become spaces),
    cut to ``max_len``: for what a person typed that we keep as a record (a username tried)."""
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in _BANNED_CATEGORIES
    )
    return kept[:max_len]


def fit_for_wire(name: str) -> str:
    """A stored name as protocol messages can carry it (see the module note)."""
    if len(name) <= WIRE_TEXT_MAX and not _bad_char(name):
        return name
    return printable(name, WIRE_TEXT_MAX).strip() or "?"
