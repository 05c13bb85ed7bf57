"""Attaching, replacing, detaching and resuming connections."""

from __future__ import annotations

from wire import client_messages as C
from wire import server_messages as S
from wire.errors import ErrorCode

from .conftest import SERVICE, T0, Scene, add_agent, add_kiosk


def test_kiosk_attach_is_welcomed_with_a_resume_token(scene: Scene) -> None:
    kid = add_kiosk(scene.store, "nurmes", "Nurmes 1")
    kiosk = scene.kiosk(kid)
    (welcome,) = kiosk.sent
    assert isinstance(welcome, S.Welcome)
    assert welcome.role == "kiosk" and welcome.identity.id == kid
    assert welcome.identity.site is not None and welcome.identity.site.fi
    assert welcome.resume_token and welcome.server_time == T0
    assert welcome.heartbeat_interval_s == 5 and welcome.heartbeat_timeout_s == 12
    assert kid in scene.hub.view.connected_kiosks()


def test_agent_attach_logs_in_and_reports_status(scene: Scene) -> None:
    aid = add_agent(scene.store, "aino")
    agent = scene.agent(aid, ready=False)
    welcome, *statuses = agent.sent
    assert isinstance(welcome, S.Welcome) and welcome.services == [SERVICE]
    assert statuses and all(isinstance(s, S.AgentStatus) for s in statuses)
    assert agent.last(S.AgentStatus).state == "not_ready"
    assert scene.hub.router.agent_view(aid) is not None
    assert "agent_login" in [a.action for a in scene.store.audit_log()]


def test_old_protocol_is_refused(scene: Scene) -> None:
    kid = add_kiosk(scene.store, "nurmes", "Nurmes 1")
    conn = scene.kiosk(kid)
    conn.sent.clear()
    other = type(conn)(conn.principal)
    scene.hub.attach(other, C.Hello.model_construct(protocol=0, ref=None, resume_token=None))
    assert [m.code for m in other.of(S.Error)] == [ErrorCode.UNSUPPORTED_VERSION]
    assert other.closed == ("unsupported_version", 1002)
    assert conn.closed is None  # the registered connection is untouched


def test_second_connection_replaces_the_first(scene: Scene) -> None:
    aid = add_agent(scene.store, "aino")
    first = scene.agent(aid)
    second = scene.agent(aid, ready=False)
    assert first.closed == ("replaced", 1000)
    assert second.closed is None
    scene.hub.detach(first)  # the old socket's late goodbye must not unregister the new one
    assert aid in scene.hub.view.connected_agents()


def test_resume_keeps_the_place_and_a_fresh_start_gives_it_up(scene: Scene) -> None:
    k1 = add_kiosk(scene.store, "nurmes", "Nurmes 1")
    k2 = add_kiosk(scene.store, "lieksa", "Lieksa 1")
    scene.agent(add_agent(scene.store, "aino"), ready=False)  # staffed, so joins are taken
    a = scene.kiosk(k1)
    b = scene.kiosk(k2)
    for kiosk in (a, b):
        scene.hub.handle(kiosk, C.QueueJoin(service=SERVICE, language="fi"))
    token = a.last(S.Welcome).resume_token
    scene.hub.detach(a)
    scene.clock.advance(30)  # within the 60 s grace
    again = scene.kiosk(k1, resume=token)
    assert again.last(S.Welcome).resume_token == token
    assert scene.hub.router.entry_for_kiosk(k1) is not None
    # B's app restarts: no token, so B's citizen's place is gone and B is a new session.
    scene.hub.detach(b)
    fresh = scene.kiosk(k2)
    assert fresh.last(S.Welcome).resume_token != b.last(S.Welcome).resume_token
    assert scene.hub.router.entry_for_kiosk(k2) is None
    assert not fresh.of(S.QueueLeft)  # the new citizen is not told about the old one


def test_a_wrong_token_cannot_take_over_a_place(scene: Scene) -> None:
    kid = add_kiosk(scene.store, "nurmes", "Nurmes 1")
    scene.agent(add_agent(scene.store, "aino"), ready=False)
    kiosk = scene.kiosk(kid)
    scene.hub.handle(kiosk, C.QueueJoin(service=SERVICE, language="fi"))
    scene.hub.detach(kiosk)
    scene.kiosk(kid, resume="not-the-token")
    assert scene.hub.router.entry_for_kiosk(kid) is None


def test_place_lost_while_away_is_told_on_resume(scene: Scene) -> None:
    kid = add_kiosk(scene.store, "nurmes", "Nurmes 1")
    scene.agent(add_agent(scene.store, "aino"), ready=False)
    kiosk = scene.kiosk(kid)
    scene.hub.handle(kiosk, C.QueueJoin(service=SERVICE, language="fi"))
    token = kiosk.last(S.Welcome).resume_token
    scene.hub.detach(kiosk)
    scene.clock.advance(61)
    scene.hub.tick()  # the grace runs out
    again = scene.kiosk(kid, resume=token)
    assert [m.reason for m in again.of(S.QueueLeft)] == ["abandoned"]


def test_agent_drop_mid_call_tells_the_kiosk_and_resume_restarts_the_call(scene: Scene) -> None:
    kid = add_kiosk(scene.store, "nurmes", "Nurmes 1")
    aid = add_agent(scene.store, "aino")
    agent = scene.agent(aid)
    kiosk = scene.kiosk(kid)
    call_id = scene.call(kiosk, agent)
    scene.hub.detach(agent)
    assert kiosk.last(S.PeerStatus).status == "reconnecting"
    scene.clock.advance(5)
    back = scene.agent(aid, ready=False)
    start = back.last(S.CallStart)
    assert (start.call_id, start.resumed, start.role) == (call_id, True, "answerer")
    assert back.last(S.AgentStatus).call_id == call_id
    assert kiosk.last(S.PeerStatus).status == "connected"


def test_queue_positions_are_coalesced_to_the_latest_per_interval(scene: Scene) -> None:
    """Each kiosk gets its first position as the answer to its join; the moves that follow
    reach it as its latest position at most once per interval, however many events came."""
    aid = add_agent(scene.store, "aino")
    agent = scene.agent(aid, ready=False)
    kiosks = [scene.kiosk(add_kiosk(scene.store, "nurmes", f"Nurmes {i}")) for i in range(4)]
    for k in kiosks:
        # Joins at the same instant tie, and the router breaks ties by entry id (random):
        # one second apart, the fourth kiosk is surely fourth.
        scene.clock.advance(1)
        scene.hub.handle(k, C.QueueJoin(service=SERVICE, language="fi", ref="j"))
        assert k.last(S.QueuePosition).ref == "j"  # the answer, at once
    counts = [len([m for m in k.sent if isinstance(m, S.QueuePosition)]) for k in kiosks]
    # The first three leave one after the other: the last kiosk moves 4 -> 3 -> 2 -> 1.
    for k in kiosks[:3]:
        scene.hub.handle(k, C.QueueLeave())
    last = kiosks[3]
    assert len([m for m in last.sent if isinstance(m, S.QueuePosition)]) == counts[3]
    scene.hub.flush_positions(1.0)
    assert [m.position for m in last.sent if isinstance(m, S.QueuePosition)][-1] == 1
    assert len([m for m in last.sent if isinstance(m, S.QueuePosition)]) == counts[3] + 1
    scene.hub.flush_positions(1.0)  # nothing new: nothing sent
    assert len([m for m in last.sent if isinstance(m, S.QueuePosition)]) == counts[3] + 1
    assert agent.sent  # (the agent is there so the queue can be joined)
