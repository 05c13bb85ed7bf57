"""The operator dashboard's pages: login form, logout, the live pages, alert acknowledgement.

* Login is a form: a double-submit token (cookie ``etapiste_login_csrf`` + hidden field)
  stops login CSRF; the login limits apply (per client and per username), the password is
  checked in the server's password pool; operators and admins get in.
* The kiosks, alerts and queues pages are shells that the live channel (:mod:`.web_live`)
  fills; session, CSRF and layout come from :mod:`signaling.dashboard_pages`.
* ``GET /dashboard/language/{lang}?next=PATH`` remembers the operator's language in a cookie
  (a preference, not a secret) and goes back to the page, which must be a dashboard path.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets

from aiohttp import web

from jsonlog import fields
from signaling.dashboard_pages import (
    ASSETS,
    DASHBOARD,
    DASHBOARD_ROLES,
    TEXT_KEY,
    Dashboard,
    e,
    secure_headers,
)
from signaling.dashboard_texts import LANG_COOKIE, texts
from signaling.errors import BadCredentials
from signaling.form_body import read_form
from signaling.password_pool import PoolBusy
from wire.types import LANGUAGES

__all__ = ["add_routes"]

log = logging.getLogger("etapiste.dashboard")

LOGIN_CSRF_COOKIE = "etapiste_login_csrf"
LANG_COOKIE_MAX_AGE = 365 * 86400
_SAFE_NEXT = re.compile(r"^/dashboard(/[A-Za-z0-9_./-]*)?(\?[A-Za-z0-9_=&%.-]*)?$")


def _login_page(dash: Dashboard, request: web.Request, error: str, status: int) -> web.Response:
    """The login form; ``error`` is a catalogue key under ``login.`` (or empty)."""
    token = secrets.token_urlsafe(24)
    lang = dash.language(request)
    t = texts(lang)
    message = t.t(f"login.{error}") if error else ""
    body = dash.render(
        "login.html", lang,
        lang=lang,
        page_title=e(t.t("app.page_title", title=t.t("login.title"))),
        languages=dash.language_links(request, lang, "/dashboard/login"),
        csrf=e(token),
        error=f'<p class="error" role="alert">{e(message)}</p>' if message else "",
    )
    response = secure_headers(web.Response(text=body, content_type="text/html", status=status))
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="Strict",
        secure=dash.ctx.secure_cookies(request), path="/dashboard/login", max_age=3600,
    )
    return response


async def login_form(request: web.Request) -> web.Response:
    """``GET /dashboard/login``."""
    return _login_page(request.app[DASHBOARD], request, "", 200)


async def login_submit(request: web.Request) -> web.Response:
    """``POST /dashboard/login``: form login for operators."""
    dash = request.app[DASHBOARD]
    ctx = dash.ctx
    now = ctx.clock()
    form = await read_form(request)
    given, cookie = str(form.get("csrf", "")), request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(given.encode(), cookie.encode()):
        return _login_page(dash, request, "expired", 403)
    client = ctx.client(request)
    if not ctx.login_limits.client_allowed(client, now):
        return _login_page(dash, request, "too_many", 429)
    username, password = str(form.get("username", ""))[:64], str(form.get("password", ""))[:256]
    if not ctx.login_limits.username_allowed(username, now):
        return _login_page(dash, request, "too_many", 429)
    try:
        token, expires_at, principal = await ctx.auth.login(username, password, now, client=client)
    except PoolBusy:
        return _login_page(dash, request, "busy", 503)
    except BadCredentials:
        ctx.login_limits.failed(username, now)
        return _login_page(dash, request, "wrong", 401)
    if principal.role not in DASHBOARD_ROLES:
        if principal.session_id:
            ctx.store.revoke_session(principal.session_id, now=now, reason="revoked")
        ctx.store.audit(principal.label, "refused", principal.id,
                        {"code": "not_dashboard_role"}, now=now)
        return _login_page(dash, request, "operators_only", 403)
    # A temporary password (an admin's reset) opens nothing but the page that replaces it.
    target = "/dashboard/password" if principal.must_change_password else "/dashboard/kiosks"
    response = web.Response(status=303, headers={"Location": target})
    response.set_cookie(
        ctx.auth.cookie_name, token, httponly=True, samesite="Strict",
        secure=ctx.secure_cookies(request), max_age=int(expires_at - now), path="/",
    )
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/dashboard/login")
    log.info("dashboard login", extra=fields(who=principal.label))
    return response


async def logout(request: web.Request) -> web.Response:
    """``POST /dashboard/logout``."""
    dash = request.app[DASHBOARD]
    principal, _form = await dash.require_post(request, password_page=True)
    now = dash.ctx.clock()
    if principal.session_id:
        dash.ctx.store.revoke_session(principal.session_id, now=now)
        dash.ctx.check_revocations()
    dash.ctx.store.audit(principal.label, "logout", principal.id, {}, now=now)
    response = web.Response(status=303, headers={"Location": "/dashboard/login"})
    response.del_cookie(dash.ctx.auth.cookie_name, path="/")
    return response


# --------------------------------------------------------------------------------- pages

_LOADING = '<p class="muted">{{top.loading}}</p>'
_LIVE_SECTIONS = {
    "kiosks": '<div id="kiosks" class="live">' + _LOADING + "</div>",
    "alerts": '<div id="alerts" class="live">' + _LOADING + "</div>",
    "queues": (
        '<h2>{{queues.queues}}</h2><div id="queues" class="live">' + _LOADING + "</div>"
        '<h2>{{queues.agents}}</h2><div id="agents" class="live"></div>'
    ),
}
"""Shells of the live pages; ``{{key}}`` texts are filled like a template's."""


async def root(request: web.Request) -> web.Response:
    """``GET /dashboard``."""
    raise web.HTTPSeeOther("/dashboard/kiosks")


async def live_page(request: web.Request) -> web.Response:
    """Kiosks, alerts, queues: a shell the live channel fills."""
    dash = request.app[DASHBOARD]
    principal = dash.require(request)
    section = request.path.rsplit("/", 1)[-1]
    t = dash.texts(request)
    content = TEXT_KEY.sub(lambda m: e(t.t(m.group(1))), _LIVE_SECTIONS[section])
    return dash.page(request, principal, section, content)


async def choose_language(request: web.Request) -> web.Response:
    """``GET /dashboard/language/{lang}?next=PATH``: remember the choice, go back."""
    dash = request.app[DASHBOARD]
    lang = request.match_info["lang"]
    if lang not in LANGUAGES:
        raise web.HTTPNotFound()
    target = request.query.get("next", "")
    if not _SAFE_NEXT.match(target) or "//" in target:
        target = "/dashboard/kiosks"
    response = web.Response(status=303, headers={"Location": target})
    response.set_cookie(
        LANG_COOKIE, lang, httponly=True, samesite="Lax", secure=dash.ctx.secure_cookies(request),
        path="/dashboard", max_age=LANG_COOKIE_MAX_AGE,
    )
    return response


async def acknowledge(request: web.Request) -> web.Response:
    """``POST /dashboard/alerts/{id}/ack``."""
    dash = request.app[DASHBOARD]
    principal, _form = await dash.require_post(request)
    try:
        alert_id = int(request.match_info["alert_id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    ok = dash.monitor.acknowledge(alert_id, principal.label, principal.name)
    if request.headers.get("X-CSRF-Token"):
        return web.json_response({"ok": ok}, status=200 if ok else 409)
    raise web.HTTPSeeOther("/dashboard/alerts")


async def static(request: web.Request) -> web.StreamResponse:
    """``GET /dashboard/static/{name}``: the stylesheet and the script."""
    name = request.match_info["name"]
    if name not in ("dashboard.css", "dashboard.js"):
        raise web.HTTPNotFound()
    response = web.FileResponse(ASSETS / name)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def add_routes(app: web.Application) -> None:
    """Register the login, logout, live pages, acknowledgement and static assets."""
    r = app.router
    r.add_get("/dashboard", root)
    r.add_get("/dashboard/", root)
    r.add_get("/dashboard/login", login_form)
    r.add_get("/dashboard/language/{lang}", choose_language)
    r.add_post("/dashboard/login", login_submit)
    r.add_post("/dashboard/logout", logout)
    for section in _LIVE_SECTIONS:
        r.add_get(f"/dashboard/{section}", live_page)
    r.add_post("/dashboard/alerts/{alert_id}/ack", acknowledge)
    r.add_get("/dashboard/static/{name}", static)
