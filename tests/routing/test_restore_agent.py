"""An agent comes back to a new routing node (or a restarted one) in the state it had."""

from __future__ import annotations

from signaling.routing.actions import AgentStateChanged, Rejected
from signaling.routing.events import AgentLogin, AgentReconnected, JoinQueue, Tick
from signaling.routing.model import AgentState

from .helpers import T0, login, make_router, of, only_offer

SKILLS, LANGS = frozenset({"kela"}), frozenset({"fi"})


def test_a_ready_agent_is_offered_at_once() -> None:
    r = make_router()
    login(r, "a0", T0, ready=False)  # someone serves the queue, so the citizen may join
    r.handle(JoinQueue("k1", "kela", "fi"), T0)
    assert r.restore_agent("a1", SKILLS, LANGS, AgentState.READY, None, T0 - 50, None, T0 + 1) == []
    out = r.handle(AgentReconnected("a1"), T0 + 1)
    assert only_offer(out).kiosk_id == "k1"


def test_a_break_keeps_its_reason_and_a_login_folds_in() -> None:
    r = make_router()
    r.restore_agent("a1", SKILLS, LANGS, AgentState.NOT_READY, "lunch", T0 - 50, None, T0)
    out = r.handle(AgentLogin("a1", SKILLS, LANGS), T0 + 1)
    (status,) = of(out, AgentStateChanged)
    assert (status.state, status.reason) == (AgentState.NOT_READY, "lunch")


def test_a_wrap_up_ends_when_it_would_have() -> None:
    r = make_router()
    r.restore_agent("a1", SKILLS, LANGS, AgentState.WRAP_UP, None, T0 - 10, T0 + 20, T0)
    assert r.next_deadline() == T0 + 20
    out = r.handle(Tick(), T0 + 20)
    assert [s.state for s in of(out, AgentStateChanged)] == [AgentState.READY]


def test_what_cannot_survive_is_not_pretended() -> None:
    r = make_router()
    r.restore_agent("a1", SKILLS, LANGS, AgentState.RESERVED, None, T0 - 5, None, T0)
    r.restore_agent("a2", SKILLS, LANGS, AgentState.IN_CALL, None, T0 - 5, None, T0)
    r.restore_agent("a3", SKILLS, LANGS, AgentState.WRAP_UP, None, T0 - 50, T0 - 1, T0)
    views = {a: r.agent_view(a) for a in ("a1", "a2", "a3")}
    assert views["a1"] is not None and views["a1"].state is AgentState.READY
    assert views["a2"] is not None and views["a2"].state is AgentState.NOT_READY
    assert views["a3"] is not None and views["a3"].state is AgentState.READY
    again = r.restore_agent("a1", SKILLS, LANGS, AgentState.READY, None, T0, None, T0)
    assert isinstance(again[0], Rejected)
