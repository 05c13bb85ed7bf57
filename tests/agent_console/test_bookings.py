"""The console's bookings tab: the presenter alone with a recording backend, then the real
window against a real server (book a time for a citizen with me, read the code, see the list
pushed, cancel by the code as the citizen reads it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent_console.bookings import BookingsPresenter
from signaling.booking.capacity import Capacity
from signaling.routing.hours import DAY_KEYS
from tests.agent_console.test_console_e2e import click, console_for, log_in
from tests.server.harness import running_server
from tests.waiting import wait_until as until
from wire import booking_messages as B
from wire.types import Names, SiteRef

LIEKSA = SiteRef(id="lieksa", names=Names(fi="Lieksa", sv="Lieksa", en="Lieksa"))
NOW = 1_750_003_200.0  # a Sunday evening in Helsinki


class Recorder:
    """A backend that records what was asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def __getattr__(self, name: str) -> Any:
        return lambda *args: self.calls.append((name, args))


def item(bid: str, state: str, start: float) -> B.BookingItem:
    return B.BookingItem(booking_id=bid, service="kela.benefits", language="fi", site=LIEKSA,
                         start=start, end=start + 1800, state=state)  # type: ignore[arg-type]


def test_list_order_form_booking_and_cancelling() -> None:
    backend = Recorder()
    b = BookingsPresenter(backend, lambda: NOW)  # type: ignore[arg-type]
    b.on_bookings(B.Bookings(day="2025-06-15", bookings=[
        item("b1", "booked", NOW + 3600), item("b2", "checked_in", NOW + 7200),
        item("b3", "no_show", NOW - 3600), item("b4", "booked", NOW + 1800)]))
    assert [r.booking_id for r in b.rows()] == ["b2", "b4", "b1", "b3"]  # at a kiosk first
    assert b.counts() == {"booked": 2, "checked_in": 1, "no_show": 1}
    b.find_slots()  # nothing chosen yet
    assert b.notice == "bookings.choose_service" and backend.calls == []
    b.set_form(service="kela.benefits", language="fi", day=b.days()[1])
    b.find_slots()
    assert backend.calls[-1] == ("request_slots", ("kela.benefits", "fi", "2025-06-16", 1))
    slot = B.Slot(start=NOW + 86400, end=NOW + 88200, site=LIEKSA, clerks_free=1)
    b.on_slots(B.BookingSlots(service="vero.tax", language="fi", slots=[slot]))  # another form
    assert b.form.slots == []
    b.on_slots(B.BookingSlots(service="kela.benefits", language="fi", slots=[slot]))
    b.book(slot)
    assert backend.calls[-1] == ("make_booking", ("kela.benefits", "fi", slot.start, "lieksa",
                                                   True))
    b.on_failed("slot_taken")
    assert b.notice == "bookings.error_slot_taken" and backend.calls[-1][0] == "request_slots"
    assert not b.cancel_code("0OO-IIL")  # cannot be a code: nothing sent
    assert b.notice == "bookings.bad_code"
    assert b.cancel_code("ace 479")
    assert backend.calls[-1] == ("cancel_booking", ("ACE479", None))
    assert len(b.days()) == 14 and b.days()[0] == "2025-06-15"


def test_the_list_shows_another_day_and_ignores_pushes_for_the_day_left() -> None:
    backend = Recorder()
    b = BookingsPresenter(backend, lambda: NOW)  # type: ignore[arg-type]
    b.refresh()
    assert backend.calls[-1] == ("request_bookings", (None,))  # today
    b.show_day("2025-06-17")
    assert backend.calls[-1] == ("request_bookings", ("2025-06-17",))
    b.on_bookings(B.Bookings(day="2025-06-15", bookings=[item("b1", "booked", NOW + 60)]))
    assert b.items == [] and b.day is None  # today's push: not the list shown
    b.on_bookings(B.Bookings(day="2025-06-17", bookings=[item("b9", "booked", NOW + 2 * 86400)]))
    assert [r.booking_id for r in b.rows()] == ["b9"] and not b.is_today()
    b.refresh()
    assert backend.calls[-1] == ("request_bookings", ("2025-06-17",))  # the chosen day again
    b.show_day("2025-06-15")  # today's date is today
    assert b.list_day is None and backend.calls[-1] == ("request_bookings", (None,))
    b.on_bookings(B.Bookings(day="2025-06-15", bookings=[item("b1", "booked", NOW + 60)]))
    assert b.is_today() and [r.booking_id for r in b.rows()] == ["b1"]


def every_day() -> Capacity:
    return Capacity("kela.benefits", "fi", 30, 1, {d: [["00:00", "24:00"]] for d in DAY_KEYS})


@pytest.mark.slow
def test_clerk_books_for_a_citizen_with_me_and_cancels_by_code(qtbot, run, tmp_path: Path):
    async def body() -> None:
        async with running_server(tmp_path / "data") as h:
            h.ctx.store.set_capacity(every_day(), now=h.ctx.clock())
            h.add_kiosk("lieksa", "Lieksa 1")
            h.add_agent("aino", ["kela.benefits"], ["fi"])
            async with console_for(qtbot, h) as (console, _):
                await log_in(qtbot, console, "aino")
                w, b = console.window, console.bookings
                await until(lambda: console.presenter.session is not None, what="logged in")
                tab = w.work.bookings
                assert tab is not None
                w.work.tabs.setCurrentWidget(tab)
                await until(lambda: b.day is not None, what="today's list")
                assert tab.service.currentData() == "kela.benefits"
                tab.day.setCurrentIndex(1)  # tomorrow: free all day
                click(qtbot, tab.find_button)
                await until(lambda: tab.slots.count() > 0 and b.form.slots, what="free times")
                tab.slots.setCurrentRow(0)
                click(qtbot, tab.book)
                await until(lambda: b.made is not None, what="booked")
                made = b.made
                assert made is not None and made.clerk_name == "Aino"
                code = made.code
                assert tab.made.isVisible() and f"{code[:3]}-{code[3:]}" in tab.made.text()
                stored = h.ctx.store.booking(made.booking_id)
                assert stored is not None and stored.state == "booked" and stored.agent_id
                # The citizen calls back to cancel and reads the code out.
                tab.code.setText(f"{code[:3].lower()} {code[3:]}")
                click(qtbot, tab.cancel_code)
                await until(lambda: b.notice == "bookings.cancelled", what="cancelled")
                stored = h.ctx.store.booking(made.booking_id)
                assert stored is not None and stored.state == "cancelled"

    run(body(), 60)
