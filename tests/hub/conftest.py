"""The hub without sockets: fake connections, a fake clock, a real SQLite store in tmp_path.

Nothing here sleeps or opens a socket: each test drives the hub by calling it, exactly as the
WebSocket layer does, and reads what each fake connection was sent.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from signaling.catalogue import Catalogue, load_catalogue
from signaling.directory import Directory
from signaling.hub import Hub
from signaling.identity import Principal
from signaling.routing.model import RouterConfig
from signaling.routing.router import Router
from signaling.store import SqliteStore, Store
from wire import client_messages as C
from wire import server_messages as S

ROOT = Path(__file__).resolve().parents[2]
T0 = 1_750_000_000.0
SERVICE = "kela.benefits"
CONFIG = RouterConfig(offer_timeout_s=20, wrapup_s=30, kiosk_grace_s=60, call_grace_s=20)
TURN = [(["turn:127.0.0.1:3478?transport=udp"], "turn-secret")]
M = TypeVar("M", bound=S.ServerMessage)


class FakeClock:
    """A clock the test sets; with ``step`` it also moves on by itself at every read, which
    shows any place that reads the clock twice for what should be one moment."""

    def __init__(self, now: float = T0, step: float = 0.0) -> None:
        self.now, self.step, self.reads = now, step, 0

    def __call__(self) -> float:
        self.reads += 1
        now = self.now
        self.now += self.step
        return now

    def advance(self, seconds: float) -> None:
        self.now += seconds


_ids = itertools.count(1)


@dataclass(eq=False)
class FakeConn:
    """What the hub needs of a connection: records what it was sent and how it was closed."""

    principal: Principal
    connection_id: str = field(default_factory=lambda: f"c{next(_ids)}")
    sent: list[S.ServerMessage] = field(default_factory=list)
    closed: tuple[str, int] | None = None

    def send(self, message: S.ServerMessage) -> None:
        self.sent.append(message)

    def close(self, reason: str, code: int = 1000) -> None:
        self.closed = (reason, code)

    def of(self, kind: type[M]) -> list[M]:
        return [m for m in self.sent if isinstance(m, kind)]

    def last(self, kind: type[M]) -> M:
        found = self.of(kind)
        assert found, f"no {kind.__name__} in {self.sent}"
        return found[-1]

    def take(self) -> list[S.ServerMessage]:
        sent, self.sent = self.sent, []
        return sent


@dataclass
class Scene:
    """A hub over a real store, with kiosks and agents provisioned in that store."""

    store: Store
    catalogue: Catalogue
    clock: FakeClock
    hub: Hub

    def kiosk(self, kiosk_id: str, resume: str | None = None) -> FakeConn:
        record = self.store.kiosk(kiosk_id)
        assert record is not None
        p = Principal(role="kiosk", id=record.id, name=record.name, site_id=record.site_id)
        conn = FakeConn(p)
        self.hub.attach(conn, C.Hello(protocol=1, resume_token=resume))
        return conn

    def agent(self, agent_id: str, ready: bool = True) -> FakeConn:
        account = self.store.account(agent_id)
        assert account is not None
        p = Principal(
            role="agent", id=account.id, name=account.display_name,
            skills=account.skills, languages=account.languages,
        )
        conn = FakeConn(p)
        self.hub.attach(conn, C.Hello(protocol=1))
        if ready:
            self.hub.handle(conn, C.AgentStateSet(state="ready"))
        return conn

    def call(self, kiosk: FakeConn, agent: FakeConn) -> str:
        """Queue the kiosk, let the agent accept; the call's id."""
        self.hub.handle(kiosk, C.QueueJoin(service=SERVICE, language="fi"))
        offer = agent.last(S.Offer)
        self.hub.handle(agent, C.OfferAccept(offer_id=offer.offer_id))
        return kiosk.last(S.CallStart).call_id


def make_hub(
    store: Store, catalogue: Catalogue, clock: FakeClock, without: tuple[str, ...] = (),
    **options: Any,
) -> Hub:
    """A hub with a fresh router, as after a start; ``without`` drops services from its rules
    (as if the catalogue had retired them meanwhile); ``options`` go to :class:`Hub`."""
    directory = Directory(catalogue, store, always_open=True)
    rules = {k: v for k, v in directory.service_rules().items() if k not in without}
    return Hub(
        router=Router(CONFIG, rules),
        store=store,
        directory=directory,
        clock=clock,
        heartbeat_interval_s=5,
        heartbeat_timeout_s=12,
        ice_servers=TURN,
        **options,
    )


def add_kiosk(store: Store, site: str, name: str) -> str:
    return store.create_kiosk(site, name, now=T0)[0]


def add_agent(store: Store, username: str, skills: tuple[str, ...] = (SERVICE,)) -> str:
    return store.create_account(
        username, username.title(), "agent", "hash-of-a-password", skills, ["fi"], now=T0
    )


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue(ROOT / "deploy" / "catalogue.toml")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path, catalogue: Catalogue) -> Iterator[Store]:
    s = SqliteStore.open(tmp_path / "data")
    s.seed_catalogue(catalogue, now=T0)
    yield s
    s.close()


@pytest.fixture
def scene(store: Store, catalogue: Catalogue, clock: FakeClock) -> Scene:
    return Scene(store, catalogue, clock, make_hub(store, catalogue, clock))
