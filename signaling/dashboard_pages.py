"""What every dashboard page needs: the operator's session, CSRF tokens, templates, headers.

* The session is the server's signed session token in the ``etapiste_session`` cookie
  (HttpOnly, SameSite=Strict, Secure over TLS), checked against the store on every request;
  only the operator role gets in.
* Every state-changing request needs the session-bound CSRF token, an HMAC of the session id
  under the server key, in the ``csrf`` form field or the ``X-CSRF-Token`` header.
* Pages carry a strict Content-Security-Policy: scripts and styles from this origin only, no
  inline script, no network fetches elsewhere.

The dashboard's route modules (``web_dashboard``, ``web_live``, ``web_report``, ``web_admin``)
reach the :class:`Dashboard` through :data:`DASHBOARD` on the application.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import logging
import string
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web

from jsonlog import fields
from signaling.context import ServerContext
from signaling.form_body import read_form
from signaling.identity import Principal

__all__ = ["ASSETS", "DASHBOARD", "Dashboard", "e", "secure_headers"]

log = logging.getLogger("etapiste.dashboard")

ASSETS = Path(__file__).with_name("dashboard")
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


def e(value: object) -> str:
    """HTML-escape anything for a template."""
    return html.escape("" if value is None else str(value), quote=True)


def secure_headers(response: web.Response) -> web.Response:
    """No caching, no framing, no sniffing, strict CSP."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    return response


class Dashboard:
    """Per-server dashboard helpers: operator session, CSRF, templates and page layout."""

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self.monitor = ctx.monitor
        self.tz = ZoneInfo(ctx.settings.timezone)
        self._csrf_key = hashlib.sha256(b"etapiste-csrf\x00" + ctx.key).digest()
        self._templates: dict[str, string.Template] = {}

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
        form = await read_form(request)
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


DASHBOARD: web.AppKey[Dashboard] = web.AppKey("dashboard")
