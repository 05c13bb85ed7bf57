"""What the console knows: its phase, who is logged in, the offer, the wrap-up, the queues.

Plain data; :class:`~agent_console.presenter.ConsolePresenter` changes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from wire import server_messages as S


class Phase(StrEnum):
    """What the console shows."""

    LOGGED_OUT = "logged_out"
    LOGGING_IN = "logging_in"
    CHANGE_PASSWORD = "change_password"  # noqa: S105 - a phase name
    """An administrator reset the password: a new one must be set before anything else."""
    NOT_READY = "not_ready"
    READY = "ready"
    OFFERED = "offered"
    IN_CALL = "in_call"
    WRAP_UP = "wrap_up"


@dataclass(frozen=True)
class LoginInfo:
    """What the backend learnt at login."""

    agent_id: str
    name: str
    skills: list[str]
    languages: list[str]
    dispositions: list[str]
    server_time: float
    photo_retention_days: int | None = None
    """How long saved document photos may stay on this computer (the server's setting)."""
    interpretation_languages: list[str] = field(default_factory=list)
    """An interpreter's pools (the console then works in the interpreter's role)."""
    supervisor: bool = False
    """Supervises a team: may join the team's calls."""


@dataclass
class OfferView:
    """The offer on screen and when it runs out (monotonic)."""

    offer: S.Offer
    deadline: float
    responded: bool = False


@dataclass
class WrapUp:
    """The wrap-up form of the call just ended."""

    call_id: str
    service: str
    until_wall: float | None
    disposition: str | None = None
    note: str = ""
    sent: bool = False


@dataclass
class QueueRow:
    """One queue line with its longest wait as of ``received_at`` (monotonic)."""

    stat: S.QueueStat
    received_at: float


@dataclass
class Status:
    """The router's view of this agent."""

    state: str = "not_ready"
    reason: str | None = None
    since_wall: float = 0.0
    until_wall: float | None = None
    call_id: str | None = None


@dataclass
class Session:
    """Who is logged in."""

    info: LoginInfo
    clock_offset: float
    """Server wall time minus ours, so server timestamps read right on a skewed PC."""
    services: dict[str, S.ServiceInfo] = field(default_factory=dict)


PASSWORD_MIN_CHARS = 8
"""The server's rule (``signaling.credentials.PASSWORD_MIN``), checked here to say it at once."""


@dataclass
class PasswordForm:
    """The new-password form after a login with a temporary password."""

    error: str | None = None
    """A catalogue key: why the new password was not accepted."""
    busy: bool = False

    def problem(self, new_password: str, again: str) -> str | None:
        """What is wrong with the two fields, as a catalogue key, or None."""
        if len(new_password) < PASSWORD_MIN_CHARS:
            return "password.too_short"
        return "password.mismatch" if new_password != again else None
