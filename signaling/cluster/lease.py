"""The routing lease: a PostgreSQL advisory lock on a connection of its own, and the term.

A follower tries the lock every :data:`TRY_EVERY_S`. The lock is the session's, so it goes
the moment the leader's process dies (the kernel closes its socket) or, for a leader cut off
from the database, when PostgreSQL drops the silent session (its TCP keepalives: see
``deploy/README.md``). The node that gets it takes a new term in the store (which fences every
later write of an older term) and starts routing.

The leader checks its hold every :data:`CHECK_EVERY_S`: the lease connection must answer
within :data:`CHECK_TIMEOUT_S` and the term must still be its own; otherwise it steps down at
once, before PostgreSQL may give the lock to another node. The same round trip tells the
leader which nodes are alive (the application names of their bus connections).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import psycopg

from jsonlog import fields
from signaling.cluster.bus import connect
from signaling.cluster.node import ClusterNode
from signaling.errors import StoreError
from signaling.store import Store

__all__ = ["LEASE_KEY", "Lease"]

log = logging.getLogger("etapiste.cluster")

LEASE_KEY = 0x4554_5052  # pg_advisory_lock key of the routing lease
TRY_EVERY_S = 0.25
CHECK_EVERY_S = 0.5
CHECK_TIMEOUT_S = 2.0


class Lease:
    """Holds, or tries to take, the routing lease for ``node``."""

    def __init__(
        self, url: str, node: ClusterNode, store: Store, clock: Callable[[], float]
    ) -> None:
        self.url = url
        self.node = node
        self.store = store
        self.clock = clock
        self._held = False

    async def run(self) -> None:
        """Forever: connect, try or check the lease, step down on any doubt."""
        while True:
            conn: psycopg.AsyncConnection[Any] | None = None
            try:
                conn = await connect(self.url, f"etapiste-lease:{self.node.node_id}")
                while True:
                    if self.node.leading:
                        await asyncio.wait_for(self._check(conn), CHECK_TIMEOUT_S)
                        await asyncio.sleep(CHECK_EVERY_S)
                    else:
                        if self._held:
                            # Stepped down (a failed write): closing the session releases the
                            # lock, which a new try on the same session would not.
                            raise StoreError("stepped down")
                        if self.node.available and await self._try(conn):
                            continue
                        await asyncio.sleep(TRY_EVERY_S)
            except (psycopg.Error, OSError, TimeoutError, StoreError) as exc:
                self.node.stepped_down(f"lease connection: {str(exc).strip()[:120]}")
            finally:
                self._held = False
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(conn.close(), 1.0)
            await asyncio.sleep(1.0)

    async def _try(self, conn: psycopg.AsyncConnection[Any]) -> bool:
        row = await (await conn.execute("SELECT pg_try_advisory_lock(%s)", (LEASE_KEY,))).fetchone()
        if not row or not row[0]:
            return False
        self._held = True
        try:
            term = self.store.take_term(self.node.node_id, now=self.clock())
            self.node.became_leader(term)
        except Exception:
            log.exception("taking the lease failed", extra=fields(node=self.node.node_id))
            self.node.stepped_down("could not start routing")
            raise
        return True

    async def _check(self, conn: psycopg.AsyncConnection[Any]) -> None:
        cur = await conn.execute(
            "SELECT (SELECT term FROM cluster_lease WHERE id = 1), "
            "array(SELECT substr(application_name, 14) FROM pg_stat_activity "
            "WHERE application_name LIKE 'etapiste-bus:%%')"
        )
        row = await cur.fetchone()
        if row is None or row[0] != self.node.term:
            self.node.stepped_down(f"term is now {None if row is None else row[0]}")
            raise StoreError("lease lost")
        self.node.nodes_gone({str(n) for n in row[1]} | {self.node.node_id})
