"""The audit log for admins: ``/dashboard/audit`` (filter by actor, action and days, newest
first, page by page), ``/dashboard/audit.csv`` (the same filter, as a spreadsheet) and a button
that checks the log's hash chain (:mod:`signaling.store.audit`).

Reading the log is itself audited (``audit_view``, ``audit_download``, ``audit_verify``), so
the trail shows who looked. Text in the log can come from anyone (a username typed at a failed
login): it is escaped on the page and defused against spreadsheet formulas in the CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping
from urllib.parse import urlencode

from aiohttp import web

from signaling.dashboard_pages import DASHBOARD, Dashboard, e, secure_headers
from signaling.dashboard_texts import HELSINKI, Texts
from signaling.reports import csv_text
from signaling.store.records import AuditRecord

__all__ = ["add_routes"]

PAGE_ROWS = 100
CSV_ROWS = 100_000


def _day(text: str, t_end: bool = False) -> float | None:
    """``2026-03-01`` as the start (or, with ``t_end``, the end) of that Finnish day."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        return None
    if t_end:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(), HELSINKI).timestamp()


def _filters(query: Mapping[str, str]) -> dict[str, object]:
    return {
        "actor": query.get("actor", "").strip()[:64] or None,
        "action": query.get("action", "").strip()[:64] or None,
        "since": _day(query.get("since", "")),
        "until": _day(query.get("until", ""), t_end=True),
    }


def _kept_query(query: Mapping[str, str], **extra: str) -> str:
    kept = {k: query[k] for k in ("actor", "action", "since", "until") if query.get(k)}
    return urlencode({**kept, **extra})


def _who(actor: str, names: Mapping[str, str]) -> str:
    """``admin:acc_1`` → ``admin:acc_1 (ada)``, so people are recognised."""
    _role, _, ident = actor.partition(":")
    return f"{actor} ({names[ident]})" if ident in names else actor


def _when(t: Texts, at: float) -> str:
    """Date and time to the second, in Finnish time."""
    second = dt.datetime.fromtimestamp(at, HELSINKI).second
    return t.t("audit.when", datetime=t.datetime(at), second=f"{second:02d}")


def _rows(dash: Dashboard, records: list[AuditRecord], t: Texts) -> str:
    names = {a.id: a.username for a in dash.ctx.store.accounts()}
    return "".join(
        f"<tr><td>{e(_when(t, r.at))}</td><td>{e(_who(r.actor, names))}</td>"
        f"<td><code>{e(r.action)}</code></td><td><code>{e(r.subject)}</code></td>"
        f"<td><code>{e(json.dumps(r.detail, ensure_ascii=False))}</code></td></tr>"
        for r in records
    )


async def audit_page(request: web.Request) -> web.Response:
    """``GET /dashboard/audit``."""
    dash = request.app[DASHBOARD]
    principal = dash.require(request, admin=True)
    t, q, store = dash.texts(request), request.query, dash.ctx.store
    before = q.get("before", "")
    records = store.audit_search(
        **_filters(q),  # type: ignore[arg-type]
        before_id=int(before) if before.isdigit() else None, limit=PAGE_ROWS,
    )
    store.audit(principal.label, "audit_view", None, {"filter": _kept_query(q)},
                now=dash.ctx.clock())
    options = "".join(
        f'<option value="{e(a)}"{" selected" if a == q.get("action") else ""}>{e(a)}</option>'
        for a in store.audit_actions()
    )
    older = ""
    if len(records) == PAGE_ROWS:
        link = f"/dashboard/audit?{_kept_query(q, before=str(records[-1].id))}"
        older = f'<p><a href="{e(link)}">{e(t.t("audit.older"))}</a></p>'
    verified = ""
    chain = q.get("chain", "")
    if chain in ("ok", "broken"):
        css = "notice" if chain == "ok" else "error"
        text = t.t(f"audit.chain_{chain}", detail=q.get("detail", "")[:200])
        verified = f'<p class="{css}" role="status">{e(text)}</p>'
    content = dash.render(
        "audit.html", t.lang,
        notice=verified,
        csrf=e(dash.csrf_token(principal)),
        actor=e(q.get("actor", "")),
        since=e(q.get("since", "")),
        until=e(q.get("until", "")),
        action_options=options,
        rows=_rows(dash, records, t) or f'<tr><td colspan="5">{e(t.t("audit.none"))}</td></tr>',
        older=older,
        csv_link=e(f"/dashboard/audit.csv?{_kept_query(q)}"),
    )
    return dash.page(request, principal, "audit", content)


async def audit_csv(request: web.Request) -> web.Response:
    """``GET /dashboard/audit.csv``: the filtered log, newest first, with each row's hash."""
    dash = request.app[DASHBOARD]
    principal = dash.require(request, admin=True)
    store = dash.ctx.store
    records = store.audit_search(**_filters(request.query), limit=CSV_ROWS)  # type: ignore[arg-type]
    store.audit(principal.label, "audit_download", None,
                {"filter": _kept_query(request.query), "rows": len(records)},
                now=dash.ctx.clock())
    names = {a.id: a.username for a in store.accounts()}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["id", "time", "actor", "username", "action", "subject", "detail", "hash"])
    for r in records:
        when = dt.datetime.fromtimestamp(r.at, HELSINKI).isoformat(timespec="seconds")
        ident = r.actor.partition(":")[2]
        writer.writerow([
            r.id, when, csv_text(r.actor), csv_text(names.get(ident, "")), csv_text(r.action),
            csv_text(r.subject), csv_text(json.dumps(r.detail, ensure_ascii=False)),
            r.hash or "",
        ])
    return secure_headers(web.Response(
        text=out.getvalue(), content_type="text/csv", charset="utf-8",
        headers={"Content-Disposition": "attachment; filename=etapiste-audit.csv"},
    ))


async def verify(request: web.Request) -> web.Response:
    """``POST /dashboard/audit/verify``: walk the hash chain and say what it found."""
    dash = request.app[DASHBOARD]
    principal, _form = await dash.require_post(request, admin=True)
    report = dash.ctx.store.verify_audit_chain()
    detail = {"rows": report.rows, "legacy": report.legacy, "first_bad_id": report.first_bad_id,
              "problem": report.problem}
    dash.ctx.store.audit(principal.label, "audit_verify", None, detail, now=dash.ctx.clock())
    if report.ok:
        query = {"chain": "ok", "detail": str(report.rows)}
    else:
        query = {"chain": "broken", "detail": f"{report.first_bad_id}: {report.problem}"}
    raise web.HTTPSeeOther(f"/dashboard/audit?{urlencode(query)}")


def add_routes(app: web.Application) -> None:
    """Register the audit page, its CSV and the chain check."""
    app.router.add_get("/dashboard/audit", audit_page)
    app.router.add_get("/dashboard/audit.csv", audit_csv)
    app.router.add_post("/dashboard/audit/verify", verify)
