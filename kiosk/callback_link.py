"""The callback effect of the kiosk controller: a citizen's call-back request to the server.

Mixed into :class:`~kiosk.controller.KioskController`; the answer goes to the presenter
(:mod:`kiosk.callback_flow`).  No Qt.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from client_core.errors import NotConnected, ServerRefused
from client_core.signaling_client import SignalingClient
from kiosk.flow import KioskPresenter
from wire import callback_messages as W
from wire.errors import ErrorCode
from wire.types import Language


class CallbackLink:
    """Sends call-back requests; the controller provides the client and the tasks."""

    client: SignalingClient

    @property
    def p(self) -> KioskPresenter:
        """The bound presenter (the controller's)."""
        raise NotImplementedError

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        raise NotImplementedError

    def request_callback(self, service: str, language: Language, phone: str) -> None:
        self._spawn(self._request_callback(service, language, phone), "callback")

    async def _request_callback(self, service: str, language: Language, phone: str) -> None:
        # The number goes to the server and nowhere else: not to the log, not to the task name.
        try:
            reply = await self.client.request(W.CallbackRequest(
                service=service, language=language, phone=phone, consent=True), timeout=10.0)
        except ServerRefused as exc:
            self.p.on_callback_failed("invalid" if exc.code == ErrorCode.BAD_MESSAGE
                                      else "failed")
            return
        except (NotConnected, TimeoutError):
            self.p.on_callback_failed("offline")
            return
        if isinstance(reply, W.CallbackAccepted):
            self.p.on_callback_accepted(reply.promised_day, reply.due_at, reply.same_day)
