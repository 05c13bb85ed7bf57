"""Keeps a kiosk's next call's offer ready while its citizen waits: :class:`MediaPrimer`.

The kiosk starts the primer when its citizen joins a queue (see
:mod:`client_core.prepared_offer` for why): it asks the server for ICE servers
(:class:`~wire.media_messages.MediaPrepare`), prepares a
:class:`~client_core.prepared_offer.PreparedOffer` with them, and before that one grows too old
(:class:`~client_core.prepared_offer.Freshness`) prepares the next and closes the old one, so
one fresh offer is ready at any time.  When the call starts, :meth:`MediaPrimer.take` hands the
offer to it (waiting a little for one still being prepared); when the citizen leaves the
queue, :meth:`MediaPrimer.stop` closes it, which frees its TURN allocation.

Without an answer from the server (an older server, or signaling down) nothing is prepared
and the call gathers as it always did.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Final

from client_core.errors import NotConnected, ServerRefused
from client_core.prepared_offer import Freshness, PreparedOffer
from client_core.rtc_config import IceServerConfig, IceTransportPolicy
from client_core.signaling_client import SignalingClient
from wire import media_messages as P
from wire.errors import ErrorCode

log = logging.getLogger(__name__)

Fetch = Callable[[], Awaitable[P.MediaServers]]
RETRY_S: Final = 5.0
"""Wait before asking again after signaling was down or gathering failed."""


class MediaPrimer:
    """One prepared offer at a time, renewed before it grows old (see the module docstring)."""

    def __init__(
        self,
        fetch: Fetch,
        *,
        freshness: Freshness | None = None,
        video_codecs: Sequence[str] = ("VP8", "H264"),
        clock: Callable[[], float] = time.monotonic,
        name: str = "primer",
    ) -> None:
        self._fetch = fetch
        self.freshness = freshness or Freshness()
        self.video_codecs = tuple(video_codecs)
        self._clock = clock
        self.name = name
        self.prepared = 0
        """Offers prepared so far (renewals included)."""
        self._current: PreparedOffer | None = None
        self._task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()

    @classmethod
    def for_client(cls, client: SignalingClient, **kwargs: object) -> MediaPrimer:
        """A primer that asks ``client``'s server for ICE servers."""

        async def fetch() -> P.MediaServers:
            reply = await client.request(P.MediaPrepare())
            if not isinstance(reply, P.MediaServers):
                raise ServerRefused(ErrorCode.BAD_MESSAGE, "no media servers")
            return reply

        return cls(fetch, **kwargs)  # type: ignore[arg-type]

    @property
    def running(self) -> bool:
        """Whether an offer is kept ready (between :meth:`start` and :meth:`take`/:meth:`stop`)."""
        return self._task is not None and not self._task.done()

    def current(self) -> PreparedOffer | None:
        """The prepared offer a call could take now (None: none, or too old)."""
        offer = self._current
        if offer is None or offer.prepared_at is None or not offer.ready(
            offer.ice_transport_policy, self.video_codecs
        ):
            return None
        if not self.freshness.usable(offer.prepared_at, offer.ttl_s, self._clock()):
            return None
        return offer

    def start(self) -> None:
        """Begin keeping an offer ready (no-op when already running)."""
        if not self.running:
            self._task = asyncio.create_task(self._run(), name=f"{self.name}-run")

    async def wait_ready(self, timeout_s: float) -> bool:
        """Wait at most ``timeout_s`` for an offer to be ready; whether one is."""
        deadline = self._clock() + timeout_s
        while self.current() is None and self.running and (left := deadline - self._clock()) > 0:
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)
        return self.current() is not None

    async def take(self, timeout_s: float = 3.0) -> PreparedOffer | None:
        """The fresh offer for a call that starts now, waiting at most ``timeout_s`` for one
        still being prepared; the primer stops either way (the caller owns the offer)."""
        await self.wait_ready(timeout_s)
        offer = self.current()
        if offer is not None:
            self._current = None
        await self.stop()
        return offer

    async def stop(self) -> None:
        """Stop preparing and close the offer nobody took (the citizen left)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        offer, self._current = self._current, None
        if offer is not None:
            await offer.close()
        self._changed.set()

    async def _run(self) -> None:
        while True:
            offer = await self._prepare_one()
            if offer is None:
                return
            old, self._current = self._current, offer
            self.prepared += 1
            self._changed.set()
            if old is not None:
                await old.close()
            assert offer.prepared_at is not None
            renew = self.freshness.renew_at(offer.prepared_at, offer.ttl_s)
            await asyncio.sleep(max(0.0, renew - self._clock()))

    async def _prepare_one(self) -> PreparedOffer | None:
        """A new prepared offer; None when the server cannot give ICE servers at all."""
        while True:
            try:
                servers = await self._fetch()
            except ServerRefused as exc:
                log.info("%s: server prepares no media (%s); calls gather as they start",
                         self.name, exc.code)
                return None
            except (NotConnected, TimeoutError, ConnectionError) as exc:
                log.info("%s: no ICE servers now (%s); asking again", self.name,
                         type(exc).__name__)
                await asyncio.sleep(RETRY_S)
                continue
            offer = PreparedOffer(
                [IceServerConfig(urls=list(s.urls), username=s.username,
                                 credential=s.credential) for s in servers.ice_servers],
                _policy(servers.ice_transport_policy), ttl_s=servers.ttl_s,
                video_codecs=self.video_codecs, name=f"{self.name}-{self.prepared + 1}",
                clock=self._clock,
            )
            try:
                await offer.prepare()
            except asyncio.CancelledError:
                await asyncio.shield(offer.close())
                raise
            except Exception:
                log.exception("%s: preparing an offer failed", self.name)
                await offer.close()
                await asyncio.sleep(RETRY_S)
                continue
            return offer


def _policy(value: str) -> IceTransportPolicy:
    return "relay" if value == "relay" else "all"
