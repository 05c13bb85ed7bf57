"""The hub package: connections, routing, rendering, records and relay around the router.

:class:`Hub` (in :mod:`~signaling.hub.facade`) ties the modules together; the rest of the
server imports only what is exported here.
"""

from signaling.hub.connections import Connection
from signaling.hub.facade import Hub
from signaling.hub.live import KioskFacts, LiveView
from signaling.hub.persistence import RestoreReport

__all__ = ["Connection", "Hub", "KioskFacts", "LiveView", "RestoreReport"]
