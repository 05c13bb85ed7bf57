"""The heartbeat roster spreads pings over the interval (no I/O: times are passed in)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from signaling.heartbeat import ConnectionRoster


@dataclass(eq=False)
class Conn:
    last_seen: float = 0.0


def sweep(roster: ConnectionRoster[Conn], start: float, seconds: float) -> list[list[Conn]]:
    """Call ``due`` once per slot from ``start`` for ``seconds``; what each call returned."""
    steps = round(seconds / roster.slot_s)
    return [roster.due(start + (i + 0.5) * roster.slot_s) for i in range(steps)]


def test_connections_that_open_together_are_pinged_apart_each_once_per_interval():
    roster: ConnectionRoster[Conn] = ConnectionRoster(5.0, slot_s=0.05)
    conns = [Conn() for _ in range(10_000)]
    for c in conns:  # all at the same instant, as after a restart
        roster.add(c)
    assert roster.slots == 100 and len(roster) == 10_000
    rounds = sweep(roster, 1000.0, 5.0)
    assert max(len(r) for r in rounds) == 100  # one slot's share, never a thousand at once
    pinged = [c for r in rounds for c in r]
    assert len(pinged) == 10_000 and set(map(id, pinged)) == set(map(id, conns))
    # The next interval pings each again, in the same slot.
    again = sweep(roster, 1005.0, 5.0)
    assert [list(map(id, r)) for r in again] == [list(map(id, r)) for r in rounds]


def test_each_connection_has_its_own_slot_and_a_closed_one_is_not_pinged():
    roster: ConnectionRoster[Conn] = ConnectionRoster(1.0, slot_s=0.25)
    a, b, c, d, e = (Conn() for _ in range(5))
    for conn in (a, b, c, d, e):
        roster.add(conn)
    assert [roster.slot_of(x) for x in (a, b, c, d, e)] == [0, 1, 2, 3, 0]
    roster.add(a)  # twice: still one slot
    assert len(roster) == 5 and roster.slot_of(a) == 0
    roster.discard(b)
    roster.discard(b)  # unknown now: nothing
    assert b not in roster and roster.slot_of(b) is None
    assert set(map(id, roster)) == {id(a), id(c), id(d), id(e)}
    pinged = [x for r in sweep(roster, 0.0, 1.0) for x in r]
    assert sorted(map(id, pinged)) == sorted(map(id, (a, c, d, e)))


def test_a_stalled_loop_pings_the_missed_slots_once_and_no_slot_twice():
    roster: ConnectionRoster[Conn] = ConnectionRoster(1.0, slot_s=0.1)
    conns = [Conn() for _ in range(20)]
    for conn in conns:
        roster.add(conn)
    assert len(roster.due(10.05)) == 2  # the first call: the current slot
    assert roster.due(10.07) == []  # same slot again: nothing
    assert len(roster.due(10.35)) == 6  # three slots came round while the loop was held
    assert len(roster.due(25.0)) == 20  # held for longer than the interval: everyone once


def test_silent_finds_only_those_past_the_timeout():
    roster: ConnectionRoster[Conn] = ConnectionRoster(5.0)
    quiet, lively = Conn(last_seen=100.0), Conn(last_seen=110.0)
    roster.add(quiet)
    roster.add(lively)
    assert roster.silent(112.5, 12.0) == [quiet]
    assert roster.silent(111.0, 12.0) == []


def test_the_interval_is_cut_into_whole_slots():
    roster: ConnectionRoster[Conn] = ConnectionRoster(0.3)
    assert roster.slots == 6 and roster.slot_s == pytest.approx(0.05)
    assert ConnectionRoster(0.01).slots == 1
    with pytest.raises(ValueError):
        ConnectionRoster(0.0)
