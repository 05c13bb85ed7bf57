"""Media-path recovery: the transport under a live call dies, a new peer connection replaces it."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from client_core.call import CallSession
from client_core.call_events import CallFinished, MediaGaveUp
from client_core.restart_policy import RestartBudget
from tests.calls.inprocess import accepted_call, sources
from tests.server.harness import running_server
from tests.waiting import wait_until
from wire import server_messages as S

pytestmark = pytest.mark.slow


async def test_transport_closed_under_a_call_recovers_with_a_new_peer_connection(tmp_path, caplog):
    caplog.set_level("INFO", logger="etapiste.call")
    async with running_server(tmp_path / "data") as h:
        kiosk, agent, k_start, a_start = await accepted_call(h)
        events: dict[str, list[str]] = {"kiosk": [], "agent": []}
        sessions = [
            CallSession(c, start, sources(), listener=lambda e, w=who: events[w].append(e.name))
            for c, start, who in ((kiosk, k_start, "kiosk"), (agent, a_start, "agent"))
        ]
        try:
            for session in sessions:
                await session.begin()
            k_session, a_session = sessions
            await wait_until(
                lambda: all(
                    s.peer is not None and s.peer.video_sink.frames_received > 30 for s in sessions
                ),
                20,
                "media both ways",
            )
            # Kill the kiosk's ICE transport under the live call: no more packets either way.
            assert k_session.peer is not None
            transceiver = k_session.peer.pc.getTransceivers()[0]
            await transceiver.sender.transport.transport.stop()

            await wait_until(
                lambda: k_session.recoveries_ms and a_session.attempt >= 1, 30, "recovery"
            )
            assert "media_failed" in events["kiosk"] and "recovered" in events["kiosk"]
            assert k_session.attempt == a_session.attempt >= 1
            # Media flows again both ways on the new attempt, on the same call.
            await wait_until(
                lambda: all(
                    s.peer is not None and s.peer.video_sink.frames_received > 30 for s in sessions
                ),
                20,
                "media after recovery",
            )
            assert k_session.call_id == a_session.call_id
            took = k_session.recoveries_ms[0]
            assert 0 < took < 15_000
            assert any("media recovered in" in r.getMessage() for r in caplog.records)
            assert h.ctx.router.call(k_session.call_id) is not None  # the call never ended
        finally:
            await sessions[0].hangup()
            await sessions[1].close()


async def test_a_media_path_that_never_comes_up_backs_off_stops_and_requeues(tmp_path):
    """Issue 17: the attempts back off, stop after a bound, the call ends with a typed reason
    on both sides and the citizen is first in the queue again (the issue's case was 11
    attempts in 16 s until the clerk hung up); the operator sees a failed call of the kiosk."""
    # One failed call raises the operator's alert, so that this call alone shows there.
    async with running_server(tmp_path / "data", call_failure_alert_count=1) as h:
        kiosk, agent, k_start, a_start = await accepted_call(h)
        events: dict[str, list[object]] = {"kiosk": [], "agent": []}
        fast = (0.3, 0.6, 1.2, 2.4)
        sessions = [
            CallSession(c, start, sources(), listener=events[who].append,
                        restarts=RestartBudget(limit, fast), name=who)
            for c, start, who, limit in ((kiosk, k_start, "kiosk", 4), (agent, a_start, "agent", 5))
        ]
        k_session, a_session = sessions
        # The clerk's side can gather no candidate at all (relay only, no TURN server):
        # every peer connection fails, as against a certificate aiortc cannot accept.
        a_session.ice_policy = "relay"
        queued = asyncio.ensure_future(kiosk.wait_for(S.QueuePosition, timeout=60))
        try:
            for session in sessions:
                await session.begin()
            await asyncio.wait_for(asyncio.gather(*(s.ended.wait() for s in sessions)), 60)
            ended = {who: [e for e in evs if isinstance(e, CallFinished)]
                     for who, evs in events.items()}
            assert [e.reason for e in ended["kiosk"]] == ["media_requeued"], events["kiosk"]
            assert [e.reason for e in ended["agent"]] == ["media_requeued"], events["agent"]
            gave_up = [e for e in events["kiosk"] if isinstance(e, MediaGaveUp)]
            assert gave_up == [MediaGaveUp(4)]
            # Bounded, and each wait longer than the one before.
            assert len(k_session.attempt_times) == 4, k_session.attempt_times
            gaps = [b - a for a, b in itertools.pairwise(k_session.attempt_times)]
            assert all(b > a for a, b in itertools.pairwise(gaps)), gaps
            assert gaps[0] >= fast[0] and gaps[-1] >= fast[2]
            # The citizen waits again, first in line, without joining anew.
            position = await queued
            assert position.position == 1
            # The operator: a failed call of that kiosk, stored with its reason, and the alert.
            (call,) = [c for c in h.ctx.store.calls_between(0, time.time() + 1)
                       if c.answered_at is not None]
            (kiosk_row,) = h.ctx.store.list_kiosks()
            assert (call.kiosk_id, call.end_reason) == (kiosk_row.id, "media_requeued")
            monitor = h.ctx.monitor
            monitor._slow_at = -1e18  # read the calls at this step, not in 5 s
            monitor.step()
            alerts = [(a["kind"], a["text"]["en"]) for a in monitor.snapshot["alerts"]]
            (alert,) = alerts
            assert alert[0] == "call_failures" and kiosk_row.name in alert[1], alerts
        finally:
            for session in sessions:
                await session.close()
