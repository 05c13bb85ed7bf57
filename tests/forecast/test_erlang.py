"""Erlang C against published tables; Erlang A against its exact special cases and a simulation."""

from __future__ import annotations

import heapq
import math
import random

import pytest

from signaling.erlang import (
    agents_needed,
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_c_wait_probability,
)
from signaling.errors import ForecastError

# --- Erlang C: published values --------------------------------------------------------------
#
# [CCH] Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example"
#   (https://www.callcentrehelper.com/erlang-c-formula-example-121281.htm): 100 calls in
#   30 minutes, average handle time 180 s, answer target 20 s, i.e. 10 erlangs. The same
#   example with its figures to seven digits is the README of the CRAN package ErlangC 0.1.0
#   (https://stat.ethz.ch/CRAN/web/packages/ErlangC/readme/README.html):
#   14 agents: wait probability 0.1741319, service level 0.88835, ASA 7.836 s,
#   occupancy 0.7142857; 11 agents: wait probability 0.6821182, service level 0.3896138;
#   14 agents are the fewest for 80 % within 20 s.
# [TETRA] J. Dunlop, D. Girma, J. Irvine, "Digital Mobile Communications and the TETRA
#   System", Wiley 1999, appendix A.4 "Erlang C table", p. 424, worked example: with 8
#   channels and 5 % of calls delayed the table gives A = 3.87 erlangs; for 1 % delayed at
#   about that traffic 10 channels are needed, the table's value being A = 4.08; a queued
#   call waits longer than one mean holding time with probability e^{-(C-A)} = 0.016 for
#   C = 8 (A = 3.87).
#
# Our own computation of each value is in the comment beside it.

CCH_RATE = 100 / 1800  # calls per second
CCH_AHT = 180.0


def test_cch_14_agents_wait_probability() -> None:
    # [CCH] 0.1741319; computed 0.17413193
    assert erlang_c_wait_probability(14, 10.0) == pytest.approx(0.1741319, abs=5e-8)


def test_cch_14_agents_service_level_asa_occupancy() -> None:
    figures = erlang_c(14, CCH_RATE, CCH_AHT, target_s=20)
    assert figures.offered_erlangs == pytest.approx(10.0)
    # [CCH] 0.88835; computed 0.88835002
    assert figures.service_level == pytest.approx(0.88835, abs=5e-6)
    # [CCH] 7.836 s; computed 7.8359
    assert figures.asa_s == pytest.approx(7.836, abs=5e-4)
    # [CCH] 0.7142857
    assert figures.occupancy == pytest.approx(0.7142857, abs=5e-8)


def test_cch_11_agents() -> None:
    figures = erlang_c(11, CCH_RATE, CCH_AHT, target_s=20)
    # [CCH] 0.6821182; computed 0.68211820
    assert figures.p_wait == pytest.approx(0.6821182, abs=5e-8)
    # [CCH] 0.3896138; computed 0.38961381
    assert figures.service_level == pytest.approx(0.3896138, abs=5e-8)


def test_cch_agents_needed_for_80_in_20() -> None:
    # [CCH] 14 agents; 13 give 0.78 (computed), just short of 80 %.
    assert agents_needed(CCH_RATE, CCH_AHT, target_s=20, target_level=0.8) == 14
    assert erlang_c(13, CCH_RATE, CCH_AHT, target_s=20).service_level < 0.8


def test_tetra_table_8_channels_5_percent() -> None:
    # [TETRA] A = 3.87 for 5 %; computed C(8, 3.87) = 0.05009 (the table rounds A to 0.01)
    assert erlang_c_wait_probability(8, 3.87) == pytest.approx(0.05, abs=5e-4)
    assert erlang_c_wait_probability(8, 3.86) < 0.05 < erlang_c_wait_probability(8, 3.88)


def test_tetra_table_10_channels_1_percent() -> None:
    # [TETRA] A = 4.08 for 1 %; computed C(10, 4.08) = 0.01005
    assert erlang_c_wait_probability(10, 4.08) == pytest.approx(0.01, abs=1e-4)
    assert erlang_c_wait_probability(10, 4.07) < 0.01 < erlang_c_wait_probability(10, 4.09)


def test_tetra_queued_call_waits_beyond_one_holding_time() -> None:
    # [TETRA] 0.016 for C = 8, A = 3.87: P(wait > T | wait) = e^{-(C - A)}; computed 0.01608
    holding = 100.0
    figures = erlang_c(8, 3.87 / holding, holding, target_s=holding)
    assert (1 - figures.service_level) / figures.p_wait == pytest.approx(0.016, abs=5e-4)


# --- Erlang C: properties ----------------------------------------------------------------------


def test_single_server_waits_with_probability_rho() -> None:
    for rho in (0.1, 0.5, 0.9):
        assert erlang_c_wait_probability(1, rho) == pytest.approx(rho)


def test_erlang_b_known_recursion_start() -> None:
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_b(2, 1.0) == pytest.approx(0.2)


def test_unstable_queue_reports_everyone_waiting_forever() -> None:
    figures = erlang_c(5, 6 / 300, 300.0)  # 6 erlangs on 5 clerks
    assert (figures.p_wait, figures.service_level, figures.asa_s) == (1.0, 0.0, math.inf)


def test_no_arrivals_need_no_clerks() -> None:
    assert agents_needed(0.0, 300.0) == 0
    assert erlang_c(0, 0.0, 300.0).service_level == 1.0


def test_bad_inputs_raise_typed_errors() -> None:
    with pytest.raises(ForecastError):
        erlang_c(3, -1.0, 300.0)
    with pytest.raises(ForecastError):
        erlang_c(3, 0.01, 0.0)
    with pytest.raises(ForecastError):
        erlang_a(3, 0.01, 300.0, patience_s=0.0)
    with pytest.raises(ForecastError):
        agents_needed(0.01, 300.0, target_level=1.0)
    with pytest.raises(ValueError):  # also a ValueError for generic handlers
        erlang_c(3, math.nan, 300.0)


def test_more_clerks_never_lower_the_service_level() -> None:
    levels = [erlang_c(n, 0.02, 300.0).service_level for n in range(7, 15)]
    assert levels == sorted(levels)
    levels_a = [erlang_a(n, 0.02, 300.0, 600.0).service_level for n in range(1, 15)]
    assert levels_a == sorted(levels_a)


# --- Erlang A ------------------------------------------------------------------------------------


def test_erlang_a_tends_to_erlang_c_as_patience_grows() -> None:
    c = erlang_c(12, 0.03, 300.0, target_s=60)  # 9 erlangs
    a = erlang_a(12, 0.03, 300.0, patience_s=1e9, target_s=60)
    assert a.p_wait == pytest.approx(c.p_wait, rel=1e-5)
    assert a.service_level == pytest.approx(c.service_level, rel=1e-5)
    assert a.asa_s == pytest.approx(c.asa_s, rel=1e-4)
    assert a.p_abandon < 1e-6


def test_erlang_a_with_patience_equal_to_handle_time_is_poisson() -> None:
    # With θ = μ every citizen present leaves at rate μ, served or not, so the number
    # present is Poisson(A) as in M/M/∞ (an exact result, not an approximation).
    agents, erlangs, handle = 6, 7.5, 240.0
    a = erlang_a(agents, erlangs / handle, handle, patience_s=handle)
    poisson = [math.exp(-erlangs) * erlangs**k / math.factorial(k) for k in range(80)]
    assert a.p_wait == pytest.approx(sum(poisson[agents:]), rel=1e-9)
    queue = sum((k - agents) * p for k, p in enumerate(poisson) if k > agents)
    # Abandonment rate θ·E[queue] over arrival rate λ.
    assert a.p_abandon == pytest.approx(queue / erlangs, rel=1e-9)


def simulate_mmn_m(
    agents: int, rate: float, handle_s: float, patience_s: float, target_s: float, n: int
) -> tuple[float, float, float, float]:
    """Monte Carlo of the FIFO M/M/n+M queue: (P(wait), P(abandon), service level, ASA).

    Exact event logic for FIFO with exponential patience: an arrival is answered when the
    earliest clerk frees up, unless its patience runs out first; those who give up never
    hold a clerk, so the clerks' free times are all that is needed."""
    rng = random.Random(20240611)
    free = [0.0] * agents
    t = 0.0
    waited = abandoned = within = answered = 0
    wait_sum = 0.0
    for _ in range(n):
        t += rng.expovariate(rate)
        wait = max(0.0, free[0] - t)
        waited += wait > 0
        if wait > rng.expovariate(1 / patience_s):
            abandoned += 1
            continue
        answered += 1
        wait_sum += wait
        within += wait <= target_s
        heapq.heapreplace(free, t + wait + rng.expovariate(1 / handle_s))
    return waited / n, abandoned / n, within / n, wait_sum / answered


def test_erlang_a_matches_a_simulation() -> None:
    agents, rate, handle, patience, target = 8, 8.5 / 420, 420.0, 600.0, 120.0
    p_wait, p_abandon, level, asa = simulate_mmn_m(agents, rate, handle, patience, target, 300_000)
    a = erlang_a(agents, rate, handle, patience, target)
    assert a.p_wait == pytest.approx(p_wait, abs=0.01)
    assert a.p_abandon == pytest.approx(p_abandon, abs=0.005)
    assert a.service_level == pytest.approx(level, abs=0.01)
    assert a.asa_s == pytest.approx(asa, rel=0.04)
    # The overloaded queue (8.5 erlangs on 8 clerks) is stable only thanks to abandonment.
    assert a.p_abandon > 0.05


def test_erlang_a_needs_fewer_clerks_than_erlang_c() -> None:
    c = agents_needed(0.05, 300.0)  # 15 erlangs, 80 % within 5 min
    a = agents_needed(0.05, 300.0, patience_s=600.0)
    assert a <= c
    assert erlang_a(a, 0.05, 300.0, 600.0).service_level >= 0.8
    assert erlang_a(a - 1, 0.05, 300.0, 600.0).service_level < 0.8
