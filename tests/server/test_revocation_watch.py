"""The revocation watch without sockets: what it closes, the handshake race, and a feed whose
sequence numbers commit out of order (as PostgreSQL's can)."""

from __future__ import annotations

from dataclasses import dataclass, field

from signaling.identity import Principal
from signaling.revocation_watch import LOOKBACK_S, RevocationWatch
from signaling.store.records import Revocation, RevocationKind

T0 = 1_750_000_000.0


class FakeFeed:
    """Only the feed part of a store; rows become visible when the test says so."""

    def __init__(self) -> None:
        self.rows: list[Revocation] = []

    def add(self, seq: int, kind: RevocationKind, subject: str, reason: str = "revoked") -> None:
        self.rows.append(Revocation(seq, T0, kind, subject, reason))

    def revocation_seq(self) -> int:
        return max((r.seq for r in self.rows), default=0)

    def revocations_after(self, seq: int) -> list[Revocation]:
        return sorted((r for r in self.rows if r.seq > seq), key=lambda r: r.seq)


@dataclass(eq=False)
class Conn:
    principal: Principal
    closed: list[str] = field(default_factory=list)

    def close(self, reason: str, code: int = 1000) -> None:
        self.closed.append(reason)


def agent(session: str, expires_at: float | None = None) -> Conn:
    return Conn(Principal("agent", "acc_1", "Aino", session_id=session, expires_at=expires_at))


def kiosk(kiosk_id: str, digest: str) -> Conn:
    return Conn(Principal("kiosk", kiosk_id, "K", token_digest=digest))


def test_closes_what_each_revocation_names_and_nothing_else() -> None:
    feed = FakeFeed()
    a, b = agent("ses_a"), agent("ses_b")
    k1, k2, k3 = kiosk("kio_1", "d1"), kiosk("kio_2", "d2"), kiosk("kio_3", "d3")
    conns = [a, b, k1, k2, k3]
    woken: list[bool] = []
    watch = RevocationWatch(feed, lambda: conns, lambda: woken.append(True))  # type: ignore[arg-type]
    feed.add(1, "session", "ses_a", "logged_out")
    feed.add(2, "kiosk", "kio_1")
    feed.add(3, "kiosk_token", "d2")
    feed.add(4, "kiosk_token", "acc_1")  # a digest that is nobody's: the agent id means nothing
    assert watch.poll(T0) == 3
    assert (a.closed, b.closed, k1.closed, k2.closed, k3.closed) == (
        ["logged_out"], [], ["revoked"], ["revoked"], []
    )
    assert woken == [True]
    assert watch.poll(T0 + 1) == 0  # nothing is acted on twice


def test_expired_sessions_are_closed() -> None:
    feed = FakeFeed()
    soon, later, device = agent("s1", T0 + 5), agent("s2", T0 + 50), kiosk("kio_1", "d1")
    watch = RevocationWatch(feed, lambda: [soon, later, device])  # type: ignore[arg-type]
    watch.poll(T0 + 4)
    assert soon.closed == []
    watch.poll(T0 + 5)
    assert soon.closed == ["session_expired"] and later.closed == [] and device.closed == []


def test_a_connection_checked_before_a_revocation_and_registered_after_the_poll() -> None:
    feed = FakeFeed()
    watch = RevocationWatch(feed, lambda: [])  # type: ignore[arg-type]
    position = watch.position()  # the handshake reads where the feed stands, then checks
    feed.add(1, "session", "ses_a")  # ...revoked meanwhile, and the poll runs before the
    watch.poll(T0)  # connection is registered, so the poll cannot see it
    assert watch.revoked_since(agent("ses_a").principal, position) == "revoked"
    assert watch.revoked_since(agent("ses_b").principal, position) is None


def test_a_row_that_commits_after_a_later_one_is_still_seen() -> None:
    feed = FakeFeed()
    a, b = agent("ses_a"), agent("ses_b")
    watch = RevocationWatch(feed, lambda: [a, b])  # type: ignore[arg-type]
    feed.add(2, "session", "ses_b")  # seq 1 was taken by a transaction still running
    watch.poll(T0)
    feed.add(1, "session", "ses_a")  # ...which commits now
    watch.poll(T0 + 1)
    assert a.closed == ["revoked"] and b.closed == ["revoked"]
    # Past the look-back window, the watch moves its starting point on.
    watch.poll(T0 + LOOKBACK_S + 2)
    assert watch._settled == 2  # type: ignore[attr-defined]
