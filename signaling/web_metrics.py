"""``GET /metrics`` in the Prometheus text format (figures from :mod:`signaling.metrics`).

Scrapers send ``metrics_token`` as a bearer token. Without a token configured the figures
(which name kiosks) are served only by a server listening on loopback, to requests that did
not come through a proxy: a scraper on the same machine.
"""

from __future__ import annotations

import hmac

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from signaling.context import CTX
from signaling.metrics import make_registry

__all__ = ["add_routes"]

REGISTRY: web.AppKey[CollectorRegistry] = web.AppKey("metrics_registry")


async def metrics(request: web.Request) -> web.Response:
    """The server's metrics, collected now."""
    ctx = request.app[CTX]
    token = ctx.settings.metrics_token
    if not ctx.metrics_open(request):
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not token or not hmac.compare_digest(given.encode(), token.encode()):
            raise web.HTTPUnauthorized()
    body = generate_latest(request.app[REGISTRY])
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def add_routes(app: web.Application) -> None:
    """Register ``/metrics`` with a registry of this server's own."""
    ctx = app[CTX]
    app[REGISTRY] = make_registry(
        ctx.router,
        ctx.monitor,
        lambda: [c.principal.role for c in ctx.connections],
        ctx.clock,
    )
    app.router.add_get("/metrics", metrics)
