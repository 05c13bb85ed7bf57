"""The dashboard's admin page: kiosks, sites, accounts and skills, services and hours.

Server-rendered forms (they work without script), each POST checked for the session's CSRF
token and carried out by :mod:`signaling.admin`, which writes the audit line. A new kiosk's
device token is shown once on the page that answers the provisioning form, never put in a URL.
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from signaling.admin import (
    AdminError,
    add_account,
    add_site,
    format_weekly,
    parse_weekly,
    provision_kiosk,
    revoke_kiosk,
    set_service,
    set_skills,
)
from signaling.dashboard_pages import DASHBOARD, Dashboard, e
from signaling.identity import Principal
from signaling.store.records import Role

__all__ = ["add_routes"]


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def _done(message: str, error: bool = False) -> web.HTTPSeeOther:
    key = "error" if error else "msg"
    return web.HTTPSeeOther(f"/dashboard/admin?{key}={quote(message[:200])}")


async def admin_page(request: web.Request) -> web.Response:
    """``GET /dashboard/admin``."""
    dash = request.app[DASHBOARD]
    principal = dash.require(request)
    return _render(dash, principal, request.query.get("msg", ""), request.query.get("error", ""))


def _render(
    dash: Dashboard, principal: Principal, msg: str, error: str, token_box: str = ""
) -> web.Response:
    store, catalogue, csrf = dash.ctx.store, dash.ctx.catalogue, e(dash.csrf_token(principal))
    sites = store.sites()
    site_names = {s.id: s.name_fi for s in sites}
    kiosk_rows = "".join(
        f"<tr><td>{e(site_names.get(k.site_id, k.site_id))}</td><td>{e(k.name)}</td>"
        f"<td><code>{e(k.id)}</code></td><td>{'revoked' if k.revoked_at else 'active'}</td><td>"
        + (
            ""
            if k.revoked_at
            else f'<form method="post" action="/dashboard/admin/kiosks/{e(k.id)}/revoke" '
            f'class="inline confirm" data-confirm="Revoke {e(k.name)}? It cannot connect again.">'
            f'<input type="hidden" name="csrf" value="{csrf}">'
            f'<button class="danger">Revoke</button></form>'
        )
        + "</td></tr>"
        for k in store.list_kiosks()
    )
    site_options = "".join(
        f'<option value="{e(s.id)}">{e(s.name_fi)} ({e(s.region or "—")})</option>' for s in sites
    )
    account_rows = "".join(
        f"<tr><td>{e(a.username)}</td><td>{e(a.display_name)}</td><td>{e(a.role)}</td>"
        f"<td>{e(', '.join(sorted(a.skills)) or '–')}</td>"
        f"<td>{e(', '.join(sorted(a.languages)) or '–')}</td></tr>"
        for a in store.accounts()
    )
    overrides = {o.service_id: o for o in store.service_overrides()}
    service_rows = []
    for s in catalogue.services:
        o = overrides.get(s.id)
        weekly = o.weekly if o and o.weekly is not None else s.hours.weekly
        cap = o.max_queue if o and o.max_queue is not None else s.max_queue
        edited = f" <small>edited by {e(o.updated_by)}</small>" if o else ""
        service_rows.append(
            f'<tr><td>{e(s.names.fi)}<br><code>{e(s.id)}</code>{edited}</td><td colspan="2">'
            f'<form method="post" action="/dashboard/admin/services/{e(s.id)}" class="inline">'
            f'<input type="hidden" name="csrf" value="{csrf}">'
            f'<input name="weekly" size="48" value="{e(format_weekly(weekly))}" '
            f'aria-label="Opening hours of {e(s.names.fi)}">'
            f'<input name="max_queue" type="number" min="1" max="10000" value="{cap}" '
            f'aria-label="Queue cap" class="narrow"><button>Save</button></form></td></tr>'
        )
    service_options = "".join(
        f'<option value="{e(s.id)}">{e(s.names.fi)}</option>' for s in catalogue.services
    )
    notice = ""
    if msg:
        notice = f'<p class="notice" role="status">{e(msg)}</p>'
    if error:
        notice = f'<p class="error" role="alert">{e(error)}</p>'
    content = dash.template("admin.html").substitute(
        notice=notice + token_box,
        csrf=csrf,
        kiosk_rows=kiosk_rows,
        site_options=site_options,
        account_rows=account_rows,
        service_rows="".join(service_rows),
        service_list=e(", ".join(s.id for s in catalogue.services)),
        service_options=service_options,
    )
    return dash.page(principal, "admin", "Admin", content)


async def provision(request: web.Request) -> web.Response:
    """``POST /dashboard/admin/kiosks``: the device token is on this response only."""
    dash = request.app[DASHBOARD]
    principal, form = await dash.require_post(request)
    try:
        kiosk_id, token = provision_kiosk(
            dash.ctx.store, principal.label, form.get("site_id", ""), form.get("name", ""),
            now=dash.ctx.clock(),
        )
    except AdminError as exc:
        raise _done(str(exc), error=True) from None
    dash.monitor.invalidate()
    box = (
        '<div class="token" role="status"><h2>Kiosk provisioned</h2>'
        f"<p>Kiosk <code>{e(kiosk_id)}</code>. Its device token is shown <strong>only "
        "now</strong>: put it in the kiosk's token file before leaving this page.</p>"
        f'<p><code id="device-token" class="secret">{e(token)}</code></p></div>'
    )
    return _render(dash, principal, "", "", box)


async def revoke(request: web.Request) -> web.Response:
    """``POST /dashboard/admin/kiosks/{kiosk_id}/revoke``: also disconnects the kiosk."""
    dash = request.app[DASHBOARD]
    principal, _form = await dash.require_post(request)
    kiosk_id = request.match_info["kiosk_id"]
    try:
        revoke_kiosk(dash.ctx.store, principal.label, kiosk_id, now=dash.ctx.clock())
    except AdminError as exc:
        raise _done(str(exc), error=True) from None
    dash.ctx.check_revocations()
    dash.monitor.invalidate()
    raise _done(f"kiosk {kiosk_id} revoked")


async def site(request: web.Request) -> web.Response:
    """``POST /dashboard/admin/sites``."""
    dash = request.app[DASHBOARD]
    principal, form = await dash.require_post(request)
    try:
        add_site(
            dash.ctx.store, principal.label, form.get("site_id", ""), form.get("name", ""),
            form.get("region", ""), now=dash.ctx.clock(),
        )
    except AdminError as exc:
        raise _done(str(exc), error=True) from None
    dash.monitor.invalidate()
    raise _done(f"site {form.get('site_id')} added")


async def account(request: web.Request) -> web.Response:
    """``POST /dashboard/admin/accounts``."""
    dash = request.app[DASHBOARD]
    principal, form = await dash.require_post(request)
    role: Role = "operator" if form.get("role") == "operator" else "agent"
    try:
        add_account(
            dash.ctx.store, principal.label, form.get("username", ""),
            form.get("display_name", ""), role, form.get("password", ""),
            _split(form.get("skills", "")), _split(form.get("languages", "fi")),
            now=dash.ctx.clock(),
        )
    except AdminError as exc:
        raise _done(str(exc), error=True) from None
    raise _done(f"{role} {form.get('username')} added")


async def skills(request: web.Request) -> web.Response:
    """``POST /dashboard/admin/skills``."""
    dash = request.app[DASHBOARD]
    principal, form = await dash.require_post(request)
    languages = form.get("languages", "").strip()
    try:
        set_skills(
            dash.ctx.store, principal.label, form.get("username", ""),
            _split(form.get("skills", "")), _split(languages) if languages else None,
            now=dash.ctx.clock(),
        )
    except AdminError as exc:
        raise _done(str(exc), error=True) from None
    dash.ctx.directory.forget()
    raise _done(f"skills of {form.get('username')} saved; they apply at the agent's next login")


async def service(request: web.Request) -> web.Response:
    """``POST /dashboard/admin/services/{service_id}``: hours and queue cap, applied at once."""
    dash = request.app[DASHBOARD]
    principal, form = await dash.require_post(request)
    service_id = request.match_info["service_id"]
    try:
        weekly = parse_weekly(form.get("weekly", ""))
        cap_text = form.get("max_queue", "").strip()
        cap = int(cap_text) if cap_text else None
        set_service(
            dash.ctx.store, dash.ctx.catalogue, principal.label, service_id,
            weekly=weekly, max_queue=cap, now=dash.ctx.clock(),
        )
    except ValueError as exc:  # AdminError is a ValueError, as is a bad number
        raise _done(str(exc), error=True) from None
    dash.ctx.apply_overrides(force=True)
    raise _done(f"{service_id} saved and applied")


def add_routes(app: web.Application) -> None:
    """Register the admin page and its form targets."""
    r = app.router
    r.add_get("/dashboard/admin", admin_page)
    r.add_post("/dashboard/admin/kiosks", provision)
    r.add_post("/dashboard/admin/kiosks/{kiosk_id}/revoke", revoke)
    r.add_post("/dashboard/admin/sites", site)
    r.add_post("/dashboard/admin/accounts", account)
    r.add_post("/dashboard/admin/skills", skills)
    r.add_post("/dashboard/admin/services/{service_id}", service)
