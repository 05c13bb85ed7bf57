"""Callback requests in the hub: from the kiosk's request to the clerk's result.

The sans-I/O :class:`~signaling.routing.callbacks.CallbackDesk` decides who is offered which
task; this module feeds it (requests, the clerks the router leaves free, their answers, time),
writes what it decides to the store, and tells kiosks and consoles. A clerk who takes a task is
set not-ready (reason ``callback``) in the router so no kiosk citizen is offered to them while
they phone, and ready again when they record the result.

The number is read from the store only to show it to the clerk who took the task; it is never
logged, audited or sent to anyone else, and it is deleted when the task ends.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Collection

from jsonlog import fields
from signaling.errors import StoreError
from signaling.hub.connections import Connection, Connections
from signaling.routing import callbacks as K
from signaling.routing import events as E
from signaling.routing.callback_promise import promise_for
from signaling.routing.model import AgentState
from signaling.routing.router import Router
from signaling.store import Store
from signaling.store.callbacks import CallbackRecord
from wire import callback_messages as W
from wire import server_messages as S
from wire.errors import ErrorCode
from wire.phone import PhoneError, normalise_phone

__all__ = ["CALLBACK_REASON", "Callbacks"]

log = logging.getLogger("etapiste.callbacks")

CALLBACK_REASON = "callback"
"""The not-ready reason of a clerk who is phoning a citizen back."""

RunEvent = Callable[[E.Event, float], object]


class Callbacks:
    """The hub's side of callback tasks (see the module docstring)."""

    def __init__(
        self, router: Router, store: Store, conns: Connections, run: RunEvent,
        config: K.CallbackConfig | None = None, min_left_s: float = 3600.0,
        site_ref: Callable[[str], S.SiteRef | None] | None = None,
        languages_of: Callable[[str], Collection[str] | None] | None = None,
    ) -> None:
        self._site_ref = site_ref or (lambda _site_id: None)
        self._languages_of = languages_of or (lambda _service_id: None)
        self._router = router
        self._store = store
        self._conns = conns
        self._run = run
        self.desk = K.CallbackDesk(config or K.CallbackConfig())
        self._min_left_s = min_left_s
        self._shown: dict[str, list[W.CallbackInfo]] = {}
        self._sites: dict[str, S.SiteRef | None] = {}

    # ------------------------------------------------------------------- messages

    def handle(self, conn: Connection, msg: W.CallbackRequest | W.CallbackAccept
               | W.CallbackReject | W.CallbackResult, now: float) -> None:
        """Carry out one callback message (the role was checked by the caller)."""
        p = conn.principal
        match msg:
            case W.CallbackRequest():
                self._request(conn, msg, now)
                return
            case W.CallbackAccept():
                event: K.DeskEvent = K.AcceptTask(p.id, msg.task_id)
            case W.CallbackReject():
                event = K.RejectTask(p.id, msg.task_id)
            case W.CallbackResult():
                event = K.RecordResult(p.id, msg.task_id, msg.outcome)
        self._apply(self.desk.handle(event, now), now, conn, msg.ref)

    def _request(self, conn: Connection, msg: W.CallbackRequest, now: float) -> None:
        rules = self._router.services.get(msg.service)
        if rules is None:
            conn.send(S.Error(ref=msg.ref, code=ErrorCode.UNKNOWN_SERVICE,
                              message="no such service"))
            return
        served = self._languages_of(msg.service)
        if served is not None and msg.language not in served:
            # No clerk of the service could ever take it: it would wait, then go unkept.
            conn.send(S.Error(ref=msg.ref, code=ErrorCode.LANGUAGE_UNAVAILABLE,
                              message="this service does not call back in that language"))
            return
        try:
            phone = normalise_phone(msg.phone)
        except PhoneError:
            conn.send(S.Error(ref=msg.ref, code=ErrorCode.BAD_MESSAGE,
                              message="not a phone number we can call"))
            return
        promise = promise_for(rules.hours, now, self._min_left_s)
        if promise is None:
            conn.send(S.Error(ref=msg.ref, code=ErrorCode.SERVICE_CLOSED,
                              message="the service has no hours in the next two weeks"))
            return
        task_id = "cb_" + secrets.token_hex(8)
        record = CallbackRecord(
            task_id, msg.service, msg.language, conn.principal.site_id, conn.principal.id, now,
            promise.day, promise.due_at, 0, None, "open", None, None, None,
        )
        try:
            self._store.add_callback(record, phone, now=now)
        except StoreError:
            log.exception("callback not stored", extra=fields(task=task_id))
            conn.send(S.Error(ref=msg.ref, code=ErrorCode.INTERNAL_ERROR,
                              message="the request could not be saved; please try again"))
            return
        log.info("callback requested", extra=fields(
            task=task_id, service=msg.service, language=msg.language,
            kiosk=conn.principal.id, promised_day=promise.day))
        conn.send(W.CallbackAccepted(
            ref=msg.ref, callback_id=task_id, service=msg.service, language=msg.language,
            promised_day=promise.day, due_at=promise.due_at, same_day=promise.same_day,
        ))
        event = K.RequestCallback(task_id, msg.service, msg.language, conn.principal.site_id,
                                  now, promise.due_at)
        self._apply(self.desk.handle(event, now), now)
        self.sync(now)

    # ---------------------------------------------------------------------- state

    def restore(self, now: float) -> int:
        """Take the open tasks back from the store after a restart (their clerks are gone:
        a task that was taken is back in the pool)."""
        count = 0
        for item in self._store.open_callbacks():
            r = item.record
            if item.phone is None:
                continue
            event = K.RequestCallback(r.id, r.service_id, r.language, r.site_id, r.requested_at,
                                      r.due_at, r.attempts, r.not_before)
            self._apply(self.desk.handle(event, now), now)
            count += 1
        return count

    def purged(self, now: float) -> None:
        """After a retention purge: tasks whose number the purge deleted end here too."""
        for task in self.desk.tasks():
            record = self._store.callback(task.task_id)
            if record is None or record.state != "open":
                self._apply(self.desk.handle(K.ForgetTask(task.task_id), now), now)
        self.push_lists()

    def sync(self, now: float) -> None:
        """Tell the desk what the router did to the clerks: who is free now, who got a kiosk
        citizen or a break while offered a task, who is gone. Run after every routing step."""
        if not self.desk:
            # Nothing to offer: no work per message (thousands of kiosks report health).
            if any(self._shown.values()):
                self.push_lists()
            return
        router = self._router
        events: list[K.DeskEvent] = []
        for task in self.desk.tasks():
            if task.agent_id is None:
                continue
            view = router.agent_view(task.agent_id)
            if view is None or not view.connected:
                events.append(K.ClerkGone(task.agent_id))
            elif task.state == "offered" and (
                view.state is not AgentState.READY or view.offer_id is not None
            ):
                events.append(K.ClerkBusy(task.agent_id))
        for event in events:
            self._apply(self.desk.handle(event, now), now)
        self._apply(self.desk.handle(K.free_agents(router.agents()), now), now)
        self.push_lists()

    def tick(self, now: float) -> None:
        """Offer timeouts, retries coming due, promises running out."""
        deadline = self.desk.next_deadline()
        if deadline is not None and deadline <= now:
            self._apply(self.desk.handle(K.DeskTick(), now), now)
        self.sync(now)

    def attached(self, conn: Connection) -> None:
        """A clerk (re)connected: their list, and the task they hold if any."""
        p = conn.principal
        if p.role != "agent":
            return
        self._shown.pop(p.id, None)
        held = self.desk.held_by(p.id)
        if held is not None:
            self._send_task(p.id, held)

    # ------------------------------------------------------------------ actions

    def _apply(self, actions: list[K.DeskAction], now: float,
               origin: Connection | None = None, ref: str | None = None) -> None:
        for action in actions:
            try:
                self._carry_out(action, now, origin, ref)
            except Exception:
                log.exception("callback action failed", extra=fields(action=type(action).__name__))

    def _carry_out(self, action: K.DeskAction, now: float, origin: Connection | None,
                   ref: str | None) -> None:
        match action:
            case K.TaskQueued():
                pass
            case K.TaskOffered():
                task = self.desk.task(action.task_id)
                if task is not None:
                    self._send(action.agent_id, W.CallbackOffer(
                        task=self._info(task), expires_in_s=max(0.0, action.expires_at - now)))
            case K.TaskOfferRevoked():
                self._send(action.agent_id, W.CallbackOfferRevoked(
                    task_id=action.task_id, reason=action.reason))
            case K.TaskClaimed():
                self._store.callback_attempt(action.task_id, attempts=action.attempts,
                                             not_before=None, agent_id=action.agent_id,
                                             outcome=None)
                self._run(E.AgentNotReady(action.agent_id, CALLBACK_REASON), now)
                task = self.desk.task(action.task_id)
                if task is not None:
                    self._send_task(action.agent_id, task, ref if origin else None)
                # Who was shown a citizen's number is an access to personal data: audited
                # (the task, never the number).
                self._store.audit(f"agent:{action.agent_id}", "callback_number_shown",
                                  action.task_id, {"attempt": action.attempts + 1}, now=now)
                log.info("callback taken", extra=fields(task=action.task_id,
                                                        agent=action.agent_id))
            case K.TaskReturned():
                self._store.callback_attempt(
                    action.task_id, attempts=action.attempts, not_before=action.not_before,
                    agent_id=None, outcome=action.outcome)
                if action.outcome is not None:
                    self._send(action.agent_id, W.CallbackResultSaved(
                        ref=ref, task_id=action.task_id, outcome=action.outcome, ended=False))
                    self._back_to_ready(action.agent_id, now)
                log.info("callback returned", extra=fields(
                    task=action.task_id, outcome=action.outcome, attempts=action.attempts))
            case K.TaskEnded():
                self._store.end_callback(action.task_id, action.reason,
                                         attempts=action.attempts, agent_id=action.agent_id,
                                         at=now)
                if action.agent_id is not None:
                    outcome: W.CallbackOutcome = (
                        "done" if action.reason == "done" else "no_answer")
                    self._send(action.agent_id, W.CallbackResultSaved(
                        ref=ref, task_id=action.task_id, outcome=outcome, ended=True))
                    self._back_to_ready(action.agent_id, now)
                log.info("callback ended", extra=fields(
                    task=action.task_id, reason=action.reason, attempts=action.attempts))
            case K.DeskRejected():
                if origin is not None:
                    code = (ErrorCode.UNKNOWN_OFFER if action.code == "unknown_task"
                            else ErrorCode.NOT_ALLOWED if action.code == "not_allowed"
                            else ErrorCode.BAD_STATE)
                    origin.send(S.Error(ref=ref, code=code, message=action.detail))

    def _back_to_ready(self, agent_id: str, now: float) -> None:
        view = self._router.agent_view(agent_id)
        if view is not None and view.state is AgentState.NOT_READY \
                and view.reason == CALLBACK_REASON:
            self._run(E.AgentReady(agent_id), now)

    def _send_task(self, agent_id: str, task: K.TaskView, ref: str | None = None) -> None:
        phone = self._store.callback_phone(task.task_id)
        if phone is None:
            return
        self._send(agent_id, W.CallbackTask(
            ref=ref, task=self._info(task), phone=phone,
            max_attempts=self.desk.config.max_attempts,
        ))

    def _send(self, agent_id: str, message: S.ServerMessage) -> None:
        conn = self._conns.agents.get(agent_id)
        if conn is not None:
            conn.send(message)

    def push_lists(self) -> None:
        """Send each connected clerk the open tasks of their skills, when it changed."""
        if not self._conns.agents:
            self._shown.clear()
            return
        infos = {t.task_id: self._info(t) for t in self.desk.tasks()}
        for agent_id, conn in self._conns.agents.items():
            p = conn.principal
            tasks = [infos[t.task_id] for t in self.desk.tasks_for(p.skills, p.languages)]
            if self._shown.get(agent_id, []) != tasks:  # nothing shown yet reads as none
                self._shown[agent_id] = tasks
                conn.send(W.CallbackTasks(tasks=tasks))
        for gone in set(self._shown) - set(self._conns.agents):
            del self._shown[gone]

    def _info(self, task: K.TaskView) -> W.CallbackInfo:
        site = None
        if task.site_id:
            # Sites are renamed seldom; a restarted server reads them afresh.
            if task.site_id not in self._sites:
                self._sites[task.site_id] = self._site_ref(task.site_id)
            site = self._sites[task.site_id]
        return W.CallbackInfo(
            task_id=task.task_id, service=task.service_id,
            language=task.language,  # type: ignore[arg-type]
            site=None if site is None else W.SiteRef(id=site.id, names=site.names),
            requested_at=task.requested_at, due_at=task.due_at, attempts=task.attempts,
            state=task.state, not_before=task.not_before,
        )
