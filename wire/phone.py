"""Phone numbers a citizen types for a callback: one rule for the kiosk and the server.

Numbers are checked with ``phonenumbers`` (Google's libphonenumber metadata, the lite build
without geocoding): Finnish numbers may be typed nationally (``040 123 4567``), others need
their ``+`` country code. Writing per-country length rules by hand would be wrong for someone's
country; the library's metadata is kept up to date for every numbering plan.
"""

from __future__ import annotations

import re

import phonenumbers

__all__ = ["MAX_TYPED", "PhoneError", "display_phone", "normalise_phone", "typed_allowed"]

MAX_TYPED = 24
"""Longest number a citizen may type (spaces included)."""

_TYPED = re.compile(r"^\+?[0-9 ]*$")


class PhoneError(ValueError):
    """The typed text is not a number we can call."""


def typed_allowed(text: str) -> bool:
    """Whether ``text`` holds only what the keypad offers: digits, spaces, one leading ``+``."""
    return len(text) <= MAX_TYPED and _TYPED.match(text) is not None


def normalise_phone(text: str) -> str:
    """The number in E.164 (``+358401234567``), or :class:`PhoneError`.

    Finnish by default (a number without ``+`` is read as Finnish); only numbers that are
    valid in their numbering plan are accepted (not just of plausible length)."""
    if not typed_allowed(text) or not text.strip():
        raise PhoneError("digits, spaces and a leading + only")
    try:
        number = phonenumbers.parse(text, "FI")
    except phonenumbers.NumberParseException as exc:
        raise PhoneError("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise PhoneError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """A stored number grouped for reading aloud and dialling (``+358 40 1234567``)."""
    try:
        number = phonenumbers.parse(e164, "FI")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
