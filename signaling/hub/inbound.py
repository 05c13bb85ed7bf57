"""From clients to the router: which routing event a message or a connection change means.

A routed message becomes one event, or an error answer to its sender when it cannot stand (a
kiosk leaving a queue it is not in, a hang-up of somebody else's call). Connections coming and
going become the events that keep or give up places and calls.
"""

from __future__ import annotations

from typing import Literal

from signaling.hub.connections import Connection
from signaling.hub.relay import Relay
from signaling.identity import Principal
from signaling.routing import events as E
from signaling.routing.router import Router
from wire import client_messages as C
from wire import server_messages as S
from wire.errors import ErrorCode

__all__ = ["Inbound", "RoutedMessage"]

RoutedMessage = (
    C.QueueJoin | C.QueueLeave | C.CallEnd | C.CallTransfer | C.AgentStateSet | C.OfferAccept
    | C.OfferReject | C.WrapUpDone
)


class Inbound:
    """Turns client messages and connection changes into routing events."""

    def __init__(self, router: Router, relay: Relay) -> None:
        self._router = router
        self._relay = relay

    def event_for(self, conn: Connection, msg: RoutedMessage) -> E.Event | None:
        """The event ``msg`` asks for, or None once the sender was told why not."""
        p = conn.principal
        match msg:
            case C.QueueJoin():
                return E.JoinQueue(p.id, msg.service, msg.language)
            case C.QueueLeave():
                if self._router.entry_for_kiosk(p.id) is None:
                    conn.send(S.Error(ref=msg.ref, code=ErrorCode.NOT_QUEUED,
                                      message="not waiting in any queue"))
                    return None
                return E.LeaveQueue(p.id)
            case C.CallEnd():
                if self._relay.other_member(conn, msg.call_id, msg.ref) is None:
                    return None
                by: Literal["kiosk", "agent"] = "kiosk" if p.role == "kiosk" else "agent"
                return E.EndCall(msg.call_id, by, msg.reason)
            case C.CallTransfer():
                if self._relay.other_member(conn, msg.call_id, msg.ref) is None:
                    return None
                return E.Transfer(p.id, msg.call_id, msg.service)
            case C.AgentStateSet():
                if msg.state == "ready":
                    return E.AgentReady(p.id)
                return E.AgentNotReady(p.id, msg.reason or "unspecified")
            case C.OfferAccept():
                return E.AcceptOffer(p.id, msg.offer_id)
            case C.OfferReject():
                return E.RejectOffer(p.id, msg.offer_id)
            case C.WrapUpDone():
                return E.EndWrapUp(p.id, msg.call_id)

    def fresh_session(self, kiosk_id: str) -> list[E.Event]:
        """A kiosk without its resume token starts a new citizen session: the previous
        citizen's place or call cannot be taken over, so it ends."""
        events: list[E.Event] = []
        if self._router.entry_for_kiosk(kiosk_id) is not None:
            events.append(E.LeaveQueue(kiosk_id))
        call = self._router.call_for_kiosk(kiosk_id)
        if call is not None:
            events.append(E.EndCall(call.call_id, "kiosk", "kiosk_restarted"))
        return events

    def attached(self, p: Principal) -> E.Event | None:
        """The event for a kiosk or agent that just attached (operators route nothing)."""
        if p.role == "kiosk":
            router = self._router
            if router.entry_for_kiosk(p.id) is None and router.call_for_kiosk(p.id) is None:
                return None
            return E.KioskReconnected(p.id)
        if p.role == "agent":
            if self._router.agent_view(p.id) is None:
                return E.AgentLogin(p.id, p.skills, p.languages)
            return E.AgentReconnected(p.id)
        return None

    @staticmethod
    def detached(p: Principal) -> E.Event | None:
        """The event for a kiosk or agent whose registered connection went away."""
        if p.role == "kiosk":
            return E.KioskDisconnected(p.id)
        return E.AgentDisconnected(p.id) if p.role == "agent" else None
