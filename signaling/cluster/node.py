"""One node of several on one PostgreSQL database: who routes, and carrying clients to it.

Every node accepts any client. Exactly one node, the leader, runs the routing core and the hub;
it holds the routing lease (:mod:`signaling.cluster.lease`) under a term that fences its
writes. The other nodes forward their clients' messages to it and deliver what its hub sends
back (:class:`~signaling.cluster.remote.RemoteConnection` on the leader's side), all through
the bus (:mod:`signaling.cluster.bus`), so SDP and ICE between a kiosk on one node and a clerk
on another go the same way.

When the lease moves, the new leader restores the routing state from the database (as after a
restart) and says so on the broadcast channel; every node then re-registers its connected
clients with it (``attach`` with ``q``: no welcome, nothing ends), and clients whose node died
reconnect elsewhere and resume with their resume tokens. A node that loses the database stops
routing, says goodbye to its clients (they reconnect through the proxy to a live node) and
answers not-ready until the database is back.

Operations (``op``): to the leader ``attach`` (``q``: quietly), ``msg``, ``detach``; to a node
``send`` (``w``: a welcome), ``close``, ``who`` (the leader does not know this connection);
to all ``leader`` (node, term) and ``snapshot`` (the leader's dashboard).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from jsonlog import fields
from signaling.cluster.envelope import BROADCAST_CHANNEL, LEADER_CHANNEL, Op, channel_of
from signaling.cluster.remote import RemoteConnection, principal_from, principal_to
from signaling.hub import Hub
from signaling.identity import Principal
from wire import client_messages as C
from wire import server_messages as S
from wire.codec import dump, parse_client
from wire.errors import MessageError

__all__ = ["ClusterNode", "LocalConnection", "RoutingHost"]

log = logging.getLogger("etapiste.cluster")


class LocalConnection(Protocol):
    """A client socket on this node."""

    principal: Principal
    connection_id: str
    hello: C.Hello | None
    welcomed: bool

    def send(self, message: S.ServerMessage) -> None:
        """Queue a message for the client."""

    def send_text(self, text: str, *, error: bool = False, welcome: bool = False) -> None:
        """Queue an already encoded message for the client."""

    def close(self, reason: str, code: int = 1000) -> None:
        """Say goodbye and close."""


class RoutingHost(Protocol):
    """What the node needs of its server: the hub when it routes, and its clients."""

    @property
    def hub(self) -> Hub:
        """The routing hub (valid while this node leads)."""

    def start_routing(self, term: int) -> None:
        """Build the router and hub under ``term`` and restore them from the store."""

    def stop_routing(self) -> None:
        """Stop routing: the hub and router are dropped."""

    def wake(self) -> None:
        """Routing deadlines may have moved."""

    def mirror_snapshot(self, snapshot: dict[str, Any]) -> None:
        """Show the leader's dashboard snapshot."""


class ClusterNode:
    """This node's part in the cluster: leader or follower, and the bus traffic of both."""

    def __init__(self, node_id: str, host: RoutingHost, post: Callable[[str, Op], None]) -> None:
        self.node_id = node_id
        self.channel = channel_of(node_id)
        self._host = host
        self._post = post
        self.local: dict[str, LocalConnection] = {}
        self.remotes: dict[tuple[str, str], RemoteConnection] = {}
        self.leader: str | None = None
        self.term: int | None = None
        self.leading = False
        self.available = False

    # ------------------------------------------------------------ local clients

    def attach(self, conn: LocalConnection, hello: C.Hello) -> None:
        """A local client said hello."""
        conn.hello = hello
        self.local[conn.connection_id] = conn
        self._attach(conn, quiet=False)

    def handle(self, conn: LocalConnection, msg: C.ClientMessage) -> None:
        """A local client's message (authorised already)."""
        if self.leading:
            self._host.hub.handle(conn, msg)
        else:
            self._to_leader({"op": "msg", "c": conn.connection_id, "m": dump(msg)})

    def detach(self, conn: LocalConnection) -> None:
        """A local client's socket is gone."""
        if self.local.get(conn.connection_id) is conn:
            del self.local[conn.connection_id]
        if self.leading:
            self._host.hub.detach(conn)
        else:
            self._to_leader({"op": "detach", "c": conn.connection_id})

    def _attach(self, conn: LocalConnection, *, quiet: bool) -> None:
        hello = conn.hello
        if hello is None:
            return
        if self.leading:
            self._host.hub.attach(conn, hello, quiet=quiet)
            return
        op: Op = {"op": "attach", "c": conn.connection_id, "p": principal_to(conn.principal),
                  "m": dump(hello)}
        if quiet:
            op["q"] = 1
        self._to_leader(op)

    def _to_leader(self, op: Op) -> None:
        op["n"] = self.node_id
        self._post(LEADER_CHANNEL, op)

    def reattach_all(self) -> None:
        """Register every local client with the current leader: those already welcomed
        quietly, the others with their hello (their attach may have been lost)."""
        for conn in list(self.local.values()):
            self._attach(conn, quiet=conn.welcomed)

    def shed_clients(self) -> None:
        """Say goodbye to every local client: they reconnect to a node that can serve them."""
        for conn in list(self.local.values()):
            conn.close("server_shutdown", 1012)

    # ----------------------------------------------------------------- roles

    def became_leader(self, term: int) -> None:
        """The lease is ours under ``term``: route, take our own clients, tell the others."""
        self.remotes.clear()
        self._host.start_routing(term)
        self.term, self.leader, self.leading = term, self.node_id, True
        self.reattach_all()
        self._post(BROADCAST_CHANNEL, {"op": "leader", "n": self.node_id, "t": term})
        self._host.wake()
        log.info("leading", extra=fields(node=self.node_id, term=term))

    def stepped_down(self, why: str) -> None:
        """The lease is lost (or may be): stop routing at once."""
        if not self.leading:
            return
        self.leading = False
        self.leader = None
        for remote in self.remotes.values():
            remote.closed = True  # nothing more goes out under the old term
        self.remotes.clear()
        self._host.stop_routing()
        log.warning("stepped down", extra=fields(node=self.node_id, term=self.term, why=why))

    def bus_up(self) -> None:
        """The database is reachable again: serve clients."""
        self.available = True

    def bus_down(self) -> None:
        """The database is gone: stop routing, let clients go elsewhere."""
        self.available = False
        self.stepped_down("database lost")
        self.shed_clients()

    # -------------------------------------------------------------- bus input

    def on_ops(self, ops: Iterable[Op]) -> None:
        """Operations received from the bus, in order."""
        for op in ops:
            try:
                self._on_op(op)
            except Exception:
                log.exception("bus operation failed", extra=fields(op=str(op.get("op"))))

    def _on_op(self, op: Op) -> None:
        kind = op.get("op")
        if kind in ("attach", "msg", "detach"):
            if self.leading:
                self._from_node(op)
        elif kind == "send":
            conn = self.local.get(str(op["c"]))
            if conn is not None:
                conn.send_text(str(op["m"]), error=bool(op.get("e")), welcome=bool(op.get("w")))
        elif kind == "close":
            conn = self.local.get(str(op["c"]))
            if conn is not None:
                conn.close(str(op["r"]), int(op["k"]))
        elif kind == "who":
            conn = self.local.get(str(op["c"]))
            if conn is not None:
                self._attach(conn, quiet=conn.welcomed)
        elif kind == "leader":
            self._new_leader(str(op["n"]), int(op["t"]))
        elif kind == "snapshot" and not self.leading:
            self._host.mirror_snapshot(op["s"])

    def _new_leader(self, node: str, term: int) -> None:
        if node == self.node_id or (self.term is not None and term < self.term):
            return
        if self.leading:
            self.stepped_down(f"node {node} leads under term {term}")
        self.leader, self.term = node, term
        self.reattach_all()

    def _from_node(self, op: Op) -> None:
        node, conn_id = str(op["n"]), str(op["c"])
        key = (node, conn_id)
        hub = self._host.hub
        if op["op"] == "attach":
            hello = parse_client(str(op["m"]))
            if not isinstance(hello, C.Hello):
                return
            remote = self.remotes.get(key)
            quiet = bool(op.get("q"))
            if remote is None:
                remote = RemoteConnection(node, conn_id, principal_from(op["p"]), self._post_node)
                self.remotes[key] = remote
            else:
                # The same socket again (its node re-sent the hello before our welcome reached
                # it): never a second welcome or a second new citizen session.
                quiet = True
            hub.attach(remote, hello, quiet=quiet)
        elif op["op"] == "msg":
            known = self.remotes.get(key)
            if known is None:
                self._post_node(node, {"op": "who", "c": conn_id})
                return
            try:
                msg = parse_client(str(op["m"]))
            except MessageError:
                return  # parsed once already by the node that received it
            hub.handle(known, msg)
        else:
            gone = self.remotes.pop(key, None)
            if gone is not None:
                hub.detach(gone)
        self._host.wake()

    def _post_node(self, node: str, op: Op) -> None:
        self._post(channel_of(node), op)

    def nodes_gone(self, alive: set[str]) -> None:
        """The leader's view of which nodes are up: clients of the others are disconnected."""
        if not self.leading:
            return
        gone = [k for k in self.remotes if k[0] not in alive]
        for key in gone:
            remote = self.remotes.pop(key)
            remote.closed = True
            self._host.hub.detach(remote)
        if gone:
            log.warning("node gone", extra=fields(nodes=sorted({k[0] for k in gone}),
                                                  clients=len(gone)))
            self._host.wake()
