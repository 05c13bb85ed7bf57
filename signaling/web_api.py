"""Plain HTTP endpoints: password login for agents and operators, logout, health probes."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from signaling.context import CTX, ServerContext
from signaling.errors import BadCredentials

__all__ = ["add_routes"]

log = logging.getLogger("etapiste.api")


class LoginRequest(BaseModel):
    """Body of ``POST /api/login``."""

    model_config = ConfigDict(extra="forbid", strict=True)
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status)


async def login(request: web.Request) -> web.Response:
    """Exchange username and password for a short-lived session token (and cookie)."""
    ctx: ServerContext = request.app[CTX]
    now = ctx.clock()
    if not ctx.login_allowed(request.remote or "?", now):
        return _error(429, "rate_limited", "too many login attempts; wait a moment")
    try:
        body = LoginRequest.model_validate_json(await request.read())
    except (ValidationError, ValueError):
        return _error(400, "bad_message", "expected JSON with username and password")
    try:
        # argon2 takes about half a second by design; off the loop, or every kiosk and
        # call would stall while a shift of agents logs in.
        token, expires_at, principal = await asyncio.to_thread(
            ctx.auth.login, body.username, body.password, now
        )
    except BadCredentials:
        return _error(401, "bad_credentials", "unknown user or wrong password")
    response = web.json_response(
        {
            "token": token,
            "expires_at": expires_at,
            "role": principal.role,
            "id": principal.id,
            "name": principal.name,
        }
    )
    response.set_cookie(
        ctx.auth.cookie_name,
        token,
        httponly=True,
        samesite="Strict",
        secure=ctx.secure_cookies(request),
        max_age=int(expires_at - now),
        path="/",
    )
    return response


async def logout(request: web.Request) -> web.Response:
    """Revoke the session named by the bearer token or cookie."""
    ctx: ServerContext = request.app[CTX]
    header = request.headers.get("Authorization", "")
    token = (
        header[7:]
        if header.startswith("Bearer ")
        else request.cookies.get(ctx.auth.cookie_name, "")
    )
    principal = ctx.auth.principal_for_token(token, ctx.clock()) if token else None
    if principal is None or principal.session_id is None:
        return _error(401, "unauthenticated", "not logged in")
    now = ctx.clock()
    ctx.store.revoke_session(principal.session_id, now=now)
    ctx.store.audit(principal.label, "logout", principal.id, {}, now=now)
    response = web.json_response({"ok": True})
    response.del_cookie(ctx.auth.cookie_name, path="/")
    return response


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process answers."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Readiness: the store answers and the server is not draining."""
    ctx: ServerContext = request.app[CTX]
    if ctx.draining:
        return _error(503, "draining", "shutting down")
    try:
        ctx.store.ping()
    except Exception:
        log.exception("store not ready")
        return _error(503, "store", "store unavailable")
    return web.json_response({"status": "ready", "connections": len(ctx.connections)})


def add_routes(app: web.Application) -> None:
    """Register login, logout and the health probes."""
    app.router.add_post("/api/login", login)
    app.router.add_post("/api/logout", logout)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
