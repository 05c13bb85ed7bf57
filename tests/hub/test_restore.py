"""Restore after a crash: a new hub and router over the same store take up places and calls."""

from __future__ import annotations

from wire import client_messages as C
from wire import server_messages as S

from .conftest import SERVICE, Scene, add_agent, add_kiosk, make_hub


def test_places_and_calls_survive_a_restart(scene: Scene) -> None:
    k1 = add_kiosk(scene.store, "nurmes", "Nurmes 1")
    k2 = add_kiosk(scene.store, "lieksa", "Lieksa 1")
    k3 = add_kiosk(scene.store, "kitee", "Kitee 1")
    aid = add_agent(scene.store, "aino")
    agent = scene.agent(aid)
    in_call = scene.kiosk(k3)
    call_id = scene.call(in_call, agent)
    waiting = [scene.kiosk(k) for k in (k1, k2)]
    for kiosk in waiting:
        scene.clock.advance(1)
        scene.hub.handle(kiosk, C.QueueJoin(service=SERVICE, language="fi"))
    tokens = [k.last(S.Welcome).resume_token for k in (*waiting, in_call)]

    scene.clock.advance(10)  # the process died; a new one starts over the same database
    hub = make_hub(scene.store, scene.catalogue, scene.clock)
    scene.hub = hub
    report = hub.restore(scene.clock())
    assert (report.entries, report.calls, report.rejected) == (2, 1, [])

    second = scene.kiosk(k2, resume=tokens[1])
    first = scene.kiosk(k1, resume=tokens[0])
    assert first.last(S.QueuePosition).position == 1  # order as before the crash
    assert second.last(S.QueuePosition).position == 2
    back = scene.agent(aid, ready=False)
    assert back.last(S.CallStart).call_id == call_id and back.last(S.CallStart).resumed
    kiosk = scene.kiosk(k3, resume=tokens[2])
    assert kiosk.last(S.CallStart).call_id == call_id


def test_what_the_router_refuses_is_counted_closed_and_told(scene: Scene) -> None:
    aid = add_agent(scene.store, "aino", (SERVICE, "vero.tax"))
    agent = scene.agent(aid)
    k1 = add_kiosk(scene.store, "nurmes", "Nurmes 1")
    in_call = scene.kiosk(k1)
    call_id = scene.call(in_call, agent)
    k2 = add_kiosk(scene.store, "lieksa", "Lieksa 1")
    waiting = scene.kiosk(k2)
    scene.hub.handle(waiting, C.QueueJoin(service="vero.tax", language="fi"))
    token = waiting.last(S.Welcome).resume_token
    # A second open call for the same agent, as a torn write from an older version could leave.
    k3 = add_kiosk(scene.store, "kitee", "Kitee 1")
    scene.store.insert_entry(
        "e-torn", k3, SERVICE, "fi", 0, scene.clock.now, state="in_call", now=scene.clock.now
    )
    scene.store.call_started(
        "call-torn", entry_id="e-torn", kiosk_id=k3, agent_id=aid, service_id=SERVICE,
        language="fi", offered_at=scene.clock.now, answered_at=scene.clock.now + 1,
    )

    scene.clock.advance(10)
    hub = make_hub(scene.store, scene.catalogue, scene.clock, without=("vero.tax",))
    scene.hub = hub
    now = scene.clock()
    report = hub.restore(now)
    assert (report.entries, report.calls) == (0, 1)
    assert sorted((r.code, r.target_id) for r in report.rejected) == [
        ("bad_state", "call-torn"),
        ("unknown_service", waiting.last(S.QueuePosition).entry_id),
    ]
    # Closed in the store, so the next restart does not meet them again.
    assert scene.store.waiting_entries() == []
    assert [c.id for c in scene.store.open_calls()] == [call_id]
    torn = scene.store.call("call-torn")
    assert torn is not None and (torn.outcome, torn.ended_at) == ("failed", now)
    # The agent gets back the call the router adopted, not the refused one.
    back = scene.agent(aid, ready=False)
    assert [s.call_id for s in back.of(S.CallStart)] == [call_id]
    # The citizen whose place could not be restored is told so on resuming.
    again = scene.kiosk(k2, resume=token)
    assert [m.reason for m in again.of(S.QueueLeft)] == ["abandoned"]
