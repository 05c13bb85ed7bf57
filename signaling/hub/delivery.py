"""Carrying out the router's actions: record each one, follow it, deliver its messages.

For every event the router handles, each action it returns is written to the store
(:mod:`~signaling.hub.persistence`), followed in the hub's own state (calls in progress), and
rendered (:mod:`~signaling.hub.outbound`) into messages that are sent here. The first message
the batch sends to the request's sender carries the request's ``ref``, and so does every direct
answer (a refusal); a message for a kiosk that is away is kept, if it says how the citizen's
place or call ended, and told when the kiosk resumes.
"""

from __future__ import annotations

import logging

from jsonlog import fields
from signaling.hub.connections import Connection, Connections
from signaling.hub.live import LiveState, View
from signaling.hub.outbound import Lookups, Outgoing, render
from signaling.hub.persistence import Persistence
from signaling.hub.queries import Queries
from signaling.routing import actions as A
from signaling.routing import events as E
from signaling.routing.router import Router

__all__ = ["Dispatcher"]

log = logging.getLogger("etapiste.hub")


class Dispatcher:
    """Runs events through the router and carries out what it decides."""

    def __init__(
        self,
        router: Router,
        connections: Connections,
        live: LiveState,
        records: Persistence,
        look: Lookups,
        view: View,
        queries: Queries,
    ) -> None:
        self._router = router
        self._connections = connections
        self._live = live
        self._records = records
        self._look = look
        self._view = view
        self._queries = queries

    def run(
        self,
        event: E.Event,
        now: float,
        origin: Connection | None = None,
        ref: str | None = None,
    ) -> list[A.Action]:
        """Hand ``event`` to the router at ``now``; record and deliver every action. Returns
        the actions, so a caller can tell whether the router refused (``Rejected``)."""
        actions = self._router.handle(event, now)
        pending = ref if origin is not None else None
        for action in actions:
            try:
                self._records.write(action)
            except Exception:
                # A store failure loses a record, never the clients' messages.
                log.exception("store write failed", extra=fields(action=type(action).__name__))
            try:
                self._live.apply(action)
                for out in render(action, self._look):
                    pending = self._deliver(out, origin, ref, pending)
                if isinstance(action, A.AgentStateChanged):
                    self._view.notify("agents")
            except Exception:
                # One failed action must not stop the others: they concern other clients.
                log.exception("action failed", extra=fields(action=type(action).__name__))
        try:
            self._records.flush()
        except Exception:
            log.exception("store write failed", extra=fields(action="shown estimates"))
        if actions:
            self._queries.stats_dirty = True
            self._view.notify("queues")
        return actions

    def _deliver(
        self, out: Outgoing, origin: Connection | None, ref: str | None, pending: str | None
    ) -> str | None:
        """Send ``out``; returns the ref still waiting for the sender's first message."""
        conn = origin if out.reply and origin is not None else self._connections.member(out.to)
        if conn is None:
            if out.keep:
                self._live.kiosk(out.to).missed = out.message
            return pending
        message = out.message
        if conn is origin and pending is not None:
            message, pending = message.model_copy(update={"ref": pending}), None
        elif out.reply:
            message = message.model_copy(update={"ref": ref})
        conn.send(message)
        return pending
