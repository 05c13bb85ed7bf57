"""Several nodes on one database: routing terms and their fence, agents' routing states, and
the payloads of messages between nodes that are too large for a NOTIFY.

**Fencing.** One node at a time routes; it starts its turn with :meth:`ClusterSql.take_term`,
which bumps the term in ``cluster_lease``. Every routing write runs inside
:meth:`ClusterSql.fenced`: one transaction that first locks the lease row for share and checks
that the term is still the writer's, and counts the write under that term. A newer term cannot
be taken while such a transaction is open (the bump needs the row exclusively), and once it is
taken every later fenced transaction of the old term fails with :class:`FencedError` and
writes nothing. So a node that lost the lease, however late it notices, never writes a routing
decision; the database enforces it, not the node's idea of time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from signaling.errors import FencedError
from signaling.store.db import SqlAggregate, from_row
from signaling.store.records import AgentStateRecord, TermRecord

__all__ = ["ClusterSql"]

# PostgreSQL: the share lock makes a new term wait for this transaction (SQLite has one writer).
_READ_TERM = {
    "sqlite": "SELECT term FROM cluster_lease WHERE id = 1",
    "postgresql": "SELECT term FROM cluster_lease WHERE id = 1 FOR SHARE",
}


class ClusterSql(SqlAggregate):
    """Routing terms, agents' states and inter-node payloads."""

    def take_term(self, holder: str, *, now: float) -> int:
        """Start a new routing term held by ``holder``; its number. The caller must hold the
        routing lease (the advisory lock, or be the only process on the database)."""
        with self._tx() as c:
            row = c.execute(
                "UPDATE cluster_lease SET term = term + 1, holder = ?, taken_at = ? "
                "WHERE id = 1 RETURNING term",
                (holder, now),
            ).fetchone()
            term = int(row[0])
            c.execute(
                "INSERT INTO lease_terms (term, holder, taken_at) VALUES (?, ?, ?)",
                (term, holder, now),
            )
        return term

    def current_term(self) -> tuple[int, str | None]:
        """The current term and the node holding it."""
        row = self._one("SELECT term, holder FROM cluster_lease WHERE id = 1", ())
        assert row is not None
        return int(row["term"]), row["holder"]

    def terms(self) -> list[TermRecord]:
        """Every term taken, oldest first."""
        rows = self._all("SELECT * FROM lease_terms ORDER BY term")
        return [from_row(TermRecord, r) for r in rows]

    @contextmanager
    def fenced(self, term: int, *, now: float) -> Iterator[None]:
        """One transaction for the routing writes of one event, kept only if ``term`` is
        still current: otherwise :class:`FencedError`, and nothing is written."""
        read = _READ_TERM[self._db.dialect]
        with self._tx() as c:
            row = c.execute(read).fetchone()
            if row is None or int(row[0]) != term:
                current = None if row is None else int(row[0])
                raise FencedError(f"term {term} is over (current: {current})")
            c.execute(
                "UPDATE lease_terms SET writes = writes + 1, last_write_at = ? WHERE term = ?",
                (now, term),
            )
            yield

    # ---------------------------------------------------------------- agents' states

    def save_agent_state(
        self, agent_id: str, state: str, reason: str | None, since: float, until: float | None,
        *, now: float,
    ) -> None:
        """Keep an agent's routing state (ready, not ready and why, wrap-up until when)."""
        with self._tx() as c:
            c.execute(
                "INSERT INTO agent_states (agent_id, state, reason, since, until, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(agent_id) DO UPDATE SET "
                "state=excluded.state, reason=excluded.reason, since=excluded.since, "
                "until=excluded.until, updated_at=excluded.updated_at",
                (agent_id, state, reason, since, until, now),
            )

    def forget_agent_state(self, agent_id: str) -> bool:
        """The agent logged out or left: nothing to restore."""
        return self._changed("DELETE FROM agent_states WHERE agent_id = ?", (agent_id,))

    def agent_states(self) -> list[AgentStateRecord]:
        """Every kept agent state, by agent id."""
        rows = self._all("SELECT * FROM agent_states ORDER BY agent_id")
        return [from_row(AgentStateRecord, r) for r in rows]

    # ---------------------------------------------------------------- payloads

    def put_payload(self, body: str, *, now: float) -> int:
        """Keep a message body too large for a NOTIFY; its id."""
        with self._tx() as c:
            row = c.execute(
                "INSERT INTO cluster_payloads (body, created_at) VALUES (?, ?) RETURNING id",
                (body, now),
            ).fetchone()
            return int(row[0])

    def take_payload(self, payload_id: int) -> str | None:
        """Read and delete a kept message body (None if gone)."""
        with self._tx() as c:
            row = c.execute(
                "DELETE FROM cluster_payloads WHERE id = ? RETURNING body", (payload_id,)
            ).fetchone()
            return None if row is None else str(row[0])

    def purge_payloads(self, before: float) -> int:
        """Drop payloads nobody read (their reader died); how many."""
        with self._tx() as c:
            return c.execute(
                "DELETE FROM cluster_payloads WHERE created_at < ?", (before,)
            ).rowcount
