"""Who is served first, and by whom.

Citizens: higher *effective priority* first, where
``effective = priority + floor(waited / escalation_step_s)``, so a low-priority
citizen gains a level per step waited and cannot starve; ties by ``enqueued_at``,
then by entry id. The same order is used within a queue (positions) and across
queues (matching), so an agent serving several queues is offered the citizen who
ranks highest over all of them.

Agents: among READY, connected agents with the skill and the language and not in
a decline cool-off for that entry, the one idle longest (earliest ``idle_since``);
ties by agent id. A booked citizen is offered only to the booked clerk until the
booking's ``named_until`` (:mod:`signaling.routing.booked`).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence

from signaling.routing.model import AgentState
from signaling.routing.records import Agent, Entry

EntryKey = tuple[int, float, str]


def effective_priority(priority: int, enqueued_at: float, now: float, step_s: float) -> int:
    """Priority plus one level per full escalation step waited."""
    if step_s <= 0:
        return priority
    return priority + math.floor(max(0.0, now - enqueued_at) / step_s)


def entry_key(entry: Entry, now: float, step_s: float) -> EntryKey:
    """Sort key: smallest first is served first."""
    return (
        -effective_priority(entry.priority, entry.enqueued_at, now, step_s),
        entry.enqueued_at,
        entry.entry_id,
    )


def next_escalation(enqueued_at: float, now: float, step_s: float) -> float | None:
    """The next instant after ``now`` at which an entry's effective priority rises."""
    if step_s <= 0:
        return None
    steps = math.floor(max(0.0, now - enqueued_at) / step_s) + 1
    return enqueued_at + steps * step_s


def head_priority(priority: int, enqueued_at: float, others: Iterable[Entry], step_s: float) -> int:
    """The smallest priority ≥ ``priority`` that ranks an entry enqueued at
    ``enqueued_at`` strictly ahead of every entry in ``others``, now and later.

    Why it stays ahead: for entry ``i`` and the requeued entry ``r`` at any time,
    ``floor(w_r / s) − floor(w_i / s) ≥ floor((e_i − e_r) / s)`` (floors are
    superadditive), so ``p_r ≥ p_i − floor((e_i − e_r) / s) + 1`` keeps ``r``'s
    effective priority above ``i``'s forever. Citizens who join later with a higher
    priority may still rank ahead, as priority intends.
    """
    needed = priority
    for other in others:
        if step_s <= 0:
            needed = max(needed, other.priority + 1)
        else:
            lead = math.floor((other.enqueued_at - enqueued_at) / step_s)
            needed = max(needed, other.priority - lead + 1)
    return needed


def _held(agent: Agent, now: float, guard_s: float) -> bool:
    """Whether the agent is kept free of walk-ins for a booked meeting that names them."""
    return agent.booked_at is not None and now >= agent.booked_at - guard_s


def match(
    entries: Iterable[Entry], agents: Iterable[Agent], now: float, step_s: float,
    guard_s: float = 0.0,
) -> list[tuple[Entry, Agent]]:
    """Pair waiting, connected, unreserved entries with ready agents.

    Entries are visited in global order; each takes the longest-idle eligible
    agent still free in this pass. This is the plain statement of the rule; the
    router runs the equivalent :func:`match_ordered` on its cached queue orders.
    """
    waiting = sorted(
        (e for e in entries if e.connected and e.offer_id is None),
        key=lambda e: entry_key(e, now, step_s),
    )
    free = sorted(
        (a for a in agents if a.state is AgentState.READY and a.connected),
        key=lambda a: (a.idle_since, a.agent_id),
    )
    pairs: list[tuple[Entry, Agent]] = []
    for entry in waiting:
        if not free:
            break
        for agent in free:
            cooling = entry.cooloff.get(agent.agent_id, -math.inf) > now
            if (
                agent.serves(entry.service_id, entry.language)
                and not cooling
                and entry.offerable_to(agent.agent_id, now)
                and (entry.booking_id is not None or not _held(agent, now, guard_s))
            ):
                pairs.append((entry, agent))
                free.remove(agent)
                break
    return pairs


def queues(
    entries: Iterable[Entry], now: float, step_s: float
) -> dict[tuple[str, str], list[Entry]]:
    """Entries grouped by (service, language), each list in serving order.

    The plain statement of positions; the router keeps these orders cached and
    updated incrementally (:mod:`signaling.routing.queues`).
    """
    grouped: dict[tuple[str, str], list[Entry]] = {}
    for entry in entries:
        grouped.setdefault((entry.service_id, entry.language), []).append(entry)
    for members in grouped.values():
        members.sort(key=lambda e: entry_key(e, now, step_s))
    return dict(sorted(grouped.items()))


def match_ordered(
    queues: Iterable[Sequence[Entry]], free: list[Agent], now: float, step_s: float,
    guard_s: float = 0.0,
) -> list[tuple[Entry, Agent]]:
    """:func:`match` for entries given as per-queue serving orders at ``now`` and for
    ``free`` agents already filtered (ready, connected) and sorted by idle time.

    The queues are merged lazily in global order, and the pass stops as soon as no free
    agent is left; ``free`` is consumed. Queues that no free agent serves may be left
    out: their entries would be skipped anyway.
    """
    lists = list(queues)
    waiting: Iterable[Entry] = (
        lists[0]
        if len(lists) == 1
        else heapq.merge(*lists, key=lambda e: entry_key(e, now, step_s))
    )
    pairs: list[tuple[Entry, Agent]] = []
    for entry in waiting:
        if not free:
            break
        if not entry.connected or entry.offer_id is not None:
            continue
        for agent in free:
            cooling = entry.cooloff.get(agent.agent_id, -math.inf) > now
            if (
                agent.serves(entry.service_id, entry.language)
                and not cooling
                and entry.offerable_to(agent.agent_id, now)
                and (entry.booking_id is not None or not _held(agent, now, guard_s))
            ):
                pairs.append((entry, agent))
                free.remove(agent)
                break
    return pairs
