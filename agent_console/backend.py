"""The console's network and media side: the shared client core on the asyncio (qasync) loop.

:class:`ConsoleBackend` implements :class:`agent_console.ports.Backend` for the presenter:
it logs in, keeps the signaling connection, runs one :class:`~client_core.call.CallSession`
per call (the agent is the answerer), and hands server messages and call events back to the
presenter. Nothing here touches Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Coroutine
from typing import Any

import aiohttp

from agent_console.booking_requests import BookingRequests
from agent_console.bookings import BookingsPresenter
from agent_console.callbacks import CallbackPresenter
from agent_console.console_state import LoginInfo
from agent_console.ports import VideoFeeds
from agent_console.presenter import ConsolePresenter
from client_core.call import CallSession, MediaSources
from client_core.call_events import CallEvent, MediaConnected, MediaRecovered
from client_core.errors import AuthFailed, NotConnected, SessionEnded
from client_core.frame_slot import FrameSlot
from client_core.local_media import LocalMedia
from client_core.mesh import MediaFanout, MeshCall, PairMedia
from client_core.servers import first_answering, server_list, ws_urls
from client_core.signaling_client import (
    Backoff,
    LoginResult,
    SignalingClient,
    State,
    change_password,
    login,
)
from client_core.tls import connect_problem
from client_core.track_lease import TrackLease, lease
from wire import callback_messages as W
from wire import client_messages as C
from wire import member_messages as M
from wire import server_messages as S
from wire.errors import ErrorCode

log = logging.getLogger("etapiste.console.backend")

class ConsoleBackend(BookingRequests):
    """Signaling and media for one agent session at a time."""

    def __init__(
        self,
        base_url: str,
        media: LocalMedia,
        *,
        ssl_context: ssl.SSLContext | None = None,
        stats_interval_s: float = 2.0,
        backoff: Backoff | None = None,
    ) -> None:
        self.bases = server_list(base_url)
        """Every server the console may use (``--server`` may name several)."""
        self.base_url = self.bases[0]
        """The server that answered the login (the first of :attr:`bases` before)."""
        self.media = media
        self.ssl_context = ssl_context
        self.stats_interval_s = stats_interval_s
        self.backoff = backoff
        self.presenter: ConsolePresenter | None = None
        self.bookings: BookingsPresenter | None = None
        self.callbacks: CallbackPresenter | None = None
        """Callback tasks (issue 14): fed the server's messages beside the presenter."""
        self.client: SignalingClient | None = None
        self.session: CallSession | None = None
        self.feeds = VideoFeeds(remote=FrameSlot(), own=media.preview)
        """The citizen's picture (filled by each call) and the agent's own, for the views."""
        self.muted_members: set[str] = set()
        self.mesh: MeshCall | None = None
        """The pairs of a call of three or four beyond the kiosk ↔ answering clerk one."""
        self.fanout: MediaFanout | None = None
        self.first_pair: PairMedia | None = None
        self.leases: list[TrackLease | None] = []
        self._mesh_closing: set[asyncio.Future[None]] = set()
        self._tasks: set[asyncio.Future[Any]] = set()
        self._closing = False
        self._pending: tuple[LoginResult, str] | None = None
        """A login made with a temporary password, and that password, until it is changed."""

    def attach(self, presenter: ConsolePresenter) -> None:
        """The presenter to feed."""
        self.presenter = presenter

    # ------------------------------------------------------------------ Backend port

    def login(self, username: str, password: str) -> None:
        """Log in and connect in the background."""
        self._spawn(self._login(username, password))

    def change_password(self, new_password: str) -> None:
        """Replace the temporary password, then connect with the new session."""
        self._spawn(self._change_password(new_password))

    def cancel_password_change(self) -> None:
        """Forget the login made with the temporary password."""
        self._pending = None

    def photos_purged(self, count: int) -> None:
        """Report deleted photos to the server's audit log."""
        self._send(C.PhotosPurged(count=count))

    def logout(self) -> None:
        """Tell the server; it closes the session."""
        client = self.client
        if client is not None:
            self._closing = True
            client.send(C.Logout())
            self._spawn(self._finish_logout(client))

    def send_callback(
        self, message: W.CallbackAccept | W.CallbackReject | W.CallbackResult
    ) -> None:
        """A callback task message (take, skip, result)."""
        self._send(message)

    def set_state(self, state: str, reason: str | None) -> None:
        """Ready or not ready."""
        self._send(C.AgentStateSet(state=state, reason=reason))  # type: ignore[arg-type]

    def accept_offer(self, offer_id: str) -> None:
        """Take the offer."""
        self._send(C.OfferAccept(offer_id=offer_id))

    def reject_offer(self, offer_id: str) -> None:
        """Decline the offer."""
        self._send(C.OfferReject(offer_id=offer_id))

    def end_call(self, call_id: str) -> None:
        """Hang up the call in progress."""
        session = self.session
        if session is not None and session.call_id == call_id:
            self._spawn(session.hangup())
        else:
            self._send(C.CallEnd(call_id=call_id))

    def transfer(self, call_id: str, service: str) -> None:
        """Move the citizen to another queue."""
        self._send(C.CallTransfer(call_id=call_id, service=service))

    def wrapup_done(self, call_id: str, disposition: str | None, note: str | None) -> None:
        """Record the disposition; end wrap-up."""
        self._send(C.WrapUpDone(call_id=call_id, disposition=disposition, note=note))

    def request_history(self) -> None:
        """Ask for today's calls (the answer arrives as a ``history`` message)."""
        self._send(C.HistoryGet())

    def send_control(self, message: dict[str, Any]) -> bool:
        """A data-channel message to the kiosk."""
        session = self.session
        return session is not None and session.send_control(message)

    def set_muted(self, muted: bool) -> None:
        """Silence the microphone."""
        self.media.set_microphone(not muted)

    def set_camera(self, on: bool) -> None:
        """Camera picture on or off."""
        self.media.set_camera(on)

    def send_message(self, message: C.ClientMessage) -> None:
        """Send a member message (invite, remove, leave, chat, supervisor mode...)."""
        self._send(message)

    def set_member_muted(self, member_id: str, muted: bool) -> None:
        """Silence one member on this console's speaker (nobody else is affected)."""
        if muted:
            self.muted_members.add(member_id)
        else:
            self.muted_members.discard(member_id)
        self._apply_audible(member_id)

    def _apply_audible(self, member_id: str) -> None:
        """Set the speaker gate of the pair with ``member_id`` (after every new connection
        of that pair too: a media restart makes a new one)."""
        audible = member_id not in self.muted_members
        mesh, session = self.mesh, None
        if mesh is not None and member_id in mesh.pairs:
            session = mesh.pairs[member_id].session
        elif mesh is not None and self.session is not None:
            kiosk = next((m for m in mesh.members if m.role == "kiosk"), None)
            if kiosk is not None and kiosk.member_id == member_id:
                session = self.session  # the first pair: the answering clerk's with the kiosk
        peer = session.peer if session is not None else None
        if peer is not None:
            peer.remote.set_audible(audible)

    # -------------------------------------------------------------------- lifecycle

    async def close(self) -> None:
        """Hang up, disconnect and wait for background work."""
        self._closing = True
        session, self.session = self.session, None
        if session is not None:
            with contextlib.suppress(Exception):
                await session.hangup(timeout=2.0)
        mesh, first = self.mesh, self.first_pair
        self.mesh = self.first_pair = None
        if mesh is not None:
            with contextlib.suppress(Exception):
                await mesh.close()
        if first is not None:
            first.stop()
        self._end_leases()
        # Pairs closing finish first: a cancelled close would leave their peers running.
        await asyncio.gather(*self._mesh_closing, return_exceptions=True)
        client, self.client = self.client, None
        if client is not None:
            await client.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task

    # -------------------------------------------------------------------- internals

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed", exc_info=task.exception())

    def _send(self, message: C.ClientMessage) -> None:
        client = self.client
        if client is None or not client.send(message):
            log.warning("not connected: %s dropped", message.type)
            if self.presenter is not None:
                self.presenter.on_message(
                    S.Error(code=ErrorCode.INTERNAL_ERROR, message="not connected")
                )

    async def _login(self, username: str, password: str) -> None:
        presenter = self.presenter
        assert presenter is not None
        try:
            self.base_url, result = await first_answering(
                self.bases, lambda base: login(base, username, password, self.ssl_context)
            )
        except AuthFailed as exc:
            busy = exc.code in ("rate_limited", "busy")
            presenter.on_login_failed("login.busy_server" if busy else "login.refused")
            return
        except (OSError, aiohttp.ClientError, TimeoutError, ValueError) as exc:
            problem, reason = connect_problem(exc)
            if problem == "tls_untrusted":
                log.error("cannot log in at %s: %s", self.base_url, reason)
                presenter.on_login_failed("login.untrusted")
            else:
                log.warning("login failed: %s", reason)
                presenter.on_login_failed("login.unreachable")
            return
        if result.role != "agent":
            presenter.on_login_failed("login.not_agent")
            return
        if result.must_change_password:
            self._pending = (result, password)
            presenter.on_password_change_required()
            return
        await self._connect(result)

    async def _change_password(self, new_password: str) -> None:
        presenter, pending = self.presenter, self._pending
        assert presenter is not None
        if pending is None:
            presenter.on_login_failed("login.session_ended")
            return
        result, current = pending
        try:
            fresh = await change_password(
                self.base_url, result.token, current, new_password, self.ssl_context
            )
        except AuthFailed as exc:
            refused = exc.code == "password_refused"
            presenter.on_password_change_failed(
                "password.refused" if refused else "password.failed"
            )
            return
        except (OSError, aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.warning("password change failed: %s", type(exc).__name__)
            presenter.on_password_change_failed("password.failed")
            return
        self._pending = None
        await self._connect(fresh)

    async def _connect(self, result: LoginResult) -> None:
        presenter = self.presenter
        assert presenter is not None
        client = SignalingClient(
            ws_urls(self.bases, first=self.base_url),  # reconnects go round the list
            result.token,
            client_name="agent-console",
            ssl_context=self.ssl_context,
            backoff=self.backoff,
        )
        client.add_listener(self._on_message)
        client.add_state_listener(lambda state: self._on_state(client, state))
        self.client = client
        self._closing = False
        try:
            await client.connected(timeout=10.0)
        except (NotConnected, AuthFailed, SessionEnded) as exc:
            log.warning("no session: %s", exc)
            self.client = None
            await client.close()
            presenter.on_login_failed("login.unreachable")

    def _welcomed(self, client: SignalingClient, welcome: S.Welcome) -> None:
        # Here, not after ``connected()`` returns: the agent_status and queue_stats that follow
        # the welcome are dispatched before the login coroutine resumes.
        presenter = self.presenter
        if presenter is None or presenter.session is not None:
            return
        presenter.on_logged_in(
            LoginInfo(
                agent_id=welcome.identity.id,
                name=welcome.identity.name,
                skills=list(welcome.identity.skills),
                languages=list(welcome.identity.languages),
                dispositions=list(welcome.dispositions),
                server_time=welcome.server_time,
                photo_retention_days=welcome.photo_retention_days,
                interpretation_languages=list(welcome.identity.interpretation_languages),
                supervisor=welcome.identity.supervisor,
            )
        )
        client.send(C.ServicesGet())
        if self.bookings is not None:
            self.bookings.refresh()

    def _on_state(self, client: SignalingClient, state: State) -> None:
        if client is not self.client or self.presenter is None:
            return
        self.presenter.on_connection(state)
        if state == "closed" and not self._closing:
            self.client = None
            self.presenter.on_logged_out("login.session_ended")

    async def _finish_logout(self, client: SignalingClient) -> None:
        with contextlib.suppress(TimeoutError, NotConnected):
            await client.wait_for(S.Goodbye, timeout=3.0)
        await client.close()
        if self.client is client:
            self.client = None
        if self.presenter is not None:
            self.presenter.on_logged_out(None)

    def _on_message(self, message: S.ServerMessage) -> None:
        if isinstance(message, S.Welcome) and self.client is not None:
            self._welcomed(self.client, message)
        elif isinstance(message, S.CallStart) and self.client is not None:
            current = self.session
            if current is None or current.call_id != message.call_id or current.ended.is_set():
                self._start_call(self.client, message)
        elif isinstance(message, S.CallEnded):
            session = self.session
            if session is not None and session.call_id == message.call_id:
                self.session = None  # the session closes itself on call_ended
            if self.mesh is not None and self.mesh.call_id == message.call_id:
                self._end_mesh()  # the mesh closes its pairs itself on call_ended
        elif isinstance(message, M.CallMembers) and self.client is not None \
                and self.mesh is None and message.your_role != "clerk":
            # Joined as an added member: this list is our start of the call.
            self._start_mesh(self.client, message.call_id).feed(message)
        if message.ref is not None:
            return  # the answer to a request (bookings): the requesting coroutine has it
        if self._booking_message(message):
            return
        if self.presenter is not None:
            self.presenter.on_message(message)
        if self.callbacks is not None:
            self.callbacks.on_message(message)

    def _start_mesh(self, client: SignalingClient, call_id: str) -> MeshCall:
        """The pairs with every member beyond the first pair, local media fanned out."""
        self.feeds.members.clear()
        self.leases = [lease(self.media.video), lease(self.media.audio)]
        self.fanout = MediaFanout(*self.leases)
        self.mesh = MeshCall(
            client, call_id, self.fanout, on_members=self._on_mesh_members,
            listener=self._on_pair_event,
            speaker=self.media.speaker, stats_interval_s=self.stats_interval_s,
            name=f"console-mesh-{call_id[:8]}",
        )
        return self.mesh

    def _on_mesh_members(self, message: M.CallMembers) -> None:
        mesh = self.mesh
        if mesh is None:
            return
        for member_id, link in mesh.pairs.items():
            self.feeds.members[member_id] = link.remote_video
        for member_id in [m for m in self.feeds.members if m not in mesh.pairs]:
            del self.feeds.members[member_id]
        if self.presenter is not None:
            self.presenter.on_pairs_changed()

    def _on_pair_event(self, member_id: str, event: object) -> None:
        """An added member has no first pair: the pair with the kiosk is the call's media
        (connected, recovering, quality) on their screen."""
        if isinstance(event, MediaConnected | MediaRecovered):
            self._apply_audible(member_id)
        mesh, presenter = self.mesh, self.presenter
        if mesh is None or presenter is None or self.session is not None:
            return
        member = mesh.member(member_id)
        if member is not None and member.role == "kiosk":
            presenter.on_call_event(event)  # type: ignore[arg-type]

    def _end_mesh(self) -> None:
        mesh, first = self.mesh, self.first_pair
        self.mesh = self.first_pair = None
        self.fanout = None
        if mesh is not None:
            closing = asyncio.ensure_future(mesh.close())
            self._mesh_closing.add(closing)
            closing.add_done_callback(self._mesh_closing.discard)
        if first is not None:
            first.stop()
        self._end_leases()

    def _end_leases(self) -> None:
        """End the relay's reading of the camera and microphone (they live on)."""
        for leased in self.leases:
            if leased is not None:
                leased.stop()
        self.leases = []

    def _start_call(self, client: SignalingClient, start: S.CallStart) -> None:
        self.media.reset()
        self._end_mesh()
        presenter = self.presenter
        mesh = self._start_mesh(client, start.call_id)
        first = self.first_pair = mesh.fanout.subscribe()

        def listener(event: CallEvent) -> None:
            if isinstance(event, MediaConnected | MediaRecovered) and self.mesh is not None:
                kiosk = next((m for m in self.mesh.members if m.role == "kiosk"), None)
                if kiosk is not None:
                    self._apply_audible(kiosk.member_id)
            if presenter is not None and self.session is session:
                presenter.on_call_event(event)

        session = CallSession(
            client,
            start,
            MediaSources(video=first.video, audio=first.audio, speaker=self.media.speaker,
                         remote_video=self.feeds.remote),
            listener=listener,
            stats_interval_s=self.stats_interval_s,
            name=f"console-{start.call_id[:8]}",
        )
        self.session = session
        self._spawn(session.begin())

