"""Reading a submitted HTML form, where a body that cannot be decoded is the client's fault.

aiohttp's ``request.post()`` raises ``UnicodeDecodeError`` (or ``ValueError``) on a body that is
not valid in its declared charset; left alone that becomes a 500. Here it is a 400.
"""

from __future__ import annotations

from aiohttp import web
from multidict import MultiDictProxy

__all__ = ["read_form"]


async def read_form(
    request: web.Request,
) -> MultiDictProxy[str | bytes | bytearray | web.FileField]:
    """The request's form fields, or :class:`aiohttp.web.HTTPBadRequest`."""
    try:
        return await request.post()
    except (UnicodeDecodeError, ValueError, LookupError):
        raise web.HTTPBadRequest(text="the form could not be read") from None
