"""What the kiosk knows: the screens, the current citizen's session, the devices.

Everything about one citizen lives in :class:`CitizenSession`; the presenter replaces it with
a fresh one when they leave, so nothing of them is left behind.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Final, Literal

from kiosk.booking_state import BookingVisit
from kiosk.members import CallMember
from wire.types import DeviceStatus, EstimateKind, Language


class Screen(enum.StrEnum):
    """The kiosk's screens."""

    WELCOME = "welcome"
    SERVICES = "services"
    LANGUAGE_HELP = "language_help"
    PRIVACY = "privacy"
    DEVICE_CHECK = "device_check"
    WAITING = "waiting"
    CALL = "call"
    PHOTO = "photo"
    RECONNECTING = "reconnecting"
    END = "end"
    OUT_OF_SERVICE = "out_of_service"
    CHECK_IN = "check_in"
    BOOKING = "booking"
    CALLBACK = "callback"
    CALLBACK_DONE = "callback_done"
    OTHER_WAYS = "other_ways"


IDLE_TIMEOUTS_S: Final[dict[Screen, float | None]] = {
    Screen.WELCOME: 60.0,  # only when something was chosen (text size, speech, contrast)
    Screen.SERVICES: 120.0,
    Screen.LANGUAGE_HELP: 120.0,
    Screen.PRIVACY: 120.0,
    Screen.DEVICE_CHECK: 120.0,
    Screen.WAITING: None,  # waiting is not idleness: see kiosk.presence
    Screen.CALL: None,  # a live call is activity; the clerk ends it
    Screen.PHOTO: None,  # part of the call
    Screen.RECONNECTING: 120.0,  # then asks whether to keep waiting for the connection
    Screen.END: 45.0,
    Screen.OUT_OF_SERVICE: None,  # nobody to ask: it stays until the kiosk works again
    Screen.CHECK_IN: 120.0,
    Screen.BOOKING: 180.0,  # time to copy a code down or photograph it
    Screen.CALLBACK: 120.0,  # typing a number and reading the consent
    Screen.CALLBACK_DONE: 45.0,  # like the end screen
    Screen.OTHER_WAYS: 90.0,  # two choices and a few lines to read
}
"""Seconds without a touch after which a screen asks "are you still there?" (None: never).

Nothing ends on these alone: the prompt (:mod:`kiosk.presence`) gives the citizen
:data:`kiosk.presence.PROMPT_ANSWER_S` to answer first.
"""

OUT_OF_SERVICE_AFTER_S: Final = 60.0
"""Seconds without the server after which the kiosk says it is out of service (at once when
retrying cannot help, e.g. an untrusted certificate).  Shorter outages, a restart of the
server or the first seconds after boot, only show the top bar's notice."""

OUT_OF_SERVICE_OVER: Final = frozenset(
    {
        Screen.WELCOME,
        Screen.SERVICES,
        Screen.LANGUAGE_HELP,
        Screen.PRIVACY,
        Screen.DEVICE_CHECK,
        Screen.CHECK_IN,
        Screen.BOOKING,
        Screen.CALLBACK,
        Screen.OTHER_WAYS,
    }
)
"""Screens the out-of-service screen replaces: nobody is queued or in a call there.  A
citizen waiting or in a call sees the reconnecting screen instead, and the end screen is
left to finish."""

READING_SCREENS: Final = frozenset(
    {Screen.SERVICES, Screen.LANGUAGE_HELP, Screen.PRIVACY, Screen.CALLBACK}
)
"""Screens that are mostly read: they offer a "more time" control (WCAG 2.2.1)."""

MORE_TIME_FACTOR: Final = 10.0
"""How much longer a reading screen waits once the citizen asked for more time."""


PhotoPhase = Literal["ready", "countdown", "sending", "sent", "failed", "unavailable"]


@dataclass
class ChatLine:
    """One chat message; ``mine`` is True for the citizen's own, else ``sender`` is the
    member who wrote (None: the answering clerk)."""

    mine: bool
    text: str
    sender: str | None = None


@dataclass
class PhotoState:
    """A photo the clerk asked for."""

    prompt: str
    phase: PhotoPhase = "ready"
    countdown_until: float | None = None
    shown_until: float | None = None


@dataclass
class Refusal:
    """Why joining a queue did not work (``code`` from the server, or ``offline``), and for
    which service."""

    code: str
    next_opening: float | None = None
    languages_available: list[Language] = field(default_factory=list)
    service_id: str | None = None


PromptKind = Literal["idle", "waiting", "reconnect"]


@dataclass
class Prompt:
    """An "are you still there?" question on screen; unanswered by ``deadline`` it ends the
    visit (``kind`` says what is at stake: the screen, the queue place, the reconnection)."""

    kind: PromptKind
    deadline: float


@dataclass
class DeviceCheck:
    """What the citizen found out on the device-check screen."""

    microphone_level: float = 0.0
    """The latest microphone level, 0 (silence) to 1 (full scale)."""
    loudest: float = 0.0
    """The loudest level heard since the screen opened (shows the microphone hears)."""
    test_sound_played: bool = False
    heard: bool | None = None
    """The citizen's answer to "did you hear the test sound?" (None: not answered)."""


CallbackReason = Literal["closed", "long_wait", "language"]


@dataclass
class CallbackForm:
    """A callback request being typed or sent (issue 14). The number lives only here, in
    the citizen's session, and goes with it."""

    service_id: str
    language: Language
    reason: CallbackReason
    typed: str = ""
    error: str | None = None
    """Why the number was not taken: ``invalid`` (not a number we can call), ``failed``
    (the server said no) or ``offline``."""
    sending: bool = False
    promised_day: str | None = None
    due_at: float | None = None
    same_day: bool = False


@dataclass
class OtherWays:
    """The choice screen: this service cannot serve the citizen now (closed), so it offers
    both ways to be served later, a time booked at this kiosk or a call back."""

    service_id: str
    reason: CallbackReason = "closed"


@dataclass
class CitizenSession:
    """Everything about the current citizen; replaced whole when they leave."""

    language: Language
    large_text: bool = False
    high_contrast: bool = False
    speech: bool = False
    """Spoken guidance on (the citizen asked, or headphones are plugged in)."""
    more_time: bool = False
    """The citizen asked for more time on reading screens."""
    service_id: str | None = None
    queue_language: Language | None = None
    """The language of the queue joined, when not the interface language (no clerk spoke it)."""
    position: int | None = None
    estimated_wait_s: float | None = None
    estimate_kind: EstimateKind | None = None
    """How to read the estimate (None: an older server sent only the seconds)."""
    transferred: bool = False
    requeue_reason: str | None = None
    """Why the citizen is back at the head of the queue without asking (``agent_lost``,
    ``media_requeued``: the view says so with ``waiting.requeued_media``)."""
    refusal: Refusal | None = None
    clerk_name: str | None = None
    members: list[CallMember] = field(default_factory=list)
    """Everyone else in the call (the clerk first); more than one in a call of three or
    four."""
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
    check: DeviceCheck = field(default_factory=DeviceCheck)
    booking: BookingVisit = field(default_factory=BookingVisit)
    """A code being entered, a checked-in appointment, or a booking being made here."""
    callback: CallbackForm | None = None
    other_ways: OtherWays | None = None
    """Why the citizen was offered a booking or a call back, for the choice screen."""


@dataclass
class Devices:
    """The kiosk's own devices and connection (not about any citizen)."""

    camera: DeviceStatus = DeviceStatus.OK
    microphone: DeviceStatus = DeviceStatus.OK
    speaker: DeviceStatus = DeviceStatus.OK
    online: bool = False
    headphones: bool = False
    problem: str | None = None
    """Why we are offline when retrying cannot help (``tls_untrusted``), else None."""


@dataclass
class Site:
    """Facts about the service point, from the kiosk's config or the server."""

    induction_loop: bool = False
    """The point has a hearing (induction) loop: the kiosk shows its sign."""
    helpline: str | None = None
    """A phone number citizens can call when the kiosk cannot help (shown as is)."""
