"""Join refusals and opening hours (DST, closed dates, next opening)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from signaling.routing.actions import (
    CallStarted,
    EntryQueued,
    JoinRefused,
    OfferSent,
    QueuePosition,
)
from signaling.routing.events import AcceptOffer, AgentReady, JoinQueue
from signaling.routing.hours import OpeningHours
from signaling.routing.model import RouterConfig
from signaling.routing.router import Router

from .helpers import T0, login, make_router, of, only_offer, service

HEL = ZoneInfo("Europe/Helsinki")
UTC = ZoneInfo("UTC")
WEEKDAYS = {d: [["08:00", "16:15"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def hel(*args: int) -> float:
    return datetime(*args, tzinfo=HEL).timestamp()  # type: ignore[misc]


def utc(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()  # type: ignore[misc]


def refusal(out: list[object]) -> JoinRefused:
    refused = [a for a in out if isinstance(a, JoinRefused)]
    assert len(refused) == 1, out
    assert not any(isinstance(a, EntryQueued) for a in out)
    return refused[0]


# --------------------------------------------------------------------------- hours


def test_weekday_hours_follow_local_time_in_winter_and_summer() -> None:
    hours = OpeningHours(WEEKDAYS)
    # Monday 15 Jan 2024, EET (UTC+2): 08:00 local is 06:00 UTC.
    assert not hours.is_open(utc(2024, 1, 15, 5, 59, 59))
    assert hours.is_open(utc(2024, 1, 15, 6, 0))
    assert hours.is_open(utc(2024, 1, 15, 14, 14, 59))
    assert not hours.is_open(utc(2024, 1, 15, 14, 15))
    # Monday 10 Jun 2024, EEST (UTC+3): 08:00 local is 05:00 UTC.
    assert hours.is_open(utc(2024, 6, 10, 5, 0))
    assert not hours.is_open(utc(2024, 6, 10, 4, 59, 59))
    assert not hours.is_open(hel(2024, 6, 15, 12, 0))  # Saturday


def test_next_opening_across_spring_forward() -> None:
    hours = OpeningHours(WEEKDAYS)
    friday_evening = hel(2024, 3, 29, 17, 0)  # EET
    assert hours.next_opening(friday_evening) == utc(2024, 4, 1, 5, 0)  # Mon 08:00 EEST


def test_next_opening_across_fall_back() -> None:
    hours = OpeningHours(WEEKDAYS)
    friday_evening = hel(2024, 10, 25, 17, 0)  # EEST
    assert hours.next_opening(friday_evening) == utc(2024, 10, 28, 6, 0)  # Mon 08:00 EET


def test_next_opening_skips_closed_dates() -> None:
    hours = OpeningHours(WEEKDAYS, closed_dates=["2024-04-01"])  # Easter Monday
    assert not hours.is_open(hel(2024, 4, 1, 10, 0))
    assert hours.next_opening(hel(2024, 3, 29, 17, 0)) == hel(2024, 4, 2, 8, 0)


def test_next_opening_later_the_same_day_and_when_open() -> None:
    hours = OpeningHours({"tue": [["08:00", "11:00"], ["12:00", "16:00"]]})
    lunch = hel(2024, 6, 11, 11, 30)
    assert hours.next_opening(lunch) == hel(2024, 6, 11, 12, 0)
    assert hours.next_opening(hel(2024, 6, 11, 9, 0)) == hel(2024, 6, 11, 9, 0)


def test_opening_inside_the_spring_gap_happens_at_the_jump() -> None:
    # 03:00-04:00 does not exist in Helsinki on 31 Mar 2024 (jump at 01:00 UTC).
    hours = OpeningHours({"sun": [["03:30", "05:00"]]})
    assert hours.next_opening(utc(2024, 3, 30, 12, 0)) == utc(2024, 3, 31, 1, 0)
    assert not hours.is_open(utc(2024, 3, 31, 0, 59, 59))
    assert hours.is_open(utc(2024, 3, 31, 1, 0))
    assert not hours.is_open(utc(2024, 3, 31, 2, 0))  # 05:00 EEST


def test_interval_inside_the_autumn_fold_opens_twice() -> None:
    # 03:00-04:00 happens twice in Helsinki on 27 Oct 2024 (EEST, then EET).
    hours = OpeningHours({"sun": [["03:00", "03:30"]]})
    assert hours.next_opening(utc(2024, 10, 26, 12, 0)) == utc(2024, 10, 27, 0, 0)
    assert hours.is_open(utc(2024, 10, 27, 0, 15))
    assert not hours.is_open(utc(2024, 10, 27, 0, 45))
    assert hours.next_opening(utc(2024, 10, 27, 0, 45)) == utc(2024, 10, 27, 1, 0)
    assert hours.is_open(utc(2024, 10, 27, 1, 15))


def test_midnight_end() -> None:
    hours = OpeningHours({"sat": [["20:00", "24:00"]]})
    assert hours.is_open(hel(2024, 6, 15, 23, 59, 59))
    assert not hours.is_open(hel(2024, 6, 16, 0, 0))


def test_never_opening_within_fourteen_days_is_none() -> None:
    assert OpeningHours({}).next_opening(T0) is None
    # From Tue 11 Jun the search covers local dates 11..25 Jun.
    closed = [f"2024-06-{d:02d}" for d in range(11, 26)]
    hours = OpeningHours(WEEKDAYS, closed_dates=closed)
    assert hours.next_opening(hel(2024, 6, 11, 6, 0)) is None
    assert OpeningHours(WEEKDAYS, closed_dates=closed[:-1]).next_opening(
        hel(2024, 6, 11, 6, 0)
    ) == hel(2024, 6, 25, 8, 0)


def test_always_open() -> None:
    hours = OpeningHours.always()
    for t in (T0, utc(2024, 3, 31, 1, 30), utc(2024, 12, 31, 23, 59, 59)):
        assert hours.is_open(t) and hours.next_opening(t) == t


@pytest.mark.parametrize(
    "weekly",
    [
        {"monday": [["08:00", "16:00"]]},
        {"mon": [["08:00", "25:00"]]},
        {"mon": [["16:00", "08:00"]]},
        {"mon": [["24:00", "24:00"]]},
        {"mon": [["8", "16:00"]]},
        {"mon": [["08:00"]]},
    ],
)
def test_malformed_hours_are_refused(weekly: dict[str, list[list[str]]]) -> None:
    with pytest.raises(ValueError):
        OpeningHours(weekly)


# --------------------------------------------------------------------------- join


def test_successful_join_queues_and_tells_position() -> None:
    r = make_router()
    login(r, "a1", T0, ready=False)
    out = r.handle(JoinQueue("k1", "kela", "fi", priority=1), T0 + 3)
    assert of(out, EntryQueued) == [
        EntryQueued("entry-1", "k1", "kela", "fi", 1, T0 + 3, T0 + 3)
    ]
    # The one clerk is logged in but not ready yet: honestly, no estimate.
    assert of(out, QueuePosition) == [
        QueuePosition("k1", "entry-1", "kela", "fi", 1, None, "none", T0 + 3)
    ]


def test_join_unknown_service() -> None:
    r = make_router()
    out = r.handle(JoinQueue("k1", "poliisi", "fi"), T0)
    assert refusal(out) == JoinRefused("k1", "unknown_service", None, ())


def test_join_closed_service_tells_next_opening() -> None:
    r = Router(RouterConfig(), {"kela": service("kela", hours=OpeningHours(WEEKDAYS))})
    login(r, "a1", hel(2024, 6, 15, 9, 0))
    saturday = hel(2024, 6, 15, 10, 0)
    got = refusal(r.handle(JoinQueue("k1", "kela", "fi"), saturday))
    assert got.code == "service_closed"
    assert got.next_opening == hel(2024, 6, 17, 8, 0)
    assert got.languages_available == ("fi",)
    monday = hel(2024, 6, 17, 8, 0)
    assert of(r.handle(JoinQueue("k1", "kela", "fi"), monday), EntryQueued) != []


def test_queued_citizens_are_still_served_after_closing() -> None:
    r = Router(RouterConfig(), {"kela": service("kela", hours=OpeningHours(WEEKDAYS))})
    login(r, "a1", hel(2024, 6, 14, 16, 10), ready=False)
    r.handle(JoinQueue("k1", "kela", "fi"), hel(2024, 6, 14, 16, 14))
    offer = only_offer(r.handle(AgentReady("a1"), hel(2024, 6, 14, 16, 30)))
    assert offer.kiosk_id == "k1"


def test_join_full_queue_is_per_language() -> None:
    r = make_router(services={"kela": service("kela", max_queue=2)})
    login(r, "a1", T0, languages=("fi", "sv"), ready=False)
    r.handle(JoinQueue("k1", "kela", "fi"), T0)
    r.handle(JoinQueue("k2", "kela", "fi"), T0)
    got = refusal(r.handle(JoinQueue("k3", "kela", "fi"), T0 + 1))
    assert (got.code, got.next_opening) == ("queue_full", None)
    assert of(r.handle(JoinQueue("k3", "kela", "sv"), T0 + 1), EntryQueued) != []


def test_new_rules_apply_to_the_next_join_and_keep_those_waiting() -> None:
    r = make_router(services={"kela": service("kela", max_queue=3)})
    login(r, "a1", T0, ready=False)
    r.handle(JoinQueue("k1", "kela", "fi"), T0)
    r.handle(JoinQueue("k2", "kela", "fi"), T0)
    r.update_rules({"kela": service("kela", max_queue=1), "nope": service("nope")})
    assert refusal(r.handle(JoinQueue("k3", "kela", "fi"), T0 + 1)).code == "queue_full"
    assert [e.kiosk_id for e in r.entries()] == ["k1", "k2"]
    assert set(r.services) == {"kela"}  # an unknown service is not added on the fly


def test_offered_entries_still_count_towards_full() -> None:
    r = make_router(services={"kela": service("kela", max_queue=1)})
    login(r, "a1", T0)
    assert of(r.handle(JoinQueue("k1", "kela", "fi"), T0), OfferSent) != []
    assert refusal(r.handle(JoinQueue("k2", "kela", "fi"), T0)).code == "queue_full"


def test_join_language_unavailable_lists_the_alternatives() -> None:
    r = make_router()
    login(r, "a1", T0, skills=("kela",), languages=("fi", "sv"))
    login(r, "a2", T0, skills=("vero",), languages=("en",))
    got = refusal(r.handle(JoinQueue("k1", "kela", "en"), T0))
    assert got == JoinRefused("k1", "language_unavailable", None, ("fi", "sv"))
    assert r.entry_for_kiosk("k1") is None  # never rerouted silently


def test_join_with_nobody_logged_in_is_language_unavailable() -> None:
    r = make_router()
    assert refusal(r.handle(JoinQueue("k1", "kela", "fi"), T0)) == JoinRefused(
        "k1", "language_unavailable", None, ()
    )


def test_join_twice_is_already_queued() -> None:
    r = make_router()
    login(r, "a1", T0, ready=False)
    r.handle(JoinQueue("k1", "kela", "fi"), T0)
    assert refusal(r.handle(JoinQueue("k1", "vero", "fi"), T0 + 1)).code == "already_queued"


def test_join_during_call_is_already_queued() -> None:
    r = make_router()
    login(r, "a1", T0)
    offer = only_offer(r.handle(JoinQueue("k1", "kela", "fi"), T0))
    assert of(r.handle(AcceptOffer("a1", offer.offer_id), T0 + 1), CallStarted) != []
    assert refusal(r.handle(JoinQueue("k1", "kela", "fi"), T0 + 2)).code == "already_queued"
