"""Usage figures from call records: weekly usage per site × service, today's queue figures.

Pure functions over :class:`~signaling.store.records.CallRecord` rows (every queue entry has a
row, answered or not), so the report, the CSV download and the dashboard agree by construction
and are tested without a server.

* A *visit* is one queue entry at a site for a service. A citizen transferred to another
  service makes a second visit, to that service.
* *Answered*: an agent took the call. *Abandoned*: the citizen left the queue, by pressing
  cancel or by leaving the kiosk (outcomes ``abandoned`` and ``cancelled``).
* *Wait*: queued to answered; *handle time*: answered to ended (talk time; wrap-up is not
  recorded per call).
* *Service level*: answered within the threshold (180 s by default) over answered.
* Weeks are ISO weeks (Monday to Sunday) on the local calendar of the configured time zone.
"""

from __future__ import annotations

import csv
import html
import io
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from signaling.store.records import CallRecord

ABANDONED_OUTCOMES = frozenset({"abandoned", "cancelled"})
CLOSURE_RISK_PER_WEEK = 100
"""A point serving fewer customers a week risks closure (DESIGN.md section 1)."""

CSV_COLUMNS = (
    "week",
    "week_start",
    "site_id",
    "site",
    "service_id",
    "service",
    "visits",
    "answered",
    "abandoned",
    "median_wait_s",
    "median_handle_s",
    "ratings",
    "mean_rating",
)


@dataclass(frozen=True, slots=True)
class UsageRow:
    """Usage of one service at one site in one ISO week."""

    week: str
    week_start: date
    site_id: str
    service_id: str
    visits: int
    answered: int
    abandoned: int
    median_wait_s: float | None
    median_handle_s: float | None
    ratings: int = 0
    """How many citizens rated their call on the kiosk's end screen (1-5)."""
    mean_rating: float | None = None


@dataclass(frozen=True, slots=True)
class QueueDay:
    """Today's figures of one service × language queue."""

    answered: int
    abandoned: int
    answered_in_threshold: int
    average_answer_s: float | None
    average_handle_s: float | None

    @property
    def service_level(self) -> float | None:
        """Answered within the threshold over answered; None before the first answer."""
        return self.answered_in_threshold / self.answered if self.answered else None


def week_of(ts: float, tz: ZoneInfo) -> tuple[str, date]:
    """The ISO week label (``2026-W10``) and its Monday, on the local calendar."""
    day = datetime.fromtimestamp(ts, tz).date()
    year, week, weekday = day.isocalendar()
    return f"{year}-W{week:02d}", day - timedelta(days=weekday - 1)


def week_start_ts(ts: float, tz: ZoneInfo, weeks_back: int = 0) -> float:
    """Epoch seconds of local Monday 00:00 of the week holding ``ts``, minus whole weeks."""
    _label, monday = week_of(ts, tz)
    start = monday - timedelta(weeks=weeks_back)
    return datetime(start.year, start.month, start.day, tzinfo=tz).timestamp()


def local_midnight(ts: float, tz: ZoneInfo) -> float:
    """Epoch seconds of the local midnight starting the day of ``ts``."""
    d = datetime.fromtimestamp(ts, tz).date()
    return datetime(d.year, d.month, d.day, tzinfo=tz).timestamp()


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def weekly_usage(calls: Iterable[CallRecord], tz: ZoneInfo) -> list[UsageRow]:
    """Usage rows by week, site and service (sorted that way)."""
    groups: dict[tuple[str, date, str, str], list[CallRecord]] = defaultdict(list)
    for c in calls:
        label, monday = week_of(c.queued_at, tz)
        groups[(label, monday, c.site_id, c.service_id)].append(c)
    rows = []
    for (label, monday, site, service), members in sorted(groups.items()):
        answered = [c for c in members if c.answered_at is not None]
        waits = [c.answered_at - c.queued_at for c in answered if c.answered_at is not None]
        handles = [
            c.ended_at - c.answered_at
            for c in answered
            if c.ended_at is not None and c.answered_at is not None
        ]
        ratings = [c.rating for c in answered if c.rating is not None]
        rows.append(
            UsageRow(
                week=label,
                week_start=monday,
                site_id=site,
                service_id=service,
                visits=len(members),
                answered=len(answered),
                abandoned=sum(1 for c in members if c.outcome in ABANDONED_OUTCOMES),
                median_wait_s=_median(waits),
                median_handle_s=_median(handles),
                ratings=len(ratings),
                mean_rating=round(statistics.fmean(ratings), 2) if ratings else None,
            )
        )
    return rows


def usage_csv(
    rows: Iterable[UsageRow], site_names: Mapping[str, str], service_names: Mapping[str, str]
) -> str:
    """The rows as CSV (RFC 4180, header first, ``.`` decimals, empty for no value)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                r.week,
                r.week_start.isoformat(),
                r.site_id,
                csv_text(site_names.get(r.site_id, r.site_id)),
                r.service_id,
                csv_text(service_names.get(r.service_id, r.service_id)),
                r.visits,
                r.answered,
                r.abandoned,
                "" if r.median_wait_s is None else f"{r.median_wait_s:.1f}",
                "" if r.median_handle_s is None else f"{r.median_handle_s:.1f}",
                r.ratings,
                "" if r.mean_rating is None else f"{r.mean_rating:.2f}",
            ]
        )
    return out.getvalue()


def csv_text(text: str) -> str:
    """Defuse spreadsheet formulas in names (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class QueueTally:
    """Running figures of one queue's calls of the day, one call in or out at a time.

    The monitor keeps one per queue and moves only the calls that changed; summing the day's
    calls again every few seconds cost in proportion to the day on the routing loop. Sums are
    exact (fractions), so taking a call out leaves what adding the others alone gives, in any
    order; :func:`queue_day` is tallies built in one go, so both agree by construction.
    """

    __slots__ = ("_abandoned", "_answered", "_calls", "_handle_n", "_handle_sum", "_in_threshold",
                 "_wait_sum", "threshold_s")

    def __init__(self, threshold_s: float) -> None:
        self.threshold_s = threshold_s
        self._calls = self._answered = self._abandoned = self._in_threshold = self._handle_n = 0
        self._wait_sum = self._handle_sum = Fraction(0)

    def add(self, c: CallRecord, sign: int = 1) -> None:
        """Count a call in (``sign`` -1: take out a call counted before, same fields)."""
        self._calls += sign
        self._abandoned += sign * (c.outcome in ABANDONED_OUTCOMES)
        if c.answered_at is None:
            return
        wait = c.answered_at - c.queued_at
        self._answered += sign
        self._in_threshold += sign * (wait <= self.threshold_s)
        self._wait_sum += sign * Fraction(wait)
        if c.ended_at is not None:
            self._handle_n += sign
            self._handle_sum += sign * Fraction(c.ended_at - c.answered_at)

    def remove(self, c: CallRecord) -> None:
        """Take out a call :meth:`add` counted (with the same fields)."""
        self.add(c, -1)

    def __len__(self) -> int:
        return self._calls

    def figures(self) -> QueueDay:
        """The queue's figures now."""
        n, h = self._answered, self._handle_n
        return QueueDay(
            answered=n,
            abandoned=self._abandoned,
            answered_in_threshold=self._in_threshold,
            average_answer_s=round(float(self._wait_sum / n), 1) if n else None,
            average_handle_s=round(float(self._handle_sum / h), 1) if h else None,
        )


def queue_day(
    calls: Iterable[CallRecord], threshold_s: float
) -> dict[tuple[str, str], QueueDay]:
    """Today's figures per (service, language) from the day's call rows."""
    tallies: dict[tuple[str, str], QueueTally] = {}
    for c in calls:
        key = (c.service_id, c.language)
        tally = tallies.get(key)
        if tally is None:
            tally = tallies[key] = QueueTally(threshold_s)
        tally.add(c)
    return {key: tally.figures() for key, tally in tallies.items()}


_PALETTE = ("#1f5fa8", "#d9822b", "#2a8a5b", "#a33b6b", "#6b5ca5", "#8a7a2a", "#3b8ea3", "#555")


def site_week_totals(rows: Iterable[UsageRow]) -> dict[str, dict[str, int]]:
    """Visits per site per week: ``{site_id: {week: visits}}``."""
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        totals[r.site_id][r.week] += r.visits
    return {site: dict(weeks) for site, weeks in sorted(totals.items())}


@dataclass(frozen=True, slots=True)
class ChartText:
    """The chart's words, in the reader's language (English by default)."""

    label: str = "Visits per site per week"
    none: str = "No visits in this period."
    so_far: str = "(so far)"
    risk_1: str = f"{CLOSURE_RISK_PER_WEEK} a week:"
    risk_2: str = "closure risk"
    week: Callable[[str], str] = field(default=str)
    """Writes an ISO week label (``2026-W03``) for the axis."""


def weekly_chart_svg(
    rows: Sequence[UsageRow],
    site_names: Mapping[str, str],
    current_week: str | None = None,
    text: ChartText = ChartText(),
) -> str:
    """Grouped bars: visits per site per week, with the closure-risk line at 100 a week."""
    esc = html.escape
    weeks = sorted({r.week for r in rows})
    sites = sorted({r.site_id for r in rows})
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows:
        totals[(r.week, r.site_id)] += r.visits
    width, height, left, right, bottom, top = 900, 280, 48, 110, 40, 16
    if not weeks:
        return (
            f'<svg class="chart" viewBox="0 0 {width} 60" role="img" '
            f'aria-label="{esc(text.none)}"><text x="10" y="35">{esc(text.none)}</text></svg>'
        )
    peak = max([CLOSURE_RISK_PER_WEEK, *totals.values()]) * 1.1
    plot_h, plot_r = height - bottom - top, width - right
    group_w = (plot_r - left) / len(weeks)
    bar_w = max(2.0, min(28.0, (group_w - 8) / max(1, len(sites))))
    legend_rows = (len(sites) + 2) // 3

    def y(v: float) -> float:
        return top + plot_h - v / peak * plot_h

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height + 16 + 20 * legend_rows}"'
        f' role="img" aria-label="{esc(text.label)}">',
    ]
    for tick in _ticks(peak):
        parts.append(
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
            f'font-size="11">{tick}</text>'
            f'<line x1="{left}" y1="{y(tick):.1f}" x2="{plot_r}" y2="{y(tick):.1f}" '
            'stroke="#ddd"/>'
        )
    parts.append(
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{plot_r}" y2="{y(0):.1f}" stroke="#333"/>'
    )
    for i, week in enumerate(weeks):
        x0 = left + i * group_w + (group_w - bar_w * len(sites)) / 2
        for j, site in enumerate(sites):
            v = totals.get((week, site), 0)
            name = html.escape(site_names.get(site, site))
            faded = ' opacity="0.45"' if week == current_week else ""
            parts.append(
                f'<rect x="{x0 + j * bar_w:.1f}" y="{y(v):.1f}" width="{bar_w - 1:.1f}" '
                f'height="{y(0) - y(v):.1f}" fill="{_PALETTE[j % len(_PALETTE)]}"'
                f"{faded}>"
                f"<title>{name} {esc(text.week(week))}: {v}</title></rect>"
            )
        # "(so far)" on a line of its own: beside the label it ran into the next week's.
        x = left + (i + 0.5) * group_w
        parts.append(
            f'<text x="{x:.1f}" y="{y(0) + 16:.1f}" text-anchor="middle" font-size="11">'
            f"{esc(text.week(week))}</text>"
        )
        if week == current_week:
            parts.append(
                f'<text x="{x:.1f}" y="{y(0) + 30:.1f}" text-anchor="middle" font-size="11">'
                f"{esc(text.so_far)}</text>"
            )
    risk = y(CLOSURE_RISK_PER_WEEK)
    parts.append(
        f'<line x1="{left}" y1="{risk:.1f}" x2="{plot_r}" y2="{risk:.1f}" stroke="#c0392b" '
        f'stroke-dasharray="6 4"/><text x="{plot_r + 6}" y="{risk - 2:.1f}" font-size="11" '
        f'fill="#c0392b">{esc(text.risk_1)}</text><text x="{plot_r + 6}" '
        f'y="{risk + 12:.1f}" font-size="11" fill="#c0392b">{esc(text.risk_2)}</text>'
    )
    for j, site in enumerate(sites):
        lx, ly = left + (j % 3) * 275, height + 6 + 20 * (j // 3)
        parts.append(
            f'<rect x="{lx}" y="{ly}" width="12" height="12" '
            f'fill="{_PALETTE[j % len(_PALETTE)]}"/><text x="{lx + 17}" y="{ly + 10}" '
            f'font-size="12">{html.escape(site_names.get(site, site))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _ticks(peak: float) -> list[int]:
    step = 10
    for candidate in (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        step = candidate
        if peak / candidate <= 6:
            break
    return list(range(step, int(peak) + 1, step))
