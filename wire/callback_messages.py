"""Callback requests ("soittopyyntö"): the kiosk asks, a clerk calls the citizen back.

A kiosk sends :class:`CallbackRequest` with the number the citizen typed and their consent;
the server answers :class:`CallbackAccepted` with the promised day. Clerks are offered the
request as a task (:class:`CallbackOffer`, reserved like a call offer), see the number only
once they took it (:class:`CallbackTask`), and record what happened
(:class:`CallbackResult`). :class:`CallbackTasks` is the pool of open tasks within a clerk's
skills, without numbers. The number travels only in the request and in the task of the clerk
who took it; the server deletes it when the task ends.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from wire.types import Ident, Language, Names, NonNegative, Ref, WireModel

__all__ = [
    "CALLBACK_AGENT_TYPES", "CALLBACK_KIOSK_TYPES", "CallbackAccept", "CallbackAccepted",
    "CallbackInfo", "CallbackOffer", "CallbackOfferRevoked", "CallbackOutcome", "CallbackReject",
    "CallbackRequest", "CallbackResult", "CallbackResultSaved", "CallbackTask", "CallbackTasks",
    "Phone",
]

Phone = Annotated[str, Field(min_length=3, max_length=24, pattern=r"^\+?[0-9 ]+$")]
"""A number as typed on the kiosk's keypad (digits, spaces, a leading ``+``); the server
checks it is a real number (:func:`wire.phone.normalise_phone`)."""

CallbackOutcome = Literal["done", "no_answer", "retry"]
"""What a clerk records: ``done`` (reached and handled: the task ends), ``no_answer`` (nobody
answered) or ``retry`` (reached but it has to be another time, e.g. the line broke). Both of
the last two return the task to the pool after a delay, until its attempts run out."""


class SiteRef(WireModel):
    """Where the request was made (the same shape as a call offer's site)."""

    id: Ident
    names: Names


class _Base(WireModel):
    ref: Ref | None = None


# ------------------------------------------------------------------------ client → server


class CallbackRequest(_Base):
    """A kiosk's citizen asks to be called back (``consent`` must be given on screen)."""

    type: Literal["callback_request"] = "callback_request"
    service: Ident
    language: Language
    phone: Phone
    consent: Literal[True]


class CallbackAccept(_Base):
    """A clerk takes the offered callback task."""

    type: Literal["callback_accept"] = "callback_accept"
    task_id: Ident


class CallbackReject(_Base):
    """A clerk declines the offered callback task; it goes to another clerk."""

    type: Literal["callback_reject"] = "callback_reject"
    task_id: Ident


class CallbackResult(_Base):
    """A clerk records the outcome of the task they took."""

    type: Literal["callback_result"] = "callback_result"
    task_id: Ident
    outcome: CallbackOutcome


# ------------------------------------------------------------------------ server → client


class CallbackAccepted(_Base):
    """The request is taken: a clerk calls on ``promised_day`` (ISO date, service's time zone)
    before ``due_at`` (epoch seconds, the end of that day's service hours)."""

    type: Literal["callback_accepted"] = "callback_accepted"
    callback_id: Ident
    service: Ident
    language: Language
    promised_day: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
    due_at: float
    same_day: bool


class CallbackInfo(WireModel):
    """An open callback task as clerks see it in the pool (no number)."""

    task_id: Ident
    service: Ident
    language: Language
    site: SiteRef | None = None
    requested_at: float
    due_at: float
    attempts: Annotated[int, Field(ge=0, le=100)]
    state: Literal["waiting", "offered", "taken"]
    not_before: float | None = None
    """A task back after no answer waits until then before it is offered again."""


class CallbackTasks(_Base):
    """The open callback tasks within a clerk's skills and languages, soonest due first."""

    type: Literal["callback_tasks"] = "callback_tasks"
    tasks: list[CallbackInfo]


class CallbackOffer(_Base):
    """A callback task offered to this clerk until ``expires_in_s`` (no number yet)."""

    type: Literal["callback_offer"] = "callback_offer"
    task: CallbackInfo
    expires_in_s: NonNegative


class CallbackOfferRevoked(_Base):
    """The offered task went elsewhere: the offer timed out, or a citizen at a kiosk came
    first (``call_first``), or the task ended."""

    type: Literal["callback_offer_revoked"] = "callback_offer_revoked"
    task_id: Ident
    reason: Literal["timeout", "rejected", "call_first", "ended", "agent_lost"]


class CallbackTask(_Base):
    """The task this clerk took, with the number to call (shown to this clerk only)."""

    type: Literal["callback_task"] = "callback_task"
    task: CallbackInfo
    phone: Annotated[str, Field(max_length=24)]
    max_attempts: Annotated[int, Field(ge=1, le=100)]


class CallbackResultSaved(_Base):
    """The clerk's outcome is recorded; ``ended`` says whether the task (and number) ended."""

    type: Literal["callback_result_saved"] = "callback_result_saved"
    task_id: Ident
    outcome: CallbackOutcome
    ended: bool


CALLBACK_KIOSK_TYPES = frozenset({"callback_request"})
"""Callback message types a kiosk may send."""
CALLBACK_AGENT_TYPES = frozenset({"callback_accept", "callback_reject", "callback_result"})
"""Callback message types an agent may send."""
