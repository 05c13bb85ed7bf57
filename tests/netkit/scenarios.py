"""The network scenarios, shared by ``tests/network`` (assertions) and
``bench/network_scenarios.py`` (tables). Each runs on a :class:`~tests.netkit.stack.CallStack`,
drives the headless agent and kiosk, and returns plain figures (JSON-able dicts).

Times: the headless clients stamp their JSON lines with wall-clock ``t``; the cut helpers
record wall-clock start/stop, so "since restore" figures compare like with like (same host).

What "media flows again" means here, per side: the first ``recovered`` event after the link
came back (the client core's own timing: first decoded frame of the new attempt), or, when
the side never lost its media by its own account, the first one-second stats sample after
the restore with decoded frames.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from tests.netkit.impair import Cut, delay_udp, loss, tbf
from tests.netkit.procs import Event, JsonProc
from tests.netkit.stack import CallStack

FPS_EXPECTED = 30.0
HEARTBEAT_TIMEOUT_S = 15.0
"""The server's default heartbeat timeout (``ETAPISTE_HEARTBEAT_TIMEOUT_S``)."""


def _median(values: Iterable[float | None]) -> float | None:
    xs = [float(v) for v in values if v is not None]
    return round(statistics.median(xs), 1) if xs else None


def stats_summary(events: list[Event], *, after: float | None = None,
                  before: float | None = None) -> dict[str, Any]:
    """Median fps/latency/RTT, total freezes and mean inbound loss over stats samples."""
    samples = [
        e for e in events
        if e.get("event") == "stats"
        and (after is None or e["t"] >= after)
        and (before is None or e["t"] <= before)
    ]
    losses = [e["loss_in"] for e in samples if e.get("loss_in") is not None]
    return {
        "samples": len(samples),
        "fps_median": _median(e.get("fps_decoded") for e in samples),
        "fps_min": round(min((e["fps_decoded"] for e in samples), default=0.0), 1),
        "freezes": sum(int(e.get("freezes") or 0) for e in samples),
        "freeze_ms": round(sum(float(e.get("freeze_ms") or 0.0) for e in samples)),
        "latency_p50_ms": _median(e.get("latency_p50_ms") for e in samples),
        "latency_p95_ms": _median(e.get("latency_p95_ms") for e in samples),
        "rtt_ms": _median(e.get("rtt_ms") for e in samples),
        "loss_in": round(statistics.fmean(losses), 4) if losses else None,
        "grades": {g: sum(1 for e in samples if e.get("grade") == g)
                   for g in ("good", "fair", "poor")},
    }


def _wait_media(proc: JsonProc, fps_at_least: float, timeout: float) -> Event:
    return proc.wait_event(
        "stats", lambda e: (e.get("fps_decoded") or 0) >= fps_at_least, timeout=timeout
    )


def _start_call(cs: CallStack, hold_s: float, agent_hold_s: float | None = None,
                ) -> tuple[JsonProc, JsonProc]:
    agent = cs.agent(agent_hold_s if agent_hold_s is not None else hold_s + 15)
    agent.wait_event("welcome", timeout=30)
    kiosk = cs.kiosk(hold_s)
    kiosk.wait_event("call_start", timeout=30)
    return agent, kiosk


def _server_alive(cs: CallStack) -> dict[str, Any]:
    lines = cs.server_log_lines()
    stopped = any(line.get("msg") == "stopping" for line in lines)
    # The figures depend on spare CPU (aiortc encodes in Python's process): say how busy
    # the machine was.
    return {"server_stopped_early": stopped,
            "loadavg": [round(x, 1) for x in os.getloadavg()]}


# --------------------------------------------------------------------------- TURN call

def turn_call(cs: CallStack, hold_s: float = 8.0) -> dict[str, Any]:
    """A call with the kiosk's UDP allowed only to coturn: media must go through the relay."""
    agent, kiosk = _start_call(cs, hold_s)
    done_k = kiosk.wait_event("call_done", timeout=hold_s + 40)
    done_a = agent.wait_event("call_done", timeout=30)
    agent.wait_exit(timeout=20)
    kiosk.wait_exit(timeout=20)
    sessions = cs.turn.wait_sessions_closed(timeout=15.0)
    return {
        "kiosk": {k: v for k, v in done_k.items() if not k.startswith("_")},
        "agent": {k: v for k, v in done_a.items() if not k.startswith("_")},
        "kiosk_stats": stats_summary(kiosk.events()),
        "udp_policy": cs.udp_policy.counters() if cs.udp_policy else None,
        "turn_sessions": {sid: asdict(s) for sid, s in sessions.items()},
        **_server_alive(cs),
    }


# ----------------------------------------------------------------------- impaired link

def _fps_series(stats: list[Event], until: float | None) -> list[int]:
    """Decoded fps of each 1 s stats sample taken up to ``until``."""
    return [
        round(e.get("fps_decoded") or 0)
        for e in stats
        if until is None or e["t"] <= until + 0.5
    ]


def impaired_call(
    cs: CallStack,
    *,
    loss_pct: float = 3.0,
    one_way_delay_ms: float = 75.0,
    rate_kbit: int | None = 2000,
    hold_s: float = 20.0,
    settle_s: float = 3.0,
) -> dict[str, Any]:
    """A call over a bad rural link: random loss each way, delay each way, a rate limit.

    Loss and the rate limit act on the router's kiosk-side link (all traffic, signaling
    too); the delay applies to the kiosk's UDP to the TURN server (its only media path).
    Figures are over the samples after ``settle_s`` from the first connection.
    """
    topo = cs.topo
    with (
        delay_udp(topo.router, topo.router_kiosk_if, topo.router_kiosk_ip,
                  (cs.turn.ip, cs.turn.port), one_way_delay_ms,
                  max_seconds=hold_s + 120, log_dir=cs.workdir) as relay_stats,
        loss(topo.router, topo.router_kiosk_if, loss_pct) as _loss_table,
    ):
        shapers = []
        if rate_kbit:
            shapers = [tbf(topo.router, topo.router_kiosk_if, rate_kbit),
                       tbf(topo.kiosk, topo.kiosk_if, rate_kbit)]
        for s in shapers:
            s.__enter__()
        try:
            agent, kiosk = _start_call(cs, hold_s)
            connected = kiosk.wait_event("connected", timeout=40)
            done_k = kiosk.wait_event("call_done", timeout=hold_s + 60)
            done_a = agent.wait_event("call_done", timeout=30)
        finally:
            for s in reversed(shapers):
                s.__exit__(None, None, None)
    after = connected["t"] + settle_s
    # The kiosk's last stats sample comes just before it hangs up; the agent hears of the
    # hang-up over the same lossy link, maybe a second or two later, and its samples in
    # between rightly show no video: they are not part of the call's quality.
    hung_up = max((e["t"] for e in kiosk.events("stats")), default=None)
    return {
        "loss_pct": loss_pct,
        "rtt_added_ms": 2 * one_way_delay_ms,
        "rate_kbit": rate_kbit,
        "hold_s": hold_s,
        "kiosk": {k: v for k, v in done_k.items() if not k.startswith("_")},
        "agent": {k: v for k, v in done_a.items() if not k.startswith("_")},
        "kiosk_stats": stats_summary(kiosk.events(), after=after),
        "agent_stats": stats_summary(agent.events(), after=after),
        "kiosk_fps_series": _fps_series(kiosk.events("stats"), until=hung_up),
        "agent_fps_series": _fps_series(agent.events("stats"), until=hung_up),
        "kiosk_fps_settled": [round(e.get("fps_decoded") or 0, 1) for e in kiosk.events("stats")
                              if after <= e["t"] <= (hung_up or e["t"])],
        "agent_fps_settled": [round(e.get("fps_decoded") or 0, 1) for e in agent.events("stats")
                              if after <= e["t"] <= (hung_up or e["t"])],
        "media_failed_events": [
            {"side": p.name, "t_since_connected": round(e["t"] - connected["t"], 1),
             "reason": e.get("reason")}
            for p in (kiosk, agent) for e in p.events("media_failed")
        ],
        "kiosk_media_failed": len(kiosk.events("media_failed")),
        "agent_media_failed": len(agent.events("media_failed")),
        "ended": [e.get("reason") for p in (kiosk, agent) for e in p.events("ended")],
        "relay": relay_stats,
        **_server_alive(cs),
    }


# ----------------------------------------------------------------------- cut in a call

def _side_after_cut(proc: JsonProc, cut: Cut) -> dict[str, Any]:
    assert cut.started_wall is not None and cut.stopped_wall is not None
    t0, t1 = cut.started_wall, cut.stopped_wall
    events = proc.events()
    failed = [e for e in events if e["event"] == "media_failed" and e["t"] >= t0]
    recovered = [e for e in events if e["event"] == "recovered" and e["t"] >= t0]
    flowing = [
        e for e in events
        if e["event"] == "stats" and e["t"] > t1 and (e.get("fps_decoded") or 0) > 0
    ]
    back_at = recovered[0]["t"] if recovered else (flowing[0]["t"] if flowing else None)
    signaling = [(round(e["t"] - t0, 1), e["state"]) for e in events
                 if e["event"] == "signaling" and e["t"] >= t0]
    return {
        "media_failed": [(round(e["t"] - t0, 1), e.get("reason")) for e in failed],
        "recovered": [{"attempt": e.get("attempt"), "recovery_ms": round(e["recovery_ms"]),
                       "after_restore_s": round(e["t"] - t1, 2)} for e in recovered],
        "recovery_logged": bool(recovered),
        "media_back_after_restore_s": None if back_at is None else round(back_at - t1, 2),
        "outage_s": None if back_at is None else round(back_at - t0, 2),
        "signaling": signaling,
        "peer_status": [(round(e["t"] - t0, 1), e.get("status")) for e in events
                        if e["event"] == "peer_status" and e["t"] >= t0],
        "ended": [(round(e["t"] - t0, 1), e.get("reason"), e.get("by")) for e in events
                  if e["event"] == "ended"],
        "stats_after": stats_summary(events, after=(back_at or t1) + 1.0),
    }


def call_cut(
    cs: CallStack,
    cut_s: float,
    *,
    udp_only: bool = False,
    uplink_first_s: float = 0.0,
    pre_s: float = 3.0,
    recover_timeout_s: float = 60.0,
    post_s: float = 4.0,
) -> dict[str, Any]:
    """Cut the kiosk's link (all traffic, or only UDP) for ``cut_s`` in the middle of a call.

    With ``uplink_first_s`` the kiosk's uplink goes that long before its downlink (both come
    back together), so the agent stops receiving first and notices first.

    Returns per side when media failed, when it flowed again (since the restore, and the
    whole outage), the client core's logged recovery time, the signaling reconnects, and
    whether the call survived (same call, never ended, media flowing on both sides).
    """
    hold = pre_s + cut_s + recover_timeout_s + post_s + 30
    agent, kiosk = _start_call(cs, hold, hold + 30)
    call_id = kiosk.wait_event("call_start", timeout=5)["call_id"]
    _wait_media(kiosk, 10, timeout=30)
    _wait_media(agent, 10, timeout=30)
    time.sleep(pre_s)
    ns, iface = cs.topo.router, cs.topo.router_kiosk_if
    if uplink_first_s > 0:
        cut = Cut(ns, iface, udp_only=udp_only, direction="in")
        later = Cut(ns, iface, udp_only=udp_only, direction="out")
    else:
        cut, later = Cut(ns, iface, udp_only=udp_only), None
    cut.start()
    dropped: dict[str, tuple[int, int]] = {}
    try:
        if later is not None:
            time.sleep(uplink_first_s)
            later.start()
            time.sleep(max(0.0, cut_s - uplink_first_s))
        else:
            time.sleep(cut_s)
    finally:
        if later is not None:
            dropped.update(later.stop())
        dropped.update(cut.stop())
    assert cut.stopped_wall is not None
    # Media flows again on both sides, or a side learns the call ended; bounded.
    deadline = time.monotonic() + recover_timeout_s
    while time.monotonic() < deadline:
        sides = [_side_after_cut(p, cut) for p in (kiosk, agent)]
        if all(s["media_back_after_restore_s"] is not None or s["ended"] for s in sides):
            break
        # Not on the agent's exit: an agent scripted for one call exits when the kiosk's
        # grace runs out during a long cut, and the kiosk, back up to one backoff (5 s)
        # after the restore, must still be given the time to learn that its call ended.
        if kiosk.proc.poll() is not None:
            break
        time.sleep(0.5)
    time.sleep(post_s)
    k, a = _side_after_cut(kiosk, cut), _side_after_cut(agent, cut)
    same_call = all(
        e.get("call_id") in (None, call_id) for p in (kiosk, agent)
        for e in p.events("call_start")
    )
    survived = (
        same_call and not k["ended"] and not a["ended"]
        and k["media_back_after_restore_s"] is not None
        and a["media_back_after_restore_s"] is not None
    )
    return {
        "cut_s": cut_s,
        "udp_only": udp_only,
        "uplink_first_s": uplink_first_s,
        "call_id": call_id,
        "kiosk": k,
        "agent": a,
        "call_survived": survived,
        "dropped_packets": sum(v[0] for v in dropped.values()),
        "kiosk_alive": kiosk.proc.poll() is None,
        "agent_alive": agent.proc.poll() is None,
        **_server_alive(cs),
    }


# ------------------------------------------------------------------- cut while queued

def queue_cut(
    cs: CallStack, cut_s: float, *, reconnect_timeout_s: float = 45.0,
    call_timeout_s: float = 40.0,
) -> dict[str, Any]:
    """Cut the kiosk's link while it waits in the queue; then an agent becomes ready.

    The place survived when, after the restore, the kiosk's signaling resumes and the first
    agent to become ready gets this kiosk's call without the kiosk joining again (the
    headless kiosk joins once and never re-joins).
    """
    idle = cs.idle_agent(cut_s + reconnect_timeout_s + call_timeout_s + 60)
    idle.wait_event("welcome", timeout=30)
    kiosk = cs.kiosk(6.0, wait_timeout_s=cut_s + reconnect_timeout_s + call_timeout_s + 30)
    queued = kiosk.wait_event("queued", timeout=30)
    time.sleep(1.0)
    cut = Cut(cs.topo.router, cs.topo.router_kiosk_if)
    cut.start()
    try:
        time.sleep(cut_s)
    finally:
        cut.stop()
    assert cut.started_wall is not None and cut.stopped_wall is not None
    t0, t1 = cut.started_wall, cut.stopped_wall
    back: Event | None = None
    # The signaling link drops only if a heartbeat timeout (15 s) ran out; that can happen
    # just after the restore, so watch until then.
    reconnected = False
    try:
        kiosk.wait_event("signaling", lambda e: e["state"] == "reconnecting" and e["t"] > t0,
                         timeout=max(0.5, t0 + HEARTBEAT_TIMEOUT_S + 3 - time.time()))
        reconnected = True
    except TimeoutError:
        pass
    if reconnected:
        try:
            back = kiosk.wait_event(
                "signaling", lambda e: e["state"] == "connected" and e["t"] > t0,
                timeout=reconnect_timeout_s,
            )
        except (TimeoutError, RuntimeError):
            back = None
    agent = cs.agent(10.0)
    agent_ready = agent.wait_event("welcome", timeout=30)
    start: Event | None = None
    try:
        start = kiosk.wait_event("call_start", timeout=call_timeout_s)
    except (TimeoutError, RuntimeError):
        start = None
    media: Event | None = None
    if start is not None:
        try:
            media = kiosk.wait_event("connected", timeout=30)
        except (TimeoutError, RuntimeError):
            media = None
    refused = [e for e in kiosk.events() if e["event"] in ("refused", "timeout")]
    return {
        "cut_s": cut_s,
        "queued_position": queued.get("position"),
        "signaling_dropped": reconnected,
        "reconnected_after_restore_s": None if back is None else round(back["t"] - t1, 2),
        "place_survived": start is not None and not refused,
        # From the answering agent's login (it goes ready at once) to the kiosk's call.
        "call_after_agent_s": None if start is None else round(start["t"] - agent_ready["t"], 2),
        "media_connected": media is not None,
        "positions_after": [e.get("position") for e in kiosk.events("position")
                            if e["t"] > t0],
        "refused": [e.get("code") or e["event"] for e in refused],
        **_server_alive(cs),
    }
