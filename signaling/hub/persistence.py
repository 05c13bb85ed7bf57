"""What the hub writes to the store, and the restore of places and calls after a restart.

Queue places and calls are written through as the router decides them, each with the time the
router acted (``action.at``), so a restart or a crash can rebuild the router from the store.
Every wait estimate a kiosk is shown is kept with its place (a new row when what the kiosk shows
changes, written once per router step, see :meth:`Persistence.flush`), and so is the wait that
followed, for the estimate's accuracy on the dashboard and in ``/metrics``.
:meth:`Persistence.restore` hands every stored place and open call back to a fresh router.
What the router refuses to take back (a retired service, a second call of the same agent) is not
silently dropped: it is closed in the store, logged, counted in the :class:`RestoreReport`, and
the kiosk is told when it resumes.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from jsonlog import fields
from signaling.hub.connections import ResumeTokens
from signaling.hub.live import CallLive, LiveState
from signaling.identity import Principal
from signaling.routing import actions as A
from signaling.routing.model import AgentState
from signaling.routing.router import Router
from signaling.store import Store
from signaling.store.records import (
    AgentStateRecord,
    CallOutcome,
    CallRecord,
    EntryRecord,
    ShownEstimate,
)
from wire import server_messages as S

__all__ = ["Persistence", "RestoreReport"]

log = logging.getLogger("etapiste.hub")

LOST_IN_RESTART = "lost_in_restart"


@dataclass
class RestoreReport:
    """What a restore took back, and what the router refused."""

    entries: int = 0
    calls: int = 0
    rejected: list[A.Rejected] = field(default_factory=list)


def _deliver_anyway(exc: Exception) -> bool:
    log.error("routing writes failed", extra=fields(error=str(exc)))
    return True


class Persistence:
    """Writes the router's actions and the clients' records to the store.

    With a routing ``term`` every event's writes are one fenced transaction
    (:meth:`~signaling.store.interface.ClusterStore.fenced`): kept only while the term is the
    store's current one. ``on_lost`` decides what a failed batch means: one node goes on
    (the clients' messages matter more than a lost record); a cluster node that may have lost
    the lease delivers nothing and steps down.
    """

    def __init__(
        self, store: Store, live: LiveState, resume: ResumeTokens, *, term: int | None = None,
        on_lost: Callable[[Exception], bool] = _deliver_anyway, agent_grace_s: float = 60.0,
    ) -> None:
        self._store = store
        self._live = live
        self._resume = resume
        self.term = term
        self.on_lost = on_lost
        self._agent_grace_s = agent_grace_s
        self._returning: dict[str, tuple[AgentStateRecord, float]] = {}

        self._shown: list[ShownEstimate] = []  # to store at the end of the router's step
        self._showing: dict[str, tuple[float | None, str]] = {}  # entry -> what its kiosk shows

    @contextlib.contextmanager
    def batch(self, now: float) -> Iterator[None]:
        """One event's writes: fenced by the term, or each its own transaction."""
        if self.term is None:
            yield
            return
        with self._store.fenced(self.term, now=now):
            yield

    def write(self, action: A.Action) -> None:
        """Record one action (nothing for those that only concern messages)."""
        store = self._store
        match action:
            case A.EntryQueued():
                store.insert_entry(
                    action.entry_id, action.kiosk_id, action.service_id, action.language,
                    action.priority, action.enqueued_at,
                    resume_token_hash=self._resume.hash_of(action.kiosk_id), now=action.at,
                )
            case A.QueuePosition():
                self._shown_estimate(action)
            case A.EntryRemoved(reason="answered"):
                store.set_entry_state(action.entry_id, "in_call", now=action.at)
                self._wait_ended(action.entry_id, action.at, answered=True)
            case A.EntryRemoved():
                # One transaction: a crash cannot leave the entry both restored and counted.
                store.close_entry(action.entry_id, action.at, action.reason)
                self._wait_ended(action.entry_id, action.at, answered=False)
            case A.OfferSent():
                store.set_entry_state(action.entry_id, "offered", now=action.at)
            case A.CallStarted():
                entry = store.entry(action.entry_id)
                store.call_started(
                    action.call_id, entry_id=action.entry_id, kiosk_id=action.kiosk_id,
                    agent_id=action.agent_id, service_id=action.service_id,
                    language=action.language,
                    queued_at=entry.enqueued_at if entry else action.offered_at,
                    offered_at=action.offered_at, answered_at=action.answered_at,
                )
                log.info("call started", extra=fields(
                    call=action.call_id, kiosk=action.kiosk_id, agent=action.agent_id))
            case A.CallEnded():
                self._call_ended(action)
            case A.EntryRequeued():
                log.info("requeued", extra=fields(kiosk=action.kiosk_id, reason=action.reason))
            case A.CallTransferred():
                moved = {"from": action.from_service, "to": action.to_service}
                store.audit(f"agent:{action.agent_id}", "call_transfer", action.call_id, moved,
                            now=action.at)
            case A.AgentStateChanged():
                state = {"state": action.state.value, "reason": action.reason}
                store.audit(f"agent:{action.agent_id}", "agent_state", action.agent_id, state,
                            now=action.at)
                store.save_agent_state(action.agent_id, action.state.value, action.reason,
                                       action.since, action.until, now=action.at)

    def _shown_estimate(self, action: A.QueuePosition) -> None:
        """Keep an estimate for :meth:`flush` if the kiosk shows something new (a new place
        alone, with the same estimate, is not a new estimate)."""
        showing = (action.estimated_wait_s, action.estimate_kind)
        if self._showing.get(action.entry_id) == showing:
            return
        self._showing[action.entry_id] = showing
        self._shown.append(ShownEstimate(
            action.entry_id, action.at, action.position, action.estimated_wait_s,
            action.estimate_kind,
        ))

    def _wait_ended(self, entry_id: str, at: float, *, answered: bool) -> None:
        self._showing.pop(entry_id, None)
        self._store.wait_ended(entry_id, at, answered=answered)

    def flush(self) -> None:
        """Store the estimates shown during the router's step, in one transaction: a busy
        queue tells dozens of kiosks at once when someone ahead is answered."""
        shown, self._shown = self._shown, []
        self._store.record_estimates(shown)

    def _call_ended(self, action: A.CallEnded) -> None:
        outcome: CallOutcome = "transferred" if action.reason == "transferred" else "answered"
        self._store.call_ended(action.call_id, action.at, outcome, action.reason)
        self._store.close_entry(action.entry_id, action.at, None)
        call = self._live.calls.get(action.call_id)
        if call is not None and call.stats:
            quality = {k: v.model_dump(mode="json") for k, v in call.stats.items()}
            self._store.set_call_quality(action.call_id, quality)
        log.info("call ended", extra=fields(
            call=action.call_id, reason=action.reason, by=action.by))

    def agent_gone(self, agent_id: str) -> None:
        """The router no longer routes the agent (logged out or left): nothing to restore."""
        self._returning.pop(agent_id, None)
        self._store.forget_agent_state(agent_id)

    def agent_back(self, router: Router, p: Principal, now: float) -> None:
        """An agent attaches after a restore: give the router the state the store kept."""
        kept = self._returning.pop(p.id, None)
        if kept is None or router.agent_view(p.id) is not None or now > kept[1]:
            return
        record = kept[0]
        router.restore_agent(p.id, p.skills, p.languages, AgentState(record.state),
                             record.reason, record.since, record.until, now)

    # --------------------------------------------------------------- client records

    def agent_login(self, p: Principal, now: float) -> None:
        """Audit an agent's first connection of a session."""
        self._store.audit(p.label, "agent_login", p.id, {}, now=now)

    def logout(self, p: Principal, now: float) -> None:
        """Audit an agent's logout and revoke the session it used."""
        if p.role == "agent":
            self._store.audit(p.label, "agent_logout", p.id, {}, now=now)
        if p.session_id:
            self._store.revoke_session(p.session_id, now=now)

    def rate(self, kiosk_id: str, call_id: str, rating: int) -> bool:
        """Store a citizen's rating; False unless it is an ended, unrated call of the kiosk."""
        return self._store.rate_call(call_id, kiosk_id, rating)

    def wrap_up(self, p: Principal, call_id: str, disposition: str | None, note: str | None,
                now: float) -> None:
        """Store the wrap-up the router accepted, and audit the edit (the note's length, never
        its text: the audit log is kept longer than notes are)."""
        if disposition is None and note is None:
            return
        if self._store.call_wrapup(call_id, disposition or "", note, agent_id=p.id):
            detail = {"call": call_id, "disposition": disposition,
                      "note_chars": len(note) if note else 0}
            self._store.audit(p.label, "wrapup", call_id, detail, now=now)

    def photos_purged(self, p: Principal, count: int, now: float) -> None:
        """An agent console deleted saved photos past their retention period."""
        self._store.audit(p.label, "photo_purge", p.id, {"count": count}, now=now)

    # ---------------------------------------------------------------------- restore

    def restore(self, router: Router, now: float) -> RestoreReport:
        """Give a fresh router the stored places and open calls.

        Restored kiosks and agents count as disconnected with a fresh grace period, so the
        clients that reconnect in time keep their place or call; order comes from the stored
        priority and join time, so it is the same as before the crash.
        """
        with self.batch(now):
            return self._restore(router, now)

    def _restore(self, router: Router, now: float) -> RestoreReport:
        report = RestoreReport()
        until = now + self._agent_grace_s
        self._returning = {r.agent_id: (r, until) for r in self._store.agent_states()}
        calls = self._store.open_calls()
        for e in self._store.waiting_entries():
            refused = router.restore_entry(
                e.id, e.kiosk_id, e.service_id, e.language, e.priority, e.enqueued_at, now
            )
            self._resume.adopt(e.kiosk_id, e.resume_token_hash)
            if refused:
                self._refused(report, refused)
                self._store.close_entry(e.id, now, "failed")
                self._store.wait_ended(e.id, now, answered=False)
                self._live.kiosk(e.kiosk_id).missed = S.QueueLeft(reason="abandoned")
                continue
            self._store.set_entry_state(e.id, "waiting", now=now)
            report.entries += 1
        for c in calls:
            entry = self._store.entry(c.entry_id) if c.entry_id else None
            if entry is None or c.agent_id is None:
                self._store.call_ended(c.id, now, "failed", LOST_IN_RESTART)
                continue
            self._restore_call(router, c, entry, c.agent_id, now, report)
        return report

    def _restore_call(
        self, router: Router, c: CallRecord, entry: EntryRecord, agent_id: str, now: float,
        report: RestoreReport,
    ) -> None:
        refused = router.restore_call(
            c.id, entry.id, c.kiosk_id, agent_id, c.service_id, c.language, entry.priority,
            entry.enqueued_at, c.offered_at or now, c.answered_at or now, now,
        )
        self._resume.adopt(c.kiosk_id, entry.resume_token_hash)
        if refused:
            self._refused(report, refused)
            self._store.call_ended(c.id, now, "failed", LOST_IN_RESTART)
            self._store.close_entry(entry.id, now, None)
            self._live.kiosk(c.kiosk_id).missed = S.CallEnded(
                call_id=c.id, reason=LOST_IN_RESTART, by="system"
            )
            return
        self._live.add_call(CallLive(c.id, c.kiosk_id, agent_id, c.service_id, c.language))
        report.calls += 1

    @staticmethod
    def _refused(report: RestoreReport, actions: list[A.Action]) -> None:
        for action in actions:
            if isinstance(action, A.Rejected):
                report.rejected.append(action)
                log.warning("restore refused", extra=fields(
                    target=action.target_id, code=action.code, detail=action.detail))
