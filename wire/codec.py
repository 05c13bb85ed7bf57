"""Parsing and serialising protocol messages.

Parsing never lets a pydantic exception or an echo of the input escape: a bad message becomes
a :class:`~wire.errors.MessageError` with a stable code and a short description that names the
offending field but not its value (values may hold personal data or secrets).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter, ValidationError

from wire.client_messages import ClientMessage
from wire.errors import ErrorCode, MessageError
from wire.server_messages import ServerMessage
from wire.types import MAX_MESSAGE_BYTES

_client_adapter: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)
_server_adapter: TypeAdapter[ServerMessage] = TypeAdapter(ServerMessage)


def _check_size(data: str | bytes) -> None:
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
    if size > MAX_MESSAGE_BYTES:
        raise MessageError(
            ErrorCode.MESSAGE_TOO_LARGE, f"message of {size} bytes exceeds {MAX_MESSAGE_BYTES}"
        )


def ref_of(data: str | bytes) -> str | None:
    """Best-effort recovery of ``ref`` from a message that failed validation."""
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError):
        return None
    ref = obj.get("ref") if isinstance(obj, dict) else None
    return ref if isinstance(ref, str) and 0 < len(ref) <= 64 else None


def _error(exc: ValidationError, data: str | bytes) -> MessageError:
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    if any(err["type"] == "json_invalid" for err in errors):
        return MessageError(ErrorCode.BAD_MESSAGE, "not valid JSON")
    if any(err["type"] == "union_tag_invalid" for err in errors):
        # pydantic's text quotes the unknown tag back; an error never echoes client input.
        return MessageError(ErrorCode.BAD_MESSAGE, "unknown message type", ref_of(data))
    parts = []
    for err in errors[:3]:
        loc = [str(p) for p in err["loc"]]
        if err["type"] == "extra_forbidden" and loc:
            loc[-1] = "(unexpected field)"  # the key is the client's text: never echoed
        where = ".".join(loc) or "message"
        what = "characters not allowed" if err["type"] == "string_pattern_mismatch" else err["msg"]
        parts.append(f"{where}: {what}")
    return MessageError(ErrorCode.BAD_MESSAGE, "; ".join(parts), ref_of(data))


def parse_client(data: str | bytes) -> ClientMessage:
    """Parse one client message; raises :class:`MessageError` on any bad input."""
    _check_size(data)
    try:
        return _client_adapter.validate_json(data)
    except ValidationError as exc:
        raise _error(exc, data) from None


def parse_server(data: str | bytes) -> ServerMessage:
    """Parse one server message (clients use this); raises :class:`MessageError`.

    Fields this client does not know are ignored, at any depth: during a rolling upgrade a
    newer server adds fields, and a kiosk that refused the whole message would lose its queue
    place over a figure it cannot show.  The server stays strict about what clients send.
    """
    _check_size(data)
    try:
        return _server_adapter.validate_json(data, extra="ignore")
    except ValidationError as exc:
        raise _error(exc, data) from None


def dump(message: ClientMessage | ServerMessage) -> str:
    """Serialise a message to compact JSON, leaving out unset optional fields."""
    return message.model_dump_json(exclude_none=True)


def client_json_schema() -> dict[str, Any]:
    """JSON Schema of every client message."""
    return _client_adapter.json_schema()


def server_json_schema() -> dict[str, Any]:
    """JSON Schema of every server message."""
    return _server_adapter.json_schema()
