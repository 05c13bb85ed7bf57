"""The answerer may create its call session after the offer has already arrived."""

from __future__ import annotations

import asyncio

import pytest

from client_core.call import CallSession
from tests.calls.inprocess import accepted_call, sources
from tests.server.harness import running_server
from tests.waiting import wait_until

pytestmark = pytest.mark.slow


async def test_offer_that_arrives_before_the_answerers_session_is_not_lost(tmp_path):
    """The kiosk offers as soon as it hears ``call_start``; a busy agent may still be between
    its own ``call_start`` and creating the session. The offer must still be answered on the
    first attempt, without waiting for media recovery to notice."""
    async with running_server(tmp_path / "data") as h:
        kiosk, agent, k_start, a_start = await accepted_call(h)
        relayed: list[str] = []
        agent.add_listener(lambda m: relayed.append(m.type))
        k_session = CallSession(kiosk, k_start, sources())
        a_session: CallSession | None = None
        try:
            await k_session.begin()
            await wait_until(lambda: "sdp" in relayed, 10, "the kiosk's offer at the agent")
            await asyncio.sleep(0.2)  # and its trickled candidates
            a_session = CallSession(agent, a_start, sources())
            await a_session.begin()
            sessions = (k_session, a_session)
            await wait_until(
                lambda: all(
                    s.peer is not None and s.peer.video_sink.frames_received > 10 for s in sessions
                ),
                8,  # well under the media timeout that would start a new attempt
                "media both ways on the first attempt",
            )
            assert k_session.attempt == a_session.attempt == 0
            assert k_session.recoveries_ms == [] and a_session.recoveries_ms == []
        finally:
            for session in (k_session, a_session):
                if session is not None:
                    await session.hangup(timeout=2)
            await kiosk.close()
            await agent.close()
