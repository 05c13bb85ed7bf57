#!/usr/bin/env python3
"""Network scenarios: a kiosk behind symmetric NAT on a bad or failing rural link.

Every scenario builds its own network namespaces (tests/netkit: kiosk -> router with SNAT
``random,fully-random`` and a firewall letting the kiosk's UDP reach only coturn -> data
centre with the signaling server, the headless agent and a real coturn), runs the headless
agent and kiosk from this repository, and removes everything afterwards. No traffic leaves
the machine (10.77.0.0/16 exists only inside the namespaces). Needs root, iproute2,
nftables, tc and coturn.

Scenarios (defaults):

* ``clean``: the same topology without impairment (a baseline for the figures).
* ``impaired``: 3 % random loss each way (nftables ``numgen``), +150 ms round trip (75 ms
  each way through the user-space UDP relay on the kiosk's media path), 2 Mbit/s each way
  (tbf), for ``--hold`` seconds. Does the call stay up; fps, freezes, latency.
* ``cut N s`` (5, 15, 30): the kiosk's link silently drops everything for N s in the middle
  of a call. How long until media flows again (after the restore, and the whole outage),
  the client's own logged recovery time, and whether the call survived.
* ``queue cut N s`` (5, 15, 30): the same while the kiosk waits in the queue; then an agent
  becomes ready. Did the place survive (the kiosk gets the call without joining again)?

Figures are medians of the clients' one-second stats samples (kiosk side unless noted).
aiortc encodes and decodes in the client processes, so the figures depend on spare CPU:
the load average is recorded with every row.

Run: ``sudo .venv/bin/python bench/network_scenarios.py [--json]``; the JSON result also
goes to ``bench/results/network_scenarios.json`` (gitignored). Logs of every process stay
in the printed work directory with ``--keep-logs``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.netkit import scenarios  # noqa: E402
from tests.netkit.coturn import turnserver_unavailable_reason  # noqa: E402
from tests.netkit.netns import netns_unavailable_reason  # noqa: E402
from tests.netkit.stack import call_stack  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "network_scenarios.json"


def _floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x.strip()]


def _row_from_stats(stats: dict[str, Any]) -> dict[str, Any]:
    return {
        "fps": stats.get("fps_median"),
        "freezes": stats.get("freezes"),
        "latency_p50_ms": stats.get("latency_p50_ms"),
        "rtt_ms": stats.get("rtt_ms"),
        "loss_in": stats.get("loss_in"),
    }


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    details: dict[str, Any] = {}

    def note(name: str, row: dict[str, Any], detail: dict[str, Any]) -> None:
        rows.append({"scenario": name, **row})
        details[name] = detail
        if not args.json:
            print(f"  done: {name} ({time.monotonic() - started:.0f} s)", file=sys.stderr)

    started = time.monotonic()
    if not args.no_clean:
        with call_stack(work / "clean") as cs:
            r = scenarios.impaired_call(cs, loss_pct=0.0, one_way_delay_ms=0.0,
                                        rate_kbit=None, hold_s=args.hold)
        note("clean (TURN, no impairment)", {
            **_row_from_stats(r["kiosk_stats"]),
            "agent_fps": r["agent_stats"]["fps_median"],
            "call_survived": not r["kiosk_media_failed"] and r["kiosk"]["end_reason"] is None,
            "loadavg": r["loadavg"][0],
        }, r)
    if not args.no_impaired:
        with call_stack(work / "impaired") as cs:
            r = scenarios.impaired_call(
                cs, loss_pct=args.loss, one_way_delay_ms=args.rtt / 2,
                rate_kbit=args.rate_kbit, hold_s=args.hold,
            )
        note(f"impaired ({args.loss:g}% loss, +{args.rtt:g} ms RTT, {args.rate_kbit} kbit/s)", {
            **_row_from_stats(r["kiosk_stats"]),
            "agent_fps": r["agent_stats"]["fps_median"],
            "call_survived": (all(x == "hangup" for x in r["ended"])
                              and r["kiosk"]["end_reason"] is None),
            "media_failures": len(r["media_failed_events"]),
            "loadavg": r["loadavg"][0],
        }, r)
    for cut_s in args.cuts:
        with call_stack(work / f"cut{cut_s:g}") as cs:
            r = scenarios.call_cut(cs, cut_s, recover_timeout_s=max(60.0, cut_s + 40))
        k, a = r["kiosk"], r["agent"]
        note(f"call: cut {cut_s:g} s", {
            **_row_from_stats(k["stats_after"]),
            "agent_fps": a["stats_after"]["fps_median"],
            "media_back_s": k["media_back_after_restore_s"],
            "agent_media_back_s": a["media_back_after_restore_s"],
            "outage_s": k["outage_s"],
            "logged_recovery_ms": [x["recovery_ms"] for x in k["recovered"]],
            "agent_logged_recovery_ms": [x["recovery_ms"] for x in a["recovered"]],
            "signaling_reconnected": "reconnecting" in [s for _, s in k["signaling"]],
            "call_survived": r["call_survived"],
            "ended": k["ended"] or a["ended"],
            "loadavg": r["loadavg"][0],
        }, r)
    for cut_s in args.queue_cuts:
        with call_stack(work / f"queue{cut_s:g}") as cs:
            r = scenarios.queue_cut(cs, cut_s)
        note(f"queue: cut {cut_s:g} s", {
            "signaling_reconnected": r["signaling_dropped"],
            "reconnect_s": r["reconnected_after_restore_s"],
            "place_survived": r["place_survived"],
            "call_after_agent_s": r["call_after_agent_s"],
            "loadavg": r["loadavg"][0],
        }, r)
    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpus": os.cpu_count(),
        "duration_s": round(time.monotonic() - started, 1),
        "rows": rows,
        "details": details,
    }


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 1 and value != 0 else f"{value:.1f}"
    if isinstance(value, list):
        return ",".join(_fmt(v) for v in value) or "-"
    return str(value)


COLUMNS = (
    ("scenario", "scenario"),
    ("fps", "fps"),
    ("agent_fps", "agent fps"),
    ("freezes", "freezes"),
    ("latency_p50_ms", "lat p50 ms"),
    ("rtt_ms", "rtt ms"),
    ("loss_in", "loss in"),
    ("media_failures", "media failures"),
    ("media_back_s", "media back s"),
    ("agent_media_back_s", "agent back s"),
    ("outage_s", "outage s"),
    ("logged_recovery_ms", "logged ms (kiosk)"),
    ("agent_logged_recovery_ms", "logged ms (agent)"),
    ("signaling_reconnected", "sig. reconn."),
    ("reconnect_s", "reconn. s"),
    ("call_survived", "call survived"),
    ("place_survived", "place survived"),
    ("call_after_agent_s", "call after agent s"),
    ("loadavg", "load"),
)


def table(result: dict[str, Any]) -> str:
    rows = result["rows"]
    cols = [(key, title) for key, title in COLUMNS if any(key in r for r in rows)]
    cells = [[title for _, title in cols]]
    cells += [[_fmt(r.get(key)) if key in r else "" for key, _ in cols] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cols))]
    lines = [
        f"Etäpiste network scenarios ({result['when']}, {result['cpus']} CPUs, "
        f"{result['duration_s']:.0f} s)",
        "media back s: restore -> first decoded frame (kiosk); outage s: cut start -> same; "
        "fps/freezes/latency: kiosk side, medians of 1 s samples (after recovery for cuts)",
    ]
    for i, row in enumerate(cells):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object only")
    parser.add_argument("--loss", type=float, default=3.0, help="loss %% each way")
    parser.add_argument("--rtt", type=float, default=150.0, help="added round trip, ms")
    parser.add_argument("--rate-kbit", type=int, default=2000, help="kbit/s each way")
    parser.add_argument("--hold", type=float, default=20.0, help="impaired call length, s")
    parser.add_argument("--cuts", type=_floats, default=[5.0, 15.0, 30.0],
                        help="in-call cut lengths, s (comma separated)")
    parser.add_argument("--queue-cuts", type=_floats, default=[5.0, 15.0, 30.0],
                        help="while-queued cut lengths, s (comma separated; '' for none)")
    parser.add_argument("--no-clean", action="store_true", help="skip the clean baseline")
    parser.add_argument("--no-impaired", action="store_true", help="skip the impaired call")
    parser.add_argument("--no-save", action="store_true", help="do not write the JSON file")
    parser.add_argument("--keep-logs", action="store_true", help="keep the work directory")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    reason = netns_unavailable_reason() or turnserver_unavailable_reason()
    if reason:
        print(f"network scenarios need namespaces and coturn: {reason}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="etp-netbench-"))
    try:
        result = run(args, work)
    finally:
        if args.keep_logs:
            print(f"logs: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if not args.no_save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(result, default=str))
    else:
        print(table(result))
    ok = all(r.get("call_survived", True) and r.get("place_survived", True)
             for r in result["rows"])
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
