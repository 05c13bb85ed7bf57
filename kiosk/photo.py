"""Sending a document still to the clerk over the call's data channel, keeping nothing.

``photo_start`` announces size and dimensions, binary chunks follow (paced in time and on the
channel's buffered amount, so the call's media and chat are not stuck behind a megabyte),
``photo_end`` closes it.  The JPEG
exists only in this coroutine's locals and the data channel's send buffer.
"""

from __future__ import annotations

import asyncio
import secrets
import string
from typing import Final

from client_core.call import CallSession
from client_core.control import (
    CHUNK_PAYLOAD_BYTES,
    PhotoEnd,
    PhotoStart,
    photo_chunk,
    split_photo,
)

_ALPHABET: Final = string.ascii_letters + string.digits
CHUNK_INTERVAL_S: Final = 0.02
_MAX_BUFFERED: Final = 2 * CHUNK_PAYLOAD_BYTES  # small bursts: chat is not stuck behind


class PhotoSendFailed(Exception):
    """The data channel closed before the whole photo was handed to it."""


def new_photo_id() -> str:
    """Eight random letters and digits."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(8))


async def send_photo(
    session: CallSession, jpeg: bytes, width: int, height: int, timeout: float = 20.0
) -> str:
    """Send ``jpeg`` to the peer; returns the photo id.  Raises :class:`PhotoSendFailed`."""
    photo_id = new_photo_id()
    chunks = split_photo(jpeg)
    start = PhotoStart(
        photo_id=photo_id,
        mime="image/jpeg",
        size=len(jpeg),
        chunks=len(chunks),
        width=width,
        height=height,
    )
    if not session.send_control(start.model_dump()):
        raise PhotoSendFailed("data channel not open")
    async with asyncio.timeout(timeout):
        for index, payload in enumerate(chunks):
            peer = session.peer
            while peer is not None and peer.buffered_amount > _MAX_BUFFERED:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            if not session.send_bytes(photo_chunk(photo_id, index, payload)):
                raise PhotoSendFailed("data channel closed mid-photo")
            # Paced (about 6 Mbit/s at most): a burst would crowd out the call's own
            # audio and video on a thin uplink and overflow a busy receiver's socket.
            await asyncio.sleep(CHUNK_INTERVAL_S)
    if not session.send_control(PhotoEnd(photo_id=photo_id).model_dump()):
        raise PhotoSendFailed("data channel closed before photo_end")
    return photo_id
