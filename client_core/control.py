"""Messages on a call's data channel between kiosk and agent (chat, document photos).

These never pass through the signaling server: they travel peer to peer, DTLS-encrypted.
A photo is announced with :class:`PhotoStart`, then sent as binary chunks, each prefixed with
the photo id and the chunk index (see :func:`photo_chunk` / :func:`parse_photo_chunk`), and
closed with :class:`PhotoEnd`; the receiver keeps it in memory only.
"""

from __future__ import annotations

import struct
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

CHAT_MAX_CHARS = 1000
PHOTO_MAX_BYTES = 8 * 1024 * 1024
CHUNK_PAYLOAD_BYTES = 16 * 1024 - 16
_HEADER = struct.Struct("!8sI")  # photo id (8 ASCII bytes), chunk index


class _Control(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Chat(_Control):
    """A line of text chat, for citizens who cannot hear or be heard."""

    type: Literal["chat"] = "chat"
    text: Annotated[str, Field(min_length=1, max_length=CHAT_MAX_CHARS)]


class PhotoRequest(_Control):
    """The agent asks the kiosk to photograph a document."""

    type: Literal["photo_request"] = "photo_request"
    prompt: Annotated[str, Field(max_length=200)] = ""


class PhotoCancel(_Control):
    """Either side stops a photo request or transfer."""

    type: Literal["photo_cancel"] = "photo_cancel"


class PhotoStart(_Control):
    """A photo is coming: ``size`` bytes of ``mime`` in ``chunks`` binary chunks."""

    type: Literal["photo_start"] = "photo_start"
    photo_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9]{8}$")]
    mime: Literal["image/jpeg", "image/png"]
    size: Annotated[int, Field(ge=1, le=PHOTO_MAX_BYTES)]
    chunks: Annotated[int, Field(ge=1, le=PHOTO_MAX_BYTES // CHUNK_PAYLOAD_BYTES + 1)]
    width: Annotated[int, Field(ge=1, le=10_000)]
    height: Annotated[int, Field(ge=1, le=10_000)]


class PhotoEnd(_Control):
    """All chunks of a photo were sent."""

    type: Literal["photo_end"] = "photo_end"
    photo_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9]{8}$")]


class PeerMediaStatus(_Control):
    """A UI hint to the other side, e.g. that this side turned its camera off."""

    type: Literal["status"] = "status"
    camera: bool | None = None
    microphone: bool | None = None


class LinkReport(_Control):
    """How the sender's media arrives here: ``queue_ms`` is how much longer its audio now
    takes than at its quickest in the last 30 s (a queue filling in front of a narrow link).
    The peers use it to size their video (:mod:`client_core.video_send`); never shown."""

    type: Literal["link"] = "link"
    queue_ms: Annotated[float, Field(ge=0, le=60_000)]


ControlMessage = Annotated[
    Chat | PhotoRequest | PhotoCancel | PhotoStart | PhotoEnd | PeerMediaStatus | LinkReport,
    Field(discriminator="type"),
]
_adapter: TypeAdapter[ControlMessage] = TypeAdapter(ControlMessage)


def parse_control(obj: object) -> ControlMessage | None:
    """A control message from the JSON the data channel delivered, or None if malformed."""
    try:
        return _adapter.validate_python(obj)
    except ValidationError:
        return None


def photo_chunk(photo_id: str, index: int, payload: bytes) -> bytes:
    """One binary chunk of a photo."""
    if len(payload) > CHUNK_PAYLOAD_BYTES:
        raise ValueError("chunk payload too large")
    return _HEADER.pack(photo_id.encode("ascii"), index) + payload


def parse_photo_chunk(data: bytes) -> tuple[str, int, bytes] | None:
    """``(photo_id, index, payload)`` of a binary chunk, or None if malformed."""
    if len(data) < _HEADER.size:
        return None
    raw_id, index = _HEADER.unpack_from(data)
    try:
        photo_id = raw_id.decode("ascii")
    except UnicodeDecodeError:
        return None
    return photo_id, index, data[_HEADER.size :]


def split_photo(data: bytes) -> list[bytes]:
    """The payloads of a photo's chunks, in order."""
    return [data[i : i + CHUNK_PAYLOAD_BYTES] for i in range(0, len(data), CHUNK_PAYLOAD_BYTES)]
