"""Configuration and shared vocabulary of the routing core.

Ids (kiosks, agents, services, entries, offers, calls) are plain ``str``; languages
are plain language codes such as ``"fi"``, ``"sv"``, ``"en"``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal

from signaling.routing.hours import OpeningHours


@dataclass(frozen=True, slots=True)
class ServiceRules:
    """Per-service routing rules.

    ``max_queue`` bounds each service × language queue (the queue a citizen would
    join), not the service's total across languages.
    ``default_handle_s`` seeds the handle-time average used for wait estimates.
    """

    service_id: str
    hours: OpeningHours
    max_queue: int
    default_handle_s: float = 300.0


class AgentState(enum.StrEnum):
    """Routing state of a logged-in agent (logged-out agents are not tracked)."""

    NOT_READY = "not_ready"
    READY = "ready"
    RESERVED = "reserved"  # an offer is pending for this agent
    IN_CALL = "in_call"
    WRAP_UP = "wrap_up"


MEDIA_FAILED = "media_failed"
"""End reason from a member whose media path could not be set up (after its retries)."""
MEDIA_REQUEUED = "media_requeued"
"""End reason when such a call put the citizen back at the head of the queue."""


@dataclass(frozen=True, slots=True)
class RouterConfig:
    """Timers and tuning of the router; all durations in seconds."""

    offer_timeout_s: float = 20.0
    wrapup_s: float = 30.0
    max_missed_offers: int = 3
    kiosk_grace_s: float = 60.0
    call_grace_s: float = 20.0
    # A call whose media could not be set up puts the citizen back at the head of the queue
    # this many times; after that it ends and the kiosk says what to do.
    media_requeues: int = 1
    # +1 effective priority per escalation step waited; 0 or less disables escalation.
    escalation_step_s: float = 300.0
    decline_cooloff_s: float = 30.0
    # A clerk not ready for longer than this no longer makes their languages look served
    # (a short break or the minutes after logging in do; an afternoon away does not).
    not_ready_grace_s: float = 600.0
    # Weight of the newest sample in the handle-time moving average.
    handle_time_alpha: float = 0.2
    # Wait estimate pushed to kiosks: "agents" looks at each clerk's state
    # (signaling.routing.waits); "staffed" is the earlier position × average handle time ÷
    # clerks logged in (signaling.routing.estimate), kept so the bench can compare them.
    estimator: Literal["agents", "staffed"] = "agents"
    # "agents" estimate: a queue is recomputed when its clerks change, but at most every
    # estimate_interval_s (in between, citizens who move up take over the estimate of
    # their new place), and at least every estimate_refresh_s (calls run on meanwhile).
    estimate_interval_s: float = 2.0
    estimate_refresh_s: float = 30.0
    # A clerk named in a booked meeting is not offered walk-ins from this long before it, so
    # that they are free when it starts (signaling.routing.booked).
    booked_guard_s: float = 600.0
