"""Whether each kiosk is online, from the age of its last health report. Sans-I/O.

Kiosks send a health report every ``interval_s`` (10 s by default). A kiosk is *offline* once
``missed`` reports in a row are overdue, with half an interval of slack for jitter:

    offline_after_s = interval_s * missed + interval_s / 2      (25 s by default)

The tracker is evaluated by a timer (every second in the server), so an offline kiosk is shown
at most ``offline_after_s + evaluation period`` after its last report, 26 s by default: within
the 30 s operators are promised even when the kiosk dies just after reporting.

Nothing here touches sockets or the clock: facts and ``now`` come in, statuses and the
transitions (``old -> new``, for the log) come out, so the bound is tested with a fake clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

KioskState = Literal["online", "offline", "never_seen"]


@dataclass(frozen=True, slots=True)
class HealthPolicy:
    """How often kiosks report and how many missed reports make one offline."""

    interval_s: float = 10.0
    missed: int = 2

    @property
    def offline_after_s(self) -> float:
        """Age of the last report beyond which a kiosk counts as offline."""
        return self.interval_s * self.missed + self.interval_s / 2


@dataclass(frozen=True, slots=True)
class KioskFacts:
    """What the server knows of one kiosk at an instant."""

    kiosk_id: str
    connected: bool
    heartbeat_at: float | None
    """Time of the last health report (this run, or persisted from before a restart)."""


@dataclass(frozen=True, slots=True)
class KioskStatus:
    """A kiosk's evaluated status.

    ``alertable`` is False while an offline verdict may be an artefact of a server restart
    (kiosks get one offline window to reconnect before an alert is raised).
    """

    kiosk_id: str
    state: KioskState
    connected: bool
    heartbeat_at: float | None
    alertable: bool


@dataclass(frozen=True, slots=True)
class Transition:
    """A kiosk changed state."""

    kiosk_id: str
    old: KioskState | None
    new: KioskState


class KioskHealthTracker:
    """Evaluates kiosk facts against a :class:`HealthPolicy`; remembers the last verdicts."""

    def __init__(self, policy: HealthPolicy, started_at: float) -> None:
        self.policy = policy
        self.started_at = started_at
        self._states: dict[str, KioskState] = {}

    def status(self, facts: KioskFacts, now: float) -> KioskStatus:
        """The status of one kiosk at ``now`` (does not record it)."""
        limit = self.policy.offline_after_s
        beat = facts.heartbeat_at
        state: KioskState
        if beat is None:
            state = "never_seen"
        elif now - beat > limit:
            state = "offline"
        else:
            state = "online"
        alertable = state != "offline" or now - self.started_at > limit
        return KioskStatus(facts.kiosk_id, state, facts.connected, beat, alertable)

    def update(self, facts: KioskFacts, now: float) -> tuple[KioskStatus, Transition | None]:
        """One kiosk's status at ``now``, recorded; the transition if its state changed."""
        status = self.status(facts, now)
        old = self._states.get(facts.kiosk_id)
        self._states[facts.kiosk_id] = status.state
        changed = old != status.state
        return status, Transition(facts.kiosk_id, old, status.state) if changed else None

    def forget(self, kiosk_id: str) -> None:
        """The kiosk is gone (revoked)."""
        self._states.pop(kiosk_id, None)

    def offline_at(self, facts: KioskFacts) -> float | None:
        """When a kiosk reporting as ``facts`` says turns offline, unless it reports again."""
        beat = facts.heartbeat_at
        return None if beat is None else beat + self.policy.offline_after_s

    def evaluate(
        self, kiosks: Iterable[KioskFacts], now: float
    ) -> tuple[dict[str, KioskStatus], list[Transition]]:
        """Statuses of ``kiosks`` at ``now`` and the state changes since the last call.

        Kiosks missing from ``kiosks`` (revoked) are forgotten.
        """
        statuses: dict[str, KioskStatus] = {}
        changes: list[Transition] = []
        for facts in kiosks:
            status = self.status(facts, now)
            statuses[facts.kiosk_id] = status
            old = self._states.get(facts.kiosk_id)
            if old != status.state:
                changes.append(Transition(facts.kiosk_id, old, status.state))
        self._states = {k: s.state for k, s in statuses.items()}
        return statuses, changes
