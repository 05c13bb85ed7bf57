"""When to ask "are you still there?" — never ending a citizen's visit without asking first.

Plain logic, no Qt and no I/O: :class:`Presence` looks at the screen, the last touch and
the queue and says whether a prompt is due and of which kind.  The presenter shows the
prompt with a chime, and only when it stays unanswered for :data:`PROMPT_ANSWER_S` does the
visit end (WCAG 2.2.1: warn, and let the person extend with a simple action).

While queued, waiting is not idleness: a citizen may sit for 40 minutes without touching
anything and keep their place.  The prompt comes only when the kiosk is actually needed by
someone else (the server says so, e.g. a booked meeting is due) *and* the estimated wait
has passed (a citizen who was told 15 minutes is not asked after 10).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from kiosk.state import MORE_TIME_FACTOR, READING_SCREENS, PromptKind, Screen

PROMPT_ANSWER_S: Final = 45.0
"""How long the citizen has to answer the prompt (the issue asks for at least 30 s)."""

WAITING_IDLE_S: Final = 5 * 60.0
"""While queued and the kiosk is needed: minutes without a touch before asking."""

WAITING_NO_ESTIMATE_S: Final = 30 * 60.0
"""While queued with no estimate ever given: how long before a prompt may come at all."""


@dataclass
class QueueWatch:
    """What the kiosk knows about the citizen's wait, for deciding whether to ask."""

    joined_at: float | None = None
    promised_at: float | None = None
    """The latest moment any estimate so far said the clerk would answer by."""
    kiosk_needed: bool = False
    """The server says someone else needs this kiosk (e.g. a booking is due)."""

    def joined(self, now: float) -> None:
        """The citizen joined (or re-joined) a queue."""
        self.joined_at = now
        self.promised_at = None

    def estimate(self, now: float, wait_s: float | None) -> None:
        """A position update; estimates only ever push the promised moment later."""
        if wait_s is None:
            return
        promised = now + wait_s
        if self.promised_at is None or promised > self.promised_at:
            self.promised_at = promised

    def left(self) -> None:
        """No longer queued."""
        self.joined_at = None
        self.promised_at = None
        self.kiosk_needed = False

    def wait_over(self, now: float) -> bool:
        """Whether the estimated wait (or, without any estimate, a long floor) has passed."""
        if self.joined_at is None:
            return False
        due = (
            self.promised_at
            if self.promised_at is not None
            else self.joined_at + WAITING_NO_ESTIMATE_S
        )
        return now >= due


class Presence:
    """Decides whether an "are you still there?" prompt is due."""

    def __init__(self, idle_limits: dict[Screen, float | None]) -> None:
        self.idle_limits = dict(idle_limits)

    def limit(self, screen: Screen, more_time: bool) -> float | None:
        """Seconds without a touch before ``screen`` asks (None: it never asks on idleness)."""
        limit = self.idle_limits.get(screen)
        if limit is not None and more_time and screen in READING_SCREENS:
            return limit * MORE_TIME_FACTOR
        return limit

    def due(
        self,
        screen: Screen,
        now: float,
        quiet_since: float,
        *,
        queue: QueueWatch,
        queued: bool,
        pristine: bool,
        more_time: bool,
    ) -> PromptKind | None:
        """The prompt due now, if any.

        ``quiet_since`` is the later of the last touch and the moment the screen appeared;
        ``pristine`` means nothing of a citizen is on the kiosk (then nothing to ask about).
        """
        idle = now - quiet_since
        if screen == Screen.WAITING:
            if queued and queue.kiosk_needed and queue.wait_over(now) and idle >= WAITING_IDLE_S:
                return "waiting"
            return None
        limit = self.limit(screen, more_time)
        if limit is None or idle < limit:
            return None
        if screen == Screen.WELCOME and pristine:
            return None
        return "reconnect" if screen == Screen.RECONNECTING else "idle"
