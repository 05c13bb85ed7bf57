"""The "are you still there?" prompt and the "more time" control, in the presenter.

Mixed into :class:`~kiosk.flow.KioskPresenter`.  :class:`~kiosk.presence.Presence` says
when a prompt is due; this shows it (with an attention chime), takes the answer, and ends
the visit only when the prompt stays unanswered until its deadline.  No Qt, no I/O.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

from kiosk.ports import Effects
from kiosk.presence import PROMPT_ANSWER_S, Presence, QueueWatch
from kiosk.state import READING_SCREENS, CitizenSession, Prompt, Screen

log = logging.getLogger("etapiste.kiosk.prompt")


class PromptFlow:
    """Prompt intents and timing; the presenter provides the state and the plumbing."""

    effects: Effects
    clock: Callable[[], float]
    citizen: CitizenSession
    screen: Screen
    queued: bool
    last_touch: float
    screen_since: float
    presence: Presence
    queue_watch: QueueWatch
    prompt: Prompt | None
    prompt_answer_s: float

    def touch(self) -> None:
        """Restart the idle timer (the presenter's)."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget the citizen and start over (the presenter's)."""
        raise NotImplementedError

    def fresh_citizen(self) -> CitizenSession:
        """A new citizen's session (the presenter's)."""
        raise NotImplementedError

    def _changed(self) -> None:
        raise NotImplementedError

    # ----------------------------------------------------------------- citizen intents

    def still_here(self) -> None:
        """The citizen answered the prompt: keep everything as it is."""
        self.touch()
        if self.prompt is not None:
            log.info("prompt %s answered", self.prompt.kind)
            self.prompt = None
        self._changed()

    def start_over(self) -> None:
        """The citizen chose to end the visit from the prompt."""
        self.prompt = None
        self.reset()

    def request_more_time(self) -> None:
        """Reading screens: the citizen needs longer to read (for the rest of the visit)."""
        self.touch()
        self.citizen.more_time = True
        self._changed()

    # ------------------------------------------------------------------------ queries

    def more_time_offered(self) -> bool:
        """Whether this screen shows the "more time" control."""
        return self.screen in READING_SCREENS

    def prompt_seconds_left(self) -> int | None:
        """Whole seconds the citizen has left to answer the prompt, if one is shown."""
        if self.prompt is None:
            return None
        return max(0, math.ceil(self.prompt.deadline - self.clock()))

    def reading_minutes(self) -> int | None:
        """Minutes this reading screen waits without a touch before asking, if it is one."""
        limit = self.presence.limit(self.screen, self.citizen.more_time)
        if limit is None or self.screen not in READING_SCREENS:
            return None
        return math.ceil(limit / 60)

    # ------------------------------------------------------------------------------ time

    def _prompt_tick(self, now: float) -> bool:
        """Show, count down or expire the prompt; True when the visit ended."""
        prompt = self.prompt
        if prompt is not None:
            if now >= prompt.deadline:
                log.info("prompt %s unanswered on %s: starting over", prompt.kind, self.screen)
                self.prompt = None
                self.reset()
                return True
            shown = math.ceil(prompt.deadline - now)
            if shown != getattr(self, "_prompt_shown_s", None):
                self._prompt_shown_s = shown
                self._changed()
            return False
        kind = self.presence.due(
            self.screen,
            now,
            max(self.last_touch, self.screen_since),
            queue=self.queue_watch,
            queued=self.queued,
            pristine=self.citizen == self.fresh_citizen(),
            more_time=self.citizen.more_time,
        )
        if kind is not None:
            log.info("asking whether the citizen is still there (%s on %s)", kind, self.screen)
            self.prompt = Prompt(kind, now + self.prompt_answer_s)
            self.effects.play_attention()
            self._changed()
        return False


__all__ = ["PROMPT_ANSWER_S", "PromptFlow"]
