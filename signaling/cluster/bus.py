"""The message bus between nodes: PostgreSQL LISTEN/NOTIFY on two connections of its own.

One connection listens (its application name tells the leader the node is alive); the other
sends, so a slow send never holds up delivery. :meth:`Bus.send` only queues; a sender task
packs what is queued per channel (:mod:`signaling.cluster.envelope`) and notifies in one
transaction, so the operations reach each listener in the order they were sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import psycopg

from jsonlog import fields
from signaling.cluster.envelope import Op, pack, unpack
from signaling.store import CONNECT_OPTIONS, Store
from signaling.store.interface import ClusterStore

__all__ = ["Bus", "BusDown", "connect"]

log = logging.getLogger("etapiste.cluster")

OUTBOX_LIMIT = 50_000
# libpq options: a lost database shows within seconds (see signaling.store.pg).
_OPTIONS = CONNECT_OPTIONS


class BusDown(Exception):
    """The bus lost its database connection."""


async def connect(url: str, name: str) -> psycopg.AsyncConnection[Any]:
    """An autocommit connection for the cluster's own traffic."""
    return await psycopg.AsyncConnection.connect(
        url, autocommit=True, application_name=name[:63], **_OPTIONS
    )


class Bus:
    """Sends operations to channels and hands received ones to ``on_ops``."""

    def __init__(
        self, url: str, node_id: str, store: Store | ClusterStore,
        on_ops: Callable[[list[Op]], None], clock: Callable[[], float],
    ) -> None:
        self.url = url
        self.node_id = node_id
        self._store = store
        self._on_ops = on_ops
        self._clock = clock
        self._outbox: list[tuple[str, Op]] = []
        self._wake = asyncio.Event()
        self._listen: psycopg.AsyncConnection[Any] | None = None
        self._channels: set[str] = set()
        self.up = asyncio.Event()

    # ---------------------------------------------------------------- sending

    def send(self, channel: str, op: Op) -> None:
        """Queue ``op`` for ``channel``; never blocks."""
        if len(self._outbox) >= OUTBOX_LIMIT:
            log.warning("bus outbox full: dropped", extra=fields(channel=channel))
            return
        self._outbox.append((channel, op))
        self._wake.set()

    async def run_sender(self) -> None:
        """Drain the outbox into notifications, reconnecting after failures."""
        conn: psycopg.AsyncConnection[Any] | None = None
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                if conn is None or conn.closed:
                    conn = await connect(self.url, f"etapiste-send:{self.node_id}")
                while self._outbox:
                    batch, self._outbox = self._outbox, []
                    await self._notify(conn, batch)
            except (psycopg.Error, OSError) as exc:
                log.warning("bus send failed", extra=fields(error=str(exc).strip()[:200]))
                self._outbox.clear()  # the receivers' world moved on; clients will resync
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(conn.close(), 1.0)
                conn = None
                await asyncio.sleep(0.5)

    async def _notify(
        self, conn: psycopg.AsyncConnection[Any], batch: list[tuple[str, Op]]
    ) -> None:
        by_channel: dict[str, list[Op]] = {}
        for channel, op in batch:
            by_channel.setdefault(channel, []).append(op)
        now = self._clock()
        async with conn.transaction():
            for channel, ops in by_channel.items():
                for payload in pack(ops, lambda body: self._store.put_payload(body, now=now)):
                    await conn.execute("SELECT pg_notify(%s, %s)", (channel, payload))

    # -------------------------------------------------------------- listening

    async def listen(self, channel: str) -> None:
        """Also receive ``channel`` (from now on, and after reconnects)."""
        self._channels.add(channel)
        if self._listen is not None and not self._listen.closed:
            await self._listen.execute(f'LISTEN "{channel}"')

    async def unlisten(self, channel: str) -> None:
        """Stop receiving ``channel``."""
        self._channels.discard(channel)
        if self._listen is not None and not self._listen.closed:
            with contextlib.suppress(psycopg.Error):
                await self._listen.execute(f'UNLISTEN "{channel}"')

    async def run_listener(self) -> None:
        """Receive until the connection fails; then raise :class:`BusDown`."""
        try:
            self._listen = await connect(self.url, f"etapiste-bus:{self.node_id}")
            for channel in sorted(self._channels):
                await self._listen.execute(f'LISTEN "{channel}"')
            self.up.set()
            async for note in self._listen.notifies():
                try:
                    ops = unpack(note.payload, self._store.take_payload)
                except Exception:
                    log.exception("bad bus payload", extra=fields(channel=note.channel))
                    continue
                self._on_ops(ops)
        except (psycopg.Error, OSError) as exc:
            raise BusDown(str(exc).strip()[:200]) from exc
        finally:
            self.up.clear()
            if self._listen is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self._listen.close(), 1.0)
            self._listen = None
