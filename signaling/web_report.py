"""The usage report: weekly visits per site and service, as a page with a chart and as CSV.

A joint service point under about :data:`~signaling.reports.CLOSURE_RISK_PER_WEEK` visits a
week is at risk of closure, so the per-site table marks those weeks.
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from signaling.booking_report import appointment_rows, kiosk_time
from signaling.dashboard_pages import DASHBOARD, Dashboard, e, secure_headers
from signaling.dashboard_texts import Texts
from signaling.reports import CLOSURE_RISK_PER_WEEK as RISK
from signaling.reports import (
    ChartText,
    UsageRow,
    site_week_totals,
    usage_csv,
    week_of,
    week_start_ts,
    weekly_chart_svg,
    weekly_usage,
)

__all__ = ["add_routes"]


def _weeks(request: web.Request) -> int:
    try:
        return max(1, min(52, int(request.query.get("weeks", "8"))))
    except ValueError:
        return 8


def _usage(
    dash: Dashboard, t: Texts, weeks: int
) -> tuple[list[UsageRow], dict[str, str], dict[str, str]]:
    """The rows, and site and service names in the operator's language."""
    now = dash.ctx.clock()
    calls = dash.ctx.store.calls_between(week_start_ts(now, dash.tz, weeks - 1), now + 1)
    sites = {
        s.id: t.name({"fi": s.name_fi, "sv": s.name_sv, "en": s.name_en}, s.id)
        for s in dash.ctx.store.sites()
    }
    services = {s.id: s.names.get(t.lang) for s in dash.ctx.catalogue.services}
    return list(weekly_usage(calls, dash.tz)), sites, services


def _rating(t: Texts, mean: float | None, count: int) -> str:
    """``4,3 (12)``: the citizens' mean rating and how many rated; a dash when none did."""
    return "—" if mean is None else f"{t.decimal(mean)} ({count})"


async def report_page(request: web.Request) -> web.Response:
    """``GET /dashboard/report?weeks=N``: table and chart of weekly usage."""
    dash = request.app[DASHBOARD]
    principal = dash.require(request)
    t = dash.texts(request)
    weeks = _weeks(request)
    rows, sites, services = _usage(dash, t, weeks)
    table = "".join(
        f"<tr><td>{e(t.week(r.week))}</td><td>{e(sites.get(r.site_id, r.site_id))}</td>"
        f"<td>{e(services.get(r.service_id, r.service_id))}</td>"
        f'<td class="num">{r.visits}</td><td class="num">{r.answered}</td>'
        f'<td class="num">{r.abandoned}</td>'
        f'<td class="num">{e(t.duration(r.median_wait_s))}</td>'
        f'<td class="num">{e(t.duration(r.median_handle_s))}</td>'
        f'<td class="num">{e(_rating(t, r.mean_rating, r.ratings))}</td></tr>'
        for r in reversed(rows)
    )
    current, _monday = week_of(dash.ctx.clock(), dash.tz)
    options = "".join(
        f'<option value="{n}"{" selected" if n == weeks else ""}>'
        f"{e(t.t('report.weeks_one') if n == 1 else t.t('report.weeks_option', count=n))}"
        "</option>"
        for n in (1, 4, 8, 13, 26, 52)
    )
    chart_text = ChartText(
        label=t.t("chart.label"), none=t.t("chart.none"), so_far=t.t("chart.so_far"),
        risk_1=t.t("chart.risk_1", risk=RISK), risk_2=t.t("chart.risk_2"), week=t.week,
    )
    none = e(t.t("report.none"))
    content = dash.render(
        "report.html", t.lang,
        options=options,
        csv_href=f"/dashboard/report.csv?weeks={weeks}",
        intro=e(t.t("report.intro", risk=RISK)),
        chart=weekly_chart_svg(rows, sites, current, chart_text),
        caption=e(t.t("report.caption", weeks=weeks)),
        pivot=_pivot(t, rows, sites, current),
        interpreting=_interpreting(dash, t, weeks),
        detail=e(t.t("report.detail", count=len(rows))),
        rows=table or f'<tr><td colspan="9" class="muted">{none}</td></tr>',
        appointments=_appointments(dash, t, weeks, sites, services),
    )
    return dash.page(request, principal, "report", content)


def _interpreting(dash: Dashboard, t: Texts, weeks: int) -> str:
    """Interpreters' minutes by interpretation language in calls begun in the period."""
    now = dash.ctx.clock()
    minutes = dash.ctx.store.interpreter_minutes(week_start_ts(now, dash.tz, weeks - 1), now + 1)
    if not minutes:
        return f'<p class="muted" id="interpreting">{e(t.t("report.interpreting_none"))}</p>'
    body = "".join(
        f'<tr><td>{e(t.label("interpretation", lang))}</td>'
        f'<td class="num">{e(t.decimal(value))}</td></tr>'
        for lang, value in sorted(minutes.items(), key=lambda kv: -kv[1])
    )
    return (
        f'<table class="grid" id="interpreting"><thead><tr>'
        f'<th>{e(t.t("report.interpreting_language"))}</th>'
        f'<th class="num">{e(t.t("report.interpreting_minutes"))}</th></tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def _pivot(t: Texts, rows: list[UsageRow], sites: dict[str, str], current: str) -> str:
    """Sites × weeks table of visits; full weeks under the closure-risk line are marked."""
    totals = site_week_totals(rows)
    mondays = {r.week: r.week_start for r in rows}
    weeks = sorted(mondays)
    so_far = e(t.t("report.so_far"))
    head = "".join(
        f'<th class="num">{e(t.week(w))}<br><small>'
        f"{so_far if w == current else e(t.date(mondays[w]))}</small></th>"
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
        f'<table class="grid" id="pivot"><thead><tr><th>{e(t.t("report.site"))}</th>{head}'
        f'<th class="num">{e(t.t("report.average"))}</th></tr></thead>'
        f'<tbody>{"".join(body)}</tbody></table>'
    )


def _appointments(dash: Dashboard, t: Texts, weeks: int, sites: dict[str, str],
                  services: dict[str, str]) -> str:
    """Bookings and no-shows per site and service, and kiosk time booked / walk-in / idle."""
    store, now = dash.ctx.store, dash.ctx.clock()
    start = week_start_ts(now, dash.tz, weeks - 1)
    bookings = store.bookings_between(start, now + 1)
    rows = appointment_rows(bookings, start, now + 1)
    body = "".join(
        f"<tr><td>{e(sites.get(r.site_id, r.site_id))}</td>"
        f"<td>{e(services.get(r.service_id, r.service_id))}</td>"
        f'<td class="num">{r.booked}</td><td class="num">{r.done}</td>'
        f'<td class="num{" risk" if r.no_show else ""}">{r.no_show}</td>'
        f'<td class="num">{r.cancelled}</td></tr>'
        for r in rows
    ) or f'<tr><td colspan="6" class="muted">{e(t.t("appointments.none"))}</td></tr>'
    kiosks: dict[str, int] = {}
    for kiosk in store.list_kiosks():
        if kiosk.revoked_at is None:
            kiosks[kiosk.site_id] = kiosks.get(kiosk.site_id, 0) + 1
    usage = kiosk_time(bookings, store.calls_between(start, now + 1), kiosks, start, now, dash.tz)

    def hours(seconds: float) -> str:
        return e(t.t("appointments.hours", hours=t.decimal(seconds / 3600)))

    times = "".join(
        f"<tr><td>{e(sites.get(k.site_id, k.site_id))}</td><td class=\"num\">{k.kiosks}</td>"
        f'<td class="num">{hours(k.booked_s)}</td><td class="num">{hours(k.walk_in_s)}</td>'
        f'<td class="num">{hours(k.idle_s)}</td></tr>'
        for k in usage
    )
    head = "".join(f'<th{" class=num" if i > 1 else ""}>{e(t.t(f"appointments.{key}"))}</th>'
                   for i, key in enumerate(("site", "service", "booked", "done", "no_show",
                                            "cancelled")))
    time_head = "".join(
        f'<th{" class=num" if i else ""}>{e(t.t(f"appointments.{key}"))}</th>'
        for i, key in enumerate(("site", "kiosks", "time_booked", "time_walk_in", "time_idle"))
    )
    return (
        f'<h2>{e(t.t("appointments.title"))}</h2>'
        f'<p class="muted">{e(t.t("appointments.intro"))}</p>'
        f'<table class="grid" id="appointments"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
        f'<h2>{e(t.t("appointments.kiosk_title"))}</h2>'
        f'<p class="muted">{e(t.t("appointments.kiosk_intro"))}</p>'
        f'<table class="grid" id="kiosk-time"><thead><tr>{time_head}</tr></thead>'
        f"<tbody>{times}</tbody></table>"
    )


async def report_csv(request: web.Request) -> web.Response:
    """``GET /dashboard/report.csv?weeks=N``: names in the operator's language."""
    dash = request.app[DASHBOARD]
    principal = dash.require(request)
    t = dash.texts(request)
    weeks = _weeks(request)
    rows, sites, services = _usage(dash, t, weeks)
    dash.ctx.store.audit(principal.label, "report_download", "usage", {"weeks": weeks},
                         now=dash.ctx.clock())
    name = f"etapiste-usage-{weeks}w-{t.lang}.csv"
    return secure_headers(
        web.Response(
            text=usage_csv(rows, sites, services),
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": f"attachment; filename={quote(name)}"},
        )
    )


def add_routes(app: web.Application) -> None:
    """Register the report page and its CSV download."""
    app.router.add_get("/dashboard/report", report_page)
    app.router.add_get("/dashboard/report.csv", report_csv)
