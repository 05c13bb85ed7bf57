"""Callback tasks: who calls which citizen back, and when (sans-I/O, driven clock).

A citizen who could not be served at the kiosk (service closed, long wait, or no clerk in
their language) leaves a number; the request becomes a task for the clerks with the service's
skill and the citizen's language. :class:`CallbackDesk` hands tasks out like the router hands
out citizens: an offer reserved for one clerk with a timeout, then the clerk takes it, calls
(outside the system) and records ``done``, ``no_answer`` or ``retry``.

**Live citizens first (the priority rule).** A task is offered only to a clerk whom the
router has left READY with no offer pending, which after the router's matching pass means no
connected citizen waits in any queue the clerk serves. When the router then offers that clerk
a kiosk citizen anyway (a citizen joined while the task offer was pending), the task offer is
revoked (``call_first``) and the task goes back to the pool with no attempt counted. A taken
task is never interrupted: the hub holds the clerk not-ready (reason ``callback``) until the
result is recorded. Why: the citizen at the kiosk is standing there and holds the point's only
kiosk, while a callback promises a day, not a minute; making a present person wait for a
phone call would invert the service. The cost is that tasks can miss their day when every
eligible clerk is busy with walk-ins all day; such a task ends ``expired`` at its due time and
is counted as a promise not kept on the dashboard, so planners see it rather than citizens
feeling it at the kiosk.

Among tasks, the one due soonest goes first (then the oldest request); among clerks, the one
idle longest. A clerk who let a task offer time out or declined one is not offered tasks again
for ``cooloff_s``. ``no_answer`` and ``retry`` count an attempt and return the task to the pool
after ``retry_after_s``; after ``max_attempts`` it ends ``unreached``. A task still in the pool
at its due time ends ``expired``; a taken task is left to its clerk. A clerk who is lost while
holding a task returns it to the pool (no attempt counted).

Nothing here reads a clock or does I/O: ``handle(event, now)`` returns actions.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, assert_never

from signaling.routing.callback_events import (
    AcceptTask,
    ClerkBusy,
    ClerkGone,
    DeskAction,
    DeskEvent,
    DeskRejected,
    DeskTick,
    EndReason,
    ForgetTask,
    FreeAgent,
    FreeAgents,
    RecordResult,
    RejectTask,
    RequestCallback,
    RevokeReason,
    TaskClaimed,
    TaskEnded,
    TaskOffered,
    TaskOfferRevoked,
    TaskQueued,
    TaskReturned,
)
from signaling.routing.model import AgentState
from signaling.routing.views import AgentView

__all__ = [
    "AcceptTask",
    "CallbackConfig",
    "CallbackDesk",
    "ClerkBusy",
    "ClerkGone",
    "DeskAction",
    "DeskEvent",
    "DeskRejected",
    "DeskTick",
    "ForgetTask",
    "FreeAgent",
    "FreeAgents",
    "RecordResult",
    "RejectTask",
    "RequestCallback",
    "TaskClaimed",
    "TaskEnded",
    "TaskOfferRevoked",
    "TaskOffered",
    "TaskQueued",
    "TaskReturned",
    "TaskView",
    "free_agents",
]



@dataclass(frozen=True, slots=True)
class CallbackConfig:
    """Timers and bounds of the callback desk (seconds)."""

    offer_timeout_s: float = 20.0
    cooloff_s: float = 120.0
    retry_after_s: float = 900.0
    max_attempts: int = 3


# ------------------------------------------------------------------------------- state


@dataclass
class _Task:
    task_id: str
    service_id: str
    language: str
    site_id: str | None
    requested_at: float
    due_at: float
    attempts: int = 0
    not_before: float | None = None
    agent_id: str | None = None
    offer_expires: float | None = None
    taken: bool = False


@dataclass(frozen=True, slots=True)
class TaskView:
    """A read-only copy of an open task."""

    task_id: str
    service_id: str
    language: str
    site_id: str | None
    requested_at: float
    due_at: float
    attempts: int
    state: Literal["waiting", "offered", "taken"]
    agent_id: str | None
    not_before: float | None


@dataclass
class CallbackDesk:
    """The pool of open callback tasks and their offers. See the module docstring."""

    config: CallbackConfig = field(default_factory=CallbackConfig)
    _tasks: dict[str, _Task] = field(default_factory=dict)
    _free: dict[str, FreeAgent] = field(default_factory=dict)
    _cooloff: dict[str, float] = field(default_factory=dict)
    _timers: list[tuple[float, str]] = field(default_factory=list)
    _now: float = float("-inf")

    # -------------------------------------------------------------------- driving

    def handle(self, event: DeskEvent, now: float) -> list[DeskAction]:
        """Apply ``event`` at ``now``; fire due timers first and offer what can be offered."""
        now = self._now = max(self._now, now)
        out: list[DeskAction] = []
        self._expire(now, out)
        match event:
            case RequestCallback():
                self._on_request(event, now, out)
            case FreeAgents():
                self._free = {a.agent_id: a for a in event.agents}
            case ClerkBusy():
                self._free.pop(event.agent_id, None)
                self._revoke_offers_of(event.agent_id, "call_first", now, out)
            case ClerkGone():
                self._free.pop(event.agent_id, None)
                self._on_gone(event.agent_id, now, out)
            case AcceptTask():
                self._on_accept(event, now, out)
            case RejectTask():
                task = self._offered_to(event.agent_id, event.task_id, out)
                if task is not None:
                    self._unoffer(task, "rejected", now, out)
                    self._cooloff[event.agent_id] = now + self.config.cooloff_s
            case RecordResult():
                self._on_result(event, now, out)
            case ForgetTask():
                task = self._tasks.get(event.task_id)
                if task is not None:
                    task.taken = False  # its clerk, if any, can no longer see the number
                    self._end(task, "expired", now, out)
            case DeskTick():
                pass
            case _:
                assert_never(event)
        self._match(now, out)
        return out

    def next_deadline(self) -> float | None:
        """When the desk next needs a :class:`DeskTick` (offer timeout, retry, due time)."""
        while self._timers and not self._timer_live(*self._timers[0]):
            heapq.heappop(self._timers)
        times = list(self._cooloff.values())
        if self._timers:
            times.append(self._timers[0][0])
        return min(times) if times else None

    # --------------------------------------------------------------------- reading

    def __len__(self) -> int:
        """How many tasks are open."""
        return len(self._tasks)

    def tasks(self) -> list[TaskView]:
        """Every open task, soonest due first."""
        return [self._view(t) for t in sorted(self._tasks.values(), key=_order)]

    def task(self, task_id: str) -> TaskView | None:
        """One open task, or None."""
        t = self._tasks.get(task_id)
        return None if t is None else self._view(t)

    def tasks_for(self, skills: Iterable[str], languages: Iterable[str]) -> list[TaskView]:
        """Open tasks a clerk with these skills and languages could take."""
        sk, la = frozenset(skills), frozenset(languages)
        return [v for v in self.tasks() if v.service_id in sk and v.language in la]

    def held_by(self, agent_id: str) -> TaskView | None:
        """The task this clerk has taken, if any."""
        t = next((t for t in self._tasks.values() if t.taken and t.agent_id == agent_id), None)
        return None if t is None else self._view(t)

    def offered_to(self, agent_id: str) -> TaskView | None:
        """The task offered to this clerk, if any."""
        t = next(
            (t for t in self._tasks.values() if not t.taken and t.agent_id == agent_id), None
        )
        return None if t is None else self._view(t)

    # ---------------------------------------------------------------------- events

    def _on_request(self, ev: RequestCallback, now: float, out: list[DeskAction]) -> None:
        if ev.task_id in self._tasks:
            out.append(DeskRejected(ev.task_id, "bad_state", "task exists"))
            return
        task = _Task(ev.task_id, ev.service_id, ev.language, ev.site_id, ev.requested_at,
                     ev.due_at, ev.attempts, ev.not_before)
        self._tasks[task.task_id] = task
        if ev.due_at <= now:
            self._end(task, "expired", now, out)
            return
        self._schedule(ev.due_at, task.task_id)
        if task.not_before is not None:
            self._schedule(task.not_before, task.task_id)
        out.append(TaskQueued(task.task_id, now))

    def _on_accept(self, ev: AcceptTask, now: float, out: list[DeskAction]) -> None:
        task = self._offered_to(ev.agent_id, ev.task_id, out)
        if task is None:
            return
        task.taken, task.offer_expires = True, None
        self._free.pop(ev.agent_id, None)
        out.append(TaskClaimed(task.task_id, ev.agent_id, task.attempts, now))

    def _on_result(self, ev: RecordResult, now: float, out: list[DeskAction]) -> None:
        task = self._tasks.get(ev.task_id)
        if task is None:
            out.append(DeskRejected(ev.task_id, "unknown_task", "no open task with this id"))
            return
        if not task.taken or task.agent_id != ev.agent_id:
            out.append(DeskRejected(ev.task_id, "not_allowed", "not a task you have taken"))
            return
        if ev.outcome == "done":
            self._end(task, "done", now, out)
            return
        task.attempts += 1
        if task.attempts >= self.config.max_attempts:
            self._end(task, "unreached", now, out)
            return
        agent_id = task.agent_id
        task.taken, task.agent_id = False, None
        task.not_before = now + self.config.retry_after_s
        self._schedule(task.not_before, task.task_id)
        out.append(TaskReturned(task.task_id, agent_id, ev.outcome, task.attempts,
                                task.not_before, now))

    def _on_gone(self, agent_id: str, now: float, out: list[DeskAction]) -> None:
        self._revoke_offers_of(agent_id, "agent_lost", now, out)
        for task in list(self._tasks.values()):
            if task.taken and task.agent_id == agent_id:
                task.taken, task.agent_id = False, None
                if task.due_at <= now:
                    self._end(task, "expired", now, out)
                else:
                    out.append(TaskReturned(task.task_id, agent_id, None, task.attempts,
                                            task.not_before, now))

    # --------------------------------------------------------------------- helpers

    def _offered_to(self, agent_id: str, task_id: str, out: list[DeskAction]) -> _Task | None:
        task = self._tasks.get(task_id)
        if task is None:
            out.append(DeskRejected(task_id, "unknown_task", "no open task with this id"))
            return None
        if task.agent_id != agent_id or task.taken:
            out.append(DeskRejected(task_id, "not_allowed", "the task is not offered to you"))
            return None
        return task

    def _revoke_offers_of(
        self, agent_id: str, reason: RevokeReason, now: float, out: list[DeskAction]
    ) -> None:
        for task in list(self._tasks.values()):
            if task.agent_id == agent_id and not task.taken:
                self._unoffer(task, reason, now, out)

    def _unoffer(self, task: _Task, reason: RevokeReason, now: float,
                 out: list[DeskAction]) -> None:
        assert task.agent_id is not None
        out.append(TaskOfferRevoked(task.task_id, task.agent_id, reason, now))
        task.agent_id, task.offer_expires = None, None

    def _end(self, task: _Task, reason: EndReason, now: float, out: list[DeskAction]) -> None:
        if task.agent_id is not None and not task.taken:
            self._unoffer(task, "ended", now, out)
        del self._tasks[task.task_id]
        out.append(TaskEnded(task.task_id, reason, task.agent_id, task.attempts, now))

    def _expire(self, now: float, out: list[DeskAction]) -> None:
        for cid in [a for a, until in self._cooloff.items() if until <= now]:
            del self._cooloff[cid]
        while self._timers and self._timers[0][0] <= now:
            _at, task_id = heapq.heappop(self._timers)
            task = self._tasks.get(task_id)
            if task is None:
                continue
            if not task.taken and task.due_at <= now:
                self._end(task, "expired", now, out)
            elif (not task.taken and task.offer_expires is not None
                  and task.offer_expires <= now and task.agent_id is not None):
                self._cooloff[task.agent_id] = now + self.config.cooloff_s
                self._unoffer(task, "timeout", now, out)
            # not_before passing needs no action: the matching pass sees it.

    def _match(self, now: float, out: list[DeskAction]) -> None:
        busy = {t.agent_id for t in self._tasks.values() if t.agent_id is not None}
        free = sorted(
            (a for a in self._free.values()
             if a.agent_id not in busy and a.agent_id not in self._cooloff),
            key=lambda a: (a.idle_since, a.agent_id),
        )
        if not free:
            return
        for task in sorted(self._tasks.values(), key=_order):
            if task.agent_id is not None or (task.not_before or 0.0) > now:
                continue
            agent = next((a for a in free if task.service_id in a.skills
                          and task.language in a.languages), None)
            if agent is None:
                continue
            free.remove(agent)
            task.agent_id = agent.agent_id
            task.offer_expires = now + self.config.offer_timeout_s
            self._schedule(task.offer_expires, task.task_id)
            out.append(TaskOffered(task.task_id, agent.agent_id, task.offer_expires, now))
            if not free:
                return

    def _schedule(self, at: float, task_id: str) -> None:
        heapq.heappush(self._timers, (at, task_id))

    def _timer_live(self, at: float, task_id: str) -> bool:
        task = self._tasks.get(task_id)
        if task is None:
            return False
        return at in (task.due_at, task.offer_expires, task.not_before)

    @staticmethod
    def _view(t: _Task) -> TaskView:
        state: Literal["waiting", "offered", "taken"] = (
            "taken" if t.taken else "offered" if t.agent_id is not None else "waiting"
        )
        return TaskView(t.task_id, t.service_id, t.language, t.site_id, t.requested_at,
                        t.due_at, t.attempts, state, t.agent_id, t.not_before)


def free_agents(agents: Iterable[AgentView]) -> FreeAgents:
    """The clerks free for a task: connected, READY and with no offer pending. The router
    matches greedily after every event, so a READY clerk without an offer has no connected
    citizen waiting in any of their queues (or has just declined one, and is cooling off)."""
    return FreeAgents(tuple(
        FreeAgent(a.agent_id, a.skills, a.languages, a.idle_since)
        for a in agents
        if a.connected and a.state is AgentState.READY and a.offer_id is None
    ))


def _order(t: _Task) -> tuple[float, float, str]:
    return (t.due_at, t.requested_at, t.task_id)
