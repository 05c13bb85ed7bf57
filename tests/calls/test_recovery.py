"""Media-path recovery: the transport under a live call dies, a new peer connection replaces it."""

from __future__ import annotations

import pytest

from client_core.call import CallSession
from tests.calls.inprocess import accepted_call, sources
from tests.server.harness import running_server
from tests.waiting import wait_until

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
