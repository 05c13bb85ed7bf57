"""The application: every route module on one aiohttp app, and running it until SIGTERM.

This is the only module that imports the route modules (``web_*``): each registers its routes
with ``add_routes(app)`` and reaches the shared :class:`~signaling.context.ServerContext`
through :data:`~signaling.context.CTX`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import ssl
from collections.abc import Awaitable, Callable

from aiohttp import web

from jsonlog import fields
from signaling import (
    web_accounts,
    web_admin,
    web_api,
    web_audit,
    web_booking,
    web_callbacks,
    web_dashboard,
    web_live,
    web_metrics,
    web_password,
    web_planning,
    web_report,
    web_ws,
)
from signaling.context import CTX, ServerContext, open_context
from signaling.dashboard_pages import DASHBOARD, Dashboard
from signaling.gc_tuning import run_collector, tune_collector
from signaling.settings import Settings

__all__ = ["build_app", "serve"]

log = logging.getLogger("etapiste.server")

ROUTE_MODULES = (
    web_ws, web_api, web_dashboard, web_live, web_report, web_planning, web_admin, web_accounts,
    web_audit, web_password, web_metrics, web_booking, web_callbacks,
)


@web.middleware
async def error_middleware(
    request: web.Request,
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> web.StreamResponse:
    """Answer unexpected failures with a JSON error and no stack trace."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status >= 400 and exc.content_type != "application/json":
            return web.Response(
                status=exc.status,
                content_type="application/json",
                text=json.dumps({"error": exc.reason.lower().replace(" ", "_")}),
            )
        raise
    except Exception:
        log.exception("request failed", extra=fields(path=request.path))
        return web.json_response(
            {"error": "internal_error", "message": "the server could not process this"},
            status=500,
        )


def build_app(ctx: ServerContext) -> web.Application:
    """The aiohttp application: WebSocket, login API, health probes, dashboard, metrics."""
    app = web.Application(client_max_size=64 * 1024, middlewares=[error_middleware])
    app[CTX] = ctx
    app[DASHBOARD] = Dashboard(ctx)
    for module in ROUTE_MODULES:
        module.add_routes(app)

    async def on_startup(_: web.Application) -> None:
        await ctx.start_background()

    async def on_shutdown(_: web.Application) -> None:
        await ctx.drain()

    async def on_cleanup(_: web.Application) -> None:
        await ctx.stop_background()

    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    return app


def _ssl_context(settings: Settings) -> ssl.SSLContext | None:
    if settings.tls_cert is None or settings.tls_key is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(settings.tls_cert), str(settings.tls_key))
    return context


def _bound_port(runner: web.AppRunner, default: int) -> int:
    """The port actually bound (the setting may be 0 for "any free port")."""
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return default


async def serve(settings: Settings, ready: Callable[[int], None] | None = None) -> None:
    """Run until SIGTERM or SIGINT, then drain clients and close the store."""
    ctx = open_context(settings)
    app = build_app(ctx)
    runner = web.AppRunner(
        app, access_log=None, handle_signals=False, shutdown_timeout=settings.shutdown_grace_s
    )
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port, ssl_context=_ssl_context(settings))
    await site.start()
    port = _bound_port(runner, settings.port)
    tls = settings.tls_cert is not None
    # Everything loaded so far (modules, schemas, the restored state) lives as long as the
    # process: frozen out of the collector's walks; then the collector runs by the clock, not
    # by allocation counts (signaling.gc_tuning says why: 100-450 ms young collections with
    # 10,000 clients).
    tune_collector(settings)
    collector = (asyncio.create_task(run_collector(settings), name="gc")
                 if settings.gc_mode == "timed" else None)
    log.info("listening", extra=fields(host=settings.host, port=port, tls=tls))
    if ready is not None:
        ready(port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("stopping")
    if collector is not None:
        collector.cancel()
    await runner.cleanup()
    ctx.store.close()
    log.info("stopped")
