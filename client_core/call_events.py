"""What a :class:`~client_core.call.CallSession` tells its UI or script, as typed events.

One frozen dataclass per kind of event and :data:`CallEvent`, their union: a listener
matches on the class (``case MediaFailed(reason=r):``) and mypy checks the fields, where a
``(kind, dict)`` pair let a typo in a key pass silently.  Each class names itself in
:attr:`name`, the ``event`` field of a headless client's JSON lines.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from client_core.call_stats import StatsSample
from client_core.control import ControlMessage


@dataclass(frozen=True, slots=True)
class MediaConnected:
    """A peer connection of the call reached "connected"."""

    name: ClassVar[str] = "connected"
    attempt: int


@dataclass(frozen=True, slots=True)
class FirstFrame:
    """The first remote picture (or sound, without video) of the call was decoded."""

    name: ClassVar[str] = "first_frame"
    attempt: int


@dataclass(frozen=True, slots=True)
class MediaFailed:
    """The media path failed; a new peer connection is on its way."""

    name: ClassVar[str] = "media_failed"
    reason: str


@dataclass(frozen=True, slots=True)
class MediaGaveUp:
    """No media path could be set up in ``attempts`` tries: this side ends the call
    (``media_failed``); :class:`CallFinished` follows with the server's reason."""

    name: ClassVar[str] = "media_gave_up"
    attempts: int


@dataclass(frozen=True, slots=True)
class MediaRecovered:
    """Media flows again after a failure, ``recovery_ms`` after the first sign of it."""

    name: ClassVar[str] = "recovered"
    attempt: int
    recovery_ms: float


@dataclass(frozen=True, slots=True)
class StatsSampled:
    """A periodic quality sample (also sent to the server as ``call_stats``)."""

    name: ClassVar[str] = "stats"
    sample: StatsSample


@dataclass(frozen=True, slots=True)
class ControlReceived:
    """A well-formed control message (chat, photo, status) arrived on the data channel."""

    name: ClassVar[str] = "control"
    message: ControlMessage


@dataclass(frozen=True, slots=True)
class BytesReceived:
    """A binary chunk (a piece of a document photo) arrived on the data channel."""

    name: ClassVar[str] = "bytes"
    data: bytes


@dataclass(frozen=True, slots=True)
class PeerLinkChanged:
    """The other side's signaling link dropped (``reconnecting``) or came back."""

    name: ClassVar[str] = "peer_status"
    status: str


@dataclass(frozen=True, slots=True)
class CallFinished:
    """The server ended the call (``by`` whom, if a person)."""

    name: ClassVar[str] = "ended"
    reason: str
    by: str


CallEvent = (
    MediaConnected
    | FirstFrame
    | MediaFailed
    | MediaGaveUp
    | MediaRecovered
    | StatsSampled
    | ControlReceived
    | BytesReceived
    | PeerLinkChanged
    | CallFinished
)
CallListener = Callable[[CallEvent], None]


def event_fields(event: CallEvent) -> dict[str, Any]:
    """An event's fields as plain JSON-able values (a stats sample becomes its figures)."""
    match event:
        case StatsSampled(sample=sample):
            return sample.as_dict()
        case ControlReceived(message=message):
            return message.model_dump()
        case BytesReceived(data=data):
            return {"bytes": len(data)}
        case _:
            return dataclasses.asdict(event)
