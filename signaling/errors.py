"""Exception tree of the signaling server.

Every error the server raises on purpose derives from :class:`SignalingError`, so callers can
catch the package's failures without catching programming errors. Errors that mirror a stdlib
concept also carry that parent (as aiohttp does), so generic handlers still work.
"""

from __future__ import annotations


class SignalingError(Exception):
    """Base of every deliberate error in the signaling package."""


class ConfigError(SignalingError, ValueError):
    """Settings or a configuration file are invalid."""


class CatalogueError(ConfigError):
    """The service catalogue file is invalid."""


class StoreError(SignalingError):
    """The persistent store failed or holds unexpected data."""


class FencedError(StoreError):
    """A routing write under a term that is no longer the current one: another node has
    taken the routing lease, and nothing of the write was kept."""


class AuthError(SignalingError):
    """Authentication failed. The message is safe to log; it never holds a credential."""


class BadCredentials(AuthError):
    """Unknown user, wrong password or unknown device token."""


class InvalidToken(AuthError):
    """A session token is malformed or its signature does not match."""


class ExpiredToken(AuthError):
    """A session token was valid once but has expired."""


class Revoked(AuthError):
    """The credential was revoked by an administrator or by logout."""


class ForecastError(SignalingError, ValueError):
    """A staffing figure was asked for with impossible inputs (negative rates, no handle time)."""


class BookingError(SignalingError):
    """A booking could not be made, found or cancelled; ``code`` is a stable
    :class:`wire.errors.ErrorCode` value (``slot_taken``, ``unknown_service``,
    ``no_booking_capacity``, ``unknown_booking``, ``not_allowed``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
