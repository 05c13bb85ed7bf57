"""Who serves each service × language queue, and which of them are working.

An agent serves a queue while logged in with its skill and language, in any state. Of
those, an agent *works* (:func:`works`) unless on a break (not ready) or going on one after
the current call or wrap-up. The wait estimates read both at every recomputation, and
"no estimate" depends on whether anybody works, so :class:`Staff` keeps them per queue as
agents log in, change state and leave, rather than counting them each time:

* ``agents``: everyone who serves the queue, by id;
* ``working``: how many of them work;
* ``resting``: the others, by id (few: the estimate asks each when they are expected back).

The router tells it of every change with :meth:`Staff.add`, :meth:`Staff.remove` and
:meth:`Staff.update` (after a state change); it compares with what it recorded, so a caller
need not know what the agent was before.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from signaling.routing.model import AgentState
from signaling.routing.records import Agent

__all__ = ["QueueStaff", "Staff", "works"]

QueueKey = tuple[str, str]  # (service_id, language)


def works(agent: Agent) -> bool:
    """Whether a clerk is taking citizens: not on a break, and not going on one after this
    call. A queue where nobody works may have no honest estimate."""
    return agent.state is not AgentState.NOT_READY and agent.pending_not_ready is None


class QueueStaff:
    """The agents of one queue; see the module docstring."""

    __slots__ = ("agents", "resting", "working")

    def __init__(self) -> None:
        self.agents: dict[str, Agent] = {}
        self.resting: dict[str, Agent] = {}
        self.working = 0


_NOBODY = QueueStaff()  # what an unstaffed queue reads as (never changed)


class Staff:
    """Every staffed queue's :class:`QueueStaff`, by service, then language."""

    def __init__(self) -> None:
        self._services: dict[str, dict[str, QueueStaff]] = {}
        self._queues_of: dict[str, tuple[QueueKey, ...]] = {}

    # ------------------------------------------------------------ reading

    def of(self, service_id: str, language: str) -> QueueStaff:
        """The staff of a queue (an empty one if nobody serves it; do not change it)."""
        return self._services.get(service_id, {}).get(language, _NOBODY)

    def serving(self, service_id: str, language: str) -> Mapping[str, Agent]:
        """Everyone who serves a queue, by id."""
        return self.of(service_id, language).agents

    def queues_of(self, agent_id: str) -> tuple[QueueKey, ...]:
        """The queues a staff member serves (their skills × languages)."""
        return self._queues_of.get(agent_id, ())

    def languages(self, service_id: str) -> frozenset[str]:
        """Languages in which somebody serves the service."""
        return frozenset(self._services.get(service_id, ()))

    def queues(self) -> Iterator[QueueKey]:
        """Every staffed queue."""
        for service_id, langs in self._services.items():
            for language in langs:
                yield service_id, language

    # ----------------------------------------------------------- changing

    def add(self, agent: Agent) -> list[QueueKey]:
        """A logged-in agent (or one with new skills) joins the staff of their queues;
        returns the queues where somebody works now and nobody did."""
        flipped = []
        resting = not works(agent)
        self._queues_of[agent.agent_id] = tuple(
            (s, lang) for s in agent.skills for lang in agent.languages
        )
        for service_id in agent.skills:
            langs = self._services.setdefault(service_id, {})
            for language in agent.languages:
                queue = langs.get(language)
                if queue is None:
                    queue = langs[language] = QueueStaff()
                queue.agents[agent.agent_id] = agent
                if resting:
                    queue.resting[agent.agent_id] = agent
                else:
                    queue.working += 1
                    if queue.working == 1:
                        flipped.append((service_id, language))
        return flipped

    def remove(self, agent: Agent) -> list[QueueKey]:
        """An agent leaves the staff of their queues (logged out, or skills change);
        returns the queues where nobody works any more."""
        flipped = []
        self._queues_of.pop(agent.agent_id, None)
        for service_id in agent.skills:
            langs = self._services.get(service_id)
            if langs is None:
                continue
            for language in agent.languages:
                queue = langs.get(language)
                if queue is None or queue.agents.pop(agent.agent_id, None) is None:
                    continue
                if queue.resting.pop(agent.agent_id, None) is None:
                    queue.working -= 1
                    if queue.working == 0:
                        flipped.append((service_id, language))
                if not queue.agents:
                    del langs[language]
            if not langs:
                del self._services[service_id]
        return flipped

    def update(self, agent: Agent) -> list[QueueKey]:
        """The agent's state changed: returns the queues where that made the first agent
        start working or the last one stop."""
        flipped = []
        resting = not works(agent)
        agent_id = agent.agent_id
        for service_id in agent.skills:
            langs = self._services.get(service_id, {})
            for language in agent.languages:
                queue = langs.get(language)
                if queue is None or (agent_id in queue.resting) == resting:
                    continue
                if resting:
                    queue.resting[agent_id] = agent
                    queue.working -= 1
                    if queue.working == 0:
                        flipped.append((service_id, language))
                else:
                    del queue.resting[agent_id]
                    queue.working += 1
                    if queue.working == 1:
                        flipped.append((service_id, language))
        return flipped
