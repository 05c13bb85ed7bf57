"""Preparing a kiosk's media path before its call: ICE servers for a citizen about to wait.

On a rural link every round trip to the TURN server costs 150 ms or more, and gathering
candidates (a STUN binding and a TURN allocation, which takes two round trips) is about
0.4 s of the time from a clerk's accept to the first picture. A kiosk whose citizen is about
to wait for a clerk asks for ICE servers with :class:`MediaPrepare`; the server answers
:class:`MediaServers`, with TURN credentials minted for this kiosk and valid for ``ttl_s``
(the same lifetime as a call's). The kiosk gathers and makes its offer while the citizen
waits, and sends that offer the moment the call starts; a prepared connection it no longer
needs (the citizen left, the credentials grow old) it closes, which frees the allocation.
Only kiosks ask: the clerk's side answers and its TURN server is near.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from wire.bases import ClientBase, ServerBase
from wire.types import IceServer

__all__ = ["MEDIA_KIOSK_TYPES", "MediaPrepare", "MediaServers"]


class MediaPrepare(ClientBase):
    """A kiosk asks for ICE servers to prepare the media path of a coming call."""

    type: Literal["media_prepare"] = "media_prepare"


class MediaServers(ServerBase):
    """The answer to :class:`MediaPrepare`: ICE servers as ``call_start`` would carry them."""

    type: Literal["media_servers"] = "media_servers"
    ice_servers: list[IceServer]
    ice_transport_policy: Literal["all", "relay"] = "all"
    ttl_s: Annotated[int, Field(ge=1)]
    """Seconds from now the TURN credentials stay valid (a call begun on a connection prepared
    with them must have time to run on them)."""


MEDIA_KIOSK_TYPES = frozenset({"media_prepare"})
"""Message types of this module a kiosk may send."""
