#!/usr/bin/env python3
"""Call quality on rural links: our kiosk and console against two Chromium browsers.

For every link of :data:`tests.netkit.links.LINKS` (clean; 3 % loss + 150 ms RTT + 2 Mbit/s;
1 % loss + 300 kbit/s uplink; Gilbert-Elliott bursts at 2 %; 30 ms jitter) and every run, two
calls are made one after the other on a fresh network-namespace topology (kiosk behind a
symmetric NAT, its UDP allowed only to a real coturn; the signaling server and the agent in
the data centre), with the same impairment: one between our headless kiosk and agent
(``etapiste``), one between two headless Chromium pages that sign in to the same server as a
kiosk and an agent (``chromium``, Debian's browser, fake camera from a .y4m, fake microphone
playing the same speech-like signal as our synthetic one: Opus sends in-band FEC only
for what its voice detector takes for speech, not for a steady tone).

Every figure is computed the same way for both stacks from one-second samples
(:func:`tests.netkit.links.side_figures`): freezes and frozen time by the W3C
``freezeCount``/``totalFreezesDuration`` rule (Chromium's own ``getStats()``; ours counted by
the same rule on the frames handed to the view), audio concealed = ``concealedSamples /
totalSamplesReceived`` (ours: samples synthesised or never played, over all the stream
spanned), latency from capture to render (ours: frame stamps; Chromium: the
``requestVideoFrameCallback`` capture time it derives from RTCP, same host clock), the first
remote video frame after the agent's accept, and the received bitrate (transport level).
Each cell is the median over the runs, ``kiosk / clerk`` (what each of them received).

The machine's load average is recorded with every run; with ``--max-load`` the bench first
waits (bounded by ``--load-wait``) for the 1-minute load to fall below it.

Run: ``sudo .venv/bin/python bench/link_quality.py [--runs 3] [--hold 30] [--json]``; the
JSON goes to ``bench/results/link_quality.json`` (or ``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.netkit.coturn import turnserver_unavailable_reason  # noqa: E402
from tests.netkit.links import LINKS, measured_call  # noqa: E402
from tests.netkit.netns import netns_unavailable_reason  # noqa: E402
from tests.netkit.stack import call_stack  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "link_quality.json"
STACKS = ("etapiste", "chromium")
SIDES = ("kiosk", "agent")
METRICS = (
    ("freezes_per_min", "freezes/min"),
    ("freeze_ms_per_min", "frozen ms/min"),
    ("first_frame_after_accept_s", "1st frame s"),
    ("latency_p50_ms", "lat p50 ms"),
    ("latency_p95_ms", "lat p95 ms"),
    ("audio_concealed_pct", "audio concealed %"),
    ("bitrate_kbps", "kbit/s"),
)


def _median(values: list[float | None]) -> float | None:
    xs = [float(v) for v in values if v is not None]
    return round(statistics.median(xs), 2) if xs else None


def wait_for_quiet(max_load: float, wait_s: float) -> dict[str, Any]:
    """Wait (in 20 s steps, at most ``wait_s``) for the 1-minute load to drop below it."""
    began = time.monotonic()
    while os.getloadavg()[0] > max_load and time.monotonic() - began < wait_s:
        time.sleep(20)
    return {"load_at_start": [round(x, 2) for x in os.getloadavg()],
            "waited_s": round(time.monotonic() - began), "max_load": max_load}


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over runs per metric and side, and of both directions added up."""
    out: dict[str, Any] = {"runs": len(runs)}
    for key, _ in METRICS:
        cell: dict[str, float | None] = {
            side: _median([r[side].get(key) for r in runs]) for side in SIDES
        }
        if key in ("freezes_per_min", "freeze_ms_per_min"):
            cell["both"] = _median([
                None if any(r[s].get(key) is None for s in SIDES)
                else sum(r[s][key] for s in SIDES) for r in runs
            ])
        out[key] = cell
    out["media_failed"] = sum(r[s]["media_failed"] for r in runs for s in SIDES)
    out["video_seconds_share_min"] = min(
        (r[s]["video_seconds_share"] for r in runs for s in SIDES
         if r[s].get("video_seconds_share") is not None), default=None)
    out["loadavg"] = [r["loadavg"][0] for r in runs]
    return out


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    quiet = wait_for_quiet(args.max_load, args.load_wait)
    started = time.monotonic()
    raw: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for name in args.links:
        link = LINKS[name]
        raw[name] = {stack: [] for stack in args.stacks}
        for i in range(args.runs):
            for stack in args.stacks:
                tag_dir = work / f"{name}-{stack}-{i}"
                with call_stack(tag_dir, browser_pages=stack == "chromium") as cs:
                    if args.tuning:
                        cs.client_env["ETAPISTE_MEDIA_TUNING"] = args.tuning
                    result = measured_call(cs, link, stack, hold_s=args.hold)
                raw[name][stack].append(result)
                if not args.json:
                    print(f"  {name} {stack} run {i + 1}: kiosk {_brief(result['kiosk'])}"
                          f" | clerk {_brief(result['agent'])}"
                          f" ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "label": args.label,
        "tuning": args.tuning or "all (default)",
        "cpus": os.cpu_count(),
        "hold_s": args.hold,
        "quiet": quiet,
        "duration_s": round(time.monotonic() - started, 1),
        "links": {name: LINKS[name].title for name in args.links},
        "results": {name: {stack: summarise(runs) for stack, runs in by_stack.items()}
                    for name, by_stack in raw.items()},
        "runs": raw,
    }


def _brief(fig: dict[str, Any]) -> str:
    return (f"{fig.get('freezes_per_min')} frz/min {fig.get('freeze_ms_per_min')} ms/min "
            f"audio {fig.get('audio_concealed_pct')} % lat {fig.get('latency_p50_ms')}/"
            f"{fig.get('latency_p95_ms')} first {fig.get('first_frame_after_accept_s')}")


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 10 else f"{value:.0f}"
    return str(value)


def table(result: dict[str, Any]) -> str:
    """The result as one text table: link x stack rows, ``kiosk / clerk`` cells."""
    head = ["link", "stack", *[title for _, title in METRICS], "load"]
    rows = [head]
    for name, by_stack in result["results"].items():
        for stack, summary in by_stack.items():
            cells = [name, stack]
            for key, _ in METRICS:
                cell = summary[key]
                cells.append(f"{_fmt(cell['kiosk'])} / {_fmt(cell['agent'])}")
            cells.append(",".join(f"{x:.1f}" for x in summary["loadavg"]))
            rows.append(cells)
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = [
        f"Link quality {result['label'] or ''} [{result.get('tuning')}] "
        f"({result['when']}, {result['cpus']} CPUs, "
        f"{result['hold_s']:g} s calls, median of {args_runs(result)} runs; cells: "
        f"kiosk / clerk, what each received; load at start {result['quiet']['load_at_start']})",
    ]
    for i, row in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines += [f"  {name}: {title}" for name, title in result["links"].items()]
    return "\n".join(lines)


def args_runs(result: dict[str, Any]) -> int:
    return min((s["runs"] for by in result["results"].values() for s in by.values()), default=0)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object only")
    parser.add_argument("--runs", type=int, default=3, help="runs per link and stack")
    parser.add_argument("--hold", type=float, default=30.0, help="call length, s")
    parser.add_argument("--links", type=lambda s: [x for x in s.split(",") if x],
                        default=list(LINKS), help=f"comma separated, of {','.join(LINKS)}")
    parser.add_argument("--stacks", type=lambda s: [x for x in s.split(",") if x],
                        default=list(STACKS), help="etapiste,chromium")
    parser.add_argument("--label", default="", help="a name for this run (BEFORE, AFTER)")
    parser.add_argument("--tuning", default="",
                        help="ETAPISTE_MEDIA_TUNING for our clients (stock, -video_playout, ..)")
    parser.add_argument("--max-load", type=float, default=1.5,
                        help="wait for the 1-minute load average to fall below this")
    parser.add_argument("--load-wait", type=float, default=1200.0, help="longest wait, s")
    parser.add_argument("--out", type=Path, default=RESULTS, help="JSON result file")
    parser.add_argument("--no-save", action="store_true", help="do not write the JSON file")
    parser.add_argument("--keep-logs", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    unknown = [x for x in args.links if x not in LINKS] + [
        x for x in args.stacks if x not in STACKS]
    if unknown:
        parser.error(f"unknown link or stack: {unknown}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    reason = netns_unavailable_reason() or turnserver_unavailable_reason()
    if reason:
        print(f"the link-quality bench needs namespaces and coturn: {reason}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="etp-linkq-"))
    try:
        result = run(args, work)
    finally:
        if args.keep_logs:
            print(f"logs: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if not args.no_save:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print(json.dumps(result, default=str) if args.json else table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
