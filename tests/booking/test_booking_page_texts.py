"""The booking page's texts: the same keys in fi, sv and en, all filled and translated."""

from __future__ import annotations

from signaling.booking_pages import CATALOGUE
from tests.i18n_parity import filled_and_translated, same_keys


def test_booking_page_catalogues_match_and_are_translated() -> None:
    same_keys(CATALOGUE)
    filled_and_translated(
        CATALOGUE,
        same_in_all=frozenset({
            "lang.fi", "lang.sv", "lang.en", "app.page_title", "time.date", "slots.for",
        }),
        same_in_fi_and_sv=frozenset({"time.clock"}),
    )
