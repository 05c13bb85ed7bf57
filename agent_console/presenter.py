"""The console's state machine: logged out → not ready / ready → offered → in call → wrap-up.

:class:`ConsolePresenter` takes server messages and call events from the backend and the
agent's commands from the views, keeps the state the views show, and tells subscribers which
part changed (a topic string). Countdowns (offer, wrap-up) and time-in-state come from an
injectable :class:`~agent_console.clock.Clock`; :meth:`ConsolePresenter.tick` advances them.
No Qt here: the whole flow is testable without a screen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from agent_console.alert import AlertFrame, OfferAlert
from agent_console.call_presenter import CallPresenter
from agent_console.clock import Clock
from agent_console.console_state import (
    LoginInfo,
    OfferView,
    PasswordForm,
    Phase,
    QueueRow,
    Session,
    Status,
    WrapUp,
)
from agent_console.member_flow import MemberFlow, MemberOfferView
from agent_console.photo import purge_photos
from agent_console.ports import Backend
from client_core.call_events import CallEvent
from wire import member_messages as M
from wire import server_messages as S
from wire.errors import ErrorCode

log = logging.getLogger("etapiste.console")

NOT_READY_REASONS = ("break", "lunch", "meeting", "training", "other")
"""Reasons an agent may pick; the server may also set ``missed_offers``."""

NOTE_MAX_CHARS = 500
WRAPUP_SEND_BEFORE_END_S = 2.0


class ConsolePresenter(MemberFlow):
    """The agent console's model and commands."""

    def __init__(
        self,
        backend: Backend,
        clock: Clock,
        *,
        photo_folder: Path | None = None,
        chime: Callable[[], None] | None = None,
        alert: OfferAlert | None = None,
    ) -> None:
        self.backend = backend
        self.clock = clock
        self.photo_folder = photo_folder
        self.phase = Phase.LOGGED_OUT
        self.session: Session | None = None
        self.status = Status()
        self.queues: list[QueueRow] = []
        self.offer: OfferView | None = None
        self.member_offer: MemberOfferView | None = None
        self.team: M.MemberDirectory | None = None
        self.call: CallPresenter | None = None
        self.wrapup: WrapUp | None = None
        self.history: list[S.HistoryItem] = []
        self.connection = "idle"
        self.notice: str | None = None
        """A catalogue key for the latest problem to show (cleared on the next command)."""
        self.login_error: str | None = None
        self.password = PasswordForm()
        self.missed_offers = 0
        self.alert = alert or OfferAlert()
        self.alert_frame = AlertFrame(active=False, flash_on=False, play_sound=False, urgent=False)
        self._chime = chime
        self._subscribers: list[Callable[[str], None]] = []
        self._last_call_id: str | None = None
        self._last_service = ""

    # -------------------------------------------------------------------------- plumbing

    def subscribe(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(topic)`` whenever part of the state changes."""
        self._subscribers.append(callback)

    def _notify(self, topic: str) -> None:
        for callback in list(self._subscribers):
            try:
                callback(topic)
            except Exception:
                log.exception("subscriber failed on %s", topic)

    def _set_phase(self, phase: Phase) -> None:
        if phase is not self.phase:
            log.info("console %s -> %s", self.phase, phase)
            self.phase = phase
            self._notify("phase")

    def _set_notice(self, key: str | None) -> None:
        self.notice = key
        self._notify("notice")

    # ---------------------------------------------------------------------------- reads

    @property
    def dispositions(self) -> list[str]:
        """The configured disposition codes."""
        return list(self.session.info.dispositions) if self.session else []

    def server_now(self) -> float:
        """The server's wall clock, as well as we know it."""
        offset = self.session.clock_offset if self.session else 0.0
        return self.clock.time() + offset

    def time_in_state_s(self) -> float:
        """Seconds in the current router state."""
        return max(0.0, self.server_now() - self.status.since_wall)

    def offer_remaining_s(self) -> float:
        """Seconds left to answer the offer (0 without one)."""
        if self.offer is None:
            return 0.0
        return max(0.0, self.offer.deadline - self.clock.monotonic())

    def offer_waited_s(self) -> float:
        """How long the offered citizen has waited, counted on from the offer."""
        if self.offer is None:
            return 0.0
        total = self.offer.offer.expires_in_s
        return self.offer.offer.waited_s + (total - self.offer_remaining_s())

    def wrapup_remaining_s(self) -> float | None:
        """Seconds of wrap-up left, or None when it does not end by itself."""
        if self.wrapup is None or self.wrapup.until_wall is None:
            return None
        return max(0.0, self.wrapup.until_wall - self.server_now())

    def longest_wait_s(self, row: QueueRow) -> float:
        """A queue's longest wait now, counted on locally between server pushes."""
        if row.stat.waiting == 0:
            return 0.0
        return row.stat.longest_wait_s + (self.clock.monotonic() - row.received_at)

    def service_name(self, service_id: str, language: str) -> str:
        """A service's name in ``language``, or its id if the list has not come yet."""
        info = self.session.services.get(service_id) if self.session else None
        if info is None:
            return service_id
        return str(getattr(info.names, language, info.names.fi))

    def transfer_targets(self) -> list[S.ServiceInfo]:
        """Services the citizen in the call could be moved to, open ones first."""
        if self.session is None or self.call is None:
            return []
        here, language = self.call.service, self.call.language
        targets = [
            s for s in self.session.services.values() if s.id != here and language in s.languages
        ]
        return sorted(targets, key=lambda s: (not s.open, s.id))

    # ------------------------------------------------------------------------- commands

    def login(self, username: str, password: str) -> None:
        """Log in with a username and password."""
        if self.phase is not Phase.LOGGED_OUT:
            return
        if not username.strip() or not password:
            self.login_error = "login.missing"
            self._notify("login")
            return
        self.login_error = None
        self._set_phase(Phase.LOGGING_IN)
        self.backend.login(username.strip(), password)

    def change_password(self, new_password: str, again: str) -> None:
        """Set a new password in place of the temporary one an administrator gave."""
        if self.phase is Phase.CHANGE_PASSWORD and not self.password.busy:
            self.password.error = self.password.problem(new_password, again)
            self.password.busy = self.password.error is None
            if self.password.busy:
                self.backend.change_password(new_password)
            self._notify("password")

    def cancel_password_change(self) -> None:
        """Back to the login page without changing the password."""
        if self.phase is Phase.CHANGE_PASSWORD:
            self.backend.cancel_password_change()
            self.password = PasswordForm()
            self._set_phase(Phase.LOGGED_OUT)

    def logout(self) -> None:
        """Log out (not while a call is in progress)."""
        if self.phase in (Phase.IN_CALL, Phase.LOGGED_OUT, Phase.LOGGING_IN):
            return
        self.backend.logout()

    def set_ready(self) -> None:
        """Ready for the next citizen."""
        if self.phase is Phase.NOT_READY:
            self.missed_offers = 0
            self._set_notice(None)
            self.backend.set_state("ready", None)

    def set_not_ready(self, reason: str) -> None:
        """Not ready, with a reason (during wrap-up: not ready once it ends)."""
        if self.phase in (Phase.READY, Phase.NOT_READY, Phase.WRAP_UP, Phase.OFFERED):
            self.backend.set_state("not_ready", reason)

    def accept(self) -> None:
        """Take the offered citizen."""
        if self.offer is not None and not self.offer.responded:
            self.offer.responded = True
            self.alert.stop()
            self.backend.accept_offer(self.offer.offer.offer_id)
            self._notify("offer")

    def reject(self) -> None:
        """Decline the offer; the citizen keeps their place for the next agent."""
        if self.offer is not None and not self.offer.responded:
            self.offer.responded = True
            self.alert.stop()
            self.backend.reject_offer(self.offer.offer.offer_id)
            self._notify("offer")

    def end_call(self) -> None:
        """Hang up."""
        if self.call is not None and not self.call.ending:
            self.call.ending = True
            self.backend.end_call(self.call.call_id)
            self._notify("call")

    def transfer(self, service: str) -> None:
        """Move the citizen to ``service``'s queue; they keep their priority."""
        if self.call is not None and service != self.call.service:
            self._set_notice(None)
            self.backend.transfer(self.call.call_id, service)

    def choose_disposition(self, code: str) -> None:
        """Pick the call's outcome."""
        if self.wrapup is not None and code in self.dispositions:
            self.wrapup.disposition = code
            self._notify("wrapup")

    def set_note(self, text: str) -> None:
        """The optional short note."""
        if self.wrapup is not None:
            self.wrapup.note = text[:NOTE_MAX_CHARS]

    def finish_wrapup(self) -> None:
        """Record the disposition and become ready early."""
        wrap = self.wrapup
        if wrap is None or wrap.sent or not wrap.call_id:
            return
        if wrap.disposition is None:
            self._set_notice("wrapup.choose_first")
            return
        wrap.sent = True
        self._set_notice(None)
        self.backend.wrapup_done(wrap.call_id, wrap.disposition, wrap.note.strip() or None)
        self._notify("wrapup")

    def refresh_history(self) -> None:
        """Ask for today's calls again."""
        if self.session is not None:
            self.backend.request_history()

    # --------------------------------------------------------------------------- events

    def on_logged_in(self, info: LoginInfo) -> None:
        """The backend has a session and a connection."""
        self.session = Session(info, clock_offset=info.server_time - self.clock.time())
        self.login_error, self.password = None, PasswordForm()
        self.missed_offers = 0
        self._set_phase(Phase.NOT_READY)
        self._notify("session")
        self.backend.request_history()
        self._purge_photos(info.photo_retention_days)

    def _purge_photos(self, days: int | None) -> None:
        """Retention of saved document photos at each session start (so at console start):
        the server names the period, the count goes to its audit log."""
        if self.photo_folder is not None and days is not None:
            removed = purge_photos(self.photo_folder, days, self.clock.time())
            if removed:
                self.backend.photos_purged(removed)

    def on_password_change_required(self) -> None:
        """The password was right but is a temporary one: ask for a new one."""
        self.login_error, self.password = None, PasswordForm()
        self._set_phase(Phase.CHANGE_PASSWORD)

    def on_password_change_failed(self, key: str) -> None:
        """The new password was refused (``key`` says why); the form stays."""
        self.password = PasswordForm(error=key)
        self._notify("password")

    def on_login_failed(self, key: str) -> None:
        """Login or connection refused; ``key`` names the reason in the catalogue."""
        self.login_error = key
        self._set_phase(Phase.LOGGED_OUT)
        self._notify("login")

    def on_logged_out(self, key: str | None = None) -> None:
        """The session is over (by choice or by the server)."""
        self.session = None
        self.offer = None
        self.call = None
        self.wrapup = None
        self.queues = []
        self.history = []
        self.alert.stop()
        self.login_error = key
        self._set_phase(Phase.LOGGED_OUT)
        self._notify("login")

    def on_connection(self, state: str) -> None:
        """The signaling link's state (``connected``, ``reconnecting``...)."""
        self.connection = state
        self._notify("connection")

    def on_services(self, services: list[S.ServiceInfo]) -> None:
        """The service list (names for labels and transfer targets)."""
        if self.session is not None:
            self.session.services = {s.id: s for s in services}
            self._notify("services")

    def on_call_event(self, event: CallEvent) -> None:
        """A media event of the call in progress."""
        if self.call is not None:
            self.call.on_event(event)

    def on_message(self, message: S.ServerMessage) -> None:
        """A message from the signaling server."""
        if self.session is None:
            return  # a late message of a session already over
        match message:
            case S.AgentStatus():
                self._on_status(message)
            case S.QueueStats():
                now = self.clock.monotonic()
                self.queues = [QueueRow(q, now) for q in message.queues]
                self._notify("queues")
            case S.Offer():
                self._on_offer(message)
            case S.OfferRevoked():
                self._on_revoked(message)
            case S.CallStart() if not message.resumed or self.call is None:
                self._on_call_start(message)
            case S.CallEnded():
                self._on_call_ended(message)
            case S.History():
                self.history = list(message.calls)
                self._notify("history")
            case S.Services():
                self.on_services(list(message.services))
            case S.Error():
                self._on_error(message)
            case _:
                self._on_member_message(message)

    def _on_status(self, message: S.AgentStatus) -> None:
        was = self.status.state
        self.status = Status(
            message.state, message.reason, message.since, message.until, message.call_id
        )
        if message.state == "wrap_up":
            call_id = message.call_id or self._last_call_id or ""
            if self.wrapup is None or self.wrapup.call_id != call_id:
                self.wrapup = WrapUp(call_id, self._last_service, message.until)
            else:
                self.wrapup.until_wall = message.until
        elif was == "wrap_up" and self.wrapup is not None:
            self._close_wrapup()
        phase = {
            "not_ready": Phase.NOT_READY,
            "ready": Phase.READY,
            "reserved": Phase.OFFERED,
            "in_call": Phase.IN_CALL,
            "wrap_up": Phase.WRAP_UP,
        }[message.state]
        if phase is Phase.OFFERED and self.offer is None:
            phase = Phase.READY  # the offer itself follows
        offer = self.offer
        if phase in (Phase.NOT_READY, Phase.READY) and offer is not None and (
            offer.responded or phase is Phase.NOT_READY
        ):
            self._drop_offer()
        if phase is Phase.IN_CALL and self.call is None:
            phase = Phase.OFFERED if self.offer is not None else phase
        self._notify("status")
        self._set_phase(phase)

    def _close_wrapup(self) -> None:
        wrap = self.wrapup
        self.wrapup = None
        if wrap is not None and not wrap.sent and (wrap.disposition or wrap.note.strip()):
            log.warning("wrap-up ended before its choice could be sent; not recorded")
        self._notify("wrapup")
        self.backend.request_history()

    def _send_before_wrapup_ends(self) -> None:
        """The server keeps a wrap-up only while it lasts: a choice made but not sent goes
        out just before the time runs out (ending the wrap-up that little bit early)."""
        wrap, left = self.wrapup, self.wrapup_remaining_s()
        if (self.phase is Phase.WRAP_UP and wrap is not None and not wrap.sent and wrap.call_id
                and (wrap.disposition or wrap.note.strip()) and left is not None
                and left <= WRAPUP_SEND_BEFORE_END_S):
            wrap.sent = True
            self.backend.wrapup_done(wrap.call_id, wrap.disposition, wrap.note.strip() or None)

    def _on_offer(self, message: S.Offer) -> None:
        now = self.clock.monotonic()
        self.offer = OfferView(message, now + message.expires_in_s)
        self.alert.start(now, self.offer.deadline)
        self._notify("offer")
        self._set_phase(Phase.OFFERED)
        self.tick()

    def _on_revoked(self, message: S.OfferRevoked) -> None:
        if self.offer is None or self.offer.offer.offer_id != message.offer_id:
            return
        if message.reason == "timeout":
            self.missed_offers += 1
            self._set_notice("offer.missed")
        elif message.reason in ("cancelled", "kiosk_lost"):
            self._set_notice("offer.withdrawn")
        self._drop_offer()
        if self.phase is Phase.OFFERED:
            self._set_phase(Phase.READY if self.status.state == "ready" else Phase.NOT_READY)

    def _drop_offer(self) -> None:
        self.offer = None
        self.alert.stop()
        self.alert_frame = self.alert.tick(self.clock.monotonic())
        self._notify("offer")
        self._notify("alert")

    def _on_call_start(self, message: S.CallStart) -> None:
        self._drop_offer()
        self.missed_offers = 0
        self._last_call_id, self._last_service = message.call_id, message.service
        self.call = CallPresenter(
            message, self.backend, self.clock, self._notify, photo_folder=self.photo_folder
        )
        self._notify("call")
        self._set_phase(Phase.IN_CALL)

    def _on_call_ended(self, message: S.CallEnded) -> None:
        call = self.call
        if call is None or call.call_id != message.call_id or self._ended_as_added_member(message):
            return
        self.call = None
        if self.wrapup is None or self.wrapup.call_id != call.call_id:
            self.wrapup = WrapUp(call.call_id, call.service, None)
        else:
            self.wrapup.service = call.service
        if message.reason == "transferred":
            self._set_notice("call.transferred")
        elif message.reason in ("media_requeued", "media_failed"):
            self._set_notice(f"call.{message.reason}")
        self._notify("call")
        self._notify("wrapup")
        if self.status.state == "wrap_up":
            self._set_phase(Phase.WRAP_UP)

    def _on_error(self, message: S.Error) -> None:
        key = {
            ErrorCode.UNKNOWN_OFFER: "error.offer_gone",
            ErrorCode.NOT_ALLOWED: "error.not_allowed",
            ErrorCode.UNKNOWN_SERVICE: "error.not_allowed",
            ErrorCode.BAD_STATE: "error.bad_state",
            ErrorCode.RATE_LIMITED: "error.rate_limited",
        }.get(message.code, "error.generic")
        log.warning("server refused: %s %s", message.code, message.message)
        self._set_notice(key)

    # ---------------------------------------------------------------------------- timer

    def tick(self) -> None:
        """Advance countdowns and the alert; the view calls this a few times a second."""
        now = self.clock.monotonic()
        frame = self.alert.tick(now)
        if frame.play_sound and self._chime is not None:
            try:
                self._chime()
            except Exception:
                log.exception("chime failed")
        if frame != self.alert_frame:
            self.alert_frame = frame
            self._notify("alert")
        self._send_before_wrapup_ends()
        self._notify("tick")
