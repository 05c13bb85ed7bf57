"""Taking places and calls back after a restart: the store's records into a fresh router.

A restored entry or call starts disconnected with a fresh grace from ``now``; the clients
that reconnect in time keep their place or call. A record that conflicts with the current
state (an unknown service, a kiosk or agent already busy) is refused with a
:class:`~signaling.routing.actions.Rejected`, never raised.
"""

from __future__ import annotations

from signaling.routing.actions import Action, Rejected
from signaling.routing.model import AgentState
from signaling.routing.positions import Positions
from signaling.routing.records import Agent, Call, Entry
from signaling.routing.state import WRAP_TIMER

__all__ = ["RoutingRestore"]


class RoutingRestore(Positions):
    """Restoring from persisted records (mixed into :class:`~signaling.routing.router.Router`)."""

    def restore_entry(
        self,
        entry_id: str,
        kiosk_id: str,
        service_id: str,
        language: str,
        priority: int,
        enqueued_at: float,
        now: float,
    ) -> list[Action]:
        """Recreate a persisted queue entry after a restart.

        The entry starts disconnected with a fresh kiosk grace from ``now``; the
        kiosk resumes it with :class:`KioskReconnected`. Returns ``[]`` on success or
        a single :class:`Rejected` when the record conflicts with current state.
        """
        now = self._advance(now)
        problem = self._restore_problem(entry_id, kiosk_id, service_id)
        if problem is not None or entry_id in self._entries:
            return [problem or Rejected(entry_id, "bad_state", "entry id already in use")]
        entry = Entry(
            entry_id,
            kiosk_id,
            service_id,
            language,
            priority,
            min(enqueued_at, now),
            connected=False,
            grace_until=now + self._cfg.kiosk_grace_s,
        )
        self._add_entry(entry)
        return []

    def restore_call(
        self,
        call_id: str,
        entry_id: str,
        kiosk_id: str,
        agent_id: str,
        service_id: str,
        language: str,
        priority: int,
        enqueued_at: float,
        offered_at: float,
        answered_at: float,
        now: float,
    ) -> list[Action]:
        """Recreate a call that was in progress at a restart (media may still flow).

        Both sides start disconnected with a call grace from ``now``. The agent is
        recreated IN_CALL with only this call's service and language as skills until
        their :class:`AgentLogin` (or :class:`AgentReconnected`) folds into it.
        Returns ``[]`` on success or a single :class:`Rejected`.
        """
        now = self._advance(now)
        problem = self._restore_problem(call_id, kiosk_id, service_id)
        if problem is None and (call_id in self._calls or agent_id in self._agents):
            problem = Rejected(call_id, "bad_state", "call id or agent already in use")
        if problem is not None:
            return [problem]
        grace = now + self._cfg.call_grace_s
        agent = Agent(
            agent_id,
            frozenset({service_id}),
            frozenset({language}),
            AgentState.IN_CALL,
            since=answered_at,
            idle_since=answered_at,
            connected=False,
            call_id=call_id,
        )
        call = Call(
            call_id,
            entry_id,
            kiosk_id,
            agent_id,
            service_id,
            language,
            priority,
            min(enqueued_at, now),
            offered_at,
            answered_at,
            kiosk_grace_until=grace,
            agent_grace_until=grace,
        )
        self._add_agent(agent)
        self._calls[call_id] = call
        self._kiosk_call[kiosk_id] = call
        self._schedule_call(call)
        return []

    def restore_agent(
        self,
        agent_id: str,
        skills: frozenset[str],
        languages: frozenset[str],
        state: AgentState,
        reason: str | None,
        since: float,
        wrap_until: float | None,
        now: float,
    ) -> list[Action]:
        """Take back an agent who comes back after a restart (or a new routing node) in the
        state the store kept: ready stays ready, a break keeps its reason, a wrap-up its end.

        The agent is connected (call this as they attach). An offer or a call does not survive
        without its own record (:meth:`restore_call` brings calls back), so a reserved agent
        is ready again and one whose call is gone is not ready. Returns ``[]``, or a
        :class:`Rejected` if the agent is already routed.
        """
        now = self._advance(now)
        if agent_id in self._agents:
            return [Rejected(agent_id, "bad_state", "agent already routed")]
        if state is AgentState.RESERVED:
            state = AgentState.READY
        elif state is AgentState.IN_CALL:
            state, reason = AgentState.NOT_READY, "call_lost"
        if state is AgentState.WRAP_UP and (wrap_until is None or wrap_until <= now):
            state = AgentState.READY
        agent = Agent(
            agent_id, skills, languages, state, since=min(since, now),
            idle_since=min(since, now), reason=reason if state is AgentState.NOT_READY else None,
            wrap_until=wrap_until if state is AgentState.WRAP_UP else None,
        )
        self._add_agent(agent)
        if agent.wrap_until is not None:
            self._schedule(agent.wrap_until, WRAP_TIMER, agent_id)
        return []

    def _restore_problem(self, target_id: str, kiosk_id: str, service_id: str) -> Rejected | None:
        if service_id not in self._services:
            return Rejected(target_id, "unknown_service", f"unknown service {service_id!r}")
        if kiosk_id in self._kiosk_entry or kiosk_id in self._kiosk_call:
            return Rejected(target_id, "bad_state", f"kiosk {kiosk_id!r} already queued or in call")
        return None
