"""The dashboard's callbacks page (issue 14): callbacks promised and kept, per service point
and service, over the last days (``/dashboard/callbacks?days=N``)."""

from __future__ import annotations

from aiohttp import web

from signaling.callback_report import CallbackRow, callback_rows
from signaling.dashboard_pages import DASHBOARD, e

__all__ = ["add_routes"]

DAY_S = 86400.0


def _days(request: web.Request) -> int:
    try:
        return max(1, min(366, int(request.query.get("days", "28"))))
    except ValueError:
        return 28


def _share(row: CallbackRow) -> str:
    share = row.kept_share
    return "—" if share is None else f"{round(100 * share)} %"


async def callbacks_page(request: web.Request) -> web.Response:
    """``GET /dashboard/callbacks?days=N``."""
    dash = request.app[DASHBOARD]
    principal = dash.require(request)
    t = dash.texts(request)
    days = _days(request)
    now = dash.ctx.clock()
    rows = callback_rows(dash.ctx.store.callbacks_between(now - days * DAY_S, now + 1))
    sites = {
        s.id: t.name({"fi": s.name_fi, "sv": s.name_sv, "en": s.name_en}, s.id)
        for s in dash.ctx.store.sites()
    }
    services = {s.id: s.names.get(t.lang) for s in dash.ctx.catalogue.services}
    total = CallbackRow("", "")
    body = []
    for r in rows:
        for name in ("promised", "kept", "late", "unreached", "expired", "open"):
            setattr(total, name, getattr(total, name) + getattr(r, name))
        broken = ' class="num risk"' if r.expired else ' class="num"'
        body.append(
            f"<tr><td>{e(sites.get(r.site_id, r.site_id))}</td>"
            f"<td>{e(services.get(r.service_id, r.service_id))}</td>"
            f'<td class="num">{r.promised}</td><td class="num">{r.kept}</td>'
            f'<td class="num">{r.late}</td><td class="num">{r.unreached}</td>'
            f"<td{broken}>{r.expired}</td><td class=\"num\">{r.open}</td>"
            f'<td class="num">{e(_share(r))}</td></tr>'
        )
    foot = (
        f'<tr><th colspan="2">{e(t.t("callbacks.total"))}</th>'
        f'<th class="num">{total.promised}</th><th class="num">{total.kept}</th>'
        f'<th class="num">{total.late}</th><th class="num">{total.unreached}</th>'
        f'<th class="num">{total.expired}</th><th class="num">{total.open}</th>'
        f'<th class="num">{e(_share(total))}</th></tr>'
    )
    options = "".join(
        f'<option value="{n}"{" selected" if n == days else ""}>'
        f"{e(t.t('callbacks.days_option', count=n))}</option>"
        for n in (1, 7, 28, 91, 365)
    )
    none = e(t.t("callbacks.none"))
    content = dash.render(
        "callbacks.html", t.lang,
        options=options,
        intro=e(t.t("callbacks.intro")),
        rows="".join(body) or f'<tr><td colspan="9" class="muted">{none}</td></tr>',
        foot=foot if rows else "",
    )
    return dash.page(request, principal, "callbacks", content)


def add_routes(app: web.Application) -> None:
    """Register the callbacks page."""
    app.router.add_get("/dashboard/callbacks", callbacks_page)
