"""The dashboard's live channel: server-sent events at ``GET /dashboard/events``.

Each event is a full JSON snapshot from :class:`signaling.monitor.Monitor`, sent when it
changes and at least every :data:`KEEPALIVE_S` (which also refreshes the browser's estimate of
the server clock). The browser's ``EventSource`` reconnects by itself.

Checks before streaming: an operator's or admin's session cookie (not one still on a
temporary password), and the Origin rule of the WebSocket endpoint (same origin or the
configured allowlist); a request without Origin that the browser marks ``Sec-Fetch-Site:
cross-site`` is refused too. The session is re-checked whenever the revocation watch reads a
revocation (within about a second, whoever revoked it) and at every keepalive (which is how
an expired session ends).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from aiohttp import web

from jsonlog import fields
from signaling.dashboard_pages import DASHBOARD

__all__ = ["add_routes"]

log = logging.getLogger("etapiste.dashboard.live")

KEEPALIVE_S = 15.0


def origin_ok(request: web.Request) -> bool:
    """The Origin rule for the live channel."""
    ctx = request.app[DASHBOARD].ctx
    if request.headers.get("Origin") is not None:
        return ctx.origin_allowed(request)
    return request.headers.get("Sec-Fetch-Site", "same-origin") != "cross-site"


async def events(request: web.Request) -> web.StreamResponse:
    """Stream dashboard snapshots to one operator."""
    dash = request.app[DASHBOARD]
    if not origin_ok(request):
        origin = request.headers.get("Origin")
        log.warning("live channel origin refused", extra=fields(origin=origin))
        raise web.HTTPForbidden(text="origin not allowed")
    principal = dash.user(request)
    if principal is None or principal.must_change_password:
        raise web.HTTPUnauthorized(text="log in first")
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
            "X-Content-Type-Options": "nosniff",
        }
    )
    await response.prepare(request)
    wake = asyncio.Event()
    dash.monitor.subscribers.add(wake.set)
    log.info("live channel open", extra=fields(who=principal.label))
    try:
        await response.write(b"retry: 2000\n\n")
        while not dash.ctx.draining:
            data = json.dumps(dash.monitor.snapshot, separators=(",", ":"), default=str)
            await response.write(f"event: snapshot\ndata: {data}\n\n".encode())
            wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=KEEPALIVE_S)
            if dash.user(request) is None:
                await response.write(b"event: logout\ndata: {}\n\n")
                break
    except (ConnectionResetError, ConnectionError):
        pass
    finally:
        dash.monitor.subscribers.discard(wake.set)
        log.info("live channel closed", extra=fields(who=principal.label))
    return response


def add_routes(app: web.Application) -> None:
    """Register the live channel."""
    # No HEAD: a stream has no end at which a header-only answer could be cut.
    app.router.add_get("/dashboard/events", events, allow_head=False)
