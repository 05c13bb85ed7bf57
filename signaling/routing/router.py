"""Sans-I/O queueing and call routing (ACD) core.

The I/O layer feeds :class:`Router` events with the current time and carries out
the actions it returns; it sends :class:`~signaling.routing.events.Tick` at
:meth:`Router.next_deadline`. Nothing here reads a clock, sleeps or does I/O, so
the same event log always yields the same actions (given a deterministic
``id_factory``).

Each :meth:`Router.handle` call runs four phases:

1. fire every timer due at ``now``, oldest first, as if each had been ticked on
   time (offer timeouts, wrap-up ends, call graces, kiosk graces);
2. apply the event;
3. run a matching pass (offers for waiting citizens and ready agents);
4. push :class:`~signaling.routing.actions.QueuePosition` to every connected
   waiting kiosk whose position or shown estimate changed (see
   :mod:`signaling.routing.positions` for when estimates are recomputed).

The cost of an event follows what it touches, not how many citizens wait: timers
and cool-offs sit in heaps, staffed counts are kept per queue, matching looks only
at queues a free agent serves, and each queue's serving order is cached until its
membership changes or an escalation step may reorder it; positions are rechecked
only in queues that changed, from the first index that may have moved (see
:mod:`signaling.routing.queues`).

``now`` never runs backwards inside the router: an earlier time than one already
seen is treated as the latest time seen (wall clocks get stepped by NTP).
"""

from __future__ import annotations

from typing import assert_never

from signaling.routing import ordering
from signaling.routing.actions import (
    Action,
    CallStarted,
    CallTransferred,
    EntryRequeued,
    JoinRefused,
    Rejected,
)
from signaling.routing.booked import BookedRouting
from signaling.routing.events import (
    AcceptOffer,
    AgentDisconnected,
    AgentLogin,
    AgentLogout,
    AgentNotReady,
    AgentReady,
    AgentReconnected,
    BookingRestored,
    ClerkBooked,
    EndCall,
    EndWrapUp,
    Event,
    JoinQueue,
    KioskDisconnected,
    KioskReconnected,
    LeaveQueue,
    RejectOffer,
    Tick,
    Transfer,
)
from signaling.routing.lookups import RoutingLookups
from signaling.routing.model import MEDIA_FAILED, MEDIA_REQUEUED, AgentState
from signaling.routing.records import Agent, Call, Entry, Offer
from signaling.routing.restore import RoutingRestore
from signaling.routing.state import (
    CALL_TIMER,
    NAMED_TIMER,
    OFFER_TIMER,
    WRAP_TIMER,
    uuid_ids,
)

__all__ = ["Router", "uuid_ids"]


class Router(BookedRouting, RoutingRestore, RoutingLookups):
    """The routing state machine: queues, agents, offers and calls.

    ``Router(config, services, id_factory=...)``: ``services`` maps service ids to
    their rules; ids of entries, offers and calls come from ``id_factory(prefix)``
    with prefix ``"entry"``, ``"offer"`` or ``"call"`` (default: uuid4-based).
    """

    # ----------------------------------------------------------- driving

    def handle(self, event: Event, now: float) -> list[Action]:
        """Apply ``event`` at time ``now`` (epoch seconds) and return the resulting actions."""
        now = self._advance(now)
        out: list[Action] = []
        self._expire(now, out)
        self._dispatch(event, now, out)
        self._match(now, out)
        self._push_positions(now, out, upkeep=isinstance(event, Tick))
        return out

    def _dispatch(self, event: Event, now: float, out: list[Action]) -> None:
        match event:
            case JoinQueue():
                self._on_join(event, now, out)
            case LeaveQueue():
                self._on_leave(event, now, out)
            case KioskDisconnected():
                self._on_kiosk_disconnected(event, now, out)
            case KioskReconnected():
                self._on_kiosk_reconnected(event, out)
            case AgentLogin():
                self._on_login(event, now, out)
            case AgentReady():
                self._on_ready(event, now, out)
            case AgentNotReady():
                self._on_not_ready(event, now, out)
            case AgentLogout():
                self._on_logout(event, out)
            case AgentDisconnected():
                self._on_agent_disconnected(event, now, out)
            case AgentReconnected():
                self._on_agent_reconnected(event, out)
            case AcceptOffer():
                self._on_accept(event, now, out)
            case RejectOffer():
                self._on_reject(event, now, out)
            case EndCall():
                self._on_end_call(event, now, out)
            case EndWrapUp():
                self._on_end_wrap_up(event, now, out)
            case Transfer():
                self._on_transfer(event, now, out)
            case ClerkBooked():
                self._on_clerk_booked(event)
            case BookingRestored():
                self._on_booking_restored(event, now, out)
            case Tick():
                pass  # timers already fired; matching and positions follow
            case _:
                assert_never(event)

    def _expire(self, now: float, out: list[Action]) -> None:
        # One timer at a time, earliest first, because firing one can create or
        # cancel others (an agent lost mid-call requeues a citizen with a grace).
        while (due := self._pop_due(now)) is not None:
            _at, kind, key = due
            if kind == OFFER_TIMER:
                self._offer_timed_out(self._offers[key], now, out)
            elif kind == WRAP_TIMER:
                self._end_wrap_up(self._agents[key], now, out)
            elif kind == CALL_TIMER:
                self._call_grace_expired(self._calls[key], now, out)
            elif kind == NAMED_TIMER:
                self._named_wait_over(self._entries[key], now, out)
            else:
                self._remove_entry(self._entries[key], "abandoned", out)
        self._prune_cooloffs(now)

    # ------------------------------------------------------------ kiosks

    def _on_join(self, ev: JoinQueue, now: float, out: list[Action]) -> None:
        rules = self._services.get(ev.service_id)
        if rules is None:
            out.append(JoinRefused(ev.kiosk_id, "unknown_service", None, ()))
            return
        if ev.kiosk_id in self._kiosk_entry or ev.kiosk_id in self._kiosk_call:
            available = tuple(sorted(self.languages_available(ev.service_id, now)))
            out.append(JoinRefused(ev.kiosk_id, "already_queued", None, available))
            return
        if ev.booking is not None:
            self._join_booked(ev, ev.booking, now, out)
            return
        if ev.kiosk_free_until is not None and not self._fits_before(ev, ev.kiosk_free_until, now):
            available = tuple(sorted(self.languages_available(ev.service_id, now)))
            out.append(
                JoinRefused(ev.kiosk_id, "kiosk_reserved", None, available,
                            ev.kiosk_free_until, ev.kiosk_reserved_until)
            )
            return
        refusal = self._admission(ev.service_id, rules, ev.language, now)
        if refusal is not None:
            opening = rules.hours.next_opening(now) if refusal == "service_closed" else None
            available = tuple(sorted(self.languages_available(ev.service_id, now)))
            out.append(JoinRefused(ev.kiosk_id, refusal, opening, available))
            return
        self._enqueue(
            self._new_id("entry"), ev.kiosk_id, ev.service_id, ev.language, ev.priority, now, out
        )

    def _on_leave(self, ev: LeaveQueue, now: float, out: list[Action]) -> None:
        entry = self._kiosk_entry.get(ev.kiosk_id)
        if entry is None:
            detail = (
                "kiosk is in a call; end the call instead"
                if ev.kiosk_id in self._kiosk_call
                else "kiosk is not queued"
            )
            out.append(Rejected(ev.kiosk_id, "bad_state", detail))
            return
        if entry.offer_id is not None:
            self._revoke_for_citizen(self._offers[entry.offer_id], "cancelled", now, out)
        self._remove_entry(entry, "cancelled", out)

    def _on_kiosk_disconnected(self, ev: KioskDisconnected, now: float, out: list[Action]) -> None:
        # An unknown kiosk dropping is a fact, not a request: nothing to reject.
        entry = self._kiosk_entry.get(ev.kiosk_id)
        if entry is not None:
            if entry.connected:
                self._disconnect_entry(entry, now + self._cfg.kiosk_grace_s)
                if entry.offer_id is not None:
                    self._revoke_for_citizen(self._offers[entry.offer_id], "kiosk_lost", now, out)
            return
        call = self._kiosk_call.get(ev.kiosk_id)
        if call is not None and call.kiosk_grace_until is None:
            call.kiosk_grace_until = now + self._cfg.call_grace_s
            self._schedule_call(call)

    def _on_kiosk_reconnected(self, ev: KioskReconnected, out: list[Action]) -> None:
        entry = self._kiosk_entry.get(ev.kiosk_id)
        if entry is not None:
            self._book.set_status(entry, connected=True, offer_id=entry.offer_id)
            entry.grace_until = None
            entry.pushed = None  # it may have missed updates: always resend its position
            self._book.touch_entry(entry)
            return
        call = self._kiosk_call.get(ev.kiosk_id)
        if call is not None:
            call.kiosk_grace_until = None
            return
        out.append(Rejected(ev.kiosk_id, "bad_state", "no queue entry or call to resume"))

    # ------------------------------------------------------------ agents

    def _agent(self, agent_id: str, out: list[Action]) -> Agent | None:
        agent = self._agents.get(agent_id)
        if agent is None:
            out.append(Rejected(agent_id, "not_allowed", "agent is not logged in"))
        return agent

    def _on_login(self, ev: AgentLogin, now: float, out: list[Action]) -> None:
        agent = self._agents.get(ev.agent_id)
        if agent is None:
            agent = Agent(
                ev.agent_id, ev.skills, ev.languages, AgentState.NOT_READY, now, now, "login"
            )
            self._add_agent(agent)
            out.append(self._state_of(agent))
            return
        # Re-login folds into the existing session (e.g. an agent restored IN_CALL
        # after a server restart): keep the state, refresh skills, resync the console.
        self._reskill(agent, ev.skills, ev.languages)
        self._reconnect_agent(agent)
        offer = self._offers.get(agent.offer_id or "")
        if offer is not None:
            entry = self._entries[offer.entry_id]
            if not agent.serves(entry.service_id, entry.language):
                # The new skills no longer cover the pending offer; this emits READY.
                self._revoke_for_citizen(offer, "cancelled", now, out)
                return
        out.append(self._state_of(agent))

    def _on_ready(self, ev: AgentReady, now: float, out: list[Action]) -> None:
        agent = self._agent(ev.agent_id, out)
        if agent is None:
            return
        if agent.state is AgentState.NOT_READY:
            agent.missed = 0  # choosing to be ready shows the agent is present
            self._make_ready(agent, now, out, reset_idle=True)
        elif agent.state is AgentState.IN_CALL:
            agent.pending_not_ready = None
            self._touch_agent(agent)  # back in the wait estimates after this call
        elif agent.state is AgentState.WRAP_UP:
            agent.pending_not_ready = None
            self._end_wrap_up(agent, now, out)

    def _on_not_ready(self, ev: AgentNotReady, now: float, out: list[Action]) -> None:
        agent = self._agent(ev.agent_id, out)
        if agent is None:
            return
        if agent.state in (AgentState.IN_CALL, AgentState.WRAP_UP):
            agent.pending_not_ready = ev.reason
            self._touch_agent(agent)  # out of the wait estimates after this call
            return
        if agent.offer_id is not None:
            self._decline(self._offers[agent.offer_id], "rejected", now, out)
            agent.missed = 0
        self._set_state(agent, AgentState.NOT_READY, now, out, reason=ev.reason)

    def _on_logout(self, ev: AgentLogout, out: list[Action]) -> None:
        agent = self._agent(ev.agent_id, out)
        if agent is None:
            return
        if agent.call_id is not None:
            out.append(Rejected(ev.agent_id, "bad_state", "end the call before logging out"))
            return
        if agent.offer_id is not None:
            self._revoke(self._offers[agent.offer_id], "agent_lost", out)
        self._drop_agent(agent)

    def _on_agent_disconnected(self, ev: AgentDisconnected, now: float, out: list[Action]) -> None:
        agent = self._agents.get(ev.agent_id)
        if agent is None:
            return
        if agent.call_id is not None:
            if agent.connected:
                agent.connected = False
                call = self._calls[agent.call_id]
                call.agent_grace_until = now + self._cfg.call_grace_s
                self._schedule_call(call)
            return
        # Without a call there is nothing to hold for: a dropped agent is logged out.
        if agent.offer_id is not None:
            self._revoke(self._offers[agent.offer_id], "agent_lost", out)
        self._drop_agent(agent)

    def _on_agent_reconnected(self, ev: AgentReconnected, out: list[Action]) -> None:
        agent = self._agent(ev.agent_id, out)
        if agent is not None:
            self._reconnect_agent(agent)

    def _on_end_wrap_up(self, ev: EndWrapUp, now: float, out: list[Action]) -> None:
        agent = self._agent(ev.agent_id, out)
        if agent is None:
            return
        if ev.call_id is not None and ev.call_id != agent.wrap_call_id:
            out.append(Rejected(ev.call_id, "unknown_call", "not the call of this wrap-up"))
            return
        if agent.state is not AgentState.WRAP_UP:
            detail = f"agent is {agent.state}, not in wrap-up"
            out.append(Rejected(ev.agent_id, "bad_state", detail))
            return
        self._end_wrap_up(agent, now, out)

    # ------------------------------------------------------------ offers

    def _pending_offer(self, agent_id: str, offer_id: str, out: list[Action]) -> Offer | None:
        offer = self._offers.get(offer_id)
        if offer is None:
            detail = "no pending offer with this id (expired, revoked or answered)"
            out.append(Rejected(offer_id, "unknown_offer", detail))
            return None
        if offer.agent_id != agent_id:
            out.append(Rejected(offer_id, "not_allowed", "the offer was made to another agent"))
            return None
        return offer

    def _on_accept(self, ev: AcceptOffer, now: float, out: list[Action]) -> None:
        offer = self._pending_offer(ev.agent_id, ev.offer_id, out)
        if offer is None:
            return
        entry, agent = self._entries[offer.entry_id], self._agents[offer.agent_id]
        del self._offers[offer.offer_id]
        self._book.set_status(entry, connected=entry.connected, offer_id=None)
        agent.offer_id = None
        agent.missed = 0
        self._observed.record_answer(now - offer.offered_at)
        call = Call(
            self._new_id("call"),
            entry.entry_id,
            entry.kiosk_id,
            agent.agent_id,
            entry.service_id,
            entry.language,
            entry.priority,
            entry.enqueued_at,
            offer.offered_at,
            now,
        )
        call.media_requeues = entry.media_requeues
        self._calls[call.call_id] = call
        out.append(
            CallStarted(
                call.call_id,
                call.entry_id,
                call.kiosk_id,
                call.agent_id,
                call.service_id,
                call.language,
                call.offered_at,
                call.answered_at,
                now,
            )
        )
        self._remove_entry(entry, "answered", out)
        self._kiosk_call[call.kiosk_id] = call
        agent.call_id = call.call_id
        self._set_state(agent, AgentState.IN_CALL, now, out)

    def _on_reject(self, ev: RejectOffer, now: float, out: list[Action]) -> None:
        offer = self._pending_offer(ev.agent_id, ev.offer_id, out)
        if offer is None:
            return
        agent = self._decline(offer, "rejected", now, out)
        agent.missed = 0
        self._make_ready(agent, now, out, reset_idle=True)

    def _offer_timed_out(self, offer: Offer, now: float, out: list[Action]) -> None:
        agent = self._decline(offer, "timeout", now, out)
        agent.missed += 1
        if agent.missed >= self._cfg.max_missed_offers:
            self._set_state(agent, AgentState.NOT_READY, now, out, reason="missed_offers")
        else:
            # Reset idle time so that other ready agents are tried first.
            self._make_ready(agent, now, out, reset_idle=True)

    # ------------------------------------------------------------- calls

    def _on_end_call(self, ev: EndCall, now: float, out: list[Action]) -> None:
        call = self._calls.get(ev.call_id)
        if call is None:
            out.append(Rejected(ev.call_id, "unknown_call", "no call in progress with this id"))
            return
        self._record_handle_time(call.service_id, now - call.answered_at)
        if (
            ev.reason == MEDIA_FAILED
            and call.media_requeues < self._cfg.media_requeues
            and call.kiosk_grace_until is None
        ):
            # No media path between these two: another clerk (maybe on another network)
            # takes the citizen next, before anybody who came later.
            self._finish_call(call, MEDIA_REQUEUED, ev.by, now, out)
            entry = self._requeue_at_head(call, MEDIA_REQUEUED, out)
            entry.media_requeues = call.media_requeues + 1
            return
        self._finish_call(call, ev.reason, ev.by, now, out)

    def _on_transfer(self, ev: Transfer, now: float, out: list[Action]) -> None:
        call = self._calls.get(ev.call_id)
        if call is None:
            out.append(Rejected(ev.call_id, "unknown_call", "no call in progress with this id"))
            return
        if call.agent_id != ev.agent_id:
            out.append(Rejected(ev.call_id, "not_allowed", "only the call's agent can transfer"))
            return
        rules = self._services.get(ev.service_id)
        if rules is None:
            detail = f"unknown service {ev.service_id!r}"
            out.append(Rejected(ev.call_id, "unknown_service", detail))
            return
        if call.kiosk_grace_until is not None:
            out.append(Rejected(ev.call_id, "bad_state", "the kiosk is disconnected"))
            return
        refusal = self._admission(ev.service_id, rules, call.language, now)
        if refusal is not None:
            detail = f"citizen cannot join {ev.service_id!r} in {call.language!r}: {refusal}"
            out.append(Rejected(ev.call_id, "not_allowed", detail))
            return
        self._record_handle_time(call.service_id, now - call.answered_at)
        self._finish_call(call, "transferred", "agent", now, out)
        # Same priority and original enqueued_at: the citizen lands near the front.
        entry = self._enqueue(
            self._new_id("entry"),
            call.kiosk_id,
            ev.service_id,
            call.language,
            call.priority,
            call.enqueued_at,
            out,
        )
        out.append(
            CallTransferred(
                call.call_id,
                call.kiosk_id,
                call.agent_id,
                call.service_id,
                ev.service_id,
                entry.entry_id,
                now,
            )
        )

    def _requeue_at_head(self, call: Call, reason: str, out: list[Action]) -> Entry:
        # Back to the head of the queue: original enqueued_at plus the smallest
        # priority that ranks ahead of everyone now in that queue (see head_priority).
        same_queue = self._book.members((call.service_id, call.language))
        priority = ordering.head_priority(
            call.priority, call.enqueued_at, same_queue, self._cfg.escalation_step_s
        )
        entry_id = self._new_id("entry")
        out.append(EntryRequeued(entry_id, call.kiosk_id, reason))
        return self._enqueue(
            entry_id, call.kiosk_id, call.service_id, call.language, priority, call.enqueued_at, out
        )

    def _call_grace_expired(self, call: Call, now: float, out: list[Action]) -> None:
        kiosk_t, agent_t = call.kiosk_grace_until, call.agent_grace_until
        if kiosk_t is not None and (agent_t is None or kiosk_t <= agent_t):
            self._finish_call(call, "kiosk_lost", "system", now, out)
            return
        self._finish_call(call, "agent_lost", "system", now, out)
        entry = self._requeue_at_head(call, "agent_lost", out)
        if kiosk_t is not None:
            # The kiosk is away too: it keeps what is left of its call grace.
            self._disconnect_entry(entry, kiosk_t)
