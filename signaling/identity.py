"""Who is on the other end of a connection, as authentication established it."""

from __future__ import annotations

from dataclasses import dataclass, field

from wire.types import Role


@dataclass(frozen=True)
class Principal:
    """An authenticated kiosk, agent, operator or admin. Holds no credential."""

    role: Role
    id: str
    name: str
    site_id: str | None = None
    skills: frozenset[str] = field(default_factory=frozenset)
    languages: frozenset[str] = field(default_factory=frozenset)
    session_id: str | None = None
    expires_at: float | None = None
    """When the session ends (staff); live connections are closed then."""
    token_digest: str | None = None
    """A kiosk's device token as the store keeps it (SHA-256): which token a rotation ends."""
    must_change_password: bool = False
    """The password is a temporary one: only changing it is allowed."""

    @property
    def label(self) -> str:
        """``role:id``, the form used in logs and the audit trail."""
        return f"{self.role}:{self.id}"
