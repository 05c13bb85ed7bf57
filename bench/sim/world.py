"""Discrete-event driver: the simulated day's kiosks and clerks around the real router.

No sockets, no asyncio, no clock: a heap of timed happenings, each turned into a router
event at its time, and reactions to the router's actions scheduled the way people would
react (a clerk accepts an offer a few seconds later, a citizen gives up when patience
runs out). Every event fed to the router is recorded with its time, so the day can be
replayed into a fresh router (the determinism test does).

The router is ticked at least every ``tick_s`` seconds (the server ticks at least once a
second) and at :meth:`Router.next_deadline`.

Random streams are separate (arrivals, offers, call lengths, wrap-ups) and none depends on
what estimate a kiosk was shown, so two runs that differ only in the estimator see the same
citizens, offers and calls; ``bench/sim_day.py`` checks that they do.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.sim.profile import DayProfile, Lognormal
from signaling.routing.actions import (
    Action,
    AgentStateChanged,
    CallEnded,
    CallStarted,
    EntryQueued,
    EntryRemoved,
    JoinRefused,
    OfferRevoked,
    OfferSent,
    QueuePosition,
)
from signaling.routing.events import (
    AcceptOffer,
    AgentLogin,
    AgentLogout,
    AgentNotReady,
    AgentReady,
    EndCall,
    EndWrapUp,
    Event,
    JoinQueue,
    LeaveQueue,
    RejectOffer,
    Tick,
)
from signaling.routing.model import AgentState, RouterConfig
from signaling.routing.router import Router

BREAK_REASONS = ("break", "lunch")


@dataclass(frozen=True, slots=True)
class Shown:
    """One wait estimate pushed to a kiosk."""

    at: float
    position: int
    seconds: float | None
    kind: str  # "soon", "minutes" or "none": what the kiosk tells the citizen


@dataclass
class Citizen:
    """One person who walked up to a kiosk."""

    kiosk_id: str
    site: str
    service: str
    language: str
    arrives: float
    patience: float
    joined_at: float | None = None
    answered_at: float | None = None
    left_at: float | None = None
    outcome: str = "waiting"  # answered, gave_up, refused:<code>, waiting
    shown: list[Shown] = field(default_factory=list)


@dataclass
class Settings:
    """Behaviour knobs of the simulated people."""

    reject_rate: float = 0.04  # an offer is declined
    miss_rate: float = 0.03  # an offer is left to time out
    early_wrapup: float = 0.7  # share of wrap-ups ended before the timer
    tick_s: float = 1.0


def kind_of(action: QueuePosition) -> str:
    """What the kiosk tells the citizen: the action's kind, or (from a router without
    one) what today's kiosk shows for the seconds: under a minute reads as soon."""
    kind = getattr(action, "estimate_kind", None)
    if isinstance(kind, str):
        return kind
    if action.estimated_wait_s is None:
        return "none"
    return "soon" if action.estimated_wait_s < 60 else "minutes"


def _fixed(event: Event) -> Callable[[], Event | None]:
    return lambda: event


def counter_ids() -> Callable[[str], str]:
    """Deterministic ids: entry-1, offer-1, call-1, ..."""
    counts: dict[str, itertools.count[int]] = {}

    def new_id(prefix: str) -> str:
        return f"{prefix}-{next(counts.setdefault(prefix, itertools.count(1)))}"

    return new_id


def draw(rng: random.Random, dist: Lognormal | float) -> float:
    """A sample of a lognormal, or of an exponential given by its mean."""
    if isinstance(dist, Lognormal):
        return rng.lognormvariate(dist.mu, dist.sigma)
    return rng.expovariate(1.0 / dist)


class World:
    """One simulated day; :meth:`run` fills :attr:`citizens`, :attr:`log` and the rest."""

    def __init__(
        self, profile: DayProfile, config: RouterConfig, seed: int, settings: Settings
    ) -> None:
        self.profile, self.config, self.settings = profile, config, settings
        self.router = Router(config, profile.services, id_factory=counter_ids())
        self.now = profile.day_start
        self.end = max(c.end for c in profile.clerks) + 3600.0
        self._heap: list[tuple[float, int, Callable[[], Event | None]]] = []
        self._seq = itertools.count()
        self._offers_rng = random.Random(f"offers-{seed}")
        self._calls_rng = random.Random(f"calls-{seed}")
        self._wrap_rng = random.Random(f"wrap-{seed}")
        self.citizens: dict[str, Citizen] = {}
        self.log: list[tuple[float, Event]] = []  # every event fed, with its time
        self.actions: list[Action] = []  # everything the router returned, in order
        self.offers: list[tuple[float, OfferSent]] = []
        self._pending_offers: set[str] = set()
        self._calls: dict[str, CallStarted] = {}
        self._waiting: set[str] = set()  # kiosks with a queue entry
        self._break_for: dict[str, float] = {}  # clerk -> duration of the break asked for
        self.agent_state: dict[str, tuple[AgentState, float]] = {}
        self._reason: dict[str, str | None] = {}
        self.state_time: dict[str, dict[str, float]] = {}  # clerk -> state -> seconds
        self._deadline_ticks: set[float] = set()
        self._arrivals(random.Random(f"arrivals-{seed}"))
        self._shifts()
        self._at(profile.day_start, self._tick)

    # ------------------------------------------------------------ set-up

    def _at(self, when: float, make: Callable[[], Event | None]) -> None:
        heapq.heappush(self._heap, (when, next(self._seq), make))

    def _arrivals(self, rng: random.Random) -> None:
        profile = self.profile
        n = 0
        for (service, language, site), hours in sorted(profile.rates.items()):
            rules = profile.services[service]
            for hour, expected in sorted(hours.items()):
                if expected <= 0:
                    continue
                start = profile.day_start + hour * 3600.0
                t = start + rng.expovariate(expected / 3600.0)
                while t < start + 3600.0:
                    if rules.hours.is_open(t):
                        n += 1
                        kiosk = f"{site}-k{n}"
                        citizen = Citizen(
                            kiosk, site, service, language, t, draw(rng, profile.patience)
                        )
                        self.citizens[kiosk] = citizen
                        self._at(t, self._join(citizen))
                    t += rng.expovariate(expected / 3600.0)

    def _shifts(self) -> None:
        for clerk in self.profile.clerks:
            self._at(clerk.start, _fixed(AgentLogin(clerk.clerk_id, clerk.skills, clerk.languages)))
            self._at(clerk.start + 60.0, _fixed(AgentReady(clerk.clerk_id)))
            for when, duration, reason in clerk.breaks:
                self._at(when, self._break(clerk.clerk_id, reason, duration))
            self._at(clerk.end, self._break(clerk.clerk_id, "shift_end", 0.0))

    def _break(self, clerk_id: str, reason: str, duration: float) -> Callable[[], Event | None]:
        def make() -> Event | None:
            if clerk_id not in self.agent_state:
                return None
            self._break_for[clerk_id] = duration
            return AgentNotReady(clerk_id, reason)

        return make

    def _join(self, citizen: Citizen) -> Callable[[], Event | None]:
        return lambda: JoinQueue(citizen.kiosk_id, citizen.service, citizen.language)

    def _tick(self) -> Event | None:
        if self.now + self.settings.tick_s <= self.end:
            self._at(self.now + self.settings.tick_s, self._tick)
        return Tick()

    # ------------------------------------------------------------ running

    def run(self) -> World:
        """Simulate the day until the last clerk has been gone an hour."""
        while self._heap:
            when, _seq, make = heapq.heappop(self._heap)
            if when > self.end:
                break
            self.now = when
            event = make()
            if event is not None:
                self.feed(event)
        for clerk_id in list(self.agent_state):
            self._account(clerk_id, None)
        return self

    def feed(self, event: Event) -> list[Action]:
        """Hand one event to the router now, record it and react to what it returns."""
        out = self.router.handle(event, self.now)
        self.log.append((self.now, event))
        self.actions.extend(out)
        if isinstance(event, AgentLogout):
            self._account(event.agent_id, None)
        for action in out:
            self._react(action)
        deadline = self.router.next_deadline()
        if deadline is not None and deadline not in self._deadline_ticks:
            self._deadline_ticks.add(deadline)
            self._at(max(deadline, self.now), Tick)
        return out

    def _account(self, clerk_id: str, new: tuple[AgentState, float] | None) -> None:
        old = self.agent_state.pop(clerk_id, None)
        if old is not None:
            times = self.state_time.setdefault(clerk_id, {})
            times[old[0].value] = times.get(old[0].value, 0.0) + self.now - old[1]
        if new is not None:
            self.agent_state[clerk_id] = new

    # ----------------------------------------------------------- reacting

    def _react(self, a: Action) -> None:
        match a:
            case QueuePosition():
                self.citizens[a.kiosk_id].shown.append(
                    Shown(self.now, a.position, a.estimated_wait_s, kind_of(a))
                )
            case EntryQueued():
                citizen = self.citizens[a.kiosk_id]
                if citizen.joined_at is None:
                    citizen.joined_at = self.now
                    self._at(self.now + citizen.patience, self._give_up(citizen))
                self._waiting.add(a.kiosk_id)
            case JoinRefused():
                citizen = self.citizens[a.kiosk_id]
                citizen.outcome, citizen.left_at = f"refused:{a.code}", self.now
            case EntryRemoved():
                self._waiting.discard(a.kiosk_id)
                if a.reason in ("cancelled", "abandoned"):
                    citizen = self.citizens[a.kiosk_id]
                    citizen.outcome, citizen.left_at = "gave_up", self.now
            case OfferSent():
                self.offers.append((self.now, a))
                self._pending_offers.add(a.offer_id)
                self._answer_offer(a)
            case OfferRevoked():
                self._pending_offers.discard(a.offer_id)
            case CallStarted():
                self._pending_offers.discard(self._offer_of(a))
                self._calls[a.call_id] = a
                citizen = self.citizens[a.kiosk_id]
                citizen.outcome, citizen.answered_at = "answered", self.now
                length = draw(self._calls_rng, self.profile.handle[a.service_id])
                by = "agent" if self._calls_rng.random() < 0.5 else "kiosk"
                self._at(self.now + length, self._hang_up(a.call_id, by))
            case CallEnded():
                self._calls.pop(a.call_id, None)
                self.citizens[a.kiosk_id].left_at = self.now
            case AgentStateChanged():
                self._account(a.agent_id, (a.state, self.now))
                self._reason[a.agent_id] = a.reason
                self._agent_changed(a)
            case _:
                pass

    def _offer_of(self, call: CallStarted) -> str:
        # The accepted offer is the last one made for the entry; its id is not in the action.
        for _t, offer in reversed(self.offers):
            if offer.entry_id == call.entry_id:
                return offer.offer_id
        return ""

    def _answer_offer(self, offer: OfferSent) -> None:
        rng, s = self._offers_rng, self.settings
        roll = rng.random()
        if roll < s.miss_rate:
            return  # the clerk does not react; the router times the offer out
        reject = roll < s.miss_rate + s.reject_rate
        delay = rng.uniform(2.0, 6.0) if reject else rng.uniform(2.0, 8.0)

        def answer() -> Event | None:
            if offer.offer_id not in self._pending_offers:
                return None
            if reject:
                return RejectOffer(offer.agent_id, offer.offer_id)
            return AcceptOffer(offer.agent_id, offer.offer_id)

        self._at(self.now + delay, answer)

    def _hang_up(self, call_id: str, by: str) -> Callable[[], Event | None]:
        def make() -> Event | None:
            if call_id not in self._calls:
                return None
            return EndCall(call_id, "agent" if by == "agent" else "kiosk", "done")

        return make

    def _give_up(self, citizen: Citizen) -> Callable[[], Event | None]:
        def make() -> Event | None:
            if citizen.kiosk_id not in self._waiting:
                return None
            return LeaveQueue(citizen.kiosk_id)

        return make

    def _agent_changed(self, a: AgentStateChanged) -> None:
        clerk_id = a.agent_id
        if a.state is AgentState.WRAP_UP:
            if self._wrap_rng.random() < self.settings.early_wrapup:
                done = self._wrap_rng.lognormvariate(math.log(15.0), 0.5)
                if a.until is None or self.now + done < a.until:
                    since = self.now

                    def end_wrap() -> Event | None:
                        state = self.agent_state.get(clerk_id)
                        if state != (AgentState.WRAP_UP, since):
                            return None
                        return EndWrapUp(clerk_id)

                    self._at(self.now + done, end_wrap)
        elif a.state is AgentState.NOT_READY:
            if a.reason == "shift_end":
                self._at(self.now, lambda: AgentLogout(clerk_id))
            elif a.reason in BREAK_REASONS:
                back = self.now + self._break_for.pop(clerk_id, 900.0)
                self._at(back, self._back(clerk_id, a.reason))
            elif a.reason == "missed_offers":
                back = self.now + self._wrap_rng.uniform(60.0, 180.0)
                self._at(back, self._back(clerk_id, a.reason))

    def _back(self, clerk_id: str, reason: str | None) -> Callable[[], Event | None]:
        def make() -> Event | None:
            state = self.agent_state.get(clerk_id)
            if state is None or state[0] is not AgentState.NOT_READY:
                return None
            if self._reason.get(clerk_id) != reason:
                return None  # a later break (or the shift's end) took over
            return AgentReady(clerk_id)

        return make
