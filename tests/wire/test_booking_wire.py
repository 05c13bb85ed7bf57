"""Booking messages and codes: what a kiosk reads or a citizen types reduces to one code."""

from __future__ import annotations

import pytest

from wire import booking_messages as B
from wire.booking_code import CODE_ALPHABET, CODE_LENGTH, display_code, normalise_code
from wire.client_messages import AGENT_TYPES, KIOSK_TYPES
from wire.codec import dump, parse_client, parse_server
from wire.errors import MessageError
from wire.types import Names, SiteRef

LIEKSA = SiteRef(id="lieksa", names=Names(fi="Lieksa", sv="Lieksa", en="Lieksa"))


@pytest.mark.parametrize(
    "raw",
    [
        "ACE479",
        "ace479",
        " ace-479 ",
        "Ace 479",
        "https://etapiste.example/book/ACE479",
        "https://etapiste.example/book/ACE-479/",
        "https://etapiste.example/book/?code=ace479",
    ],
)
def test_typed_and_scanned_forms_reduce_to_the_code(raw: str) -> None:
    assert normalise_code(raw) == "ACE479"


@pytest.mark.parametrize("raw", ["", "ACE47", "ACE4799", "AC0479", "ACS479", "https://x/book/"])
def test_what_cannot_be_a_code_is_none(raw: str) -> None:
    assert normalise_code(raw) is None


def test_alphabet_has_no_confusables() -> None:
    for pair in ("0O", "1I", "1L", "5S", "2Z", "8B", "6G", "UV", "MN", "QO", "D0"):
        assert not set(pair) <= set(CODE_ALPHABET), pair
    assert CODE_LENGTH == 6
    assert display_code("ACE479") == "ACE-479"


def test_booking_messages_round_trip_and_are_allowed_to_the_right_roles() -> None:
    for message in (
        B.BookingCheckIn(code="https://x/book/ACE479", source="qr"),
        B.BookingSlotsGet(service="migri", language="sv", days=3),
        B.BookingMake(service="migri", language="sv", start=1.8e9, site="lieksa", with_me=True),
        B.BookingCancel(code="ace 479"),
        B.BookingsGet(day="2026-12-03"),
    ):
        assert parse_client(dump(message)) == message
    assert {"booking_check_in", "booking_slots_get", "booking_make"} <= KIOSK_TYPES
    assert "booking_cancel" not in KIOSK_TYPES
    assert {"booking_cancel", "bookings_get", "booking_make"} <= AGENT_TYPES
    info = B.BookingInfo(
        code="ACE479",
        booking_id="b-1",
        service="migri",
        language="fi",
        site=LIEKSA,
        start=1.8e9,
        end=1.8e9 + 1800,
        clerk_name="Aino",
    )
    for reply in (
        B.BookingCheckedIn(booking=info),
        B.BookingRefused(reason="too_early", check_in_from=1.8e9 - 900, start=1.8e9),
        B.BookingWait(booking_id="b-1", state="other_clerk", start=1.8e9, end=1.8e9 + 1800),
        B.KioskSchedule(reserved_at=1.8e9, reserved_until=1.8e9 + 1800),
        B.BookingSlots(
            service="migri",
            language="fi",
            slots=[B.Slot(start=1.8e9, end=1.8e9 + 1800, site=LIEKSA, clerks_free=1)],
        ),
        B.Bookings(day="2026-12-03", bookings=[]),
    ):
        assert parse_server(dump(reply)) == reply


def test_a_malformed_day_is_a_typed_error() -> None:
    with pytest.raises(MessageError):
        parse_client('{"type":"bookings_get","day":"3.12.2026"}')
