"""The dashboard's admin page: kiosks, sites, accounts and skills, services and hours.

Server-rendered forms (they work without script), each POST checked for the session's CSRF
token and carried out by :mod:`signaling.admin`, which writes the audit line. A new kiosk's
device token is shown once on the page that answers the provisioning form, never put in a URL.
After a change the page redirects with ``?done=<catalogue key>&subject=<id>`` (a message the
operator reads in their language) or ``?error=<reason>``; the reasons come from
:mod:`signaling.admin`, shared with the command line, and are English.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

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
from signaling.catalogue import Service
from signaling.dashboard_pages import DASHBOARD, Dashboard, e
from signaling.dashboard_texts import Texts
from signaling.identity import Principal
from signaling.store.records import Role

__all__ = ["add_routes"]


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


DONE_KEYS = frozenset({
    "kiosk_revoked", "site_added", "account_added", "skills_saved", "service_saved"
})
"""Keys of ``[admin]`` texts a change can report (``?done=``)."""


def _done(done: str, subject: str) -> web.HTTPSeeOther:
    query = urlencode({"done": done, "subject": subject[:100]})
    return web.HTTPSeeOther(f"/dashboard/admin?{query}")


def _refused(reason: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/dashboard/admin?{urlencode({'error': reason[:200]})}")


async def admin_page(request: web.Request) -> web.Response:
    """``GET /dashboard/admin``."""
    dash = request.app[DASHBOARD]
    principal = dash.require(request)
    t = dash.texts(request)
    q = request.query
    msg = ""
    if q.get("done") in DONE_KEYS:
        msg = t.t(f"admin.{q['done']}", subject=q.get("subject", ""))
    error = t.t("admin.not_done", reason=q["error"]) if q.get("error") else ""
    return _render(dash, request, principal, msg, error)


def _render(
    dash: Dashboard,
    request: web.Request,
    principal: Principal,
    msg: str,
    error: str,
    token_box: str = "",
) -> web.Response:
    store, catalogue, csrf = dash.ctx.store, dash.ctx.catalogue, e(dash.csrf_token(principal))
    t = dash.texts(request)
    sites = store.sites()
    site_names = {
        s.id: t.name({"fi": s.name_fi, "sv": s.name_sv, "en": s.name_en}, s.id) for s in sites
    }
    kiosk_rows = "".join(
        f"<tr><td>{e(site_names.get(k.site_id, k.site_id))}</td><td>{e(k.name)}</td>"
        f"<td><code>{e(k.id)}</code></td>"
        f"<td>{e(t.t('admin.revoked' if k.revoked_at else 'admin.active'))}</td><td>"
        + (
            ""
            if k.revoked_at
            else f'<form method="post" action="/dashboard/admin/kiosks/{e(k.id)}/revoke" '
            f'class="inline confirm" data-confirm="{e(t.t("admin.revoke_confirm", kiosk=k.name))}">'
            f'<input type="hidden" name="csrf" value="{csrf}">'
            f'<button class="danger">{e(t.t("admin.revoke"))}</button></form>'
        )
        + "</td></tr>"
        for k in store.list_kiosks()
    )
    site_options = "".join(
        f'<option value="{e(s.id)}">{e(site_names[s.id])} ({e(s.region or "—")})</option>'
        for s in sites
    )
    account_rows = "".join(
        f"<tr><td>{e(a.username)}</td><td>{e(a.display_name)}</td>"
        f"<td>{e(t.label('admin', f'role_{a.role}'))}</td>"
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
        name = s.names.get(t.lang)
        edited = f" <small>{e(t.t('admin.edited_by', name=o.updated_by))}</small>" if o else ""
        service_rows.append(
            f'<tr><td>{e(name)}<br><code>{e(s.id)}</code>{edited}</td><td colspan="2">'
            f'<form method="post" action="/dashboard/admin/services/{e(s.id)}" class="inline">'
            f'<input type="hidden" name="csrf" value="{csrf}">'
            f'<input name="weekly" size="48" value="{e(format_weekly(weekly))}" '
            f'aria-label="{e(t.t("admin.hours_of", service=name))}">'
            f'<input name="max_queue" type="number" min="1" max="10000" value="{cap}" '
            f'aria-label="{e(t.t("admin.queue_cap"))}" class="narrow">'
            f'<button>{e(t.t("admin.save"))}</button></form></td></tr>'
        )
    notice = ""
    if msg:
        notice = f'<p class="notice" role="status">{e(msg)}</p>'
    if error:
        notice = f'<p class="error" role="alert">{e(error)}</p>'
    content = dash.render(
        "admin.html", t.lang,
        notice=notice + token_box,
        csrf=csrf,
        kiosk_rows=kiosk_rows,
        site_options=site_options,
        account_rows=account_rows,
        service_rows="".join(service_rows),
        service_list=_service_list(t, catalogue.services),
    )
    return dash.page(request, principal, "admin", content)


def _service_list(t: Texts, services: Sequence[Service]) -> str:
    """``<code>kela.benefits</code> Kelan etuudet, ...``: ids to type, names to recognise."""
    return ", ".join(f"<code>{e(s.id)}</code> {e(s.names.get(t.lang))}" for s in services)


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
        raise _refused(str(exc)) from None
    dash.monitor.invalidate()
    t = dash.texts(request)
    box = (
        f'<div class="token" role="status"><h2>{e(t.t("admin.token_heading"))}</h2>'
        f"<p>{e(t.t('admin.token_text', kiosk=kiosk_id))}</p>"
        f'<p><code id="device-token" class="secret">{e(token)}</code></p></div>'
    )
    return _render(dash, request, principal, "", "", box)


async def revoke(request: web.Request) -> web.Response:
    """``POST /dashboard/admin/kiosks/{kiosk_id}/revoke``: also disconnects the kiosk."""
    dash = request.app[DASHBOARD]
    principal, _form = await dash.require_post(request)
    kiosk_id = request.match_info["kiosk_id"]
    try:
        revoke_kiosk(dash.ctx.store, principal.label, kiosk_id, now=dash.ctx.clock())
    except AdminError as exc:
        raise _refused(str(exc)) from None
    dash.ctx.check_revocations()
    dash.monitor.invalidate()
    raise _done("kiosk_revoked", kiosk_id)


async def site(request: web.Request) -> web.Response:
    """``POST /dashboard/admin/sites``."""
    dash = request.app[DASHBOARD]
    principal, form = await dash.require_post(request)
    try:
        add_site(
            dash.ctx.store, principal.label, form.get("site_id", ""), form.get("name", ""),
            form.get("region", ""), now=dash.ctx.clock(),
            name_sv=form.get("name_sv", "").strip() or None,
            name_en=form.get("name_en", "").strip() or None,
        )
    except AdminError as exc:
        raise _refused(str(exc)) from None
    dash.monitor.invalidate()
    raise _done("site_added", form.get("site_id", ""))


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
        raise _refused(str(exc)) from None
    raise _done("account_added", form.get("username", ""))


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
        raise _refused(str(exc)) from None
    dash.ctx.directory.forget()
    raise _done("skills_saved", form.get("username", ""))


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
        raise _refused(str(exc)) from None
    dash.ctx.apply_overrides(force=True)
    raise _done("service_saved", service_id)


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
