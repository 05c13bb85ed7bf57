"""Errors of the wire protocol package.

:class:`ErrorCode` is the stable list of codes a server sends in an ``error`` message; clients
switch on these strings, so a code is never renamed or reused (only added).
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable, machine-readable error codes carried by the ``error`` server message."""

    BAD_MESSAGE = "bad_message"
    UNSUPPORTED_VERSION = "unsupported_version"
    NOT_ALLOWED = "not_allowed"
    QUEUE_FULL = "queue_full"
    SERVICE_CLOSED = "service_closed"
    LANGUAGE_UNAVAILABLE = "language_unavailable"
    UNKNOWN_SERVICE = "unknown_service"
    ALREADY_QUEUED = "already_queued"
    NOT_QUEUED = "not_queued"
    UNKNOWN_CALL = "unknown_call"
    UNKNOWN_OFFER = "unknown_offer"
    BAD_STATE = "bad_state"
    RATE_LIMITED = "rate_limited"
    MESSAGE_TOO_LARGE = "message_too_large"
    INTERNAL_ERROR = "internal_error"
    KIOSK_RESERVED = "kiosk_reserved"
    SLOT_TAKEN = "slot_taken"
    UNKNOWN_BOOKING = "unknown_booking"
    NO_BOOKING_CAPACITY = "no_booking_capacity"
    CALL_FULL = "call_full"
    UNKNOWN_MEMBER = "unknown_member"
    UNKNOWN_INVITE = "unknown_invite"


class WireError(Exception):
    """Base of the wire package's errors."""


class MessageError(WireError, ValueError):
    """A message could not be accepted; carries the code and the request reference to echo."""

    def __init__(self, code: ErrorCode, message: str, ref: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref
