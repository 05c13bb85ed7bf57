"""Carrying out the router's actions: record each one, follow it, deliver its messages.

For every event the router handles, each action it returns is written to the store
(:mod:`~signaling.hub.persistence`), followed in the hub's own state (calls in progress), and
rendered (:mod:`~signaling.hub.outbound`) into messages that are sent here. The first message
the batch sends to the request's sender carries the request's ``ref``, and so does every direct
answer (a refusal); a message for a kiosk that is away is kept, if it says how the citizen's
place or call ended, and told when the kiosk resumes.

Queue positions are coalesced: the one a kiosk's own message brings goes at once, the others
(everybody behind moving up) wait for
:meth:`Dispatcher.flush_positions`, which sends each kiosk only its latest, at most once per
interval. When the head of a long queue is answered every citizen behind moves up; sent at
once, that was one message per waiting kiosk per event, however fast events came.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from jsonlog import fields
from signaling.errors import StoreError
from signaling.hub.connections import Connection, Connections
from signaling.hub.live import LiveState, View
from signaling.hub.outbound import Lookups, Outgoing, render
from signaling.hub.persistence import Persistence
from signaling.hub.queries import Queries
from signaling.routing import actions as A
from signaling.routing import events as E
from signaling.routing.router import Router
from wire import server_messages as S

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
        self._positions: dict[str, S.QueuePosition] = {}
        self._positions_at = float("-inf")
        self.followers: list[Callable[[list[A.Action], float], None]] = []
        """Called with every batch of delivered actions (the member hub follows calls)."""

    def run(
        self,
        event: E.Event,
        now: float,
        origin: Connection | None = None,
        ref: str | None = None,
    ) -> list[A.Action]:
        """Hand ``event`` to the router at ``now``; record and deliver every action. Returns
        the actions, so a caller can tell whether the router refused (``Rejected``).

        The event's writes commit together before anything is delivered: what a client is told
        is what a restore would find; if they cannot (the routing lease is lost), nothing is
        delivered and no actions are returned."""
        actions = self._router.handle(event, now)
        gone = _leaving(event)
        if gone is not None and self._router.agent_view(gone) is not None:
            gone = None
        if (actions or gone) and not self._write(actions, gone, now):
            return []
        pending = ref if origin is not None else None
        for action in actions:
            try:
                self._live.apply(action)
                for out in render(action, self._look):
                    pending = self._deliver(out, origin, ref, pending)
                if isinstance(action, A.AgentStateChanged):
                    self._view.notify("agents")
                elif isinstance(action, _KIOSK_ACTIONS):
                    self._view.notify_kiosk(action.kiosk_id)
            except Exception:
                # One failed action must not stop the others: they concern other clients.
                log.exception("action failed", extra=fields(action=type(action).__name__))
        if actions:
            self._queries.stats_dirty = True
            self._view.notify("queues")
            for follow in self.followers:
                try:
                    follow(actions, now)
                except Exception:
                    log.exception("follower failed")
        return actions

    def flush_positions(self, now: float, min_interval_s: float) -> None:
        """Send each kiosk its latest queue position, if ``min_interval_s`` has passed."""
        if not self._positions or now - self._positions_at < min_interval_s:
            return
        self._positions_at = now
        positions, self._positions = self._positions, {}
        for kiosk_id, message in positions.items():
            conn = self._connections.kiosks.get(kiosk_id)
            if conn is not None:
                conn.send(message)

    def _write(self, actions: list[A.Action], gone: str | None, now: float) -> bool:
        """Record the actions; False if nothing may be delivered (the routing lease is lost)."""
        try:
            with self._records.batch(now):
                for action in actions:
                    try:
                        self._records.write(action)
                    except StoreError:
                        # A store failure loses a record, never the clients' messages.
                        log.exception("store write failed",
                                      extra=fields(action=type(action).__name__))
                if gone is not None:
                    self._records.agent_gone(gone)
                try:
                    self._records.flush()
                except StoreError:
                    log.exception("store write failed", extra=fields(action="shown estimates"))
        except Exception as exc:
            return self._records.on_lost(exc)
        return True

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
        if isinstance(message, S.QueuePosition) and conn is not origin:
            self._positions[out.to] = message  # the latest replaces any not yet sent
            return pending
        if isinstance(message, S.QueuePosition | S.QueueLeft | S.CallStart):
            self._positions.pop(out.to, None)  # sent now, or no longer true
        if conn is origin and pending is not None:
            message, pending = message.model_copy(update={"ref": pending}), None
        elif out.reply:
            message = message.model_copy(update={"ref": ref})
        conn.send(message)
        return pending


def _leaving(event: E.Event) -> str | None:
    """The agent whose routing the event may end (their kept state must go then)."""
    return event.agent_id if isinstance(event, E.AgentLogout | E.AgentDisconnected) else None


_KIOSK_ACTIONS = (A.EntryQueued, A.EntryRemoved, A.CallStarted, A.CallEnded, A.CallTransferred)
"""Actions that change what the operators see of a kiosk (waiting, in a call)."""
