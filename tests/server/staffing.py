"""Past staffing written the way the hub audits it, for the language outlook's tests."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

from signaling.outlook import GRID_S
from signaling.store import Store

HEL = ZoneInfo("Europe/Helsinki")


def usual_start(now: float, ahead_s: float = 3600.0) -> float:
    """The grid mark (local wall clock) at or after ``now + ahead_s``: when a clerk who
    habitually starts at that wall-clock time is expected next."""
    target = dt.datetime.fromtimestamp(now + ahead_s, HEL)
    midnight = dt.datetime.combine(target.date(), dt.time(), HEL)
    of_day = (target - midnight).total_seconds()
    return (midnight + dt.timedelta(seconds=math.ceil(of_day / GRID_S) * GRID_S)).timestamp()


def seed_habit(store: Store, agent_id: str, now: float, start: float, hours: float = 2.0,
               days: int = 35) -> None:
    """On each of the last ``days`` days, the clerk at work from ``start``'s wall-clock time
    for ``hours`` (then logged out), as audit lines."""
    wall = dt.datetime.fromtimestamp(start, HEL).time()
    today = dt.datetime.fromtimestamp(now, HEL).date()
    for back in range(1, days + 1):
        day = today - dt.timedelta(days=back)
        begin = dt.datetime.combine(day, wall, HEL).timestamp()
        label = f"agent:{agent_id}"
        store.audit(label, "agent_login", agent_id, {}, now=begin - 60)
        store.audit(label, "agent_state", agent_id, {"state": "ready", "reason": None},
                    now=begin)
        store.audit(label, "agent_logout", agent_id, {}, now=begin + hours * 3600)
