"""Callback tasks through the hub (fake connections, fake clock, real SQLite): who is told
what, live citizens first, the bound on attempts, refusals, and a restart."""

from __future__ import annotations

from signaling.routing.model import AgentState
from signaling.store import Store
from wire import callback_messages as W
from wire import client_messages as C
from wire import server_messages as S
from wire.errors import ErrorCode

from .conftest import SERVICE, FakeClock, Scene, add_agent, add_kiosk, make_hub

NUMBER = "040 123 4567"
E164 = "+358401234567"


def request(scene: Scene, kiosk_id: str, phone: str = NUMBER) -> W.CallbackAccepted | S.Error:
    conn = scene.kiosk(kiosk_id)
    scene.hub.handle(conn, W.CallbackRequest(service=SERVICE, language="fi", phone=phone,
                                             consent=True, ref="r1"))
    reply = conn.sent[-1]
    assert isinstance(reply, W.CallbackAccepted | S.Error) and reply.ref == "r1"
    return reply


def test_a_request_is_offered_taken_and_done_and_only_the_taker_sees_the_number(
    scene: Scene,
) -> None:
    aino = scene.agent(add_agent(scene.store, "aino"))
    other = scene.agent(add_agent(scene.store, "other", ("vero.tax",)))
    reply = request(scene, add_kiosk(scene.store, "nurmes", "Nurmes 1"))
    assert isinstance(reply, W.CallbackAccepted) and reply.same_day
    offer = aino.last(W.CallbackOffer)
    assert offer.task.task_id == reply.callback_id and offer.expires_in_s == 20
    assert offer.task.site is not None and offer.task.site.id == "nurmes"
    assert aino.last(W.CallbackTasks).tasks[0].state == "offered"
    assert other.of(W.CallbackOffer) == [] and other.of(W.CallbackTasks) == []  # not his skill
    scene.hub.handle(aino, W.CallbackAccept(task_id=reply.callback_id))
    task = aino.last(W.CallbackTask)
    assert task.phone == E164 and task.max_attempts == 3
    shown = [a for a in scene.store.audit_log() if a.action == "callback_number_shown"]
    assert [(a.actor, a.subject) for a in shown] == [(f"agent:{aino.principal.id}",
                                                      reply.callback_id)]
    assert "401234567" not in repr(scene.store.audit_log())
    view = scene.hub.router.agent_view(aino.principal.id)
    assert view is not None and (view.state, view.reason) == (AgentState.NOT_READY, "callback")
    scene.hub.handle(aino, C.AgentStateSet(state="ready", ref="early"))
    refused = aino.last(S.Error)
    assert (refused.ref, refused.code) == ("early", ErrorCode.BAD_STATE)  # not mid-phone-call
    everyone_else = [m for c in (other,) for m in c.sent]
    assert E164 not in repr(everyone_else)
    scene.hub.handle(aino, W.CallbackResult(task_id=reply.callback_id, outcome="done"))
    saved = aino.last(W.CallbackResultSaved)
    assert (saved.outcome, saved.ended) == ("done", True)
    assert aino.last(S.AgentStatus).state == "ready"
    assert scene.store.callback_phone(reply.callback_id) is None
    record = scene.store.callback(reply.callback_id)
    assert record is not None and (record.state, record.agent_id) == ("done", aino.principal.id)


def test_a_kiosk_citizen_goes_first_the_task_offer_is_revoked(scene: Scene) -> None:
    aino = scene.agent(add_agent(scene.store, "aino"))
    reply = request(scene, add_kiosk(scene.store, "nurmes", "Nurmes 1"))
    assert isinstance(reply, W.CallbackAccepted)
    assert aino.last(W.CallbackOffer).task.task_id == reply.callback_id
    walk_in = scene.kiosk(add_kiosk(scene.store, "lieksa", "Lieksa 1"))
    scene.hub.handle(walk_in, C.QueueJoin(service=SERVICE, language="fi"))
    revoked = aino.last(W.CallbackOfferRevoked)
    assert (revoked.task_id, revoked.reason) == (reply.callback_id, "call_first")
    assert aino.last(S.Offer)  # the citizen is offered instead
    # Taking the revoked task is refused; the task waits in the pool with no attempt counted.
    scene.hub.handle(aino, W.CallbackAccept(task_id=reply.callback_id, ref="late"))
    assert aino.last(S.Error).ref == "late"
    assert scene.hub.callbacks.desk.task(reply.callback_id).attempts == 0  # type: ignore[union-attr]


def test_no_answer_comes_back_after_the_delay_and_ends_unreached_at_the_bound(
    scene: Scene, clock: FakeClock
) -> None:
    aino = scene.agent(add_agent(scene.store, "aino"))
    reply = request(scene, add_kiosk(scene.store, "nurmes", "Nurmes 1"))
    assert isinstance(reply, W.CallbackAccepted)
    cid = reply.callback_id
    for attempt in (1, 2, 3):
        offer = aino.last(W.CallbackOffer)
        assert offer.task.attempts == attempt - 1
        scene.hub.handle(aino, W.CallbackAccept(task_id=cid))
        scene.hub.handle(aino, W.CallbackResult(task_id=cid, outcome="no_answer"))
        saved = aino.last(W.CallbackResultSaved)
        assert saved.ended == (attempt == 3)
        aino.sent.clear()
        clock.advance(899)
        scene.hub.tick()
        assert aino.of(W.CallbackOffer) == []  # not before the delay
        clock.advance(1)
        scene.hub.tick()
    record = scene.store.callback(cid)
    assert record is not None and (record.state, record.attempts) == ("unreached", 3)
    assert scene.store.callback_phone(cid) is None


def test_bad_numbers_and_services_are_refused_and_kiosks_cannot_take_tasks(scene: Scene) -> None:
    kid = add_kiosk(scene.store, "nurmes", "Nurmes 1")
    bad = request(scene, kid, "123")
    assert isinstance(bad, S.Error) and bad.code == ErrorCode.BAD_MESSAGE
    assert "123" not in bad.message
    assert scene.store.open_callbacks() == []
    conn = scene.kiosk(kid)
    scene.hub.handle(conn, W.CallbackRequest(service="no.such", language="fi", phone=NUMBER,
                                             consent=True))
    assert conn.last(S.Error).code == ErrorCode.UNKNOWN_SERVICE
    # The land survey serves Finnish and Swedish: an English call back would never be taken.
    scene.hub.handle(conn, W.CallbackRequest(service="mml.property", language="en",
                                             phone=NUMBER, consent=True))
    assert conn.last(S.Error).code == ErrorCode.LANGUAGE_UNAVAILABLE
    assert scene.store.open_callbacks() == []
    assert "callback_result" not in C.KIOSK_TYPES and "callback_request" not in C.AGENT_TYPES


def test_open_tasks_survive_a_restart_and_a_lost_clerk_returns_the_task(
    scene: Scene, store: Store, catalogue, clock: FakeClock  # type: ignore[no-untyped-def]
) -> None:
    aino_id = add_agent(scene.store, "aino")
    aino = scene.agent(aino_id)
    reply = request(scene, add_kiosk(scene.store, "nurmes", "Nurmes 1"))
    assert isinstance(reply, W.CallbackAccepted)
    scene.hub.handle(aino, W.CallbackAccept(task_id=reply.callback_id))
    scene.hub.detach(aino)  # the clerk's console dies mid-task
    assert scene.hub.callbacks.desk.task(reply.callback_id).state == "waiting"  # type: ignore[union-attr]
    # A restart: a new hub over the same store takes the task back.
    clock.advance(5)
    hub = make_hub(store, catalogue, clock)
    hub.restore(clock())
    restarted = Scene(store, catalogue, clock, hub)
    bo = restarted.agent(aino_id)
    offer = bo.last(W.CallbackOffer)
    assert offer.task.task_id == reply.callback_id and offer.task.attempts == 0
