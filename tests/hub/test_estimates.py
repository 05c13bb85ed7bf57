"""What a kiosk is shown about its wait is stored with its place, and so is the wait itself.

The hub over a real store: the kiosk's queue_position carries the estimate's kind, every new
estimate becomes a stored row with the router's time, and the wait that followed is stored
when the citizen is answered or leaves.
"""

from __future__ import annotations

from wire import client_messages as C
from wire import server_messages as S

from .conftest import SERVICE, T0, Scene, add_agent, add_kiosk


def test_shown_estimates_and_the_wait_that_followed_are_stored(scene: Scene) -> None:
    agent = scene.agent(add_agent(scene.store, "aino"), ready=False)
    kiosk = scene.kiosk(add_kiosk(scene.store, "nurmes", "Nurmes 1"))
    scene.hub.handle(kiosk, C.QueueJoin(service=SERVICE, language="fi"))
    told = kiosk.last(S.QueuePosition)
    # The one clerk is logged in but not working: honestly no estimate, and said so.
    assert (told.position, told.estimated_wait_s, told.estimate_kind) == (1, None, "none")
    entry_id = told.entry_id

    scene.clock.advance(90)
    scene.hub.handle(agent, C.AgentStateSet(state="ready"))  # offered to aino at once
    scene.hub.flush_positions(0.0)  # the kiosk's new estimate goes with the next flush
    told = kiosk.last(S.QueuePosition)
    assert (told.estimated_wait_s, told.estimate_kind) == (60.0, "minutes")
    scene.clock.advance(5)
    scene.hub.handle(agent, C.OfferAccept(offer_id=agent.last(S.Offer).offer_id))

    shown = scene.store.shown_estimates(entry_id)
    assert [(s.at, s.position, s.estimate_s, s.kind) for s in shown] == [
        (T0, 1, None, "none"),
        (T0 + 90, 1, 60.0, "minutes"),
    ]
    (wait,) = scene.store.waits_between(T0, T0 + 1)
    assert (wait.entry_id, wait.first_at, wait.first_kind) == (entry_id, T0, "none")
    assert (wait.ended_at, wait.answered, wait.waited_s) == (T0 + 95, True, 95.0)


def test_a_citizen_who_leaves_has_an_unanswered_wait(scene: Scene) -> None:
    scene.agent(add_agent(scene.store, "aino"), ready=False)
    kiosk = scene.kiosk(add_kiosk(scene.store, "nurmes", "Nurmes 1"))
    scene.hub.handle(kiosk, C.QueueJoin(service=SERVICE, language="fi"))
    scene.clock.advance(40)
    scene.hub.handle(kiosk, C.QueueLeave())
    (wait,) = scene.store.waits_between(T0, T0 + 1)
    assert (wait.answered, wait.waited_s, wait.first_kind) == (False, 40.0, "none")


def test_the_service_list_says_how_to_read_each_wait(scene: Scene) -> None:
    scene.agent(add_agent(scene.store, "aino"))
    kiosk = scene.kiosk(add_kiosk(scene.store, "nurmes", "Nurmes 1"))
    scene.hub.handle(kiosk, C.ServicesGet())
    (kela,) = [s for s in kiosk.last(S.Services).services if s.id == SERVICE]
    # One ready clerk: about a minute for a newcomer, not a promise of "soon".
    assert kela.estimated_wait_s == {"fi": 60.0}
    assert kela.estimate_kind == {"fi": "minutes"}
