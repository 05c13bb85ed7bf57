"""Sans-I/O queueing and call routing (ACD) core: events in, actions out.

See :mod:`signaling.routing.router` for how an event is processed and
:mod:`signaling.routing.ordering` for who is served first.
"""

from signaling.routing.hours import OpeningHours
from signaling.routing.model import AgentState, RouterConfig, ServiceRules
from signaling.routing.router import Router, uuid_ids
from signaling.routing.views import AgentView, CallView, EntryView, QueueStats
from signaling.routing.waits import WaitEstimate

__all__ = [
    "AgentState",
    "AgentView",
    "CallView",
    "EntryView",
    "OpeningHours",
    "QueueStats",
    "Router",
    "RouterConfig",
    "ServiceRules",
    "WaitEstimate",
    "uuid_ids",
]
