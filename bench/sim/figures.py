"""Figures of a simulated day: how the citizens fared and how honest their estimates were.

Service
    ``joined``: citizens who got a queue place; ``refused`` by reason (closed, no clerk of the
    language logged in, queue full). ``service_level``: answered within 5 minutes of joining
    over answered (the operators' definition); ``service_level_all``: the same over everyone
    who joined (those who gave up count against it). ``asa_s``: mean wait of those answered.
    ``abandonment``: share of those who joined who gave up. ``occupancy``: clerk time in
    calls and wrap-up over time available (ready, reserved, in a call, in wrap-up), i.e.
    without breaks; ``talk_share``: the part of it in calls. ``per_service``: joined,
    answered, service level, ASA and abandonment of each service.

Estimates (scored by :mod:`signaling.wait_accuracy`, the definition the dashboard will use)
    Every :class:`~signaling.routing.actions.QueuePosition` pushed to a kiosk is an estimate
    shown at that instant. For a citizen who was answered, its error is ``shown −
    (answered_at − shown_at)``: positive means the wait was shorter than said. ``first``
    scores the first estimate each citizen saw (what the issue's dashboard will show),
    ``every`` all of them, ``every_minutes`` those that gave a number of minutes, and
    ``first_waited_2min`` the first estimates of citizens who then waited over two minutes
    (many are answered at once; this shows the estimate where waiting happened).
    ``median_abs_error_s``, ``within_2min`` (share with ``|error| ≤
    120 s``), ``median_error_s`` (bias), ``p90_abs_error_s`` and ``under_by_5min`` (waited
    more than 5 minutes longer than said) cover numeric estimates ("soon" and "minutes")
    of answered citizens; ``none_share`` is the share of estimates that said no estimate.
    ``soon_then_over_10min``: citizens shown "soon" who then waited more than 10 minutes
    from that moment (answered or not). Today's kiosk shows an estimate under a minute as
    "less than a minute", so for an estimator without a kind that is what "soon" means.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from typing import Any

from bench.sim.world import Citizen, Shown, World
from signaling.wait_accuracy import SOON_LIMIT_S, ShownWait, accuracy

TARGET_S = 300.0


def _r(value: float, digits: int = 1) -> float | None:
    return None if math.isnan(value) or math.isinf(value) else round(value, digits)


def service(world: World) -> dict[str, Any]:
    """How the citizens and clerks fared."""
    citizens = list(world.citizens.values())
    joined = [c for c in citizens if c.joined_at is not None]
    answered = [c for c in joined if c.answered_at is not None and c.joined_at is not None]
    waits = [c.answered_at - c.joined_at for c in answered]  # type: ignore[operator]
    within = sum(w <= TARGET_S for w in waits)
    gave_up = sum(c.outcome == "gave_up" for c in joined)
    refused = Counter(c.outcome.split(":", 1)[1] for c in citizens if c.outcome.startswith("ref"))
    busy = available = talk = 0.0
    per_clerk = []
    for times in world.state_time.values():
        b = times.get("in_call", 0.0) + times.get("wrap_up", 0.0)
        a = b + times.get("ready", 0.0) + times.get("reserved", 0.0)
        busy, available, talk = busy + b, available + a, talk + times.get("in_call", 0.0)
        if a > 0:
            per_clerk.append(b / a)
    return {
        "arrived": len(citizens),
        "joined": len(joined),
        "refused": dict(sorted(refused.items())),
        "answered": len(answered),
        "gave_up": gave_up,
        "still_waiting_at_end": sum(c.outcome == "waiting" for c in joined),
        "service_level": _r(within / len(answered), 3) if answered else None,
        "service_level_all": _r(within / len(joined), 3) if joined else None,
        "asa_s": _r(statistics.fmean(waits)) if waits else None,
        "wait_p90_s": _r(_quantile(waits, 0.9)) if waits else None,
        "abandonment": _r(gave_up / len(joined), 3) if joined else None,
        "occupancy": _r(busy / available, 3) if available else None,
        "talk_share": _r(talk / available, 3) if available else None,
        "occupancy_per_clerk_min_max": [_r(min(per_clerk), 3), _r(max(per_clerk), 3)]
        if per_clerk
        else None,
        "offers": len(world.offers),
        "router_events": len(world.log),
        "per_service": _per_service(joined),
    }


def _per_service(joined: list[Citizen]) -> dict[str, dict[str, Any]]:
    by: dict[str, list[Citizen]] = {}
    for c in joined:
        by.setdefault(c.service, []).append(c)
    out = {}
    for service, cs in sorted(by.items()):
        waits = [c.answered_at - c.joined_at for c in cs if c.answered_at and c.joined_at]
        out[service] = {
            "joined": len(cs),
            "answered": len(waits),
            "service_level": _r(sum(w <= TARGET_S for w in waits) / len(waits), 3)
            if waits
            else None,
            "asa_s": _r(statistics.fmean(waits)) if waits else None,
            "abandonment": _r(sum(c.outcome == "gave_up" for c in cs) / len(cs), 3),
        }
    return out


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _score(pairs: list[tuple[Shown, Citizen]], until: float) -> dict[str, Any]:
    acc = accuracy(
        (ShownWait(s.at, s.seconds, s.kind, c.answered_at, c.left_at) for s, c in pairs),
        until=until,
    )
    return {
        "shown": acc.shown,
        "scored": acc.scored,
        "none_share": None if acc.none_share is None else _r(acc.none_share, 3),
        "soon_share": None if acc.soon_share is None else _r(acc.soon_share, 3),
        "median_abs_error_s": None if acc.median_abs_error_s is None
        else _r(acc.median_abs_error_s),
        "within_2min": None if acc.within_2min is None else _r(acc.within_2min, 3),
        "median_error_s": None if acc.median_error_s is None else _r(acc.median_error_s),
        "p90_abs_error_s": None if acc.p90_abs_error_s is None else _r(acc.p90_abs_error_s),
        "under_by_5min": acc.under_by_5min,
    }


def estimates(world: World) -> dict[str, Any]:
    """How close every shown estimate came to the wait that followed."""
    first: list[tuple[Shown, Citizen]] = []
    every: list[tuple[Shown, Citizen]] = []
    soon_long = soon_citizens = 0
    for c in world.citizens.values():
        if c.joined_at is None or not c.shown:
            continue
        first.append((c.shown[0], c))
        every.extend((s, c) for s in c.shown)
        end = c.answered_at if c.answered_at is not None else c.left_at
        end = world.end if end is None else end
        soon = [s for s in c.shown if s.kind == "soon"]
        soon_citizens += bool(soon)
        soon_long += any(end - s.at > SOON_LIMIT_S for s in soon)
    return {
        "first": _score(first, world.end),
        "every": _score(every, world.end),
        "every_minutes": _score([(s, c) for s, c in every if s.kind == "minutes"], world.end),
        "first_waited_2min": _score(
            [(s, c) for s, c in first if c.answered_at is not None and c.answered_at - s.at > 120],
            world.end,
        ),
        "citizens_shown_soon": soon_citizens,
        "soon_then_over_10min": soon_long,
    }
