"""Wrap-up reaches the store only when routing accepted it, and every edit is audited (issue 12:
"wrapup_done after wrap-up has ended is refused with bad_state, but the store has already
overwritten the disposition and note"). Also: stored names no rule would accept any more still
let their kiosk or agent connect, and a console's photo purge is audited."""

from __future__ import annotations

from tests.hub.conftest import FakeConn, Scene, add_agent, add_kiosk
from wire import client_messages as C
from wire import server_messages as S
from wire.errors import ErrorCode


def _ended_call(scene: Scene) -> tuple[FakeConn, FakeConn, str]:
    kiosk = scene.kiosk(add_kiosk(scene.store, "nurmes", "Nurmes 1"))
    agent = scene.agent(add_agent(scene.store, "aino"))
    call_id = scene.call(kiosk, agent)
    scene.hub.handle(agent, C.CallEnd(call_id=call_id))
    return kiosk, agent, call_id


def test_late_wrapup_is_refused_and_changes_no_record(scene: Scene) -> None:
    _kiosk, agent, call_id = _ended_call(scene)
    scene.hub.handle(agent, C.WrapUpDone(call_id=call_id, disposition="resolved", note="first"))
    record = scene.store.call(call_id)
    assert record is not None and (record.disposition, record.wrapup_note) == ("resolved", "first")
    # Wrap-up is over: a second wrapup_done is refused, and the record keeps the first one.
    agent.take()
    scene.hub.handle(agent, C.WrapUpDone(call_id=call_id, disposition="other", note="second",
                                         ref="r1"))
    error = agent.last(S.Error)
    assert (error.code, error.ref) == (ErrorCode.BAD_STATE, "r1")
    record = scene.store.call(call_id)
    assert record is not None and (record.disposition, record.wrapup_note) == ("resolved", "first")
    edits = [a for a in scene.store.audit_log() if a.action == "wrapup"]
    assert len(edits) == 1 and edits[0].subject == call_id
    assert edits[0].detail == {"call": call_id, "disposition": "resolved", "note_chars": 5}


def test_wrapup_after_the_timer_ended_it_is_refused_too(scene: Scene) -> None:
    _kiosk, agent, call_id = _ended_call(scene)
    scene.clock.advance(31)  # the 30 s wrap-up runs out
    scene.hub.tick()
    scene.hub.handle(agent, C.WrapUpDone(call_id=call_id, disposition="resolved", note="late"))
    assert agent.last(S.Error).code == ErrorCode.BAD_STATE
    record = scene.store.call(call_id)
    assert record is not None and record.disposition is None and record.wrapup_note is None


def test_wrapup_of_another_call_is_refused(scene: Scene) -> None:
    kiosk, agent, first = _ended_call(scene)
    scene.hub.handle(agent, C.WrapUpDone(call_id=first))
    scene.hub.handle(agent, C.AgentStateSet(state="ready"))
    second = scene.call(kiosk, agent)
    scene.hub.handle(agent, C.CallEnd(call_id=second))
    scene.hub.handle(agent, C.WrapUpDone(call_id=first, disposition="other", note="x"))
    assert agent.last(S.Error).code == ErrorCode.UNKNOWN_CALL
    record = scene.store.call(first)
    assert record is not None and record.disposition is None


def test_stored_names_too_long_for_the_wire_still_connect(scene: Scene) -> None:
    """Rows written before the limits (or by hand) must not lock anyone out for ever."""
    kiosk_id = add_kiosk(scene.store, "nurmes", "Nurmes 1")
    agent_id = add_agent(scene.store, "aino")
    conn = scene.store._db.conn  # type: ignore[attr-defined]
    conn.execute("UPDATE kiosks SET name=? WHERE id=?", ("K" * 300, kiosk_id))
    conn.execute("UPDATE accounts SET display_name=? WHERE id=?", ("A\n" * 125, agent_id))
    scene.hub._queries._directory.forget()  # type: ignore[attr-defined]
    kiosk = scene.kiosk(kiosk_id)
    agent = scene.agent(agent_id)
    assert len(kiosk.last(S.Welcome).identity.name) == 200
    assert "\n" not in agent.last(S.Welcome).identity.name
    call_id = scene.call(kiosk, agent)
    assert agent.last(S.CallStart).call_id == call_id


def test_photo_purge_reported_by_a_console_is_audited(scene: Scene) -> None:
    agent = scene.agent(add_agent(scene.store, "aino"), ready=False)
    assert agent.last(S.Welcome).photo_retention_days is None  # this hub was not told one
    scene.hub.handle(agent, C.PhotosPurged(count=3))
    line = scene.store.audit_log()[-1]
    assert (line.action, line.actor, line.detail) == (
        "photo_purge", agent.principal.label, {"count": 3}
    )


def test_unknown_disposition_is_refused_when_dispositions_are_configured(scene: Scene) -> None:
    scene.hub._dispositions = frozenset({"resolved"})  # type: ignore[attr-defined]
    _kiosk, agent, call_id = _ended_call(scene)
    scene.hub.handle(agent, C.WrapUpDone(call_id=call_id, disposition="made_up"))
    assert agent.last(S.Error).code == ErrorCode.BAD_MESSAGE
    record = scene.store.call(call_id)
    assert record is not None and record.disposition is None
