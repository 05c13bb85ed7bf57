#!/usr/bin/env python3
"""A simulated working day through the real sans-I/O router: service, occupancy, honest waits.

No sockets, no server: :class:`~signaling.routing.router.Router` is driven on a simulated
clock by the discrete-event driver in :mod:`bench.sim.world` over the day described in
:mod:`bench.sim.profile` (the documented default day, or one fitted to the call records of
``--data-dir``): Poisson arrivals per service × language × site with an hourly profile,
lognormal handle times and patience, 19 clerks with shifts, breaks and several skills and
languages, offers declined (``--reject-rate``) or left to time out (``--miss-rate``).

The day is run twice with the same seed: once with today's estimator
(``RouterConfig(estimator="staffed")``: position × average handle time ÷ clerks logged in)
and once with the agent-state estimator (``estimator="agents"``). The estimator changes
only what kiosks are told, so both runs must make exactly the same offers; the script
checks that they do. Figures (see :mod:`bench.sim.figures`): service level (answered within
5 minutes), average speed of answer, abandonment, clerk occupancy, and for each estimator
the accuracy of every estimate shown against the wait that followed.

Run from the project root::

    .venv/bin/python bench/sim_day.py [--seed 1] [--data-dir DIR] [--json]

The table goes to stdout; ``--json`` prints one JSON object instead. Either way the JSON is
written to ``bench/results/sim_day.json`` (not with ``--no-save``). The same seed gives the
same figures, to the last digit.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sim import figures  # noqa: E402
from bench.sim.profile import DayProfile, default_profile, profile_from_data  # noqa: E402
from bench.sim.world import Settings, World  # noqa: E402
from signaling.routing.model import RouterConfig  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "sim_day.json"
ESTIMATORS = ("staffed", "agents")


def simulate(profile: DayProfile, estimator: str, seed: int, settings: Settings) -> World:
    """One simulated day with the given estimator."""
    config = RouterConfig(estimator=estimator)  # type: ignore[arg-type]
    return World(profile, config, seed, settings).run()


def run(profile: DayProfile, seed: int, settings: Settings) -> dict[str, Any]:
    """Both estimators over the same day; figures as one JSON-ready dict."""
    worlds: dict[str, World] = {}
    cpu: dict[str, float] = {}
    for estimator in ESTIMATORS:
        c0 = time.process_time()
        worlds[estimator] = simulate(profile, estimator, seed, settings)
        cpu[estimator] = round(time.process_time() - c0, 2)
    base, new = (worlds[e] for e in ESTIMATORS)
    same_offers = [o for _t, o in base.offers] == [o for _t, o in new.offers]
    est = {e: figures.estimates(w) for e, w in worlds.items()}
    b_err = est["staffed"]["first"]["median_abs_error_s"]
    n_err = est["agents"]["first"]["median_abs_error_s"]
    return {
        "seed": seed,
        "profile": profile.source,
        "profile_notes": profile.notes,
        "expected_arrivals": round(profile.expected_arrivals, 1),
        "clerks": len(profile.clerks),
        "settings": dataclasses.asdict(settings),
        "same_offers_both_estimators": same_offers,
        "service": figures.service(new),
        "estimates": est,
        "first_error_ratio_new_over_today": round(n_err / b_err, 3) if b_err and n_err else None,
        "cpu_s": cpu,
    }


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if value < 1 else f"{value:.0f}"
    return str(value)


def table(result: dict[str, Any]) -> str:
    """The human-readable summary."""
    s = result["service"]
    lines = [
        f"simulated day ({result['profile']}, seed {result['seed']}): {s['arrived']} arrived, "
        f"{s['joined']} joined, refused {s['refused'] or 0}, {result['clerks']} clerks",
        f"  service level (<= 5 min) {_fmt(s['service_level'])} of answered, "
        f"{_fmt(s['service_level_all'])} of all   ASA {_fmt(s['asa_s'])} s   "
        f"p90 wait {_fmt(s['wait_p90_s'])} s",
        f"  abandonment {_fmt(s['abandonment'])}   occupancy {_fmt(s['occupancy'])} "
        f"(talk {_fmt(s['talk_share'])})   offers {s['offers']}",
        f"  same offers with both estimators: {result['same_offers_both_estimators']}",
        "",
        f"  {'estimate':28} {'shown':>6} {'none':>6} {'soon':>6} {'med|err|':>9} "
        f"{'<=2min':>7} {'bias':>7} {'p90|err|':>9} {'under5m':>8} {'soon>10m':>9}",
    ]
    for name, e in result["estimates"].items():
        for which in ("first", "every", "every_minutes", "first_waited_2min"):
            f = e[which]
            soon_long = e["soon_then_over_10min"] if which == "first" else ""
            lines.append(
                f"  {name + ' ' + which:28} {f['shown']:>6} {_fmt(f['none_share']):>6} "
                f"{_fmt(f['soon_share']):>6} {_fmt(f['median_abs_error_s']):>9} "
                f"{_fmt(f['within_2min']):>7} {_fmt(f['median_error_s']):>7} "
                f"{_fmt(f['p90_abs_error_s']):>9} {f['under_by_5min']:>8} {soon_long!s:>9}"
            )
    ratio = result["first_error_ratio_new_over_today"]
    lines.append(f"  first-estimate median |error|, new / today: {_fmt(ratio)}")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--data-dir", type=Path, help="fit the day to this data directory's calls")
    p.add_argument("--reject-rate", type=float, default=Settings.reject_rate)
    p.add_argument("--miss-rate", type=float, default=Settings.miss_rate)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--no-save", action="store_true", help=f"do not write {RESULTS.name}")
    args = p.parse_args()
    profile = (
        default_profile(args.seed)
        if args.data_dir is None
        else profile_from_data(args.data_dir, args.seed)
    )
    settings = Settings(reject_rate=args.reject_rate, miss_rate=args.miss_rate)
    result = run(profile, args.seed, settings)
    if not args.no_save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result) if args.json else table(result))
    return 0 if result["same_offers_both_estimators"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
