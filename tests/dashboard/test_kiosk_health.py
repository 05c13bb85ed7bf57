"""Online/offline from heartbeat age, with a fake clock: the 30 s promise under default settings."""

from __future__ import annotations

import pytest

from signaling.kiosk_health import HealthPolicy, KioskFacts, KioskHealthTracker
from signaling.settings import Settings

T0 = 1_760_000_000.0


def default_policy() -> HealthPolicy:
    s = Settings()
    return HealthPolicy(s.kiosk_health_interval_s, s.kiosk_offline_missed)


def test_defaults_are_ten_second_reports_and_two_misses() -> None:
    policy = default_policy()
    assert (policy.interval_s, policy.missed) == (10.0, 2)
    assert policy.offline_after_s == 25.0


@pytest.mark.parametrize("last_report_before_death", [0.0, 0.1, 5.0, 9.9])
def test_dead_kiosk_shows_offline_within_30_s(last_report_before_death: float) -> None:
    """The server evaluates once a second; the kiosk dies at a random point of its period."""
    policy = default_policy()
    tracker = KioskHealthTracker(policy, started_at=T0 - 3600)
    death = T0 + 1000.37
    last_beat = death - last_report_before_death
    # Before it died, it reported every 10 s; evaluations every second see it online.
    t = T0 + 900.0
    while t < death:
        beat = last_beat - ((last_beat - t) // policy.interval_s + 1) * policy.interval_s
        beat = min(last_beat, max(beat, T0))
        statuses, _ = tracker.evaluate([KioskFacts("k1", True, beat if beat <= t else None)], t)
        t += 1.0
    shown_offline_at = None
    while t < death + 60:
        statuses, changes = tracker.evaluate([KioskFacts("k1", False, last_beat)], t)
        if statuses["k1"].state == "offline":
            shown_offline_at = t
            assert [(c.old, c.new) for c in changes] == [("online", "offline")]
            break
        t += 1.0
    assert shown_offline_at is not None
    assert shown_offline_at - death < 30.0
    # ...and not before two reports are overdue.
    assert shown_offline_at - last_beat > 2 * policy.interval_s


def test_one_missed_report_is_not_offline() -> None:
    tracker = KioskHealthTracker(default_policy(), started_at=T0)
    statuses, _ = tracker.evaluate([KioskFacts("k1", True, T0 + 100)], T0 + 100 + 19.9)
    assert statuses["k1"].state == "online"


def test_never_seen_and_restart_grace() -> None:
    tracker = KioskHealthTracker(default_policy(), started_at=T0)
    statuses, _ = tracker.evaluate(
        [KioskFacts("new", False, None), KioskFacts("old", False, T0 - 3600)], T0 + 1
    )
    assert statuses["new"].state == "never_seen"
    # Offline (honestly) at once, but no alert until kiosks had one window to reconnect.
    assert statuses["old"].state == "offline" and not statuses["old"].alertable
    statuses, _ = tracker.evaluate([KioskFacts("old", False, T0 - 3600)], T0 + 26)
    assert statuses["old"].alertable


def test_kiosk_comes_back_online() -> None:
    tracker = KioskHealthTracker(default_policy(), started_at=T0)
    tracker.evaluate([KioskFacts("k1", False, T0)], T0 + 40)
    statuses, changes = tracker.evaluate([KioskFacts("k1", True, T0 + 41)], T0 + 41)
    assert statuses["k1"].state == "online"
    assert [(c.old, c.new) for c in changes] == [("offline", "online")]
