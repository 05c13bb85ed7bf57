"""The store's interface for callback requests (issue 14); see :mod:`signaling.store.callbacks`."""

from __future__ import annotations

from typing import Protocol

from signaling.store.callbacks import CallbackRecord, OpenCallback

__all__ = ["CallbackStore"]


class CallbackStore(Protocol):
    """Callback tasks, their outcomes, and each open task's number."""

    def add_callback(self, record: CallbackRecord, phone: str, *, now: float) -> None:
        """Store a new open task and its number."""
        ...

    def callback_phone(self, callback_id: str) -> str | None:
        """The number of an open task (None once deleted)."""
        ...

    def callback_attempt(
        self, callback_id: str, *, attempts: int, not_before: float | None, agent_id: str | None,
        outcome: str | None,
    ) -> bool:
        """Record an attempt, or a task returned to the pool."""
        ...

    def end_callback(
        self, callback_id: str, state: str, *, attempts: int, agent_id: str | None, at: float
    ) -> bool:
        """End a task and delete its number for good."""
        ...

    def open_callbacks(self) -> list[OpenCallback]:
        """Every open task with its number (for a restart)."""
        ...

    def callback(self, callback_id: str) -> CallbackRecord | None:
        """One task's record."""
        ...

    def callbacks_between(self, t0: float, t1: float) -> list[CallbackRecord]:
        """Requests made in ``[t0, t1)``."""
        ...

    def purge_callbacks(self, *, numbers_before: float, records_before: float) -> dict[str, int]:
        """Retention of numbers and ended records."""
        ...
