"""Plain HTTP endpoints: password login for staff apps, password change, logout, health probes.

``POST /api/login`` is for programs (the agent console, scripts): it takes JSON only
(``Content-Type: application/json``, which a cross-site HTML form cannot send without a CORS
preflight that we never grant), refuses a browser ``Origin`` that is not ours or allowed, and
sets no cookie: the token is in the answer. The dashboard's login form is the only way to a
session cookie (:mod:`signaling.web_dashboard`).

Every password check waits in the bounded pool (:mod:`signaling.password_pool`); the per-client
and per-username limits (:mod:`signaling.login_limits`) come first.
"""

from __future__ import annotations

import logging

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jsonlog import fields
from signaling.context import CTX, ServerContext
from signaling.credentials import PASSWORD_MAX, PasswordRefused
from signaling.errors import BadCredentials
from signaling.identity import Principal
from signaling.password_pool import PoolBusy

__all__ = ["add_routes", "bearer_or_cookie"]

log = logging.getLogger("etapiste.api")

RETRY_AFTER_S = "2"


class LoginRequest(BaseModel):
    """Body of ``POST /api/login``."""

    model_config = ConfigDict(extra="forbid", strict=True)
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=PASSWORD_MAX)


class PasswordChange(BaseModel):
    """Body of ``POST /api/password``."""

    model_config = ConfigDict(extra="forbid", strict=True)
    current_password: str = Field(min_length=1, max_length=PASSWORD_MAX)
    new_password: str = Field(min_length=1, max_length=PASSWORD_MAX)


def _error(status: int, code: str, message: str, **headers: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status, headers=headers)


def _json_request_refused(request: web.Request, ctx: ServerContext) -> web.Response | None:
    """Why a JSON API request is refused before its body is read, or None."""
    if request.content_type != "application/json":
        return _error(415, "unsupported_media_type", "send JSON (Content-Type: application/json)")
    if not ctx.origin_allowed(request):
        log.warning("api origin refused", extra=fields(path=request.path))
        return _error(403, "origin_not_allowed", "this origin may not use the API")
    return None


def _session_answer(token: str, expires_at: float, principal: Principal) -> web.Response:
    return web.json_response(
        {
            "token": token,
            "expires_at": expires_at,
            "role": principal.role,
            "id": principal.id,
            "name": principal.name,
            "must_change_password": principal.must_change_password,
        }
    )


async def login(request: web.Request) -> web.Response:
    """Exchange username and password for a short-lived session token (no cookie)."""
    ctx: ServerContext = request.app[CTX]
    refused = _json_request_refused(request, ctx)
    if refused is not None:
        return refused
    now, client = ctx.clock(), ctx.client(request)
    if not ctx.login_limits.client_allowed(client, now):
        return _error(429, "rate_limited", "too many login attempts; wait a moment",
                      **{"Retry-After": RETRY_AFTER_S})
    try:
        body = LoginRequest.model_validate_json(await request.read())
    except (ValidationError, ValueError):
        return _error(400, "bad_message", "expected JSON with username and password")
    if not ctx.login_limits.username_allowed(body.username, now):
        return _error(429, "rate_limited", "too many failed logins for this user; wait",
                      **{"Retry-After": RETRY_AFTER_S})
    try:
        token, expires_at, principal = await ctx.auth.login(
            body.username, body.password, now, client=client
        )
    except PoolBusy:
        return _error(503, "busy", "too many logins at once; try again",
                      **{"Retry-After": RETRY_AFTER_S})
    except BadCredentials:
        ctx.login_limits.failed(body.username, now)
        return _error(401, "bad_credentials", "unknown user or wrong password")
    return _session_answer(token, expires_at, principal)


def bearer_or_cookie(request: web.Request, ctx: ServerContext) -> Principal | None:
    """The principal of the bearer token, or of the session cookie (same-origin only)."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        token = header[7:].strip()
    else:
        token = request.cookies.get(ctx.auth.cookie_name, "")
        if token and not ctx.origin_allowed(request):
            return None
    return ctx.auth.principal_for_token(token, ctx.clock()) if token else None


async def change_password(request: web.Request) -> web.Response:
    """``POST /api/password``: a logged-in user (also one whose password an administrator
    reset) sets a new password; answers a new session like a login, as every other session
    of the account ends."""
    ctx: ServerContext = request.app[CTX]
    refused = _json_request_refused(request, ctx)
    if refused is not None:
        return refused
    principal = bearer_or_cookie(request, ctx)
    if principal is None or principal.session_id is None:
        return _error(401, "unauthenticated", "not logged in")
    try:
        body = PasswordChange.model_validate_json(await request.read())
    except (ValidationError, ValueError):
        return _error(400, "bad_message", "expected JSON with current_password, new_password")
    now, client = ctx.clock(), ctx.client(request)
    if not ctx.login_limits.username_allowed(principal.label, now):
        return _error(429, "rate_limited", "too many wrong passwords; wait",
                      **{"Retry-After": RETRY_AFTER_S})
    try:
        token, expires_at, fresh = await ctx.auth.change_password(
            principal, body.current_password, body.new_password, now, client=client
        )
    except PoolBusy:
        return _error(503, "busy", "too many password checks at once; try again",
                      **{"Retry-After": RETRY_AFTER_S})
    except PasswordRefused as exc:
        return _error(400, "password_refused", str(exc))
    except BadCredentials:
        ctx.login_limits.failed(principal.label, now)
        return _error(401, "bad_credentials", "the current password is wrong")
    ctx.check_revocations()
    return _session_answer(token, expires_at, fresh)


async def logout(request: web.Request) -> web.Response:
    """Revoke the session named by the bearer token or cookie; its connections close."""
    ctx: ServerContext = request.app[CTX]
    principal = bearer_or_cookie(request, ctx)
    if principal is None or principal.session_id is None:
        return _error(401, "unauthenticated", "not logged in")
    now = ctx.clock()
    ctx.store.revoke_session(principal.session_id, now=now)
    ctx.store.audit(principal.label, "logout", principal.id, {}, now=now)
    ctx.check_revocations()
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
    if not ctx.serving:
        return _error(503, "store", "database unreachable")
    try:
        ctx.store.ping()
    except Exception:
        log.exception("store not ready")
        return _error(503, "store", "store unavailable")
    return web.json_response({"status": "ready", "connections": len(ctx.connections),
                              "routing": ctx.routing, "node": ctx.node_id, "term": ctx.term})


def add_routes(app: web.Application) -> None:
    """Register login, password change, logout and the health probes."""
    app.router.add_post("/api/login", login)
    app.router.add_post("/api/password", change_password)
    app.router.add_post("/api/logout", logout)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
