"""Several signaling nodes on one PostgreSQL database (see :mod:`signaling.cluster.node`).

This is I/O: the routing core knows nothing of it. :class:`ClusterNode` decides who routes and
carries clients' messages to the leader; :class:`Lease` holds or takes the routing lease;
:class:`Bus` is LISTEN/NOTIFY between the nodes.
"""

from signaling.cluster.bus import Bus, BusDown
from signaling.cluster.envelope import BROADCAST_CHANNEL, LEADER_CHANNEL
from signaling.cluster.lease import Lease
from signaling.cluster.node import ClusterNode

__all__ = ["BROADCAST_CHANNEL", "LEADER_CHANNEL", "Bus", "BusDown", "ClusterNode", "Lease"]
