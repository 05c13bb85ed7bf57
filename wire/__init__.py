"""The Etäpiste wire protocol: one set of pydantic models shared by the server and all clients."""

from wire.codec import dump, parse_client, parse_server
from wire.errors import ErrorCode, MessageError, WireError
from wire.types import MAX_MESSAGE_BYTES, PROTOCOL_VERSION

__all__ = [
    "MAX_MESSAGE_BYTES",
    "PROTOCOL_VERSION",
    "ErrorCode",
    "MessageError",
    "WireError",
    "dump",
    "parse_client",
    "parse_server",
]
