"""Inputs and outputs of the callback desk (:mod:`signaling.routing.callbacks`): the events
the I/O layer feeds it and the actions it returns. Plain frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "AcceptTask", "ClerkBusy", "ClerkGone", "DeskAction", "DeskEvent", "DeskRejected",
    "DeskTick", "EndReason", "ForgetTask", "FreeAgent", "FreeAgents", "Outcome", "RecordResult",
    "RejectTask", "RequestCallback", "RevokeReason", "TaskClaimed", "TaskEnded",
    "TaskOfferRevoked", "TaskOffered", "TaskQueued", "TaskReturned",
]

Outcome = Literal["done", "no_answer", "retry"]
EndReason = Literal["done", "unreached", "expired"]
RevokeReason = Literal["timeout", "rejected", "call_first", "ended", "agent_lost"]


# ------------------------------------------------------------------------------ events


@dataclass(frozen=True, slots=True)
class RequestCallback:
    """A new task (the I/O layer stored it and computed the promise)."""

    task_id: str
    service_id: str
    language: str
    site_id: str | None
    requested_at: float
    due_at: float
    attempts: int = 0
    not_before: float | None = None


@dataclass(frozen=True, slots=True)
class FreeAgent:
    """A clerk the router leaves free: READY, no offer pending, no eligible citizen waiting."""

    agent_id: str
    skills: frozenset[str]
    languages: frozenset[str]
    idle_since: float


@dataclass(frozen=True, slots=True)
class FreeAgents:
    """Who is free now (all of them: a clerk left out is no longer free)."""

    agents: tuple[FreeAgent, ...]


@dataclass(frozen=True, slots=True)
class ClerkBusy:
    """The router offered this clerk a citizen, or the clerk went not-ready: a pending task
    offer is revoked (a live citizen goes first)."""

    agent_id: str


@dataclass(frozen=True, slots=True)
class ClerkGone:
    """The clerk logged out or was lost: offers revoked, a taken task back to the pool."""

    agent_id: str


@dataclass(frozen=True, slots=True)
class AcceptTask:
    """The clerk takes the offered task."""

    agent_id: str
    task_id: str


@dataclass(frozen=True, slots=True)
class RejectTask:
    """The clerk declines the offered task."""

    agent_id: str
    task_id: str


@dataclass(frozen=True, slots=True)
class RecordResult:
    """The clerk who took the task records what happened."""

    agent_id: str
    task_id: str
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class ForgetTask:
    """The task's number is gone (the retention limit): it ends ``expired`` wherever it is."""

    task_id: str


@dataclass(frozen=True, slots=True)
class DeskTick:
    """Time passed (send at :meth:`CallbackDesk.next_deadline`)."""


DeskEvent = (
    RequestCallback | FreeAgents | ClerkBusy | ClerkGone | AcceptTask | RejectTask
    | RecordResult | ForgetTask | DeskTick
)

# ----------------------------------------------------------------------------- actions


@dataclass(frozen=True, slots=True)
class TaskQueued:
    """A task entered the pool (or came back to it)."""

    task_id: str
    at: float


@dataclass(frozen=True, slots=True)
class TaskOffered:
    """Offer the task to the clerk until ``expires_at``."""

    task_id: str
    agent_id: str
    expires_at: float
    at: float


@dataclass(frozen=True, slots=True)
class TaskOfferRevoked:
    """The clerk's offer is void."""

    task_id: str
    agent_id: str
    reason: RevokeReason
    at: float


@dataclass(frozen=True, slots=True)
class TaskClaimed:
    """The clerk took the task: show them the number; hold them from kiosk calls."""

    task_id: str
    agent_id: str
    attempts: int
    at: float


@dataclass(frozen=True, slots=True)
class TaskReturned:
    """The task is back in the pool: after an attempt (``attempts`` counts it), or because
    its clerk was lost (``outcome`` None)."""

    task_id: str
    agent_id: str
    outcome: Outcome | None
    attempts: int
    not_before: float | None
    at: float


@dataclass(frozen=True, slots=True)
class TaskEnded:
    """The task is over: delete the number now. ``agent_id`` is None for ``expired``."""

    task_id: str
    reason: EndReason
    agent_id: str | None
    attempts: int
    at: float


@dataclass(frozen=True, slots=True)
class DeskRejected:
    """An event could not stand (unknown task, another clerk's task, wrong state)."""

    target_id: str
    code: Literal["unknown_task", "not_allowed", "bad_state"]
    detail: str


DeskAction = (
    TaskQueued | TaskOffered | TaskOfferRevoked | TaskClaimed | TaskReturned | TaskEnded
    | DeskRejected
)
