"""Calls of three or four members: who took part and when, interpreters' languages, teams.

A member is recorded by member id within its call, with a kiosk or account id (no citizen
data), its role, the language it interpreted, and join and leave times. Interpreter minutes per
language are summed from these rows for the reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from signaling.store.db import SqlAggregate, from_row

__all__ = ["CallMemberRecord", "MembersSql", "StaffProfileRecord"]


@dataclass(frozen=True, slots=True)
class CallMemberRecord:
    """One member's part in a call."""

    call_id: str
    member_id: str
    member_ref: str
    role: str
    interpretation_language: str | None
    joined_at: float
    left_at: float | None
    leave_reason: str | None
    mode: str | None
    """A supervisor's mode (listen, whisper, barge) as last set; None for other members."""


@dataclass(frozen=True, slots=True)
class StaffProfileRecord:
    """An account's team, supervisor flag and interpretation languages."""

    team: str | None
    supervisor: bool
    interpretation_languages: frozenset[str]


class MembersSql(SqlAggregate):
    """Call members, interpreters and teams."""

    def member_joined(
        self, call_id: str, member_id: str, member_ref: str, role: str,
        interpretation_language: str | None, at: float, *, mode: str | None = None,
    ) -> None:
        """Record that a member joined (a repeated write of the same member changes nothing);
        ``mode``: a supervisor's."""
        with self._tx() as c:
            c.execute(
                "INSERT INTO call_members (call_id, member_id, member_ref, role, "
                "interpretation_language, joined_at, mode) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(call_id, member_id) DO NOTHING",
                (call_id, member_id, member_ref, role, interpretation_language, at, mode),
            )

    def set_member_mode(self, call_id: str, member_id: str, mode: str) -> None:
        """Record a supervisor's new mode (while they are in the call), so a restart brings
        them back in it."""
        with self._tx() as c:
            c.execute(
                "UPDATE call_members SET mode=? "
                "WHERE call_id=? AND member_id=? AND left_at IS NULL",
                (mode, call_id, member_id),
            )

    def member_left(self, call_id: str, member_id: str, at: float, reason: str) -> None:
        """Record that a member left (the first leave counts)."""
        with self._tx() as c:
            c.execute(
                "UPDATE call_members SET left_at=?, leave_reason=? "
                "WHERE call_id=? AND member_id=? AND left_at IS NULL",
                (at, reason[:40], call_id, member_id),
            )

    def call_members(self, call_id: str) -> list[CallMemberRecord]:
        """Every member of a call in joining order."""
        rows = self._all(
            "SELECT * FROM call_members WHERE call_id=? ORDER BY joined_at, member_id",
            (call_id,),
        )
        return [from_row(CallMemberRecord, r) for r in rows]

    def interpreter_minutes(self, t0: float, t1: float) -> dict[str, float]:
        """Minutes interpreters spent in calls that began in ``[t0, t1)``, by language
        (a member still in a call counts up to ``t1``)."""
        rows = self._all(
            "SELECT interpretation_language AS lang, "
            "SUM(COALESCE(left_at, ?) - joined_at) AS seconds FROM call_members "
            "WHERE role='interpreter' AND joined_at >= ? AND joined_at < ? "
            "AND interpretation_language IS NOT NULL GROUP BY interpretation_language",
            (t1, t0, t1),
        )
        return {str(r["lang"]): round(max(0.0, float(r["seconds"])) / 60.0, 2) for r in rows}

    def set_staff_profile(
        self, account_id: str, *, team: str | None, supervisor: bool = False,
        interpretation_languages: Iterable[str] = (),
    ) -> None:
        """Set an account's team (None: none), supervisor flag and interpretation languages."""
        with self._tx() as c:
            c.execute("DELETE FROM agent_teams WHERE account_id=?", (account_id,))
            if team is not None:
                c.execute(
                    "INSERT INTO agent_teams (account_id, team, supervisor) VALUES (?, ?, ?)",
                    (account_id, team, 1 if supervisor else 0),
                )
            c.execute("DELETE FROM agent_interpretation WHERE account_id=?", (account_id,))
            c.executemany(
                "INSERT INTO agent_interpretation (account_id, language) VALUES (?, ?)",
                [(account_id, lang) for lang in sorted(set(interpretation_languages))],
            )

    def staff_profile(self, account_id: str) -> StaffProfileRecord:
        """An account's team, supervisor flag and interpretation languages."""
        team = self._one(
            "SELECT team, supervisor FROM agent_teams WHERE account_id=?", (account_id,)
        )
        langs = self._all(
            "SELECT language FROM agent_interpretation WHERE account_id=? ORDER BY language",
            (account_id,),
        )
        return StaffProfileRecord(
            None if team is None else str(team["team"]),
            bool(team["supervisor"]) if team is not None else False,
            frozenset(str(r["language"]) for r in langs),
        )
