"""Callback tasks in the console (issue 14): the pool, an offered task, the task taken.

:class:`CallbackPresenter` keeps what the server says about callback tasks and turns the
clerk's choices into messages: take or skip an offered task, then, after phoning the citizen
(outside the system), record ``done``, ``no_answer`` or ``retry``. The number arrives only with
the task this clerk took and is dropped as soon as the result is saved. No Qt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from agent_console.clock import Clock
from wire import callback_messages as W
from wire import server_messages as S

__all__ = ["CallbackPresenter", "OfferedTask", "TakenTask"]

log = logging.getLogger("etapiste.console.callbacks")

Send = Callable[[W.CallbackAccept | W.CallbackReject | W.CallbackResult], None]


@dataclass
class OfferedTask:
    """A task offered to this clerk until ``deadline`` (monotonic)."""

    task: W.CallbackInfo
    deadline: float


@dataclass
class TakenTask:
    """The task this clerk took: the number to call, and the attempts so far."""

    task: W.CallbackInfo
    phone: str
    max_attempts: int
    recording: bool = False


class CallbackPresenter:
    """The console's callback tasks; views subscribe with :meth:`subscribe`."""

    def __init__(self, send: Send, clock: Clock) -> None:
        self._send = send
        self.clock = clock
        self.tasks: list[W.CallbackInfo] = []
        self.offer: OfferedTask | None = None
        self.taken: TakenTask | None = None
        self.last_result: str | None = None
        """Catalogue key of the last outcome saved (shown until the next task)."""
        self.revoked: str | None = None
        """Why the last offer went (``timeout``, ``call_first``…), until the next one."""
        self._subscribers: list[Callable[[], None]] = []

    def subscribe(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after every change."""
        self._subscribers.append(callback)

    def _changed(self) -> None:
        for callback in list(self._subscribers):
            try:
                callback()
            except Exception:
                log.exception("callback view failed")

    # ------------------------------------------------------------------------- reading

    def due_in_s(self, task: W.CallbackInfo) -> float:
        """Seconds until the promise runs out (negative: past due)."""
        return task.due_at - self.clock.time()

    def offer_remaining_s(self) -> float:
        """Seconds left to take the offered task."""
        return 0.0 if self.offer is None else max(0.0, self.offer.deadline - self.clock.monotonic())

    # ------------------------------------------------------------------------ commands

    def take(self) -> None:
        """Take the offered task (the number follows)."""
        if self.offer is not None:
            self._send(W.CallbackAccept(task_id=self.offer.task.task_id))

    def skip(self) -> None:
        """Leave the offered task to another clerk."""
        if self.offer is not None:
            self._send(W.CallbackReject(task_id=self.offer.task.task_id))
            self.offer = None
            self._changed()

    def record(self, outcome: W.CallbackOutcome) -> None:
        """Record what happened on the phone."""
        if self.taken is not None and not self.taken.recording:
            self.taken.recording = True
            self._send(W.CallbackResult(task_id=self.taken.task.task_id, outcome=outcome))
            self._changed()

    def logged_out(self) -> None:
        """Forget everything of the session (the number first)."""
        self.taken, self.offer, self.tasks = None, None, []
        self.last_result = self.revoked = None
        self._changed()

    # ------------------------------------------------------------------ server messages

    def on_message(self, message: S.ServerMessage) -> None:
        """A message from the server; only callback messages matter here."""
        match message:
            case W.CallbackTasks():
                self.tasks = list(message.tasks)
            case W.CallbackOffer():
                deadline = self.clock.monotonic() + message.expires_in_s
                self.offer = OfferedTask(message.task, deadline)
                self.revoked = self.last_result = None
            case W.CallbackOfferRevoked():
                if self.offer is not None and self.offer.task.task_id == message.task_id:
                    self.offer = None
                    self.revoked = message.reason
            case W.CallbackTask():
                self.offer = None
                self.taken = TakenTask(message.task, message.phone, message.max_attempts)
            case W.CallbackResultSaved():
                if self.taken is not None and self.taken.task.task_id == message.task_id:
                    self.taken = None  # the number goes with it
                self.last_result = f"callbacks.saved_{message.outcome}"
            case S.Error() if self.taken is not None and self.taken.recording:
                self.taken.recording = False
            case _:
                return
        self._changed()
