"""The store's interface for calls of three or four members (issue 15): who took part, in
which role and mode, interpreters' languages and teams."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from signaling.store.members import CallMemberRecord, StaffProfileRecord

__all__ = ["MemberStore"]


class MemberStore(Protocol):
    """Members of calls, interpreters' languages and teams (issue 15)."""

    def member_joined(
        self, call_id: str, member_id: str, member_ref: str, role: str,
        interpretation_language: str | None, at: float, *, mode: str | None = None,
    ) -> None:
        """Record that a member joined (``mode``: a supervisor's)."""
        ...

    def set_member_mode(self, call_id: str, member_id: str, mode: str) -> None:
        """Record a supervisor's new mode while they are in the call."""
        ...

    def member_left(self, call_id: str, member_id: str, at: float, reason: str) -> None:
        """Record that a member left."""
        ...

    def call_members(self, call_id: str) -> list[CallMemberRecord]:
        """Every member of a call in joining order."""
        ...

    def interpreter_minutes(self, t0: float, t1: float) -> dict[str, float]:
        """Interpreter minutes by interpretation language, calls begun in ``[t0, t1)``."""
        ...

    def set_staff_profile(
        self, account_id: str, *, team: str | None, supervisor: bool = False,
        interpretation_languages: Iterable[str] = (),
    ) -> None:
        """Set an account's team, supervisor flag and interpretation languages."""
        ...

    def staff_profile(self, account_id: str) -> StaffProfileRecord:
        """An account's team, supervisor flag and interpretation languages."""
        ...
