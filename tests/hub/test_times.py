"""One moment per event: what the hub stores and sends is the router's now, not a later read.

The clock here moves on by a second at every read, so any second read while the hub carries
out the router's actions shows up as a stored or sent time that is off by whole seconds.
"""

from __future__ import annotations

import pytest

from wire import client_messages as C
from wire import server_messages as S

from .conftest import SERVICE, FakeClock, Scene, add_agent, add_kiosk, make_hub


@pytest.fixture
def ticking(scene: Scene) -> Scene:
    scene.clock = FakeClock(scene.clock.now, step=1.0)
    scene.hub = make_hub(scene.store, scene.catalogue, scene.clock)
    return scene


def test_offer_expiry_is_the_full_timeout(ticking: Scene) -> None:
    agent = ticking.agent(add_agent(ticking.store, "aino"))
    kiosk = ticking.kiosk(add_kiosk(ticking.store, "nurmes", "Nurmes 1"))
    ticking.hub.handle(kiosk, C.QueueJoin(service=SERVICE, language="fi"))
    assert agent.last(S.Offer).expires_in_s == 20.0


def test_cancelled_place_is_stored_at_the_moment_of_leaving(ticking: Scene) -> None:
    ticking.agent(add_agent(ticking.store, "aino"), ready=False)
    kiosk = ticking.kiosk(add_kiosk(ticking.store, "nurmes", "Nurmes 1"))
    ticking.hub.handle(kiosk, C.QueueJoin(service=SERVICE, language="fi"))
    left_at, reads = ticking.clock.now, ticking.clock.reads
    ticking.hub.handle(kiosk, C.QueueLeave())
    assert ticking.clock.reads == reads + 1
    (row,) = ticking.store.calls_between(0, 2e9)
    assert (row.outcome, row.ended_at) == ("cancelled", left_at)


def test_call_end_is_stored_at_the_moment_of_hanging_up(ticking: Scene) -> None:
    agent = ticking.agent(add_agent(ticking.store, "aino"))
    kiosk = ticking.kiosk(add_kiosk(ticking.store, "nurmes", "Nurmes 1"))
    call_id = ticking.call(kiosk, agent)
    ended_at, reads = ticking.clock.now, ticking.clock.reads
    ticking.hub.handle(kiosk, C.CallEnd(call_id=call_id))
    assert ticking.clock.reads == reads + 1
    record = ticking.store.call(call_id)
    assert record is not None
    assert (record.outcome, record.ended_at) == ("answered", ended_at)
    assert agent.last(S.AgentStatus).since == ended_at  # wrap-up began at that same moment
    audit = [a for a in ticking.store.audit_log() if a.action == "agent_state"]
    assert audit[-1].detail["state"] == "wrap_up" and audit[-1].at == ended_at
