"""What the kiosk knows: the screens, the current citizen's session, the devices.

Everything about one citizen lives in :class:`CitizenSession`; the presenter replaces it with
a fresh one when they leave, so nothing of them is left behind.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Final, Literal

from wire.types import DeviceStatus, Language


class Screen(enum.StrEnum):
    """The kiosk's screens."""

    WELCOME = "welcome"
    SERVICES = "services"
    PRIVACY = "privacy"
    WAITING = "waiting"
    CALL = "call"
    PHOTO = "photo"
    RECONNECTING = "reconnecting"
    END = "end"


IDLE_TIMEOUTS_S: Final[dict[Screen, float | None]] = {
    Screen.WELCOME: 60.0,  # a half-finished language choice is forgotten
    Screen.SERVICES: 90.0,
    Screen.PRIVACY: 90.0,
    Screen.WAITING: 20 * 60.0,  # waiting is legitimate idleness; give up after 20 min
    Screen.CALL: None,  # a live call is activity; the clerk ends it
    Screen.PHOTO: None,  # part of the call
    Screen.RECONNECTING: 120.0,
    Screen.END: 45.0,
}
"""Seconds without a touch after which a screen returns to welcome (None: never)."""


PhotoPhase = Literal["ready", "countdown", "sending", "sent", "failed", "unavailable"]


@dataclass
class ChatLine:
    """One chat message; ``mine`` is True for the citizen's own."""

    mine: bool
    text: str


@dataclass
class PhotoState:
    """A photo the clerk asked for."""

    prompt: str
    phase: PhotoPhase = "ready"
    countdown_until: float | None = None
    shown_until: float | None = None


@dataclass
class Refusal:
    """Why joining a queue did not work (``code`` from the server, or ``offline``)."""

    code: str
    next_opening: float | None = None
    languages_available: list[Language] = field(default_factory=list)


@dataclass
class CitizenSession:
    """Everything about the current citizen; replaced whole when they leave."""

    language: Language
    large_text: bool = False
    service_id: str | None = None
    position: int | None = None
    estimated_wait_s: float | None = None
    transferred: bool = False
    refusal: Refusal | None = None
    clerk_name: str | None = None
    chat: list[ChatLine] = field(default_factory=list)
    chat_open: bool = False
    muted: bool = False
    camera_off: bool = False
    volume: int = 70
    quality: str | None = None
    clerk_away: bool = False
    photo: PhotoState | None = None
    end_reason: str | None = None
    rating: int | None = None
    rated_at: float | None = None


@dataclass
class Devices:
    """The kiosk's own devices and connection (not about any citizen)."""

    camera: DeviceStatus = DeviceStatus.OK
    microphone: DeviceStatus = DeviceStatus.OK
    speaker: DeviceStatus = DeviceStatus.OK
    online: bool = False
    problem: str | None = None
    """Why we are offline when retrying cannot help (``tls_untrusted``), else None."""
