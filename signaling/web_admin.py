"""The dashboard's admin page and its kiosk, site and service forms (admins only).

Server-rendered forms (they work without script), each POST checked for the session's CSRF
token and the admin role, and carried out by :mod:`signaling.admin`, which writes the audit
line. The page itself is :mod:`signaling.admin_page`; account forms are
:mod:`signaling.web_accounts`. A kiosk's device token (new or rotated) is shown once on the
page that answers the form, never put in a URL.
"""

from __future__ import annotations

from aiohttp import web

from signaling import booking_admin
from signaling.admin import (
    AdminError,
    add_site,
    parse_weekly,
    provision_kiosk,
    revoke_kiosk,
    rotate_kiosk_token,
    set_hearing_loop,
    set_service,
)
from signaling.admin_page import DONE_KEYS, done, refused, render_admin, secret_box
from signaling.dashboard_pages import DASHBOARD
from signaling.retention import purge

__all__ = ["add_routes"]


async def admin_page(request: web.Request) -> web.Response:
    """``GET /dashboard/admin``."""
    dash = request.app[DASHBOARD]
    principal = dash.require(request, admin=True)
    t = dash.texts(request)
    q = request.query
    msg = ""
    if q.get("done") in DONE_KEYS:
        msg = t.t(f"admin.{q['done']}", subject=q.get("subject", ""))
    error = t.t("admin.not_done", reason=q["error"]) if q.get("error") else ""
    return render_admin(dash, request, principal, msg, error)


async def provision(request: web.Request) -> web.Response:
    """``POST /dashboard/admin/kiosks``: the device token is on this response only."""
    dash = request.app[DASHBOARD]
    principal, form = await dash.require_post(request, admin=True)
    try:
        kiosk_id, token = provision_kiosk(
            dash.ctx.store, principal.label, form.get("site_id", ""), form.get("name", ""),
            now=dash.ctx.clock(),
        )
    except AdminError as exc:
        raise refused(str(exc)) from None
    dash.monitor.invalidate()
    box = secret_box(dash.texts(request), "token_heading", "token_text", token, kiosk=kiosk_id)
    return render_admin(dash, request, principal, "", "", box)


async def rotate(request: web.Request) -> web.Response:
    """``POST /dashboard/admin/kiosks/{kiosk_id}/rotate``: a new device token, shown once;
    the kiosk's connection with the old one closes."""
    dash = request.app[DASHBOARD]
    principal, _form = await dash.require_post(request, admin=True)
    kiosk_id = request.match_info["kiosk_id"]
    try:
        token = rotate_kiosk_token(dash.ctx.store, principal.label, kiosk_id,
                                   now=dash.ctx.clock())
    except AdminError as exc:
        raise refused(str(exc)) from None
    dash.ctx.check_revocations()
    box = secret_box(dash.texts(request), "rotated_heading", "rotated_text", token,
                     kiosk=kiosk_id)
    return render_admin(dash, request, principal, "", "", box)


async def revoke(request: web.Request) -> web.Response:
    """``POST /dashboard/admin/kiosks/{kiosk_id}/revoke``: also disconnects the kiosk."""
    dash = request.app[DASHBOARD]
    principal, _form = await dash.require_post(request, admin=True)
    kiosk_id = request.match_info["kiosk_id"]
    try:
        revoke_kiosk(dash.ctx.store, principal.label, kiosk_id, now=dash.ctx.clock())
    except AdminError as exc:
        raise refused(str(exc)) from None
    dash.ctx.check_revocations()
    dash.monitor.invalidate()
    raise done("kiosk_revoked", kiosk_id)


async def site(request: web.Request) -> web.Response:
    """``POST /dashboard/admin/sites``."""
    dash = request.app[DASHBOARD]
    principal, form = await dash.require_post(request, admin=True)
    try:
        add_site(
            dash.ctx.store, principal.label, form.get("site_id", ""), form.get("name", ""),
            form.get("region", ""), now=dash.ctx.clock(),
            name_sv=form.get("name_sv", "").strip() or None,
            name_en=form.get("name_en", "").strip() or None,
        )
    except AdminError as exc:
        raise refused(str(exc)) from None
    dash.monitor.invalidate()
    raise done("site_added", form.get("site_id", ""))


async def site_settings(request: web.Request) -> web.Response:
    """``POST /dashboard/admin/sites/{site_id}``: the hearing loop (a checkbox)."""
    dash = request.app[DASHBOARD]
    principal, form = await dash.require_post(request, admin=True)
    site_id = request.match_info["site_id"]
    try:
        set_hearing_loop(dash.ctx.store, principal.label, site_id,
                         form.get("hearing_loop") == "on", now=dash.ctx.clock())
    except AdminError as exc:
        raise refused(str(exc)) from None
    raise done("site_saved", site_id)


async def service(request: web.Request) -> web.Response:
    """``POST /dashboard/admin/services/{service_id}``: hours and queue cap, applied at once."""
    dash = request.app[DASHBOARD]
    principal, form = await dash.require_post(request, admin=True)
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
        raise refused(str(exc)) from None
    dash.ctx.apply_overrides(force=True)
    raise done("service_saved", service_id)


async def booking_capacity(request: web.Request) -> web.Response:
    """``POST /dashboard/admin/booking-capacity``: clerk time set aside for bookings."""
    dash = request.app[DASHBOARD]
    principal, form = await dash.require_post(request, admin=True)
    service_id, _, language = form.get("q", "").partition(":")
    try:
        booking_admin.set_capacity(
            dash.ctx.store, dash.ctx.catalogue, principal.label, service_id, language,
            weekly=form.get("weekly", ""), slot_minutes=int(form.get("slot_minutes", "30")),
            clerks=int(form.get("clerks", "1")), timezone=dash.ctx.settings.timezone,
            now=dash.ctx.clock(),
        )
    except ValueError as exc:  # AdminError is a ValueError, as is a bad number
        raise refused(str(exc)) from None
    raise done("booking_saved", f"{service_id}/{language}")


async def booking_exception(request: web.Request) -> web.Response:
    """``POST /dashboard/admin/booking-exception``: other booking hours on one day (empty:
    none that day)."""
    dash = request.app[DASHBOARD]
    principal, form = await dash.require_post(request, admin=True)
    service_id, _, language = form.get("q", "").partition(":")
    try:
        booking_admin.set_exception(
            dash.ctx.store, principal.label, service_id, language, form.get("day", ""),
            form.get("spans", ""), now=dash.ctx.clock(),
        )
    except ValueError as exc:
        raise refused(str(exc)) from None
    raise done("booking_saved", f"{service_id}/{language} {form.get('day', '')}")


async def purge_now(request: web.Request) -> web.Response:
    """``POST /dashboard/admin/purge``: the retention purge now (it also runs hourly)."""
    dash = request.app[DASHBOARD]
    principal, _form = await dash.require_post(request, admin=True)
    counts = purge(dash.ctx.store, dash.ctx.retention, principal.label, dash.ctx.clock(),
                   always_audit=True)
    raise done("purged", ", ".join(f"{k} {v}" for k, v in counts.items()))


def add_routes(app: web.Application) -> None:
    """Register the admin page and its kiosk, site, service and retention forms."""
    r = app.router
    r.add_get("/dashboard/admin", admin_page)
    r.add_post("/dashboard/admin/kiosks", provision)
    r.add_post("/dashboard/admin/kiosks/{kiosk_id}/rotate", rotate)
    r.add_post("/dashboard/admin/kiosks/{kiosk_id}/revoke", revoke)
    r.add_post("/dashboard/admin/sites", site)
    r.add_post("/dashboard/admin/sites/{site_id}", site_settings)
    r.add_post("/dashboard/admin/services/{service_id}", service)
    r.add_post("/dashboard/admin/purge", purge_now)
    r.add_post("/dashboard/admin/booking-capacity", booking_capacity)
    r.add_post("/dashboard/admin/booking-exception", booking_exception)
