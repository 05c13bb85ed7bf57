"""Shared builders for the routing tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from signaling.routing.actions import Action, AgentStateChanged, OfferSent
from signaling.routing.events import AgentLogin, AgentReady
from signaling.routing.hours import OpeningHours
from signaling.routing.model import RouterConfig, ServiceRules
from signaling.routing.router import Router
from signaling.routing.views import AgentView, EntryView

# Tuesday 2024-06-11 12:00 UTC; tests count from here.
T0 = 1_718_107_200.0

A = TypeVar("A")


def counter_ids() -> Callable[[str], str]:
    """Deterministic ids: entry-1, entry-2, offer-1, ..."""
    counts: dict[str, int] = {}

    def new_id(prefix: str) -> str:
        counts[prefix] = counts.get(prefix, 0) + 1
        return f"{prefix}-{counts[prefix]}"

    return new_id


def service(
    service_id: str,
    *,
    max_queue: int = 10,
    default_handle_s: float = 300.0,
    hours: OpeningHours | None = None,
) -> ServiceRules:
    return ServiceRules(service_id, hours or OpeningHours.always(), max_queue, default_handle_s)


def make_router(
    config: RouterConfig | None = None,
    services: Mapping[str, ServiceRules] | None = None,
) -> Router:
    if services is None:
        services = {sid: service(sid) for sid in ("kela", "vero", "migri")}
    return Router(config or RouterConfig(), services, id_factory=counter_ids())


def of(actions: Iterable[Action], kind: type[A]) -> list[A]:
    """The actions of one type, in order."""
    return [a for a in actions if isinstance(a, kind)]


def login(
    router: Router,
    agent_id: str,
    now: float,
    skills: Iterable[str] = ("kela",),
    languages: Iterable[str] = ("fi",),
    *,
    ready: bool = True,
) -> list[Action]:
    """Log an agent in (and make them ready unless told otherwise)."""
    out = router.handle(AgentLogin(agent_id, frozenset(skills), frozenset(languages)), now)
    if ready:
        out += router.handle(AgentReady(agent_id), now)
    return out


def only_offer(actions: Iterable[Action]) -> OfferSent:
    offers = of(actions, OfferSent)
    assert len(offers) == 1, offers
    return offers[0]


def states(actions: Iterable[Action], agent_id: str) -> list[AgentStateChanged]:
    return [a for a in of(actions, AgentStateChanged) if a.agent_id == agent_id]


def agent_of(router: Router, agent_id: str) -> AgentView:
    view = router.agent_view(agent_id)
    assert view is not None, f"{agent_id} is not logged in"
    return view


def entry_of(router: Router, kiosk_id: str) -> EntryView:
    view = router.entry_for_kiosk(kiosk_id)
    assert view is not None, f"{kiosk_id} is not queued"
    return view
