"""What every dashboard page needs: the operator's session, CSRF tokens, templates, headers.

* The session is the server's signed session token in the ``etapiste_session`` cookie
  (HttpOnly, SameSite=Strict, Secure over TLS), checked against the store on every request;
  operators and admins get in. Operators watch (kiosks, alerts, queues, the report) and
  acknowledge alerts; the admin and audit sections are for admins only. A session whose
  password is a temporary one an admin set opens only the password page.
* Every state-changing request needs the session-bound CSRF token, an HMAC of the session id
  under the server key, in the ``csrf`` form field or the ``X-CSRF-Token`` header.
* Pages carry a strict Content-Security-Policy: scripts and styles from this origin only, no
  inline script, no network fetches elsewhere.
* Pages speak the operator's language (:mod:`signaling.dashboard_texts`): templates name
  catalogue keys as ``{{nav.kiosks}}``, filled once per language and cached; the live
  script's texts travel in the page as a JSON data block (not script, so the CSP allows it).

The dashboard's route modules (``web_dashboard``, ``web_live``, ``web_report``, ``web_planning``,
``web_admin``, ``web_accounts``, ``web_audit``, ``web_password``) reach the :class:`Dashboard`
through :data:`DASHBOARD` on the application.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import logging
import re
import string
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from jsonlog import fields
from signaling.context import ServerContext
from signaling.dashboard_texts import LANG_COOKIE, Texts, negotiate, texts
from signaling.form_body import read_form
from signaling.identity import Principal
from wire.types import LANGUAGES, Language

__all__ = [
    "ADMIN_SECTIONS", "ASSETS", "DASHBOARD", "DASHBOARD_ROLES", "NAV", "Dashboard", "e",
    "secure_headers",
]

log = logging.getLogger("etapiste.dashboard")

ASSETS = Path(__file__).with_name("dashboard")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
NAV = (
    "kiosks", "alerts", "queues", "report", "callbacks", "estimates", "forecast", "admin", "audit",
)
"""The menu, in order: ``/dashboard/<section>``, labelled by the catalogue key ``nav.<section>``."""
ADMIN_SECTIONS = frozenset({"admin", "audit"})
"""Sections only admins see (and may open)."""
DASHBOARD_ROLES = frozenset({"operator", "admin"})
"""Who may log in to the dashboard: operators watch; admins also administer."""
TEXT_KEY = re.compile(r"\{\{\s*([a-z0-9_]+(?:\.[a-z0-9_]+)+)\s*\}\}")
"""A catalogue key in a template: ``{{admin.save}}``."""
_KEPT_QUERY = frozenset({"weeks", "days", "service", "language", "level", "within"})


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
        self._templates: dict[tuple[str, Language], string.Template] = {}

    # ------------------------------------------------------------------ session and CSRF

    def user(self, request: web.Request) -> Principal | None:
        """The operator or admin whose session cookie came with ``request``, or None."""
        token = request.cookies.get(self.ctx.auth.cookie_name, "")
        if not token:
            return None
        principal = self.ctx.auth.principal_for_token(token, self.ctx.clock())
        return principal if principal is not None and principal.role in DASHBOARD_ROLES else None

    def require(
        self, request: web.Request, *, admin: bool = False, password_page: bool = False
    ) -> Principal:
        """The operator or admin (only an admin with ``admin``), or a way out: the login page
        (401 for non-page requests), the password page while a temporary password is in use,
        403 for an operator on an admin page."""
        principal = self.user(request)
        page = request.method == "GET" and "text/html" in request.headers.get("Accept", "")
        if principal is None:
            if page:
                raise web.HTTPSeeOther("/dashboard/login")
            raise web.HTTPUnauthorized(text="log in first")
        if principal.must_change_password and not password_page:
            if page:
                raise web.HTTPSeeOther("/dashboard/password")
            raise web.HTTPForbidden(text="set a new password first")
        if admin and principal.role != "admin":
            log.warning("admin page refused", extra=fields(path=request.path,
                                                           who=principal.label))
            self.ctx.store.audit(principal.label, "refused", principal.id,
                                 {"code": "not_admin", "path": request.path[:100]},
                                 now=self.ctx.clock())
            raise web.HTTPForbidden(text=self.texts(request).t("top.admins_only"))
        return principal

    def csrf_token(self, principal: Principal) -> str:
        """The CSRF token bound to the operator's session."""
        sid = (principal.session_id or "").encode()
        return hmac.new(self._csrf_key, b"csrf\x00" + sid, hashlib.sha256).hexdigest()

    async def require_post(
        self, request: web.Request, *, admin: bool = False, password_page: bool = False
    ) -> tuple[Principal, Mapping[str, str]]:
        """As :meth:`require`, plus the form fields of a POST whose CSRF token is right (else
        403)."""
        principal = self.require(request, admin=admin, password_page=password_page)
        form = await read_form(request)
        given = request.headers.get("X-CSRF-Token") or str(form.get("csrf", ""))
        if not hmac.compare_digest(given.encode(), self.csrf_token(principal).encode()):
            log.warning("csrf refused", extra=fields(path=request.path, who=principal.label))
            raise web.HTTPForbidden(text="missing or wrong CSRF token; reload the page")
        return principal, {k: str(v) for k, v in form.items() if isinstance(v, str)}

    # ----------------------------------------------------------------------- rendering

    # ------------------------------------------------------------------------ language

    def language(self, request: web.Request) -> Language:
        """The operator's language: the remembered choice, the browser's, or Finnish."""
        return negotiate(request.cookies.get(LANG_COOKIE), request.headers.get("Accept-Language"))

    def texts(self, request: web.Request) -> Texts:
        """The texts and formats of the operator's language."""
        return texts(self.language(request))

    def language_links(self, request: web.Request, current: Language, back: str) -> str:
        """The language switch: each language named in itself, the current one marked."""
        query = {k: v for k, v in request.query.items() if k in _KEPT_QUERY}
        here = back + ("?" + urlencode(query) if query else "")
        t = texts(current)
        links = "".join(
            f'<a href="/dashboard/language/{lang}?{urlencode({"next": here})}" lang="{lang}" '
            f'hreflang="{lang}"{" aria-current=true" if lang == current else ""}>'
            f"{e(t.t(f'lang.{lang}'))}</a>"
            for lang in LANGUAGES
        )
        return f'<nav class="langs" aria-label="{e(t.t("lang.choose"))}">{links}</nav>'

    # ----------------------------------------------------------------------- rendering

    def render(self, name: str, lang: Language, /, **values: object) -> str:
        """A template from ``signaling/dashboard`` in ``lang``: ``{{key}}`` texts filled
        (cached per language), then ``$name`` values substituted as they are (HTML)."""
        if (name, lang) not in self._templates:
            t = texts(lang)
            source = (ASSETS / name).read_text(encoding="utf-8")
            filled = TEXT_KEY.sub(lambda m: e(t.t(m.group(1))).replace("$", "$$"), source)
            self._templates[(name, lang)] = string.Template(filled)
        return self._templates[(name, lang)].substitute(values)

    def page(
        self,
        request: web.Request,
        principal: Principal,
        section: str,
        content: str,
        *,
        status: int = 200,
    ) -> web.Response:
        """A full dashboard page around ``content`` (already HTML, in the operator's
        language), titled by the catalogue key ``title.<section>``."""
        lang = self.language(request)
        t = texts(lang)
        nav = "".join(
            f'<a href="/dashboard/{key}"{" aria-current=page" if key == section else ""}>'
            f"{e(t.t(f'nav.{key}'))}</a>"
            for key in NAV
            if key not in ADMIN_SECTIONS or principal.role == "admin"
        )
        title = t.t(f"title.{section}")
        back = request.path if request.method == "GET" else f"/dashboard/{section}"
        body = self.render(
            "layout.html", lang,
            lang=lang,
            page_title=e(t.t("app.page_title", title=title)),
            title=e(title),
            nav=nav,
            languages=self.language_links(request, lang, back),
            content=content,
            texts=_json_block(t.js_texts()),
            csrf=e(self.csrf_token(principal)),
            user=e(principal.name),
            section=e(section),
        )
        return secure_headers(web.Response(text=body, content_type="text/html", status=status))


def _json_block(data: object) -> str:
    """JSON safe inside ``<script type="application/json">`` (no ``</script>`` break-out)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


DASHBOARD: web.AppKey[Dashboard] = web.AppKey("dashboard")
