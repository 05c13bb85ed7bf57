"""Exception tree of the shared client core."""

from __future__ import annotations

from wire.errors import ErrorCode


class ClientError(Exception):
    """Base of every deliberate error in the client core."""


class AuthFailed(ClientError, PermissionError):
    """The server refused our credentials; retrying will not help.

    ``code`` is the server's error code when it gave one (``bad_credentials``,
    ``password_refused``, ``rate_limited``...)."""

    def __init__(self, message: str, code: str = "bad_credentials") -> None:
        super().__init__(message)
        self.code = code


class NotConnected(ClientError, ConnectionError):
    """There is no signaling connection right now."""


class SessionEnded(ClientError):
    """The server ended the session for good (logged out, replaced, revoked)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"session ended: {reason}")
        self.reason = reason


class ServerRefused(ClientError):
    """The server answered a request with a typed error."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        next_opening: float | None = None,
        languages_available: list[str] | None = None,
        *,
        kiosk_reserved_at: float | None = None,
        kiosk_free_at: float | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.next_opening = next_opening
        self.languages_available = languages_available or []
        self.kiosk_reserved_at = kiosk_reserved_at
        """With ``kiosk_reserved``: when this kiosk's next booked meeting starts."""
        self.kiosk_free_at = kiosk_free_at
        """With ``kiosk_reserved``: when that meeting ends."""
