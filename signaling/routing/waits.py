"""The wait a waiting citizen is told, from what each clerk is doing now.

For one service × language queue the estimate looks at the clerks who serve it (logged in,
with the skill and the language) and asks when each will next be free to take a citizen:

* **ready** now: free now;
* **offered** a citizen (reserved): free after that citizen's expected answer, call and
  wrap-up;
* **in a call** for ``e`` seconds: free after the call's expected *remaining* time given
  that it has lasted ``e`` (from recent handle times of that service, see
  :class:`~signaling.routing.estimate.HandleTimes`) and a wrap-up;
* **in wrap-up**: free when the wrap-up is expected to end (no later than its timer);
* **not ready** (a break, lunch, a meeting, just logged in, missed offers): back after the
  expected rest of such a spell, from how long clerks stayed away for that reason today
  (:class:`~signaling.routing.observed.Observed`); a reason not seen often enough, or a
  spell longer than those seen, is not counted: nobody knows when they come back;
* asked to go not ready after this call: free after the call and that spell, likewise.

If no clerk of the queue is counted the honest answer is **no estimate**, as it is when
nobody serving the queue is logged in.

After its first free moment a clerk takes another citizen every ``cycle`` seconds (expected
answer delay + mean handle time + mean wrap-up). Merged over the clerks these free moments
are the queue's *slots*, earliest first. Ready and wrap-up moments are certain; the others
are expectations, and the first of several uncertain ones comes sooner than any one of
them (see :class:`Slots`): two clerks who each have about four minutes of a call left
free the first of them in about two.

The citizens ahead of you use slots in serving order, but not all of them: each one ahead
is still waiting when its turn comes with probability ``e^{−θ·t}`` (``θ``: the give-up
rate seen in that service, ``t``: how far away its turn is), and citizens of *other*
queues served by the same clerks who joined before you use a share of the slots: the
share of their queue's clerks that also serve yours. (Matching ranks by priority, then by
time joined; across queues only the time is used here, which is exact while priorities
are equal and keeps the count a binary search.) A citizen already offered to a clerk uses
no slot (that clerk's free time already counts the call). With ``m`` expected citizens
ahead, your turn is slot ``m`` (interpolated between slots when ``m`` is fractional).

What the kiosk is told (:class:`WaitEstimate`):

* ``"soon"`` only when it stays true even if clerks let you down: you have been offered to
  a clerk, or your slot is a clerk who is ready now or finishing a wrap-up, at most
  :data:`SOON_S` away, *and* two more such clerks are there should that one decline, miss
  the offer or leave for a break. The simulated day (``bench/sim_day.py``) chose two: with
  no spare an offered clerk who leaves for a break instead leaves a citizen told "soon"
  waiting for half an hour; with one spare that happened on 1 day in 10 (both clerks let
  the citizen down within seconds); with two, on none of 30 days. Shown as
  :data:`SOON_SHOWN_S` (under a minute, so today's kiosk reads it as "less than a
  minute"); without the spares the citizen is told about a minute, which is as accurate;
* ``"minutes"``: the estimate rounded up as :func:`~signaling.routing.estimate.round_wait`
  does, and never under a minute (so it never reads as "soon");
* ``"none"``: no clerk of the queue is working; shown as ``None``.

The function is pure: the router gathers the clerks and the queues and passes the time.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from signaling.routing.actions import EstimateKind
from signaling.routing.estimate import round_wait

SOON_S = 60.0  # a slot this close, and certain, is "soon"
SOON_SHOWN_S = 30.0
MIN_MINUTES_S = 60.0  # a "minutes" estimate is never shown as less than this
# Cost bounds (an estimate far down a long queue needs no precision, and the router must
# stay cheap with thousands waiting): the first EXACT_POSITIONS citizens of a queue are
# counted against the other queues; later ones advance by the average step of those.
# The first EXACT_SLOTS free moments follow every clerk; later ones come at the long-run
# rate of every clerk on fresh calls.
EXACT_POSITIONS = 20
EXACT_SLOTS = 16


class WaitEstimate(NamedTuple):
    """An estimate for one position: what kind, the raw prediction and what is shown.

    (A named tuple because the router makes one per waiting citizen it rechecks.)"""

    kind: EstimateKind
    seconds: float | None  # predicted wait from now, unrounded; None for "none"
    shown_s: float | None  # what the kiosk is told (rounded); None for "none"


NO_ESTIMATE = WaitEstimate("none", None, None)


@dataclass(frozen=True, slots=True)
class Clerk:
    """A clerk of the queue as the estimate sees them."""

    free_at: float  # when they can next take a citizen (certain), or its expected value
    certain: bool  # ready now or finishing a wrap-up: free_at does not hang on a call


class Queued(Protocol):
    """A citizen of the estimated queue as the estimate reads it (the router's entries)."""

    @property
    def enqueued_at(self) -> float: ...
    @property
    def offer_id(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Waiting:
    """A citizen of the estimated queue, for callers without the router's entries."""

    enqueued_at: float
    offer_id: str | None = None  # set while an offer to a clerk reserves the citizen


@dataclass(frozen=True, slots=True)
class Predictions:
    """A queue's predicted waits from the moment they were computed, one per place in
    serving order (then the newcomers'), and which of them are a sure "soon".

    Kept raw: what the kiosk is shown depends on when it is told (see :func:`shown`).
    """

    seconds: list[float]
    soon: list[bool]

    def estimate(self, index: int) -> WaitEstimate:
        """The estimate of place ``index`` (0-based) as computed."""
        return shown("soon" if self.soon[index] else "minutes", self.seconds[index])


class Competing(NamedTuple):
    """Another queue whose citizens the same clerks also serve."""

    joined: Sequence[float]  # sorted join times of its citizens not yet offered
    share: float  # share of that queue's work that falls on this queue's clerks
    hazard: float  # its give-up rate per second of waiting


def shown(kind: EstimateKind, seconds: float | None) -> WaitEstimate:
    """The estimate of ``kind`` for a predicted wait, rounded for the kiosk."""
    if kind == "none" or seconds is None:
        return NO_ESTIMATE
    if kind == "soon":
        return WaitEstimate("soon", seconds, SOON_SHOWN_S)
    return WaitEstimate("minutes", seconds, max(MIN_MINUTES_S, round_wait(seconds)))


class Slots:
    """The expected free moments of a queue's clerks, earliest first, generated as needed.

    A ready clerk is free now, one in wrap-up when it ends: those moments are certain.
    When a clerk in a call frees up is not: the expected *first* of several calls to end
    comes much sooner than the earliest expected end of any one of them. So the remaining
    time of each call is taken as exponential with its expected value, and a clerk who
    takes a citizen starts a fresh one of mean ``cycle``. Between certain moments the
    clerks in calls then free up at the total rate ``Λ = Σ rates``, and the next
    uncertain moment is expected ``1/Λ`` later. Which clerk it was is uncertain too: each
    call-in-progress is taken to have ended with probability ``rate/Λ``, and that share
    of a clerk moves on to fresh calls (a deterministic mean-value recursion, no dice).
    """

    def __init__(self, now: float, clerks: Sequence[Clerk], cycle_s: float) -> None:
        self._fresh = 1.0 / max(1.0, cycle_s)
        self._certain_at = sorted(max(now, c.free_at) for c in clerks if c.certain)
        self._next_certain = 0
        self._rates = [1.0 / max(1.0, c.free_at - now) for c in clerks if not c.certain]
        self._mass = [1.0] * len(self._rates)  # share of each call still going on
        self._mass_sum = math.fsum(self._mass)
        self._cycling = 0.0  # clerks (in expectation) on fresh calls
        self._t = now
        self._times: list[float] = []
        self._certain: list[bool] = []
        self._steady = 0.0  # rate once past EXACT_SLOTS
        self._long_run = len(clerks) * self._fresh

    def _grow(self, index: int) -> None:
        times = self._times
        if len(times) > index or self._is_steady():
            return
        # The loop runs for every slot of every recomputation: locals, not attributes.
        flags, certain_at, rates = self._certain, self._certain_at, self._rates
        fresh, fsum, n_certain = self._fresh, math.fsum, len(certain_at)
        mass, mass_sum, cycling = self._mass, self._mass_sum, self._cycling
        t, upcoming = self._t, self._next_certain
        while len(times) <= index and not (self._steady > 0 and upcoming >= n_certain):
            ongoing = [m * r for m, r in zip(mass, rates)]  # noqa: B905 (same lengths)
            total = fsum(ongoing) + cycling * fresh
            guess = t + 1.0 / total if total > 0 else math.inf
            if upcoming < n_certain:
                at = certain_at[upcoming]
                if at <= guess:
                    upcoming += 1
                    t = max(t, at)
                    times.append(t)
                    flags.append(True)
                    cycling += 1.0  # that clerk now takes a citizen
                    continue
            t = guess
            times.append(guess)
            flags.append(False)
            # P(the clerk who freed up was this one), never more than is left of it.
            share = 1.0 / total
            left = [m - f * share if f * share < m else 0.0 for m, f in zip(mass, ongoing)]  # noqa: B905
            left_sum = fsum(left)
            cycling += mass_sum - left_sum
            mass, mass_sum = left, left_sum
            if len(times) >= EXACT_SLOTS:
                self._steady = self._long_run
        self._mass, self._mass_sum, self._cycling = mass, mass_sum, cycling
        self._t, self._next_certain = t, upcoming

    def _is_steady(self) -> bool:
        return self._steady > 0 and self._next_certain >= len(self._certain_at)

    def closed_form(self) -> tuple[int, float, float] | None:
        """(n, t, rate) such that :meth:`at` is ``t + (m - n + 1) / rate`` for every
        ``m ≥ n − 1``, once the slots are steady; None before."""
        if not self._is_steady():
            return None
        return len(self._times), self._times[-1], self._steady

    def at(self, m: float) -> float:
        """The expected time of fractional slot ``m`` (linear between slots)."""
        low = math.floor(m)
        if len(self._times) <= low + 1:
            self._grow(low + 1)
            if len(self._times) <= low + 1:  # steady from the last slot on: closed form
                return self._times[-1] + (m - len(self._times) + 1) / self._steady
        frac = m - low
        return self._times[low] + frac * (self._times[low + 1] - self._times[low])

    def certain(self, m: float) -> bool:
        """Whether slot ``m`` (and the next, when ``m`` is fractional) is certain."""
        low = math.floor(m)
        high = low if m == low else low + 1
        self._grow(high)
        return high < len(self._times) and self._certain[low] and self._certain[high]


def queue_waits(
    now: float,
    own: Sequence[Queued],
    clerks: Sequence[Clerk],
    *,
    cycle_s: float,
    hazard: float,
    answer_s: float,
    competing: Sequence[Competing] = (),
    newcomers: int = 0,
) -> list[WaitEstimate]:
    """Estimates for every citizen of ``own`` (in serving order) and for ``newcomers``
    more who would join at its end now."""
    found = queue_predictions(
        now,
        own,
        clerks,
        cycle_s=cycle_s,
        hazard=hazard,
        answer_s=answer_s,
        competing=competing,
        newcomers=newcomers,
    )
    if found is None:
        return [NO_ESTIMATE] * (len(own) + newcomers)
    return [found.estimate(i) for i in range(len(found.seconds))]


def queue_predictions(
    now: float,
    own: Sequence[Queued],
    clerks: Sequence[Clerk],
    *,
    cycle_s: float,
    hazard: float,
    answer_s: float,
    competing: Sequence[Competing] = (),
    newcomers: int = 0,
) -> Predictions | None:
    """:func:`queue_waits` unrounded, as :class:`Predictions`; None when no clerk is
    counted (no estimate for anyone).

    It runs on every recomputation of a busy queue, so it is written for speed: the first
    :data:`EXACT_POSITIONS` places are counted against the other queues, the rest only
    step along the slots (no object per place)."""
    if not clerks:
        return None
    total = len(own) + newcomers
    n_own = len(own)
    slots = Slots(now, clerks, cycle_s)
    at = slots.at
    others = [c for c in competing if c.joined and c.share > 0]
    counted = [0] * len(others)  # citizens of each other queue counted so far
    upcoming = [c.joined[0] for c in others]  # join time of the first one not counted
    m = 0.0
    seconds: list[float] = []
    soon: list[bool] = []
    for index in range(min(total, EXACT_POSITIONS)):
        waiting = own[index] if index < n_own else None
        if others:
            joined = waiting.enqueued_at if waiting is not None else now
            turn = max(0.0, at(m) - now)
            for j, other in enumerate(others):
                if upcoming[j] <= joined:  # someone there joined before: count them
                    times, done = other.joined, counted[j]
                    ahead = bisect_right(times, joined, done)
                    m += other.share * (ahead - done) * math.exp(-other.hazard * turn)
                    counted[j] = ahead
                    upcoming[j] = times[ahead] if ahead < len(times) else math.inf
        if waiting is not None and waiting.offer_id is not None:
            _offered(slots, m, now, answer_s, seconds, soon)
            continue
        wait = max(0.0, at(m) - now)
        seconds.append(wait)
        soon.append(_sure(slots, m, now) and _sure(slots, m + 1, now) and _sure(slots, m + 2, now))
        m += math.exp(-hazard * wait)
    # Past EXACT_POSITIONS: no other queue is counted, and each place moves on by at
    # least the average step of the exact ones.
    step = m / EXACT_POSITIONS
    exp = math.exp
    form = slots.closed_form()
    for index in range(EXACT_POSITIONS, total):
        if index < n_own and own[index].offer_id is not None:
            _offered(slots, m, now, answer_s, seconds, soon)
            continue
        if form is not None and m >= form[0] - 1:
            wait = form[1] + (m - form[0] + 1) / form[2] - now  # at(m), without the call
        else:
            wait = at(m) - now
            form = slots.closed_form()
        if not wait > 0.0:
            wait = 0.0
        seconds.append(wait)
        soon.append(False)
        left = exp(-hazard * wait)
        m += left if left > step else step
    return Predictions(seconds, soon)


def _offered(
    slots: Slots, m: float, now: float, answer_s: float, seconds: list[float], soon: list[bool]
) -> None:
    """An offered citizen: answered in about ``answer_s``; "soon" only if two more clerks
    are certain to be free should this one not answer. It uses no slot."""
    seconds.append(answer_s)
    soon.append(_sure(slots, m, now) and _sure(slots, m + 1, now))


def _sure(slots: Slots, m: float, now: float) -> bool:
    """Whether slot ``m`` is a clerk certainly free within :data:`SOON_S`."""
    return slots.certain(m) and slots.at(m) - now <= SOON_S
