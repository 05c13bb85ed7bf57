"""The operator dashboard over HTTP: login, session cookie, CSRF, pages, report, setup.

* Login is a form: a double-submit token (cookie ``etapiste_login_csrf`` + hidden field)
  stops login CSRF; the shared login rate limit applies; only the operator role gets in.
* The session is the server's signed session token in the ``etapiste_session`` cookie
  (HttpOnly, SameSite=Strict, Secure over TLS), checked against the store on every request.
* Every state-changing request needs the session-bound CSRF token, an HMAC of the session id
  under the server key, in the ``csrf`` form field or the ``X-CSRF-Token`` header.
* Pages carry a strict Content-Security-Policy: scripts and styles from this origin only, no
  inline script, no network fetches elsewhere.

:func:`add_dashboard` wires the pages, the live channel (:mod:`signaling.dashboard_live`),
admin routes (:mod:`signaling.web_dashboard_admin`), ``/metrics`` and the monitor loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import html
import logging
import secrets
import string
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote
from zoneinfo import ZoneInfo

from aiohttp import web

from signaling.admin import apply_rules, effective_rules
from signaling.app_keys import CTX, LOGIN_BUCKETS
from signaling.credentials import load_or_create_key
from signaling.errors import BadCredentials
from signaling.identity import Principal
from signaling.logs import fields
from signaling.metrics import make_registry, metrics_handler
from signaling.monitor import Monitor, run_monitor
from signaling.ratelimit import TokenBucket
from signaling.reports import CLOSURE_RISK_PER_WEEK as RISK
from signaling.reports import (
    UsageRow,
    site_week_totals,
    usage_csv,
    week_of,
    week_start_ts,
    weekly_chart_svg,
    weekly_usage,
)
from signaling.web_api import cookie_secure

if TYPE_CHECKING:
    from signaling.server import ServerContext

log = logging.getLogger("etapiste.dashboard")

ASSETS = Path(__file__).with_name("dashboard")
LOGIN_CSRF_COOKIE = "etapiste_login_csrf"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
NAV = (
    ("kiosks", "Kiosks"),
    ("alerts", "Alerts"),
    ("queues", "Queues & agents"),
    ("report", "Usage report"),
    ("admin", "Admin"),
)
OVERRIDE_RELOAD_S = 15.0


def e(value: object) -> str:
    """HTML-escape anything for a template."""
    return html.escape("" if value is None else str(value), quote=True)


class Dashboard:
    """Per-server dashboard state: the monitor, the CSRF key, the metrics registry."""

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self.monitor = Monitor(ctx)
        self._csrf_key = hashlib.sha256(
            b"etapiste-csrf\x00" + load_or_create_key(Path(ctx.settings.data_dir) / "session.key")
        ).digest()
        self.registry = make_registry(ctx, self.monitor)
        self.closing = False
        self.tz = ZoneInfo(ctx.settings.timezone)
        self._templates: dict[str, string.Template] = {}
        self._overrides_seen: tuple[tuple[str, float], ...] | None = None
        self._task: asyncio.Task[None] | None = None
        self._base_rules = ctx.directory.service_rules()

    # ------------------------------------------------------------------ session and CSRF

    def operator(self, request: web.Request) -> Principal | None:
        """The operator whose session cookie came with ``request``, or None."""
        token = request.cookies.get(self.ctx.auth.cookie_name, "")
        if not token:
            return None
        principal = self.ctx.auth.principal_for_token(token, self.ctx.clock())
        return principal if principal is not None and principal.role == "operator" else None

    def require(self, request: web.Request) -> Principal:
        """The operator, or a redirect to the login page (401 for non-page requests)."""
        principal = self.operator(request)
        if principal is None:
            if request.method == "GET" and "text/html" in request.headers.get("Accept", ""):
                raise web.HTTPSeeOther("/dashboard/login")
            raise web.HTTPUnauthorized(text="log in first")
        return principal

    def csrf_token(self, principal: Principal) -> str:
        """The CSRF token bound to the operator's session."""
        sid = (principal.session_id or "").encode()
        return hmac.new(self._csrf_key, b"csrf\x00" + sid, hashlib.sha256).hexdigest()

    async def require_post(self, request: web.Request) -> tuple[Principal, Mapping[str, str]]:
        """Operator plus form fields of a POST whose CSRF token is right (else 403)."""
        principal = self.require(request)
        form = await request.post()
        given = request.headers.get("X-CSRF-Token") or str(form.get("csrf", ""))
        if not hmac.compare_digest(given.encode(), self.csrf_token(principal).encode()):
            log.warning("csrf refused", extra=fields(path=request.path, who=principal.label))
            raise web.HTTPForbidden(text="missing or wrong CSRF token; reload the page")
        return principal, {k: str(v) for k, v in form.items() if isinstance(v, str)}

    # ----------------------------------------------------------------------- rendering

    def template(self, name: str) -> string.Template:
        """A template from ``signaling/dashboard`` (cached)."""
        if name not in self._templates:
            self._templates[name] = string.Template((ASSETS / name).read_text(encoding="utf-8"))
        return self._templates[name]

    def page(
        self,
        principal: Principal,
        section: str,
        title: str,
        content: str,
        *,
        status: int = 200,
    ) -> web.Response:
        """A full dashboard page around ``content`` (already HTML)."""
        nav = "".join(
            f'<a href="/dashboard/{key}"{" aria-current=page" if key == section else ""}>'
            f"{label}</a>"
            for key, label in NAV
        )
        body = self.template("layout.html").substitute(
            title=e(title),
            nav=nav,
            content=content,
            csrf=e(self.csrf_token(principal)),
            user=e(principal.name),
            section=e(section),
        )
        return secure_headers(web.Response(text=body, content_type="text/html", status=status))

    # ----------------------------------------------------------------------- background

    def apply_overrides(self, force: bool = False) -> None:
        """Apply administrators' service edits to the router when they changed."""
        overrides = self.ctx.store.service_overrides()
        seen = tuple((o.service_id, o.updated_at) for o in overrides)
        if force or seen != self._overrides_seen:
            rules = effective_rules(
                self._base_rules,
                self.ctx.catalogue,
                overrides,
                always_open=self.ctx.settings.always_open,
            )
            apply_rules(self.ctx.router, rules)
            self._overrides_seen = seen

    async def _overrides_loop(self) -> None:
        while True:
            await asyncio.sleep(OVERRIDE_RELOAD_S)
            try:
                self.apply_overrides()
            except Exception:
                log.exception("service overrides not applied")

    async def start(self) -> None:
        """Start the monitor loop and the override watcher."""
        self.apply_overrides(force=True)

        async def both() -> None:
            await asyncio.gather(run_monitor(self.monitor), self._overrides_loop())

        self._task = asyncio.create_task(both(), name="dashboard")

    async def shutdown(self) -> None:
        """End live streams (before the server drains)."""
        self.closing = True
        for notify in list(self.monitor.subscribers):
            notify()

    async def stop(self) -> None:
        """Stop the background task."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


DASHBOARD: web.AppKey[Dashboard] = web.AppKey("dashboard")


def secure_headers(response: web.Response) -> web.Response:
    """No caching, no framing, no sniffing, strict CSP."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    return response


# --------------------------------------------------------------------------------- login


def _login_page(dash: Dashboard, request: web.Request, error: str, status: int) -> web.Response:
    token = secrets.token_urlsafe(24)
    body = dash.template("login.html").substitute(
        csrf=e(token), error=f'<p class="error" role="alert">{e(error)}</p>' if error else ""
    )
    response = secure_headers(web.Response(text=body, content_type="text/html", status=status))
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="Strict", secure=cookie_secure(request),
        path="/dashboard/login", max_age=3600,
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
    form = await request.post()
    given, cookie = str(form.get("csrf", "")), request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(given.encode(), cookie.encode()):
        return _login_page(dash, request, "The form expired. Please try again.", 403)
    buckets: dict[str, TokenBucket] = request.app[LOGIN_BUCKETS]
    bucket = buckets.setdefault(request.remote or "?", TokenBucket(rate=1.0, burst=10, now=now))
    if not bucket.allow(now):
        return _login_page(dash, request, "Too many attempts. Wait a moment.", 429)
    username, password = str(form.get("username", ""))[:64], str(form.get("password", ""))[:256]
    try:
        token, expires_at, principal = ctx.auth.login(username, password, now)
    except BadCredentials:
        return _login_page(dash, request, "Unknown user or wrong password.", 401)
    if principal.role != "operator":
        if principal.session_id:
            ctx.store.revoke_session(principal.session_id, now=now)
        return _login_page(dash, request, "This dashboard is for operators only.", 403)
    response = web.Response(status=303, headers={"Location": "/dashboard/kiosks"})
    response.set_cookie(
        ctx.auth.cookie_name, token, httponly=True, samesite="Strict",
        secure=cookie_secure(request), max_age=int(expires_at - now), path="/",
    )
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/dashboard/login")
    log.info("dashboard login", extra=fields(who=principal.label))
    return response


async def logout(request: web.Request) -> web.Response:
    """``POST /dashboard/logout``."""
    dash = request.app[DASHBOARD]
    principal, _form = await dash.require_post(request)
    now = dash.ctx.clock()
    if principal.session_id:
        dash.ctx.store.revoke_session(principal.session_id, now=now)
    dash.ctx.store.audit(principal.label, "logout", principal.id, {}, now=now)
    response = web.Response(status=303, headers={"Location": "/dashboard/login"})
    response.del_cookie(dash.ctx.auth.cookie_name, path="/")
    return response


# --------------------------------------------------------------------------------- pages

_LIVE_SECTIONS = {
    "kiosks": ("Kiosks", '<div id="kiosks" class="live"><p class="muted">Loading…</p></div>'),
    "alerts": ("Alerts", '<div id="alerts" class="live"><p class="muted">Loading…</p></div>'),
    "queues": (
        "Queues & agents",
        '<h2>Queues</h2><div id="queues" class="live"><p class="muted">Loading…</p></div>'
        '<h2>Agents</h2><div id="agents" class="live"></div>',
    ),
}


async def root(request: web.Request) -> web.Response:
    """``GET /dashboard``."""
    raise web.HTTPSeeOther("/dashboard/kiosks")


async def live_page(request: web.Request) -> web.Response:
    """Kiosks, alerts, queues: a shell the live channel fills."""
    dash = request.app[DASHBOARD]
    principal = dash.require(request)
    section = request.match_info["section"]
    if section not in _LIVE_SECTIONS:
        raise web.HTTPNotFound()
    title, content = _LIVE_SECTIONS[section]
    return dash.page(principal, section, title, content)


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


def _weeks(request: web.Request) -> int:
    try:
        return max(1, min(52, int(request.query.get("weeks", "8"))))
    except ValueError:
        return 8


def _usage(dash: Dashboard, weeks: int) -> tuple[list[UsageRow], dict[str, str], dict[str, str]]:
    now = dash.ctx.clock()
    calls = dash.ctx.store.calls_between(week_start_ts(now, dash.tz, weeks - 1), now + 1)
    sites = {s.id: s.name_fi for s in dash.ctx.store.sites()}
    services = {s.id: s.names.fi for s in dash.ctx.catalogue.services}
    return list(weekly_usage(calls, dash.tz)), sites, services


def _rating(mean: float | None, count: int) -> str:
    """``4.3 (12)``: the citizens' mean rating and how many rated; a dash when none did."""
    return "—" if mean is None else f"{mean:.1f} ({count})"


async def report_page(request: web.Request) -> web.Response:
    """``GET /dashboard/report?weeks=N``: table and chart of weekly usage."""
    dash = request.app[DASHBOARD]
    principal = dash.require(request)
    weeks = _weeks(request)
    rows, sites, services = _usage(dash, weeks)
    table = "".join(
        f"<tr><td>{e(r.week)}</td><td>{e(sites.get(r.site_id, r.site_id))}</td>"
        f"<td>{e(services.get(r.service_id, r.service_id))}</td>"
        f'<td class="num">{r.visits}</td><td class="num">{r.answered}</td>'
        f'<td class="num">{r.abandoned}</td>'
        f'<td class="num">{_duration(r.median_wait_s)}</td>'
        f'<td class="num">{_duration(r.median_handle_s)}</td>'
        f'<td class="num">{_rating(r.mean_rating, r.ratings)}</td></tr>'
        for r in reversed(rows)
    )
    current, _monday = week_of(dash.ctx.clock(), dash.tz)
    options = "".join(
        f'<option value="{n}"{" selected" if n == weeks else ""}>{n} weeks</option>'
        for n in (1, 4, 8, 13, 26, 52)
    )
    content = dash.template("report.html").substitute(
        options=options,
        weeks=weeks,
        csv_href=f"/dashboard/report.csv?weeks={weeks}",
        chart=weekly_chart_svg(rows, sites, current),
        pivot=_pivot(rows, sites, current),
        detail_count=len(rows),
        rows=table or '<tr><td colspan="9" class="muted">No visits in this period.</td></tr>',
    )
    return dash.page(principal, "report", "Usage report", content)


def _pivot(rows: list[UsageRow], sites: dict[str, str], current: str) -> str:
    """Sites × weeks table of visits; full weeks under the closure-risk line are marked."""
    totals = site_week_totals(rows)
    weeks = sorted({r.week for r in rows})
    head = "".join(
        f'<th class="num">{e(w)}{"<br><small>so far</small>" if w == current else ""}</th>'
        for w in weeks
    )
    body = []
    for site, by_week in totals.items():
        full = [by_week.get(w, 0) for w in weeks if w != current]
        average = sum(full) / len(full) if full else None
        cells = "".join(
            f'<td class="num{" risk" if w != current and by_week.get(w, 0) < RISK else ""}">'
            f"{by_week.get(w, 0)}</td>"
            for w in weeks
        )
        avg = "–" if average is None else f"{average:.0f}"
        risk = " risk" if average is not None and average < RISK else ""
        body.append(
            f"<tr><td>{e(sites.get(site, site))}</td>{cells}"
            f'<td class="num{risk}">{avg}</td></tr>'
        )
    return (
        f'<table class="grid" id="pivot"><thead><tr><th>Site</th>{head}'
        f'<th class="num">Average of full weeks</th></tr></thead><tbody>{"".join(body)}'
        "</tbody></table>"
    )


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


async def report_csv(request: web.Request) -> web.Response:
    """``GET /dashboard/report.csv?weeks=N``."""
    dash = request.app[DASHBOARD]
    principal = dash.require(request)
    weeks = _weeks(request)
    rows, sites, services = _usage(dash, weeks)
    dash.ctx.store.audit(principal.label, "report_download", "usage", {"weeks": weeks},
                         now=dash.ctx.clock())
    name = f"etapiste-usage-{weeks}w.csv"
    return secure_headers(
        web.Response(
            text=usage_csv(rows, sites, services),
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": f"attachment; filename={quote(name)}"},
        )
    )


async def static(request: web.Request) -> web.StreamResponse:
    """``GET /dashboard/static/{name}``: the stylesheet and the script."""
    name = request.match_info["name"]
    if name not in ("dashboard.css", "dashboard.js"):
        raise web.HTTPNotFound()
    response = web.FileResponse(ASSETS / name)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --------------------------------------------------------------------------------- setup


def add_dashboard(app: web.Application, ctx: ServerContext) -> Dashboard:
    """Register dashboard routes, ``/metrics`` and the background loops on ``app``."""
    from signaling.dashboard_live import events
    from signaling.web_dashboard_admin import add_admin_routes

    dash = Dashboard(ctx)
    app[DASHBOARD] = dash
    r = app.router
    r.add_get("/dashboard", root)
    r.add_get("/dashboard/", root)
    r.add_get("/dashboard/login", login_form)
    r.add_post("/dashboard/login", login_submit)
    r.add_post("/dashboard/logout", logout)
    r.add_get("/dashboard/events", events)
    r.add_get("/dashboard/report", report_page)
    r.add_get("/dashboard/report.csv", report_csv)
    r.add_post("/dashboard/alerts/{alert_id}/ack", acknowledge)
    r.add_get("/dashboard/static/{name}", static)
    add_admin_routes(app)
    r.add_get("/dashboard/{section}", live_page)
    r.add_get("/metrics", metrics_handler(dash.registry))
    if CTX not in app:
        app[CTX] = ctx

    async def on_startup(_: web.Application) -> None:
        await dash.start()

    async def on_shutdown(_: web.Application) -> None:
        await dash.shutdown()

    async def on_cleanup(_: web.Application) -> None:
        await dash.stop()

    app.on_startup.append(on_startup)
    app.on_shutdown.insert(0, on_shutdown)
    app.on_cleanup.append(on_cleanup)
    return dash
