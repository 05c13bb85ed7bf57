"""Erlang C and Erlang A: how many clerks a queue needs.

Both are steady-state models of one queue with Poisson arrivals (rate ``λ``), ``n``
identical clerks and exponential handle times (mean ``1/μ``); the offered load is
``A = λ/μ`` erlangs.

* **Erlang C** (M/M/n): every citizen waits as long as it takes. ``P(wait)`` is Erlang's
  delay formula, computed through the Erlang B recursion (no factorials, no overflow);
  ``P(wait > t) = P(wait)·e^{−(nμ − λ)t}``; ``ASA = P(wait)/(nμ − λ)``. It needs ``A < n``;
  at or above that the queue grows without bound and the figures say so (``P(wait)`` 1,
  service level 0, ASA infinite).
* **Erlang A** (Palm's M/M/n+M): each citizen also has an exponential patience (mean
  ``1/θ``) and gives up when it runs out. The birth-death chain of the number present
  (death rate ``μ·min(k, n) + θ·max(k − n, 0)``) is solved numerically, truncated where
  its terms vanish; an arrival finding ``k ≥ n`` present has ``k − n`` citizens ahead and
  moves up at rate ``nμ + iθ`` with ``i`` ahead while its own patience runs at rate
  ``θ``. From that tagged chain come the share answered, the mean wait of those
  answered, and (by uniformisation) the share answered within the target. It is always
  stable. With ``θ → 0`` it tends to Erlang C; with ``θ = μ`` the number present is
  Poisson(``A``), as in M/M/∞ (both are checked in the tests).

Service level is the share of **all** arrivals answered within the target time: a citizen
who gives up counts against it, whenever they gave up. ASA is the mean wait of the
citizens who were answered (0 for those answered at once).

Pure functions: no clock, no I/O. Times are in seconds, rates per second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from signaling.errors import ForecastError

__all__ = [
    "DEFAULT_TARGET_LEVEL",
    "DEFAULT_TARGET_S",
    "QueueFigures",
    "agents_needed",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "erlang_c_wait_probability",
]

DEFAULT_TARGET_S = 300.0  # "answered within 5 minutes"
DEFAULT_TARGET_LEVEL = 0.8  # "80 % of citizens"
MAX_AGENTS = 10_000
_TAIL = 1e-14  # stationary terms smaller than this share of the largest are dropped
_MAX_STATES = 200_000


@dataclass(frozen=True, slots=True)
class QueueFigures:
    """Steady-state figures of one queue with ``agents`` clerks."""

    agents: int
    offered_erlangs: float
    p_wait: float  # share of arrivals who cannot be answered at once
    service_level: float  # share of all arrivals answered within the target time
    asa_s: float  # mean wait of those answered; inf if the queue is unstable
    p_abandon: float  # share of arrivals who give up (0 in Erlang C)
    occupancy: float  # share of clerk time spent handling calls


def _check(agents: int, arrival_rate: float, handle_s: float, target_s: float) -> None:
    if agents < 0 or agents > MAX_AGENTS:
        raise ForecastError(f"agents must be in 0..{MAX_AGENTS}, got {agents}")
    if not (math.isfinite(arrival_rate) and arrival_rate >= 0):
        raise ForecastError(f"arrival rate must be a finite number >= 0, got {arrival_rate}")
    if not (math.isfinite(handle_s) and handle_s > 0):
        raise ForecastError(f"handle time must be a finite number > 0, got {handle_s}")
    if not (math.isfinite(target_s) and target_s >= 0):
        raise ForecastError(f"target time must be a finite number >= 0, got {target_s}")


def erlang_b(agents: int, erlangs: float) -> float:
    """Erlang's loss formula B(n, A), by the stable recursion B(k) = A·B(k−1)/(k + A·B(k−1))."""
    b = 1.0
    for k in range(1, agents + 1):
        b = erlangs * b / (k + erlangs * b)
    return b


def erlang_c_wait_probability(agents: int, erlangs: float) -> float:
    """Erlang's delay formula C(n, A): the probability that an arrival has to wait.

    1.0 when ``A ≥ n`` (the queue is unstable and everyone waits)."""
    if erlangs <= 0:
        return 0.0
    if agents <= erlangs:
        return 1.0
    b = erlang_b(agents, erlangs)
    return agents * b / (agents - erlangs * (1.0 - b))


def erlang_c(
    agents: int, arrival_rate: float, handle_s: float, target_s: float = DEFAULT_TARGET_S
) -> QueueFigures:
    """Erlang C figures for ``agents`` clerks, ``arrival_rate`` per second, mean ``handle_s``."""
    _check(agents, arrival_rate, handle_s, target_s)
    erlangs = arrival_rate * handle_s
    if erlangs == 0:
        return QueueFigures(agents, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0)
    if agents <= erlangs:
        return QueueFigures(agents, erlangs, 1.0, 0.0, math.inf, 0.0, 1.0 if agents else 0.0)
    p_wait = erlang_c_wait_probability(agents, erlangs)
    drain = (agents - erlangs) / handle_s  # nμ − λ
    return QueueFigures(
        agents,
        erlangs,
        p_wait,
        1.0 - p_wait * math.exp(-drain * target_s),
        p_wait / drain,
        0.0,
        erlangs / agents,
    )


def _stationary(agents: int, lam: float, mu: float, theta: float) -> list[float]:
    """Stationary distribution of the M/M/n+M chain, truncated where terms vanish."""
    logs = [0.0]
    k = 0
    while True:
        k += 1
        death = mu * min(k, agents) + theta * max(k - agents, 0)
        logs.append(logs[-1] + math.log(lam) - math.log(death))
        if k > agents and logs[-1] < logs[-2] and logs[-1] - max(logs) < math.log(_TAIL):
            break
        if k >= _MAX_STATES:
            raise ForecastError("queue too long to evaluate; check the patience time")
    top = max(logs)
    weights = [math.exp(v - top) for v in logs]
    total = math.fsum(weights)
    return [w / total for w in weights]


def _answered_within(
    ahead: list[float], agents: int, mu: float, theta: float, target_s: float
) -> float:
    """Probability mass answered within ``target_s`` for waiting arrivals, where
    ``ahead[i]`` is the probability of arriving with ``i`` citizens ahead.

    Uniformisation of the tagged citizen's chain: from ``i`` ahead it moves to ``i − 1``
    (or into service from 0) at rate ``nμ + iθ`` and gives up at rate ``θ``."""
    if target_s <= 0 or not ahead:
        return 0.0
    rates = [agents * mu + i * theta for i in range(len(ahead))]
    uniform = rates[-1] + theta
    x = uniform * target_s
    state = list(ahead)
    served = 0.0  # mass in service after `step` jumps of the uniformised chain
    result = 0.0
    cumulative = 0.0
    for step in range(int(x + 12 * math.sqrt(x) + 50) + 1):
        weight = math.exp(step * math.log(x) - x - math.lgamma(step + 1))  # Poisson(x)
        result += weight * served
        cumulative += weight
        new = [0.0] * len(state)
        served += state[0] * rates[0] / uniform
        for i, mass in enumerate(state):
            new[i] += mass * (1.0 - (rates[i] + theta) / uniform)
            if i > 0:
                new[i - 1] += mass * rates[i] / uniform
        state = new
    # The Poisson tail left out had even more time: count it with the mass served by then.
    return result + max(0.0, 1.0 - cumulative) * served


def erlang_a(
    agents: int,
    arrival_rate: float,
    handle_s: float,
    patience_s: float,
    target_s: float = DEFAULT_TARGET_S,
) -> QueueFigures:
    """Erlang A figures: as :func:`erlang_c`, with citizens who give up after an
    exponential patience of mean ``patience_s`` (``inf`` gives Erlang C)."""
    _check(agents, arrival_rate, handle_s, target_s)
    if math.isinf(patience_s):
        return erlang_c(agents, arrival_rate, handle_s, target_s)
    if not (patience_s > 0):
        raise ForecastError(f"patience must be > 0 seconds, got {patience_s}")
    lam, mu, theta = arrival_rate, 1.0 / handle_s, 1.0 / patience_s
    erlangs = lam * handle_s
    if lam == 0:
        return QueueFigures(agents, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0)
    if agents == 0:
        return QueueFigures(0, erlangs, 1.0, 0.0, math.inf, 1.0, 0.0)
    pi = _stationary(agents, lam, mu, theta)
    ahead = pi[agents:]
    p_wait = math.fsum(ahead)
    # Tagged chain, first-step analysis: s = P(answered | i ahead),
    # m = E[wait · 1{answered} | i ahead].
    served_mass = 0.0
    wait_mass = 0.0
    s_prev, m_prev = 1.0, 0.0
    for i, p in enumerate(ahead):
        move = agents * mu + i * theta
        out = move + theta
        q = move / out
        s = q * s_prev
        m = s / out + q * m_prev
        served_mass += p * s
        wait_mass += p * m
        s_prev, m_prev = s, m
    p_served = (1.0 - p_wait) + served_mass
    within = (1.0 - p_wait) + _answered_within(ahead, agents, mu, theta, target_s)
    return QueueFigures(
        agents,
        erlangs,
        p_wait,
        min(1.0, within),
        wait_mass / p_served if p_served > 0 else math.inf,
        max(0.0, 1.0 - p_served),
        min(1.0, erlangs * p_served / agents),
    )


def agents_needed(
    arrival_rate: float,
    handle_s: float,
    *,
    target_s: float = DEFAULT_TARGET_S,
    target_level: float = DEFAULT_TARGET_LEVEL,
    patience_s: float | None = None,
) -> int:
    """Fewest clerks whose service level reaches ``target_level`` (0 when nobody comes).

    Erlang C without ``patience_s``, Erlang A with it. Raises :class:`ForecastError` when
    even :data:`MAX_AGENTS` clerks would not do."""
    if not 0 < target_level < 1:
        raise ForecastError(f"target level must be in (0, 1), got {target_level}")
    _check(0, arrival_rate, handle_s, target_s)
    if arrival_rate == 0:
        return 0
    erlangs = arrival_rate * handle_s
    # Erlang C needs more clerks than erlangs. With abandonment fewer may do, but never
    # fewer than level × A: n clerks answer at most n/A of the arrivals.
    start = math.floor(erlangs) + 1 if patience_s is None else math.floor(erlangs * target_level)
    start = max(1, start)
    for agents in range(start, MAX_AGENTS + 1):
        figures = (
            erlang_c(agents, arrival_rate, handle_s, target_s)
            if patience_s is None
            else erlang_a(agents, arrival_rate, handle_s, patience_s, target_s)
        )
        if figures.service_level >= target_level:
            return agents
    raise ForecastError(f"more than {MAX_AGENTS} clerks needed for {erlangs:.1f} erlangs")
