"""Constrained scalar types and small shared models of the wire protocol."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

PROTOCOL_VERSION = 1
"""The newest protocol version this code speaks."""

MIN_PROTOCOL_VERSION = 1
"""The oldest protocol version the server still accepts."""

MAX_MESSAGE_BYTES = 64 * 1024
"""Largest message either side accepts (UTF-8 bytes of the JSON text)."""

Ident = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
]
"""Identifiers (services, calls, offers, entries): short, printable, no spaces."""

Ref = Annotated[str, StringConstraints(min_length=1, max_length=64)]
"""A client-chosen request reference that the server echoes in its reply or error."""

# Free text people type: no control characters (line breaks only in notes), no bidirectional
# overrides or isolates, which can make a text display as something else to the next reader.
_NO_CONTROLS_ONE_LINE = r"^[^\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]*$"
_NO_CONTROLS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]*$"

ShortText = Annotated[str, StringConstraints(max_length=200, pattern=_NO_CONTROLS_ONE_LINE)]
"""One line of text (a name, a version): at most 200 characters, no control characters."""
Note = Annotated[str, StringConstraints(max_length=500, pattern=_NO_CONTROLS)]
"""A clerk's short note: at most 500 characters, line breaks allowed, no other controls."""
Sdp = Annotated[str, StringConstraints(min_length=1, max_length=60_000)]
Candidate = Annotated[str, StringConstraints(max_length=1024)]

Language = Literal["fi", "sv", "en"]
LANGUAGES: tuple[Language, ...] = ("fi", "sv", "en")

Role = Literal["kiosk", "agent", "operator", "admin"]

EstimateKind = Literal["soon", "minutes", "none"]
"""How to read a wait estimate: ``soon`` (a clerk will answer within about a minute: say so,
not a number), ``minutes`` (the seconds given, never under a minute), ``none`` (no honest
estimate now, e.g. no clerk of the queue is working: say that, not a number)."""

NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Attempt = Annotated[int, Field(ge=0, le=10_000)]


class WireModel(BaseModel):
    """Base of every protocol model: strict, closed and immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Names(WireModel):
    """A name in each of the three interface languages."""

    fi: str
    sv: str
    en: str


class SiteRef(WireModel):
    """Where a kiosk stands (a joint service point)."""

    id: Ident
    names: Names


class IceServer(WireModel):
    """One ICE server as RTCIceServer describes it; TURN credentials are short-lived."""

    urls: list[Annotated[str, StringConstraints(max_length=300)]] = Field(max_length=8)
    username: str | None = None
    credential: str | None = None


class DeviceStatus(StrEnum):
    """Health of one kiosk device."""

    OK = "ok"
    MISSING = "missing"
    FAILED = "failed"


class Quality(StrEnum):
    """A plain call-quality grade shown to citizens, staff and operators."""

    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"


class CallStats(WireModel):
    """A summary of one side's media statistics over the last sampling window."""

    rtt_ms: NonNegative | None = None
    loss: Annotated[float, Field(ge=0, le=1)] | None = None
    jitter_ms: NonNegative | None = None
    bitrate_in_kbps: NonNegative | None = None
    bitrate_out_kbps: NonNegative | None = None
    fps_sent: NonNegative | None = None
    fps_decoded: NonNegative | None = None
    freezes: Annotated[int, Field(ge=0)] | None = None
    latency_ms_p50: NonNegative | None = None
    quality: Quality | None = None


class KioskHealth(WireModel):
    """What a kiosk reports about itself every few seconds."""

    app_version: ShortText
    uptime_s: NonNegative
    camera: DeviceStatus
    microphone: DeviceStatus
    speaker: DeviceStatus
    cpu_percent: Annotated[float, Field(ge=0, le=1000)] | None = None
    memory_percent: Annotated[float, Field(ge=0, le=100)] | None = None
    disk_percent: Annotated[float, Field(ge=0, le=100)] | None = None
    temperature_c: Annotated[float, Field(ge=-50, le=150)] | None = None
    server_rtt_ms: NonNegative | None = None
    last_call_quality: Quality | None = None
