"""The simulated day: offers equal a replay of its event log; seeded; fits a data directory."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bench.sim import figures
from bench.sim.profile import default_profile, profile_from_data
from bench.sim.world import Settings, World, counter_ids
from signaling.routing.actions import OfferSent
from signaling.routing.model import RouterConfig
from signaling.routing.router import Router
from signaling.store.dialect import pick
from signaling.store.schema import MIGRATIONS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def day() -> World:
    return World(default_profile(7), RouterConfig(), 7, Settings()).run()


def test_offers_equal_a_replay_of_the_recorded_event_log(day: World) -> None:
    offers = [o for _t, o in day.offers]
    assert len(offers) > 200  # a real day: hundreds of offers, declines and timeouts
    replayed = Router(RouterConfig(), day.profile.services, id_factory=counter_ids())
    actions = []
    for now, event in day.log:
        actions.extend(replayed.handle(event, now))
    assert [a for a in actions if isinstance(a, OfferSent)] == offers
    assert actions == day.actions  # every action, estimates included, in the same order


def test_the_estimator_changes_what_kiosks_hear_not_who_is_offered(day: World) -> None:
    staffed = World(default_profile(7), RouterConfig(estimator="staffed"), 7, Settings()).run()
    assert [o for _t, o in staffed.offers] == [o for _t, o in day.offers]
    assert staffed.actions != day.actions  # the QueuePosition pushes differ


def test_the_new_estimate_keeps_its_promises(day: World) -> None:
    est = figures.estimates(day)
    assert est["citizens_shown_soon"] > 5
    assert est["soon_then_over_10min"] == 0
    assert est["first"]["within_2min"] > 0.6


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_seed_repeats_exactly_and_another_differs() -> None:
    def run(seed: int) -> str:
        proc = subprocess.run(
            [sys.executable, "bench/sim_day.py", "--json", "--no-save", "--seed", str(seed)],
            cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
        )
        lines = proc.stdout.strip().splitlines()
        assert len(lines) == 1
        result = json.loads(lines[0])
        result.pop("cpu_s")
        return json.dumps(result, sort_keys=True)

    first = run(3)
    assert run(3) == first
    assert run(4) != first
    result = json.loads(first)
    assert result["same_offers_both_estimators"] is True
    for estimator in ("staffed", "agents"):
        assert result["estimates"][estimator]["first"]["median_abs_error_s"] is not None
    assert 0 < result["service"]["service_level"] <= 1


def make_data_dir(path: Path) -> None:
    """A store database with one weekday of call records, through the real schema."""
    conn = sqlite3.connect(path / "etapiste.db")
    for migration in MIGRATIONS:
        for statement in migration:
            if text := pick(statement, "sqlite"):
                conn.execute(text)
    tz = ZoneInfo("Europe/Helsinki")
    day = dt.datetime(2025, 3, 5, tzinfo=tz)  # a Wednesday
    conn.execute(
        "INSERT INTO accounts (id, username, display_name, role, password_hash, created_at) "
        "VALUES ('clerk-a', 'a', 'A', 'agent', 'x', 0)"
    )
    conn.execute("INSERT INTO agent_skills VALUES ('clerk-a', 'kela.benefits')")
    conn.execute("INSERT INTO agent_languages VALUES ('clerk-a', 'fi')")
    for i in range(40):  # 40 Kela calls in Finnish from Lieksa, 10:00-12:00, 8 min each
        queued = (day + dt.timedelta(hours=10, minutes=3 * i)).timestamp()
        answered = queued + 60
        conn.execute(
            "INSERT INTO calls (id, entry_id, kiosk_id, site_id, agent_id, service_id, "
            "language, queued_at, offered_at, answered_at, ended_at, outcome) "
            "VALUES (?, ?, 'k1', 'lieksa', 'clerk-a', 'kela.benefits', 'fi', ?, ?, ?, ?, ?)",
            (f"c{i}", f"e{i}", queued, answered, answered, answered + 480, "answered"),
        )
    for i in range(6):  # some gave up after 10 minutes
        queued = (day + dt.timedelta(hours=13, minutes=5 * i)).timestamp()
        conn.execute(
            "INSERT INTO calls (id, entry_id, kiosk_id, site_id, service_id, language, "
            "queued_at, ended_at, outcome) VALUES (?, ?, 'k1', 'lieksa', 'kela.benefits', "
            "'fi', ?, ?, 'cancelled')",
            (f"g{i}", f"ge{i}", queued, queued + 600),
        )
    conn.commit()
    conn.close()


def test_a_day_fitted_to_a_data_directory(tmp_path: Path) -> None:
    make_data_dir(tmp_path)
    profile = profile_from_data(tmp_path, seed=1)
    assert set(profile.rates) == {("kela.benefits", "fi", "lieksa")}
    assert profile.rates[("kela.benefits", "fi", "lieksa")] == {10: 20.0, 11: 20.0, 13: 6.0}
    assert profile.handle["kela.benefits"].mean == pytest.approx(480.0, rel=0.02)
    # 40 waited 60 s, 6 waited 600 s and gave up: 6000 s / 6 = 1000 s mean patience.
    assert profile.patience == pytest.approx(1000.0)
    assert [c.clerk_id for c in profile.clerks] == ["clerk-a"]
    world = World(profile, RouterConfig(), 1, Settings()).run()
    service = figures.service(world)
    assert service["joined"] > 20
    assert service["answered"] > 0
