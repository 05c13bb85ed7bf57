"""The sans-I/O alert engine: raise, hold while undecided, clear; one alert per cause."""

from __future__ import annotations

from signaling.alerts import (
    AlertEngine,
    AlertRules,
    Cleared,
    Facts,
    KioskAlertFacts,
    QueueAlertFacts,
    Raised,
    kiosk_facts_for_alerts,
)

OK = {"camera": "ok", "microphone": "ok", "speaker": "ok"}


def kinds(changes: list[Raised | Cleared]) -> list[tuple[str, str, str]]:
    return [
        ("raise", c.condition.kind, c.condition.subject)
        if isinstance(c, Raised)
        else ("clear", c.key[0], c.key[1])
        for c in changes
    ]


def test_offline_kiosk_raises_once_and_clears_when_back() -> None:
    engine = AlertEngine(AlertRules())
    offline = Facts([KioskAlertFacts("k1", True)])
    assert kinds(engine.evaluate(offline, 10)) == [("raise", "kiosk_offline", "k1")]
    assert engine.evaluate(offline, 11) == []
    engine.bind(("kiosk_offline", "k1"), 42)
    # Undecided (a restart's grace) keeps it.
    assert engine.evaluate(Facts([KioskAlertFacts("k1", None)]), 12) == []
    changes = engine.evaluate(Facts([KioskAlertFacts("k1", False, OK)]), 13)
    assert changes == [Cleared(("kiosk_offline", "k1"), 42, 13)]


def test_device_fault_only_judged_while_online() -> None:
    engine = AlertEngine(AlertRules())
    broken = {**OK, "camera": "failed"}
    changes = engine.evaluate(Facts([KioskAlertFacts("k1", False, broken)]), 1)
    assert kinds(changes) == [("raise", "device_fault", "k1/camera")]
    assert isinstance(changes[0], Raised)
    assert changes[0].condition.detail == {"device": "camera", "status": "failed"}
    # Offline: devices unknown, the fault alert stays, an offline alert joins it.
    changes = engine.evaluate(Facts([KioskAlertFacts("k1", True, broken)]), 2)
    assert kinds(changes) == [("raise", "kiosk_offline", "k1")]
    changes = engine.evaluate(Facts([KioskAlertFacts("k1", False, OK)]), 3)
    assert sorted(kinds(changes)) == [
        ("clear", "device_fault", "k1/camera"),
        ("clear", "kiosk_offline", "k1"),
    ]


def test_repeated_call_failures() -> None:
    engine = AlertEngine(AlertRules(call_failures=3))
    two = kiosk_facts_for_alerts("k1", False, OK, ["media_failed", "kiosk_lost", "hangup"])
    assert engine.evaluate(Facts([two]), 1) == []
    three = kiosk_facts_for_alerts("k1", False, OK, ["media_failed", "agent_lost", "failed"])
    assert kinds(engine.evaluate(Facts([three]), 2)) == [("raise", "call_failures", "k1")]
    four = kiosk_facts_for_alerts("k1", False, OK, ["device_failed", "media_failed"])
    assert engine.evaluate(Facts([four]), 3) == []  # newest still failing: held
    good = kiosk_facts_for_alerts("k1", False, OK, ["hangup", "media_failed", "media_failed"])
    assert kinds(engine.evaluate(Facts([good]), 4)) == [("clear", "call_failures", "k1")]


def test_longest_wait_over_threshold() -> None:
    engine = AlertEngine(AlertRules(longest_wait_s=600))
    assert engine.evaluate(Facts(longest_waits={("kela.benefits", "fi"): 600.0}), 1) == []
    changes = engine.evaluate(Facts(longest_waits={("kela.benefits", "fi"): 601.0}), 2)
    assert kinds(changes) == [("raise", "long_wait", "kela.benefits/fi")]
    assert isinstance(changes[0], Raised) and changes[0].condition.service_id == "kela.benefits"
    # The queue emptied: it is gone from the facts, so the alert clears.
    assert kinds(engine.evaluate(Facts(), 3)) == [("clear", "long_wait", "kela.benefits/fi")]


def test_adopted_alerts_survive_restart_until_cause_goes() -> None:
    engine = AlertEngine(AlertRules())
    engine.adopt("kiosk_offline", "k1", 7, 100.0)
    engine.adopt("no_such_kind", "x", 8, 100.0)
    assert engine.active() == {("kiosk_offline", "k1"): 7}
    assert engine.evaluate(Facts([KioskAlertFacts("k1", True)]), 200) == []
    assert engine.evaluate(Facts([KioskAlertFacts("k1", False)]), 201) == [
        Cleared(("kiosk_offline", "k1"), 7, 201)
    ]


def test_language_unserved_after_grace_and_cleared_when_a_clerk_is_back() -> None:
    engine = AlertEngine(AlertRules(unserved_after_s=60))
    nobody = QueueAlertFacts("kela.benefits", "sv", 59.0, available_agents=0)
    assert engine.evaluate(Facts(waiting_queues=[nobody]), 1) == []  # within the grace
    nobody = QueueAlertFacts("kela.benefits", "sv", 60.0, available_agents=0)
    changes = engine.evaluate(Facts(waiting_queues=[nobody]), 2)
    assert kinds(changes) == [("raise", "language_unserved", "kela.benefits/sv")]
    assert isinstance(changes[0], Raised)
    assert changes[0].condition.service_id == "kela.benefits"
    assert changes[0].condition.detail == {"language": "sv"}
    assert engine.evaluate(Facts(waiting_queues=[nobody]), 3) == []  # raised once
    # A Swedish-speaking clerk is back (ready, or busy serving that queue): cleared.
    back = QueueAlertFacts("kela.benefits", "sv", 300.0, available_agents=1)
    assert kinds(engine.evaluate(Facts(waiting_queues=[back]), 4)) == [
        ("clear", "language_unserved", "kela.benefits/sv")
    ]
    # Raised again, then the queue empties: cleared too.
    engine.evaluate(Facts(waiting_queues=[nobody]), 5)
    assert kinds(engine.evaluate(Facts(), 6)) == [
        ("clear", "language_unserved", "kela.benefits/sv")
    ]


def test_a_busy_queue_with_clerks_is_not_unserved() -> None:
    engine = AlertEngine(AlertRules(unserved_after_s=0))
    served = QueueAlertFacts("vero.tax", "fi", 900.0, available_agents=2)
    other = QueueAlertFacts("vero.tax", "en", 0.0, available_agents=0)
    assert kinds(engine.evaluate(Facts(waiting_queues=[served, other]), 1)) == [
        ("raise", "language_unserved", "vero.tax/en")
    ]
