"""Named rural links and one measured call over them, for either stack.

A :class:`Link` says what the kiosk's connection does to packets; :func:`impaired` applies it
to a :class:`~tests.netkit.stack.CallStack` (all of it undone on exit); :func:`measured_call`
makes one call over it with our headless kiosk and agent (``stack="etapiste"``) or with two
headless Chromium pages (``stack="chromium"``, :mod:`tests.browser.peer`) and returns the
figures of both directions, computed the same way for both stacks from their one-second
``stats`` lines (see :func:`side_figures`).

Where each impairment acts (the kiosk is behind the router's NAT, its UDP goes only to coturn):

* random loss: nftables on the router's kiosk-side interface, each direction (all traffic);
* delay, jitter and Gilbert-Elliott bursts: the user-space relay on the kiosk's media path
  (its UDP to the TURN server), each direction;
* bandwidth: tbf on the kiosk's egress (uplink) and the router's kiosk-side egress
  (downlink).
"""

from __future__ import annotations

import contextlib
import statistics
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from tests.netkit.impair import delay_udp, loss, tbf
from tests.netkit.procs import Event, JsonProc
from tests.netkit.stack import CallStack

Stack = Literal["etapiste", "chromium"]


@dataclass(frozen=True)
class Link:
    """One kind of link between the kiosk and the rest (see the module docstring)."""

    name: str
    title: str
    loss_pct: float = 0.0
    one_way_delay_ms: float = 0.0
    jitter_ms: float = 0.0
    """Extra delay per datagram, uniform in 0..jitter_ms (order kept), each way."""
    burst_loss_pct: float = 0.0
    uplink_kbit: int | None = None
    downlink_kbit: int | None = None

    @property
    def relayed(self) -> bool:
        return bool(self.one_way_delay_ms or self.jitter_ms or self.burst_loss_pct)

    @property
    def impaired(self) -> bool:
        return self.relayed or bool(self.loss_pct or self.uplink_kbit or self.downlink_kbit)


LINKS: dict[str, Link] = {
    link.name: link
    for link in (
        Link("clean", "clean (TURN, no impairment)"),
        Link("lossy_slow_rtt", "3 % loss, +150 ms RTT, 2 Mbit/s", loss_pct=3.0,
             one_way_delay_ms=75.0, uplink_kbit=2000, downlink_kbit=2000),
        Link("weak_cell", "1 % loss, 300 kbit/s uplink", loss_pct=1.0, uplink_kbit=300),
        Link("bursty", "bursty loss (Gilbert-Elliott, 2 % average)", burst_loss_pct=2.0),
        # 40 +- 30 ms each way: a 10 ms floor plus 0..60 ms.
        Link("jitter", "30 ms jitter (40 +- 30 ms each way)", one_way_delay_ms=10.0,
             jitter_ms=60.0),
    )
}


@contextlib.contextmanager
def impaired(cs: CallStack, link: Link, max_seconds: float) -> Iterator[dict[str, Any]]:
    """Apply ``link`` for at most ``max_seconds``; yields the relay's stats (filled on exit)."""
    topo = cs.topo
    relay_stats: dict[str, Any] = {}
    with contextlib.ExitStack() as stack:
        if link.relayed:
            relay_stats = stack.enter_context(delay_udp(
                topo.router, topo.router_kiosk_if, topo.router_kiosk_ip,
                (cs.turn.ip, cs.turn.port), link.one_way_delay_ms, jitter_ms=link.jitter_ms,
                burst_loss_pct=link.burst_loss_pct, max_seconds=max_seconds,
                log_dir=cs.workdir))
        if link.loss_pct:
            stack.enter_context(loss(topo.router, topo.router_kiosk_if, link.loss_pct))
        if link.uplink_kbit:
            stack.enter_context(tbf(topo.kiosk, topo.kiosk_if, link.uplink_kbit))
        if link.downlink_kbit:
            stack.enter_context(tbf(topo.router, topo.router_kiosk_if, link.downlink_kbit))
        yield relay_stats


def _at(event: Event) -> float:
    """When it happened: a browser page's own clock (``at``), else the line's time."""
    return float(event.get("at") or event["t"])


def side_figures(stats: list[Event], *, after: float, until: float) -> dict[str, Any]:
    """One direction's figures from the receiving side's ``stats`` lines in a window.

    Per minute of the summed sample intervals: freezes and frozen milliseconds (W3C
    ``freezeCount``/``totalFreezesDuration``). Concealed audio: concealed samples over all
    samples the stream spanned. Latency: percentiles over every frame's capture-to-render
    latency. Bitrate: median of the one-second received rates (transport level). Seconds
    with video: the share of samples that decoded at least one frame.
    """
    window = [e for e in stats if after <= e["t"] <= until]
    seconds = sum(float(e.get("interval_s") or 0.0) for e in window)
    minutes = seconds / 60 if seconds > 0 else None
    latencies = [x for e in window for x in e.get("latencies_ms") or ()]
    samples = sum(int(e.get("audio_samples") or 0) for e in window)
    concealed = sum(int(e.get("audio_concealed_samples") or 0) for e in window)
    freezes = sum(int(e.get("freezes") or 0) for e in window)
    frozen_ms = sum(float(e.get("freeze_ms") or 0.0) for e in window)
    bitrates = [float(e["bitrate_in_kbps"]) for e in window if e.get("bitrate_in_kbps")]
    jb = [float(e["jitter_buffer_ms"]) for e in window if e.get("jitter_buffer_ms") is not None]

    def pct(q: float) -> float | None:
        return round(float(np.percentile(latencies, q)), 1) if latencies else None

    return {
        "seconds": round(seconds, 1),
        "freezes_per_min": round(freezes / minutes, 2) if minutes else None,
        "freeze_ms_per_min": round(frozen_ms / minutes, 1) if minutes else None,
        "latency_p50_ms": pct(50),
        "latency_p95_ms": pct(95),
        "audio_concealed_pct": round(100 * concealed / samples, 2) if samples else None,
        "bitrate_kbps": round(statistics.median(bitrates), 1) if bitrates else None,
        "jitter_buffer_ms": round(statistics.median(jb), 1) if jb else None,
        "video_seconds_share": round(
            sum(1 for e in window if (e.get("fps_decoded") or 0) > 0) / len(window), 3
        ) if window else None,
    }


def measured_call(
    cs: CallStack, link: Link, stack: Stack, *, hold_s: float = 30.0, settle_s: float = 3.0
) -> dict[str, Any]:
    """One call over ``link`` with ``stack`` at both ends; figures per direction.

    ``kiosk`` figures are what the kiosk received (the clerk's picture and voice), ``agent``
    what the clerk received. The window runs from ``settle_s`` after the kiosk's media
    connected to the kiosk's hang-up. ``first_frame_after_accept_s`` is from the agent's
    accept to the first remote video frame, per side.
    """
    with impaired(cs, link, max_seconds=hold_s + 180) as relay:
        browser = stack == "chromium"
        agent = cs.browser("agent", hold_s + 40) if browser else cs.agent(hold_s + 40)
        agent.wait_event("welcome", timeout=60)
        kiosk = cs.browser("kiosk", hold_s) if browser else cs.kiosk(hold_s)
        done_k = kiosk.wait_event("call_done", timeout=hold_s + 120)
        agent.wait_event("call_done", timeout=40)
    accepted = _at(agent.wait_event("accepted", timeout=1))
    connected = _at(kiosk.wait_event("connected", timeout=1))
    hung_up = max((e["t"] for e in kiosk.events("stats")), default=connected)
    out: dict[str, Any] = {"stack": stack, "link": asdict(link), "hold_s": hold_s,
                           "relay": relay, "loadavg": _loadavg()}
    for name, proc in (("kiosk", kiosk), ("agent", agent)):
        firsts = proc.events("first_frame")
        fig = side_figures(proc.events("stats"), after=connected + settle_s, until=hung_up)
        fig["first_frame_after_accept_s"] = (
            round(_at(firsts[0]) - accepted, 3) if firsts else None)
        fig["media_failed"] = len(proc.events("media_failed"))
        fig["attempts"] = _attempts(proc)
        fig["ended"] = [e.get("reason") for e in proc.events("ended")]
        out[name] = fig
    out["kiosk_done"] = {k: v for k, v in done_k.items() if not k.startswith("_")}
    return out


def _attempts(proc: JsonProc) -> int | None:
    done = proc.events("call_done")
    return int(done[-1]["attempts"]) if done and "attempts" in done[-1] else None


def _loadavg() -> list[float]:
    import os

    return [round(x, 2) for x in os.getloadavg()]
