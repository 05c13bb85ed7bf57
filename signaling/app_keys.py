"""Typed keys for what the aiohttp application carries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from signaling.ratelimit import TokenBucket
    from signaling.server import ServerContext

CTX: web.AppKey[ServerContext] = web.AppKey("ctx")
LOGIN_BUCKETS: web.AppKey[dict[str, TokenBucket]] = web.AppKey("login_buckets")
