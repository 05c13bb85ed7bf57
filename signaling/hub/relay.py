"""The relay between a call's two members: SDP, ICE, media restarts, stats, TURN credentials.

Only a member of a call may send to it, and only to the other member; anyone else gets the same
``unknown_call`` answer whether the call exists or not, so membership is not disclosed. SDP and
candidates pass through unchanged and are never logged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from signaling.hub.connections import Connection, Connections
from signaling.hub.live import LiveState
from signaling.turn import ice_servers_for_call
from wire import client_messages as C
from wire import media_messages as P
from wire import server_messages as S
from wire.errors import ErrorCode
from wire.types import IceServer

__all__ = ["Relay", "RelayMessage"]

RelayMessage = C.SdpMessage | C.IceMessage | C.MediaRestart | C.CallStatsReport


class Relay:
    """Moves a call's media negotiation between its members and keeps their statistics."""

    def __init__(
        self,
        connections: Connections,
        live: LiveState,
        ice_servers: list[tuple[list[str], str | None]],
        ice_transport_policy: str,
        turn_ttl_s: int,
        kiosk_changed: Callable[[str], None] = lambda kiosk_id: None,
    ) -> None:
        self._connections = connections
        self._live = live
        self._servers = ice_servers
        self.ice_transport_policy = "relay" if ice_transport_policy == "relay" else "all"
        self._ttl_s = turn_ttl_s
        self._kiosk_changed = kiosk_changed

    def other_member(self, conn: Connection, call_id: str, ref: str | None) -> str | None:
        """The other member's id if ``conn`` belongs to the call; else an error is sent."""
        p = conn.principal
        other = self._live.member_other(call_id, p.role, p.id)
        if other is None:
            # Same answer for "no such call" and "not yours": membership is not disclosed.
            conn.send(S.Error(ref=ref, code=ErrorCode.UNKNOWN_CALL,
                              message="no such call of yours"))
        return other

    def handle(self, conn: Connection, msg: RelayMessage) -> None:
        """Forward negotiation to the other member, or record the sender's call stats."""
        other = self.other_member(conn, msg.call_id, msg.ref)
        if other is None:
            return
        if isinstance(msg, C.CallStatsReport):
            p = conn.principal
            self._live.calls[msg.call_id].stats[p.role] = msg.stats
            if p.role == "kiosk":
                self._live.kiosk(p.id).last_quality = msg.stats
                self._kiosk_changed(p.id)
            return
        peer = self._connections.member(other)
        if peer is not None:
            peer.send(msg.model_copy(update={"ref": None}))

    def peer_status(
        self, call_id: str, who: str, status: Literal["connected", "reconnecting"]
    ) -> None:
        """Tell the other member of ``call_id`` that ``who``'s link dropped or came back."""
        call = self._live.calls.get(call_id)
        if call is None:
            return
        other = call.agent_id if who == call.kiosk_id else call.kiosk_id
        conn = self._connections.member(other)
        if conn is not None:
            conn.send(S.PeerStatus(call_id=call_id, status=status))

    def ice_servers(self, call_id: str, now: float) -> list[IceServer]:
        """ICE servers for one call; TURN entries with credentials valid from ``now``."""
        return ice_servers_for_call(self._servers, call_id, now, self._ttl_s)

    def prepare(self, conn: Connection, msg: P.MediaPrepare, now: float) -> None:
        """ICE servers for a kiosk to prepare its next call's media path with
        (:mod:`wire.media_messages`); the credentials name the kiosk, not a call."""
        label = f"prep-{conn.principal.id}"
        conn.send(P.MediaServers(
            ref=msg.ref, ice_servers=ice_servers_for_call(self._servers, label, now, self._ttl_s),
            ice_transport_policy=self.ice_transport_policy,  # type: ignore[arg-type]
            ttl_s=self._ttl_s,
        ))
