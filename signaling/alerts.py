"""The alert engine: facts and the clock in, raised and cleared alerts out. Sans-I/O.

Alert kinds and their conditions:

* ``kiosk_offline`` (subject: kiosk id): the kiosk missed its health reports
  (see :mod:`signaling.kiosk_health`); cleared when it reports again.
* ``device_fault`` (subject: ``<kiosk id>/<device>``): an online kiosk reports its camera,
  microphone or speaker ``failed`` or ``missing``; cleared when it reports ``ok``. While the
  kiosk is offline its devices are unknown and the alert is left as it is.
* ``call_failures`` (subject: kiosk id): the kiosk's last ``call_failures`` answered calls all
  ended in failure (media or device failure, a side lost, a lost restart); cleared by the next
  call that ends normally.
* ``long_wait`` (subject: ``<service>/<language>``): the longest wait in a queue passed the
  threshold; cleared when it is back under.
* ``language_unserved`` (subject: ``<service>/<language>``): citizens have waited
  ``unserved_after_s`` in a queue where no clerk with that service and language is ready or
  busy serving it (all logged out, not ready or disconnected), so nobody will answer them in
  their language; cleared when such a clerk is back or the queue empties.

A condition is true (raise if not active), false (clear if active) or undecided (keep as is).
The engine keeps one active alert per ``(kind, subject)``; the I/O layer stores what it returns
and hands back the store's id with :meth:`AlertEngine.bind`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

AlertKind = Literal[
    "kiosk_offline", "device_fault", "call_failures", "long_wait", "language_unserved"
]
ALERT_KINDS: tuple[AlertKind, ...] = (
    "kiosk_offline", "device_fault", "call_failures", "long_wait", "language_unserved"
)
DEVICES: tuple[str, ...] = ("camera", "microphone", "speaker")
#: Call end reasons (and outcomes) that count as a failed call.
FAILURE_REASONS: frozenset[str] = frozenset(
    {
        "media_failed", "media_requeued", "device_failed", "kiosk_lost", "agent_lost",
        "lost_in_restart", "failed",
    }
)

AlertKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class AlertRules:
    """Thresholds of the alert conditions."""

    longest_wait_s: float = 600.0
    call_failures: int = 3
    unserved_after_s: float = 60.0
    """How long citizens wait with no clerk for their queue before the alert (a grace for a
    clerk who just logged out or went on a break while another is about to log in)."""


@dataclass(frozen=True, slots=True)
class KioskAlertFacts:
    """Per-kiosk facts: ``offline`` None means undecided (e.g. just after a restart)."""

    kiosk_id: str
    offline: bool | None
    devices: Mapping[str, str] | None = None
    """Device statuses from the last report while online; None when unknown."""
    recent_calls_failed: Sequence[bool] = ()
    """The kiosk's latest answered calls, newest first: True where the call failed."""


@dataclass(frozen=True, slots=True)
class QueueAlertFacts:
    """A service × language queue with citizens waiting."""

    service_id: str
    language: str
    longest_wait_s: float
    available_agents: int
    """Clerks with the service and the language who are ready or busy serving (offered a
    call, in a call, in wrap-up), connected: those who will answer this queue."""


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything the engine looks at in one evaluation."""

    kiosks: Sequence[KioskAlertFacts] = ()
    longest_waits: Mapping[tuple[str, str], float] = field(default_factory=dict)
    """Longest current wait per (service, language) queue."""
    waiting_queues: Sequence[QueueAlertFacts] = ()
    """Queues where citizens wait now (the ``language_unserved`` condition)."""


@dataclass(frozen=True, slots=True)
class Condition:
    """A true alert condition."""

    kind: AlertKind
    subject: str
    kiosk_id: str | None = None
    service_id: str | None = None
    detail: Mapping[str, object] = field(default_factory=dict)

    @property
    def key(self) -> AlertKey:
        """``(kind, subject)``: at most one active alert per key."""
        return (self.kind, self.subject)


@dataclass(frozen=True, slots=True)
class Raised:
    """A new alert to store."""

    condition: Condition
    at: float


@dataclass(frozen=True, slots=True)
class Cleared:
    """An active alert whose cause went away."""

    key: AlertKey
    alert_id: int | None
    at: float


@dataclass(slots=True)
class _Active:
    condition: Condition
    raised_at: float
    alert_id: int | None


KIOSK_KINDS = frozenset({"kiosk_offline", "device_fault", "call_failures"})
"""Kinds of alert about one kiosk (their subject starts with the kiosk's id)."""


def kiosk_of(key: AlertKey) -> str | None:
    """The kiosk an alert key is about, if it is a kiosk's."""
    return key[1].partition("/")[0] if key[0] in KIOSK_KINDS else None


def conditions(facts: Facts, rules: AlertRules) -> tuple[list[Condition], set[AlertKey]]:
    """The true conditions, and the keys whose truth is undecided now."""
    true: list[Condition] = []
    undecided: set[AlertKey] = set()
    for k in facts.kiosks:
        kiosk_conditions(k, rules, true, undecided)
    queue_conditions(facts, rules, true)
    return true, undecided


def kiosk_conditions(
    k: KioskAlertFacts, rules: AlertRules, true: list[Condition], undecided: set[AlertKey]
) -> None:
    """Add one kiosk's true and undecided conditions."""
    kid = k.kiosk_id
    if k.offline is None:
        undecided.add(("kiosk_offline", kid))
    elif k.offline:
        true.append(Condition("kiosk_offline", kid, kiosk_id=kid))
    for device in DEVICES:
        key: AlertKey = ("device_fault", f"{kid}/{device}")
        status = None if k.devices is None or k.offline is not False else k.devices.get(device)
        if status is None:
            undecided.add(key)
        elif status != "ok":
            detail = {"device": device, "status": status}
            true.append(Condition("device_fault", key[1], kiosk_id=kid, detail=detail))
    recent = list(k.recent_calls_failed)
    n = rules.call_failures
    if len(recent) >= n and all(recent[:n]):
        true.append(Condition("call_failures", kid, kiosk_id=kid, detail={"failed": n}))
    elif recent and recent[0]:
        undecided.add(("call_failures", kid))


def queue_conditions(facts: Facts, rules: AlertRules, true: list[Condition]) -> None:
    """Add the queues' true conditions (waits, unserved languages)."""
    for (service, language), wait in sorted(facts.longest_waits.items()):
        if wait > rules.longest_wait_s:
            wait_detail = {"language": language, "threshold_s": rules.longest_wait_s}
            subject = f"{service}/{language}"
            true.append(Condition("long_wait", subject, service_id=service, detail=wait_detail))
    for q in facts.waiting_queues:
        if q.available_agents == 0 and q.longest_wait_s >= rules.unserved_after_s:
            subject = f"{q.service_id}/{q.language}"
            true.append(Condition(
                "language_unserved", subject, service_id=q.service_id,
                detail={"language": q.language},
            ))


class AlertEngine:
    """Keeps the active alerts and turns each evaluation into raises and clears."""

    def __init__(self, rules: AlertRules) -> None:
        self.rules = rules
        self._active: dict[AlertKey, _Active] = {}

    def adopt(self, kind: str, subject: str, alert_id: int, raised_at: float) -> None:
        """Take over an alert still open in the store (after a restart)."""
        if kind in ALERT_KINDS:
            condition = Condition(kind, subject)
            self._active[(kind, subject)] = _Active(condition, raised_at, alert_id)

    def bind(self, key: AlertKey, alert_id: int) -> None:
        """Record the store id of an alert returned as :class:`Raised`."""
        active = self._active.get(key)
        if active is not None:
            active.alert_id = alert_id

    def active(self) -> dict[AlertKey, int | None]:
        """Active alert keys and their store ids."""
        return {key: a.alert_id for key, a in self._active.items()}

    def evaluate(self, facts: Facts, now: float) -> list[Raised | Cleared]:
        """Raise alerts for new true conditions, clear those whose condition is false."""
        true, undecided = conditions(facts, self.rules)
        return self._apply(true, undecided, now, lambda key: True)

    def evaluate_kiosks(
        self, changed: Mapping[str, KioskAlertFacts | None], now: float, *, complete: bool = False
    ) -> list[Raised | Cleared]:
        """Re-evaluate only the kiosks whose facts changed (None: the kiosk is gone). With
        ``complete``, ``changed`` holds every kiosk: alerts of any other kiosk are cleared."""
        true: list[Condition] = []
        undecided: set[AlertKey] = set()
        for facts in changed.values():
            if facts is not None:
                kiosk_conditions(facts, self.rules, true, undecided)

        def mine(key: AlertKey) -> bool:
            kiosk = kiosk_of(key)
            return kiosk is not None and (complete or kiosk in changed)

        return self._apply(true, undecided, now, mine)

    def evaluate_queues(self, facts: Facts, now: float) -> list[Raised | Cleared]:
        """Re-evaluate the queue conditions only (``facts.kiosks`` is ignored)."""
        true: list[Condition] = []
        queue_conditions(facts, self.rules, true)
        return self._apply(true, set(), now, lambda key: kiosk_of(key) is None)

    def _apply(
        self, true: list[Condition], undecided: set[AlertKey], now: float,
        scope: Callable[[AlertKey], bool],
    ) -> list[Raised | Cleared]:
        out: list[Raised | Cleared] = []
        seen: set[AlertKey] = set()
        for condition in true:
            seen.add(condition.key)
            if condition.key not in self._active:
                self._active[condition.key] = _Active(condition, now, None)
                out.append(Raised(condition, now))
        for key in list(self._active):
            if key not in seen and key not in undecided and scope(key):
                gone = self._active.pop(key)
                out.append(Cleared(key, gone.alert_id, now))
        return out


def kiosk_facts_for_alerts(
    kiosk_id: str,
    offline: bool | None,
    devices: Mapping[str, str] | None,
    call_end_reasons: Iterable[str | None],
) -> KioskAlertFacts:
    """Build :class:`KioskAlertFacts` from end reasons of the kiosk's latest calls."""
    failed = [reason in FAILURE_REASONS for reason in call_end_reasons]
    return KioskAlertFacts(kiosk_id, offline, devices, failed)
