"""Bookings in the store, on SQLite and PostgreSQL: capacity, taking a slot atomically, the kiosk
a booking holds, state changes, and that only a digest of the code is kept."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest

from signaling.booking.capacity import Capacity
from signaling.booking.codes import code_digest
from signaling.errors import StoreError
from signaling.store import Store
from signaling.store.schema import MIGRATIONS

from .conftest import T0, raw

# 2025-06-16 is a Monday; slots 09:00-12:00 Helsinki time (UTC+3 in June).
MONDAY = date(2025, 6, 16)
NINE = 1_750_053_600.0  # 2025-06-16 09:00 +03:00


def capacity(clerks: int = 1) -> Capacity:
    return Capacity(
        "migri.permits",
        "fi",
        30,
        clerks,
        {"mon": [["09:00", "12:00"]]},
        {"2025-06-23": []},
    )


def book(store: Store, start: float = NINE, code: str = "ACE479", **kw: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = dict(
        code_digest=code_digest(code),
        code_hint=code[:2] + "…",
        service_id="migri.permits",
        language="fi",
        site_id="lieksa",
        start_at=start,
        end_at=start + 1800,
        agent_id=None,
        made_by="public",
        now=T0,
    )
    args.update(kw)
    return store.make_booking(**args)  # type: ignore[arg-type]


def test_capacity_round_trips_and_cuts_slots(store: Store) -> None:
    store.set_capacity(capacity(), now=T0)
    got = store.capacity("migri.permits", "fi")
    assert got == capacity()
    assert [s for s, _e in got.slots_on(MONDAY)][:2] == [NINE, NINE + 1800]
    assert len(got.slots_on(MONDAY)) == 6
    assert got.slots_on(date(2025, 6, 23)) == []  # the exception: no bookings that Monday
    assert store.capacities() == [capacity()]
    store.set_capacity(capacity(2), now=T0 + 1)
    assert store.capacity("migri.permits", "fi") == capacity(2)
    assert store.delete_capacity("migri.permits", "fi")
    assert store.capacity("migri.permits", "fi") is None


def test_a_booking_holds_a_kiosk_and_a_clerk_and_the_last_slot_goes_once(store: Store) -> None:
    k1, _ = store.create_kiosk("lieksa", "Lieksa 1", now=T0)
    k2, _ = store.create_kiosk("lieksa", "Lieksa 2", now=T0)
    store.set_capacity(capacity(clerks=2), now=T0)
    first = book(store, code="ACE479")
    assert first is not None and first.kiosk_id in (k1, k2) and first.state == "booked"
    second = book(store, code="KMP347")
    assert second is not None and {first.kiosk_id, second.kiosk_id} == {k1, k2}
    assert book(store, code="XYT999") is None  # both set-aside clerks taken
    assert book(store, NINE + 1800, code="XYT999") is not None  # the next slot is free


def test_kiosks_of_the_site_limit_bookings(store: Store) -> None:
    store.create_kiosk("lieksa", "Lieksa 1", now=T0)
    store.set_capacity(capacity(clerks=3), now=T0)
    assert book(store, code="ACE479") is not None
    assert book(store, code="KMP347") is None  # one kiosk: one meeting at a time
    assert book(store, code="KMP347", site_id="nurmes") is None  # no kiosk at all there


def test_a_named_clerk_is_held_too(store: Store) -> None:
    store.create_kiosk("lieksa", "Lieksa 1", now=T0)
    store.create_kiosk("nurmes", "Nurmes 1", now=T0)
    store.set_capacity(capacity(clerks=3), now=T0)
    assert book(store, code="ACE479", agent_id="acc_1") is not None
    assert book(store, code="KMP347", agent_id="acc_1", site_id="nurmes") is None
    assert book(store, code="KMP347", agent_id="acc_2", site_id="nurmes") is not None


def test_no_capacity_is_an_error(store: Store) -> None:
    with pytest.raises(StoreError):
        book(store)


def test_only_a_digest_of_the_code_is_kept(store: Store) -> None:
    store.create_kiosk("lieksa", "Lieksa 1", now=T0)
    store.set_capacity(capacity(), now=T0)
    made = book(store, code="ACE479")
    assert made is not None
    rows = raw(store, "SELECT * FROM bookings")
    assert rows and all("ACE479" not in str(v) for v in rows[0])
    assert store.booking_by_code(code_digest("ACE479")) == made
    assert store.booking_by_code(code_digest("ACE478")) is None


def test_states_change_only_from_what_was_expected_and_cancel_frees_the_slot(store: Store) -> None:
    store.create_kiosk("lieksa", "Lieksa 1", now=T0)
    store.set_capacity(capacity(), now=T0)
    made = book(store)
    assert made is not None
    checked = replace(
        made,
        state="checked_in",
        checked_in_at=NINE - 60,
        checked_in_kiosk="k",
        updated_at=NINE - 60,
    )
    assert store.update_booking(checked, expect=("booked",)) == checked
    assert store.update_booking(checked, expect=("booked",)) is None  # no longer booked
    assert store.booking(made.id) == checked
    cancelled = store.cancel_booking(made.id, now=NINE - 30)
    assert cancelled is not None and cancelled.state == "cancelled"
    assert store.cancel_booking(made.id, now=NINE - 20) is None
    assert book(store, code="KMP347") is not None  # the slot is free again
    assert store.bookings_between(NINE, NINE + 1800, active_only=True)[0].code_hint == "KM…"
    counts = store.booking_counts(NINE - 3600, NINE + 3600)
    assert counts == [
        ("lieksa", "migri.permits", "booked", 1),
        ("lieksa", "migri.permits", "cancelled", 1),
    ]


def test_schema_version_counts_the_bookings_migration(store: Store) -> None:
    assert store.schema_version() == len(MIGRATIONS)


def test_two_nodes_racing_for_the_last_slot_get_it_once(
    store: Store, reopen: Callable[[], Store]
) -> None:
    store.create_kiosk("lieksa", "Lieksa 1", now=T0)
    store.set_capacity(capacity(clerks=5), now=T0)
    other = reopen()  # a second connection, as a second server node would have
    barrier = threading.Barrier(2)
    results: list[object] = []

    def take(s: Store, code: str) -> None:
        barrier.wait(timeout=10)
        results.append(book(s, code=code))

    try:
        threads = [threading.Thread(target=take, args=(s, c))
                   for s, c in ((store, "ACE479"), (other, "KMP347"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    finally:
        other.close()
    assert sorted(r is None for r in results) == [False, True]  # one kiosk: one booking
    assert len(store.bookings_between(NINE, NINE + 1800, active_only=True)) == 1
