"""Planning pages of the dashboard: how honest the waits shown were, and the staffing forecast.

* ``GET /dashboard/estimates?days=N``: each citizen's first wait estimate against the wait
  that followed, per service and Finnish day (:mod:`signaling.wait_report`).
* ``GET /dashboard/forecast?service=S&language=L&weeks=W&level=P&within=M``: for one queue,
  the clerks needed in each hour of the week to answer ``P`` % within ``M`` minutes, with
  Erlang C and Erlang A, from the last ``W`` weeks of call records, beside the clerks who
  were logged in (:mod:`signaling.planning`); a chart and a table.
* ``GET /dashboard/forecast.csv`` (same parameters): every queue, for spreadsheets.

The forecast's arithmetic runs in a worker thread: a year of national records takes a few
tenths of a second, which the event loop that carries the calls must not wait for.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from urllib.parse import quote, urlencode

from aiohttp import web

from signaling.dashboard_pages import DASHBOARD, Dashboard, e, secure_headers
from signaling.dashboard_texts import Texts
from signaling.errors import ForecastError
from signaling.forecast import forecast
from signaling.forecast_chart import PlanChartText, plan_chart_svg
from signaling.planning import PlanRow, forecast_window, plan_csv, plan_rows, staffing_seen
from signaling.wait_accuracy import Accuracy
from signaling.wait_report import accuracy_by_day, accuracy_by_service, overall

__all__ = ["add_routes"]

DAY_CHOICES = (1, 7, 14, 30)
WEEK_CHOICES = (1, 2, 4, 8, 13)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _int(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    """A whole-number query parameter within ``[low, high]``; the default otherwise."""
    try:
        value = int(request.query.get(name, str(default)))
    except ValueError:
        return default
    return value if low <= value <= high else default


def _options(values: Sequence[tuple[str, str]], chosen: str) -> str:
    return "".join(
        f'<option value="{e(v)}"{" selected" if v == chosen else ""}>{e(label)}</option>'
        for v, label in values
    )


def _kpi(value: str, label: str, kpi_id: str) -> str:
    return f'<div class="kpi" id="{kpi_id}"><b>{e(value)}</b><span>{e(label)}</span></div>'


def _share(t: Texts, value: float | None) -> str:
    return t.t("time.none") if value is None else t.percent(100 * value)


# ------------------------------------------------------------------------------ estimates


def _accuracy_cells(t: Texts, a: Accuracy) -> str:
    broken = "num risk" if a.soon_then_over_10min else "num"
    return (
        f'<td class="num">{a.shown}</td><td class="num">{a.scored}</td>'
        f'<td class="num">{e(t.duration(a.median_abs_error_s))}</td>'
        f'<td class="num">{e(_share(t, a.within_2min))}</td>'
        f'<td class="num">{e(_share(t, a.none_share))}</td>'
        f'<td class="num">{e(_share(t, a.soon_share))}</td>'
        f'<td class="{broken}">{a.soon_then_over_10min}</td>'
    )


async def estimates_page(request: web.Request) -> web.Response:
    """``GET /dashboard/estimates?days=N``: first estimates against the waits that followed."""
    dash = request.app[DASHBOARD]
    principal = dash.require(request)
    t = dash.texts(request)
    days = _int(request, "days", 7, 1, 90)
    now = dash.ctx.clock()
    today = dt.datetime.fromtimestamp(now, dash.tz).date() - dt.timedelta(days=days - 1)
    since = dt.datetime(today.year, today.month, today.day, tzinfo=dash.tz).timestamp()
    waits = dash.ctx.store.waits_between(since, now + 1)
    names = {s.id: s.names.get(t.lang) for s in dash.ctx.catalogue.services}
    per_service = "".join(
        f'<tr data-service="{e(service)}"><td>{e(names.get(service, service))}</td>'
        f"{_accuracy_cells(t, figures)}</tr>"
        for service, figures in accuracy_by_service(waits, until=now).items()
    )
    by_day = accuracy_by_day(waits, dash.tz, until=now)
    rows = "".join(
        f'<tr data-service="{e(r.service_id)}"><td>{e(t.date(r.day))}</td>'
        f"<td>{e(names.get(r.service_id, r.service_id))}</td>{_accuracy_cells(t, r.figures)}</tr>"
        for r in by_day
    )
    total = overall(waits, until=now)
    kpis = "".join((
        _kpi(str(total.shown), t.t("estimates.kpi_citizens"), "kpi-citizens"),
        _kpi(t.duration(total.median_abs_error_s), t.t("estimates.kpi_error"), "kpi-error"),
        _kpi(_share(t, total.within_2min), t.t("estimates.kpi_within"), "kpi-within"),
        _kpi(str(total.soon_then_over_10min), t.t("estimates.kpi_soon"), "kpi-soon"),
    ))
    choices = [
        (str(n), t.t("estimates.today") if n == 1 else t.t("estimates.days_option", count=n))
        for n in DAY_CHOICES
    ]
    none = f'<tr><td colspan="9" class="muted">{e(t.t("estimates.empty"))}</td></tr>'
    content = dash.render(
        "estimates.html", t.lang,
        options=_options(choices, str(days)),
        kpis=kpis,
        per_service=per_service or none,
        by_day=e(t.t("estimates.by_day", count=len(by_day))),
        open=" open" if days <= 7 else "",
        rows=rows or none,
    )
    return dash.page(request, principal, "estimates", content)


# ------------------------------------------------------------------------------- forecast


class _Query:
    """The forecast's parameters, from the query string or the settings' defaults."""

    def __init__(self, dash: Dashboard, request: web.Request) -> None:
        s = dash.ctx.settings
        services = [svc.id for svc in dash.ctx.catalogue.services]
        self.service = request.query.get("service", "")
        if self.service not in services:
            self.service = services[0]
        service = dash.ctx.catalogue.service(self.service)
        self.languages = list(service.languages) if service else ["fi"]
        self.language = request.query.get("language", self.languages[0])
        if self.language not in self.languages:
            self.language = self.languages[0]
        self.weeks = _int(request, "weeks", s.forecast_weeks, 1, 13)
        self.level = _int(request, "level", round(100 * s.forecast_target_level), 50, 99)
        self.within = _int(request, "within", round(s.forecast_target_s / 60), 1, 60)

    def query(self, **override: object) -> str:
        values = {"service": self.service, "language": self.language, "weeks": self.weeks,
                  "level": self.level, "within": self.within, **override}
        return urlencode(values)


async def _plan(dash: Dashboard, q: _Query, *, every_queue: bool) -> list[PlanRow]:
    """The forecast's rows: the chosen queue's, or every queue's."""
    store, tz = dash.ctx.store, dash.tz
    since, until = forecast_window(dash.ctx.clock(), q.weeks, tz)
    calls = store.calls_between(since, until)
    seen = staffing_seen(store.staffing_between(since, until), since, until, tz)
    if not every_queue:
        calls = [c for c in calls if (c.service_id, c.language) == (q.service, q.language)]
        seen = {k: v for k, v in seen.items() if k[:2] == (q.service, q.language)}
    handle = {s.id: float(s.default_handle_s) for s in dash.ctx.catalogue.services}
    cells = await asyncio.to_thread(
        forecast, calls, since=since, until=until, tz=dash.ctx.settings.timezone,
        default_handle_s=handle, target_s=q.within * 60.0, target_level=q.level / 100,
        staffed={k: v.logged_in for k, v in seen.items()},
    )
    return plan_rows(cells, seen)


def _short(row: PlanRow) -> bool:
    """Fewer clerks logged in than needed, even counting those who give up (Erlang A)."""
    return row.need_erlang_a > 0 and (row.seen.logged_in if row.seen else 0.0) < row.need_erlang_a


def _table_row(t: Texts, r: PlanRow) -> str:
    none = t.t("time.none")
    cls = ' class="short"' if _short(r) else ""
    level = none if r.level_erlang_c is None else t.percent(100 * r.level_erlang_c)
    return (
        f"<tr{cls}><td>{e(t.t(f'weekday.{WEEKDAYS[r.weekday]}'))}</td>"
        f'<td class="num">{r.hour:02d}–{r.hour + 1:02d}</td>'
        f'<td class="num">{e(t.decimal(r.arrivals_per_hour))}</td>'
        f'<td class="num">{e(t.duration(r.handle_s))}</td>'
        f'<td class="num">{e(t.duration(r.patience_s))}</td>'
        f'<td class="num">{r.need_erlang_c}</td><td class="num">{r.need_erlang_a}</td>'
        f'<td class="num">{e(level)}</td>'
        f'<td class="num">{e(t.decimal(r.seen.logged_in) if r.seen else none)}</td>'
        f'<td class="num">{e(t.decimal(r.seen.working) if r.seen else none)}</td></tr>'
    )


async def forecast_page(request: web.Request) -> web.Response:
    """``GET /dashboard/forecast``: one queue's week, chart and table."""
    dash = request.app[DASHBOARD]
    principal = dash.require(request)
    t = dash.texts(request)
    q = _Query(dash, request)
    try:
        rows = await _plan(dash, q, every_queue=False)
        problem = ""
    except ForecastError as exc:
        rows, problem = [], f'<p class="error">{e(t.t("forecast.failed", reason=str(exc)))}</p>'
    names = [(s.id, s.names.get(t.lang)) for s in dash.ctx.catalogue.services]
    days = tuple(t.t(f"weekday.{d}") for d in WEEKDAYS)
    chart_text = PlanChartText(
        label=t.t("forecast.chart_label"), need_c=t.t("forecast.need_c"),
        need_a=t.t("forecast.need_a"), logged_in=t.t("forecast.logged_in"),
        working=t.t("forecast.working"), none=t.t("forecast.empty"), days=days,
        hour=lambda day, hour: f"{day} {hour:02d}–{hour + 1:02d}", number=t.decimal,
    )
    arrivals = sum(r.arrivals_per_hour for r in rows)
    kpis = "".join((
        _kpi(t.decimal(arrivals, 0), t.t("forecast.kpi_arrivals"), "kpi-arrivals"),
        _kpi(str(max((r.need_erlang_c for r in rows), default=0)), t.t("forecast.kpi_peak_c"),
             "kpi-peak-c"),
        _kpi(str(max((r.need_erlang_a for r in rows), default=0)), t.t("forecast.kpi_peak_a"),
             "kpi-peak-a"),
        _kpi(str(sum(_short(r) for r in rows)), t.t("forecast.kpi_short"), "kpi-short"),
    ))
    content = dash.render(
        "forecast.html", t.lang,
        services=_options(names, q.service),
        languages=_options([(lang, t.language(lang)) for lang in q.languages], q.language),
        weeks=_options(
            [(str(n), t.t("forecast.weeks_one") if n == 1 else
              t.t("forecast.weeks_option", count=n)) for n in WEEK_CHOICES],
            str(q.weeks),
        ),
        level=q.level,
        within=q.within,
        csv_href=e(f"/dashboard/forecast.csv?{q.query()}"),
        intro=e(t.t("forecast.intro", level=q.level, minutes=q.within, weeks=q.weeks)),
        problem=problem,
        kpis=kpis,
        chart=plan_chart_svg(rows, chart_text),
        caption=e(t.t("forecast.caption", service=dict(names)[q.service],
                      language=t.language(q.language))),
        detail=e(t.t("forecast.detail", count=len(rows))),
        rows="".join(_table_row(t, r) for r in rows)
        or f'<tr><td colspan="10" class="muted">{e(t.t("forecast.empty"))}</td></tr>',
    )
    return dash.page(request, principal, "forecast", content)


async def forecast_csv(request: web.Request) -> web.Response:
    """``GET /dashboard/forecast.csv``: every queue's rows, names in the operator's language."""
    dash = request.app[DASHBOARD]
    principal = dash.require(request)
    t = dash.texts(request)
    q = _Query(dash, request)
    try:
        rows = await _plan(dash, q, every_queue=True)
    except ForecastError as exc:
        raise web.HTTPUnprocessableEntity(text=str(exc)) from None
    detail = {"weeks": q.weeks, "level": q.level, "within_min": q.within}
    dash.ctx.store.audit(principal.label, "report_download", "forecast", detail,
                         now=dash.ctx.clock())
    names = {s.id: s.names.get(t.lang) for s in dash.ctx.catalogue.services}
    name = f"etapiste-forecast-{q.weeks}w-{q.level}pct-{q.within}min-{t.lang}.csv"
    return secure_headers(
        web.Response(
            text=plan_csv(rows, names),
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": f"attachment; filename={quote(name)}"},
        )
    )


def add_routes(app: web.Application) -> None:
    """Register the estimate accuracy page, the forecast page and its CSV."""
    app.router.add_get("/dashboard/estimates", estimates_page)
    app.router.add_get("/dashboard/forecast", forecast_page)
    app.router.add_get("/dashboard/forecast.csv", forecast_csv)
