"""The dashboard's admin page (``admin.html``): what it shows, and how its forms answer.

The page's forms post to :mod:`signaling.web_admin` (kiosks, sites, services) and
:mod:`signaling.web_accounts` (accounts); both answer through the helpers here: a redirect with
``?done=<catalogue key>&subject=<id>`` (a message the admin reads in their language) or
``?error=<reason>`` (the reasons come from :mod:`signaling.admin`, shared with the command
line, and are English), or the page itself with a secret shown once (a new kiosk's device
token, a rotated one, a temporary password), never put in a URL.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote, urlencode

from aiohttp import web

from signaling.admin import format_weekly
from signaling.booking_admin_page import booking_section
from signaling.catalogue import Service
from signaling.dashboard_pages import Dashboard, e
from signaling.dashboard_texts import Texts
from signaling.identity import Principal
from signaling.store.records import AccountRecord, KioskRecord

__all__ = ["DONE_KEYS", "done", "refused", "render_admin", "secret_box", "split"]

DONE_KEYS = frozenset({
    "kiosk_revoked", "site_added", "account_added", "skills_saved", "service_saved",
    "account_disabled", "account_enabled", "purged", "site_saved", "booking_saved",
})
"""Keys of ``[admin]`` texts a change can report (``?done=``)."""


def split(text: str) -> list[str]:
    """``"a, b,,c"`` → ``["a", "b", "c"]``."""
    return [p.strip() for p in text.split(",") if p.strip()]


def done(key: str, subject: str) -> web.HTTPSeeOther:
    """Back to the admin page, saying what was done."""
    query = urlencode({"done": key, "subject": subject[:100]})
    return web.HTTPSeeOther(f"/dashboard/admin?{query}")


def refused(reason: str) -> web.HTTPSeeOther:
    """Back to the admin page, saying why not."""
    return web.HTTPSeeOther(f"/dashboard/admin?{urlencode({'error': reason[:200]})}")


def secret_box(t: Texts, heading: str, text: str, secret: str, **fields: object) -> str:
    """A secret shown once on the page that created it (``heading``/``text``: ``[admin]``
    keys)."""
    return (
        f'<div class="token" role="status"><h2>{e(t.t(f"admin.{heading}", **fields))}</h2>'
        f"<p>{e(t.t(f'admin.{text}', **fields))}</p>"
        f'<p><code id="secret" class="secret">{e(secret)}</code></p></div>'
    )


def _post_button(action: str, csrf: str, label: str, confirm: str = "", danger: bool = False
                 ) -> str:
    confirm_attr = f' class="inline confirm" data-confirm="{e(confirm)}"' if confirm else \
        ' class="inline"'
    return (
        f'<form method="post" action="{e(action)}"{confirm_attr}>'
        f'<input type="hidden" name="csrf" value="{csrf}">'
        f'<button{" class=danger" if danger else ""}>{e(label)}</button></form>'
    )


def _kiosk_row(k: KioskRecord, site: str, csrf: str, t: Texts) -> str:
    actions = ""
    if not k.revoked_at:
        base = f"/dashboard/admin/kiosks/{k.id}"
        actions = (
            _post_button(f"{base}/rotate", csrf, t.t("admin.rotate"),
                         t.t("admin.rotate_confirm", kiosk=k.name))
            + _post_button(f"{base}/revoke", csrf, t.t("admin.revoke"),
                           t.t("admin.revoke_confirm", kiosk=k.name), danger=True)
        )
    state = t.t("admin.revoked" if k.revoked_at else "admin.active")
    return (f"<tr><td>{e(site)}</td><td>{e(k.name)}</td><td><code>{e(k.id)}</code></td>"
            f"<td>{e(state)}</td><td>{actions}</td></tr>")


def _account_row(a: AccountRecord, me: Principal, csrf: str, t: Texts) -> str:
    base = f"/dashboard/admin/accounts/{quote(a.username, safe='')}"
    state = t.t("admin.disabled" if a.disabled else "admin.active")
    if a.must_change_password and not a.disabled:
        state = t.t("admin.must_change")
    actions = ""
    if a.id != me.id:  # an admin does not lock themself out from here
        toggle = (
            _post_button(f"{base}/enable", csrf, t.t("admin.enable")) if a.disabled
            else _post_button(f"{base}/disable", csrf, t.t("admin.disable"),
                              t.t("admin.disable_confirm", user=a.username), danger=True)
        )
        actions = toggle + _post_button(f"{base}/reset", csrf, t.t("admin.reset"),
                                        t.t("admin.reset_confirm", user=a.username))
    return (
        f"<tr><td>{e(a.username)}</td><td>{e(a.display_name)}</td>"
        f"<td>{e(t.label('admin', f'role_{a.role}'))}</td>"
        f"<td>{e(', '.join(sorted(a.skills)) or '–')}</td>"
        f"<td>{e(', '.join(sorted(a.languages)) or '–')}</td><td>{e(state)}</td>"
        f"<td>{actions}</td></tr>"
    )


def render_admin(
    dash: Dashboard,
    request: web.Request,
    principal: Principal,
    msg: str,
    error: str,
    box: str = "",
) -> web.Response:
    """The whole admin page, with a notice, an error, or a secret shown once."""
    store, catalogue, csrf = dash.ctx.store, dash.ctx.catalogue, e(dash.csrf_token(principal))
    t = dash.texts(request)
    sites = store.sites()
    site_names = {
        s.id: t.name({"fi": s.name_fi, "sv": s.name_sv, "en": s.name_en}, s.id) for s in sites
    }
    kiosk_rows = "".join(
        _kiosk_row(k, site_names.get(k.site_id, k.site_id), csrf, t) for k in store.list_kiosks()
    )
    site_rows = "".join(
        f"<tr><td>{e(site_names[s.id])}<br><code>{e(s.id)}</code></td>"
        f"<td>{e(s.region or '–')}</td><td>"
        f'<form method="post" action="/dashboard/admin/sites/{e(s.id)}" class="inline">'
        f'<input type="hidden" name="csrf" value="{csrf}">'
        f'<label class="check"><input type="checkbox" name="hearing_loop" value="on"'
        f'{" checked" if s.hearing_loop else ""}> {e(t.t("admin.hearing_loop"))}</label> '
        f'<button>{e(t.t("admin.save"))}</button></form></td></tr>'
        for s in sites
    )
    site_options = "".join(
        f'<option value="{e(s.id)}">{e(site_names[s.id])} ({e(s.region or "—")})</option>'
        for s in sites
    )
    account_rows = "".join(_account_row(a, principal, csrf, t) for a in store.accounts())
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
    retention = dash.ctx.retention
    retention_rows = "".join(
        f"<tr><td>{e(t.t(f'admin.keep_{kind}'))}</td>"
        f"<td class=num>{e(t.t('admin.days', days=days))}</td></tr>"
        for kind, days in (("calls", retention.calls_days), ("notes", retention.notes_days),
                           ("audit", retention.audit_days), ("sessions", retention.sessions_days),
                           ("photos", retention.photos_days))
    )
    notice = ""
    if msg:
        notice = f'<p class="notice" role="status">{e(msg)}</p>'
    if error:
        notice = f'<p class="error" role="alert">{e(error)}</p>'
    content = dash.render(
        "admin.html", t.lang,
        notice=notice + box,
        csrf=csrf,
        kiosk_rows=kiosk_rows,
        site_rows=site_rows,
        site_options=site_options,
        account_rows=account_rows,
        service_rows="".join(service_rows),
        service_list=_service_list(t, catalogue.services),
        retention_rows=retention_rows,
        booking_section=booking_section(t, store, catalogue, csrf),
    )
    return dash.page(request, principal, "admin", content)


def _service_list(t: Texts, services: Sequence[Service]) -> str:
    """``<code>kela.benefits</code> Kelan etuudet, ...``: ids to type, names to recognise."""
    return ", ".join(f"<code>{e(s.id)}</code> {e(s.names.get(t.lang))}" for s in services)
