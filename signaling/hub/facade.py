"""The hub: where connections, the routing core and the store meet. No sockets here.

It takes parsed client messages from connections (anything with ``send`` and ``close``), turns
them into router events (:mod:`~signaling.hub.inbound`) and has the router's actions carried out
(:mod:`~signaling.hub.delivery`). The clock is read once per client message, connection change
or tick; the actions carry the router's time. The aiohttp layer only moves bytes in and out.
"""

from __future__ import annotations

from collections.abc import Callable

from signaling.booking.desk import BookingDesk
from signaling.booking_office import BookingOffice
from signaling.directory import Directory
from signaling.hub.bookings import Bookings
from signaling.hub.callbacks import Callbacks
from signaling.hub.connections import Connection, Connections, ResumeTokens
from signaling.hub.delivery import Dispatcher
from signaling.hub.inbound import Inbound, RoutedMessage
from signaling.hub.live import LiveState, View
from signaling.hub.member_render import MemberLook
from signaling.hub.members import MemberHub
from signaling.hub.outbound import Greeting, Lookups
from signaling.hub.persistence import Persistence, RestoreReport
from signaling.hub.queries import Queries
from signaling.hub.relay import Relay
from signaling.hub.sessions import Sessions
from signaling.routing import actions as A
from signaling.routing import callbacks as K
from signaling.routing import events as E
from signaling.routing.members import MemberCore
from signaling.routing.router import Router
from signaling.routing.state import uuid_ids
from signaling.store import Store
from wire import booking_messages as B
from wire import callback_messages as W
from wire import client_messages as C
from wire import media_messages as P
from wire import member_messages as M
from wire import server_messages as S
from wire.errors import ErrorCode

__all__ = ["Hub"]


class Hub:
    """Routes client messages through the ACD core and fans the results out."""

    def __init__(
        self, *, router: Router, store: Store, directory: Directory, clock: Callable[[], float],
        heartbeat_interval_s: float, heartbeat_timeout_s: float,
        ice_servers: list[tuple[list[str], str | None]], ice_transport_policy: str = "all",
        turn_ttl_s: int = 3600, dispositions: list[str] | None = None,
        timezone: str = "Europe/Helsinki", term: int | None = None,
        on_lost: Callable[[Exception], bool] | None = None, agent_grace_s: float = 60.0,
        photo_retention_days: int | None = None, office: BookingOffice | None = None,
        desk: BookingDesk | None = None,
        callback_config: K.CallbackConfig | None = None, callback_min_left_s: float = 3600.0,
        member_offer_timeout_s: float = 20.0, member_grace_s: float = 20.0,
    ) -> None:
        self.router = router
        self._clock = clock
        self._dispositions = frozenset(dispositions or ())
        conns, resume, live = Connections(), ResumeTokens(), LiveState()
        self._conns, self._live = conns, live
        self.view = View(conns, live)
        """The read-only :class:`~signaling.hub.live.LiveView` for monitor, metrics, admin."""
        self._relay = Relay(conns, live, ice_servers, ice_transport_policy, turn_ttl_s,
                            self.view.notify_kiosk)
        self._inbound = Inbound(router, self._relay)
        self._records = Persistence(store, live, resume, term=term, agent_grace_s=agent_grace_s)
        self._return_grace_s = agent_grace_s  # how long clients may take to come back
        if on_lost is not None:
            self._records.on_lost = on_lost
        self._queries = Queries(router, store, directory, conns, timezone)
        office = office or BookingOffice(store, directory.catalogue, timezone)
        desk = desk or BookingDesk()
        look = Lookups(directory.kiosk_label, directory.agent_name, live.agent_calls.get,
                       self._relay.ice_servers, self._relay.ice_transport_policy,
                       lambda kiosk, agent: self.bookings.offer_booking(kiosk, agent),
                       lambda kiosk: self.bookings.kiosk_needed(kiosk))
        self._dispatcher = Dispatcher(router, conns, live, self._records, look, self.view,
                                      self._queries)
        self.bookings = Bookings(router=router, store=store, office=office, directory=directory,
                                 connections=conns, dispatcher=self._dispatcher, desk=desk,
                                 clock=clock)
        """Appointments: check-in, booked citizens, the booking messages."""
        greeting = Greeting(heartbeat_interval_s, heartbeat_timeout_s, tuple(dispositions or ()),
                            photo_retention_days)
        self.callbacks = Callbacks(router, store, conns, self._dispatcher.run, callback_config,
                                   callback_min_left_s, directory.site_ref,
                                   directory.service_languages)
        """Callback tasks (issue 14): the desk and what it tells kiosks and consoles."""
        member_look = MemberLook(directory.kiosk_label, directory.agent_name,
                                 self._relay.ice_servers, self._relay.ice_transport_policy)
        self.members = MemberHub(
            MemberCore(router, offer_timeout_s=member_offer_timeout_s, grace_s=member_grace_s,
                       id_factory=uuid_ids),
            router, conns, store, member_look,
            lambda event, now: self._dispatcher.run(event, now),
        )
        """Calls of three or four members (:mod:`signaling.hub.members`)."""
        self._dispatcher.observers.append(self.members.follow)
        self._sessions = Sessions(router, directory, conns, resume, live, self._inbound,
                                  self._dispatcher, self._records, self._relay, self._queries,
                                  look, greeting, self.view, self.members.core.profiles.get)

    def attach(self, conn: Connection, hello: C.Hello, *, quiet: bool = False) -> None:
        """Register a connection after its ``hello``; answers ``welcome`` or refuses.

        ``quiet``: re-register a client that stays connected to its node when routing moves
        to this hub (no ``welcome``, nothing of its citizen session ends)."""
        now, p = self._clock(), conn.principal
        if p.role == "agent":
            self.members.login(p)
        self._sessions.attach(conn, hello, now, quiet=quiet)
        if p.role == "kiosk" and self._conns.kiosks.get(p.id) is conn:
            self.bookings.attached(conn, now)
        self.callbacks.attached(conn)
        self.callbacks.sync(now)
        if p.role in ("kiosk", "agent") and self._conns.member(p.id) is conn:
            self.members.link(p.id, True, now)

    def detach(self, conn: Connection) -> None:
        """The connection is gone (closed, timed out or replaced)."""
        now, p = self._clock(), conn.principal
        self._sessions.detach(conn, now)
        self.callbacks.sync(now)
        if p.role in ("kiosk", "agent") and self._conns.member(p.id) is None:
            self.members.link(p.id, False, now)

    def restore(self, now: float) -> RestoreReport:
        """Adopt queue places and live calls from the store after a restart or crash."""
        report = self._records.restore(self.router, now)
        self.bookings.restored(now, self._return_grace_s)
        self.callbacks.restore(now)
        for call in self._live.calls.values():
            self.members.restore(call.call_id, call.kiosk_id, call.agent_id, call.service_id,
                                 call.language, now)
        return report

    def tick(self) -> None:
        """Let the router act on timeouts (offers, grace periods, wrap-up), the check-in desk
        on slot starts and no-shows, the callback desk on its tasks, and the member hub on
        invitations and dropped members."""
        now = self._clock()
        self._dispatcher.run(E.Tick(), now)
        self.bookings.tick(now)
        self.callbacks.tick(now)
        self.members.tick(now)

    def flush_positions(self, min_interval_s: float = 1.0) -> None:
        """Send waiting kiosks their latest position, each at most once per interval."""
        self._dispatcher.flush_positions(self._clock(), min_interval_s)

    def push_queue_stats(self, min_interval_s: float = 1.0) -> None:
        """Send queue figures to every agent, at most once per ``min_interval_s``."""
        self._queries.push_queue_stats(self._clock(), min_interval_s)

    def handle(self, conn: Connection, msg: C.ClientMessage) -> None:
        """Carry out one authorised client message (role checks are done by the caller)."""
        now, p = self._clock(), conn.principal
        match msg:
            case C.Ping():
                conn.send(S.ServerPong(ref=msg.ref, t=msg.t))
            case C.Pong() | C.Hello():
                pass
            case C.ServicesGet():
                conn.send(self._queries.services(msg.ref, now))
            case C.HistoryGet():
                conn.send(self._queries.history(p.id, msg.ref, now))
            case P.MediaPrepare():
                if p.role == "kiosk":  # only kiosks may send it (web_ws checks)
                    self._relay.prepare(conn, msg, now)
            case C.SdpMessage() | C.IceMessage() | C.MediaRestart() | C.CallStatsReport():
                if not self.members.relay(conn, msg):
                    self._relay.handle(conn, msg)
            case (M.MemberInvite() | M.MemberInviteCancel() | M.SupervisorJoin()
                  | M.MemberOfferAccept() | M.MemberOfferDecline() | M.MemberRemove()
                  | M.MemberLeave() | M.MemberChat() | M.SupervisorModeSet()
                  | M.MemberDirectoryGet()):
                self.members.handle(conn, msg, now)
            case C.CallEnd() if self.members.added_call_end(conn, msg, now):
                pass
            case C.AgentStateSet() if (msg.state == "ready"
                                       and self.members.core.call_of_member(p.id) is not None):
                # An added member is held until it leaves: no citizen offers meanwhile.
                conn.send(S.Error(ref=msg.ref, code=ErrorCode.BAD_STATE,
                                  message="in another clerk's call"))
            case C.Health():
                live = self._live.kiosk(p.id)
                live.health, live.health_at = msg.health, now
                self.view.notify_kiosk(p.id)
            case C.CallRating():
                if not self._records.rate(p.id, msg.call_id, msg.rating):
                    # Another kiosk's call, one still going, or rated already: one answer.
                    self._refuse(conn, "no ended call of yours to rate", msg.ref)
            case C.WrapUpDone():
                self._wrap_up(conn, msg, now)
            case C.PhotosPurged():
                self._records.photos_purged(p, msg.count, now)
            case (B.BookingCheckIn() | B.BookingSlotsGet() | B.BookingMake()
                  | B.BookingCancel() | B.BookingsGet()):
                self.bookings.handle(conn, msg, now)
            case C.QueueJoin() if p.role == "kiosk":
                self._dispatcher.run(self.bookings.join_event(p.id, msg, now), now, conn,
                                     msg.ref)
            case C.QueueLeave() if p.role == "kiosk" and self.bookings.leave(conn, msg.ref, now):
                pass
            case C.Logout():
                if p.role == "agent":
                    self._dispatcher.run(E.AgentLogout(p.id), now, conn, msg.ref)
                self._records.logout(p, now)
                conn.close("logged_out", 1000)
            case W.CallbackRequest() | W.CallbackAccept() | W.CallbackReject() \
                    | W.CallbackResult():
                self.callbacks.handle(conn, msg, now)
            case C.AgentStateSet(state="ready") if self.callbacks.desk.held_by(p.id):
                # Ready would let the router offer a kiosk citizen mid-phone-call.
                conn.send(S.Error(ref=msg.ref, code=ErrorCode.BAD_STATE,
                                  message="record the result of your callback first"))
            case _:
                self._route(conn, msg, now)
        if isinstance(msg, _CLERK_CHANGES):
            self.callbacks.sync(now)

    def _route(self, conn: Connection, msg: RoutedMessage, now: float) -> None:
        event = self._inbound.event_for(conn, msg)
        if event is not None:
            self._dispatcher.run(event, now, conn, msg.ref)

    def _wrap_up(self, conn: Connection, msg: C.WrapUpDone, now: float) -> None:
        """End wrap-up; only what the router accepted is written (the call's disposition and
        note), so a refused or late wrap-up changes no record."""
        if (msg.disposition is not None and self._dispositions
                and msg.disposition not in self._dispositions):
            conn.send(S.Error(ref=msg.ref, code=ErrorCode.BAD_MESSAGE,
                              message="unknown disposition"))
            return
        event = E.EndWrapUp(conn.principal.id, msg.call_id)
        actions = self._dispatcher.run(event, now, conn, msg.ref)
        if not any(isinstance(a, A.Rejected) for a in actions):
            self._records.wrap_up(conn.principal, msg.call_id, msg.disposition, msg.note, now)

    def _refuse(self, conn: Connection, message: str, ref: str | None) -> None:
        conn.send(S.Error(ref=ref, code=ErrorCode.UNKNOWN_CALL, message=message))


_CLERK_CHANGES = (
    C.QueueJoin, C.QueueLeave, C.CallEnd, C.CallTransfer, C.AgentStateSet, C.OfferAccept,
    C.OfferReject, C.WrapUpDone, C.Logout, W.CallbackRequest, W.CallbackAccept,
    W.CallbackReject, W.CallbackResult,
)
"""Messages after which a clerk may be free or busy for callback tasks (health reports, relay
and queries are not: they cost the callback desk nothing)."""
