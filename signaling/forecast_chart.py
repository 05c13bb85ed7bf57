"""The staffing forecast's chart: one queue's week, clerks needed beside clerks there.

Server-rendered SVG (no script, so the dashboard's CSP stays strict): the 168 hours of the
week from Monday 00 to Sunday 24, Finnish time. Bars are the clerks logged in on average
(the darker part: working, not on a break); the solid step line the clerks needed with
Erlang C, the dashed one with Erlang A (citizens who give up). Every hour has a tooltip with
its figures, so the chart reads without the colours too.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from signaling.planning import PlanRow

__all__ = ["PlanChartText", "plan_chart_svg"]

HOURS = 7 * 24
NEED_C = "#1f5fa8"
NEED_A = "#d9822b"
LOGGED_IN = "#c9d3df"
WORKING = "#7f93aa"


def _hour_title(day: str, hour: int) -> str:
    return f"{day} {hour:02d}–{hour + 1:02d}"


@dataclass(frozen=True, slots=True)
class PlanChartText:
    """The chart's words in the reader's language (English by default)."""

    label: str = "Clerks needed and clerks there, by hour of the week"
    need_c: str = "needed (Erlang C)"
    need_a: str = "needed, some give up (Erlang A)"
    logged_in: str = "logged in"
    working: str = "of them working"
    none: str = "No arrivals and no clerks in this period."
    days: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    hour: Callable[[str, int], str] = field(default=_hour_title)
    """Names an hour for the tooltip: (day name, hour) → ``Mon 09–10``."""
    number: Callable[[float], str] = field(default=lambda v: f"{v:.1f}")
    """Writes an average number of clerks (``2,5``)."""


def plan_chart_svg(rows: Sequence[PlanRow], text: PlanChartText = PlanChartText()) -> str:
    """The week of one queue's rows (rows of other queues must be left out by the caller)."""
    esc = html.escape
    width, height, left, right, top, bottom = 980, 300, 40, 12, 14, 40
    if not rows:
        return (
            f'<svg class="chart" viewBox="0 0 {width} 60" role="img" '
            f'aria-label="{esc(text.none)}"><text x="10" y="35">{esc(text.none)}</text></svg>'
        )
    by_hour = {r.weekday * 24 + r.hour: r for r in rows}
    need_c = [by_hour[h].need_erlang_c if h in by_hour else 0 for h in range(HOURS)]
    need_a = [by_hour[h].need_erlang_a if h in by_hour else 0 for h in range(HOURS)]
    seen = [by_hour[h].seen if h in by_hour else None for h in range(HOURS)]
    peak = max([1.0, *need_c, *need_a, *(s.logged_in for s in seen if s is not None)])
    top_value = max(2, math.ceil(peak * 1.15))
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / HOURS

    def x(h: float) -> float:
        return left + h * slot

    def y(v: float) -> float:
        return top + plot_h - v / top_value * plot_h

    parts = [
        f'<svg class="chart plan" viewBox="0 0 {width} {height + 28}" role="img" '
        f'aria-label="{esc(text.label)}">'
    ]
    step = max(1, math.ceil(top_value / 6))
    for tick in range(0, top_value + 1, step):
        parts.append(
            f'<line x1="{left}" y1="{y(tick):.1f}" x2="{width - right}" y2="{y(tick):.1f}" '
            f'stroke="#e3e6ea"/><text x="{left - 6}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end" font-size="11">{tick}</text>'
        )
    for h, there in enumerate(seen):
        if there is None:
            continue
        parts.append(
            f'<rect x="{x(h) + 0.4:.1f}" y="{y(there.logged_in):.1f}" width="{slot - 0.8:.2f}" '
            f'height="{y(0) - y(there.logged_in):.1f}" fill="{LOGGED_IN}"/>'
            f'<rect x="{x(h) + 0.4:.1f}" y="{y(there.working):.1f}" width="{slot - 0.8:.2f}" '
            f'height="{y(0) - y(there.working):.1f}" fill="{WORKING}"/>'
        )
    for values, colour, dash in ((need_c, NEED_C, ""), (need_a, NEED_A, ' stroke-dasharray="5 3"')):
        points = " ".join(
            f"{x(h):.1f},{y(v):.1f} {x(h + 1):.1f},{y(v):.1f}" for h, v in enumerate(values)
        )
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
        )
    for d, day in enumerate(text.days):
        parts.append(
            f'<line x1="{x(d * 24):.1f}" y1="{top}" x2="{x(d * 24):.1f}" y2="{y(0) + 6:.1f}" '
            f'stroke="#9aa3ad"/><text x="{x(d * 24 + 12):.1f}" y="{y(0) + 30:.1f}" '
            f'text-anchor="middle" font-size="12" font-weight="600">{esc(day)}</text>'
        )
        for hour in (6, 12, 18):
            parts.append(
                f'<text x="{x(d * 24 + hour):.1f}" y="{y(0) + 14:.1f}" text-anchor="middle" '
                f'font-size="9" fill="#5f6368">{hour}</text>'
            )
    parts.append(
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - right}" y2="{y(0):.1f}" stroke="#333"/>'
    )
    for h in range(HOURS):  # a tooltip for every hour, over its whole height
        row = by_hour.get(h)
        there = seen[h]
        tip = (
            f"{text.hour(text.days[h // 24], h % 24)}: {text.need_c} {need_c[h]}, "
            f"{text.need_a} {need_a[h]}; {text.logged_in} "
            f"{text.number(there.logged_in) if there else '0'}, {text.working} "
            f"{text.number(there.working) if there else '0'}"
        )
        if row is None and there is None:
            continue
        parts.append(
            f'<rect x="{x(h):.1f}" y="{top}" width="{slot:.2f}" height="{plot_h}" '
            f'fill="transparent"><title>{esc(tip)}</title></rect>'
        )
    legend = (
        (LOGGED_IN, "rect", text.logged_in), (WORKING, "rect", text.working),
        (NEED_C, "line", text.need_c), (NEED_A, "dash", text.need_a),
    )
    lx = left
    for colour, shape, label in legend:
        ly = height + 12
        if shape == "rect":
            parts.append(f'<rect x="{lx}" y="{ly - 9}" width="14" height="10" fill="{colour}"/>')
        else:
            dash = ' stroke-dasharray="5 3"' if shape == "dash" else ""
            parts.append(
                f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 14}" y2="{ly - 4}" stroke="{colour}" '
                f'stroke-width="2"{dash}/>'
            )
        parts.append(f'<text x="{lx + 19}" y="{ly}" font-size="12">{esc(label)}</text>')
        lx += 34 + 7 * len(label)
    parts.append("</svg>")
    return "".join(parts)
