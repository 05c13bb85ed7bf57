"""Time-limited TURN credentials (the coturn ``use-auth-secret`` REST scheme).

The username is ``<expiry unix time>:<label>`` and the password is
base64(HMAC-SHA1(secret, username)); coturn recomputes it with the shared secret, so no
static TURN password is ever handed to a kiosk.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from wire.types import IceServer


def turn_credential(secret: str, label: str, now: float, ttl_s: int) -> tuple[str, str]:
    """Return ``(username, credential)`` valid until ``now + ttl_s``."""
    username = f"{int(now) + ttl_s}:{label}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers_for_call(
    servers: list[tuple[list[str], str | None]], label: str, now: float, ttl_s: int
) -> list[IceServer]:
    """ICE servers for one call: TURN entries get fresh credentials, STUN entries none."""
    out: list[IceServer] = []
    for urls, secret in servers:
        if secret:
            username, credential = turn_credential(secret, label, now, ttl_s)
            out.append(IceServer(urls=urls, username=username, credential=credential))
        else:
            out.append(IceServer(urls=urls))
    return out
