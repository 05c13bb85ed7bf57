"""The incoming-offer alert: when to sound the chime and whether the banner is lit.

Pure logic, driven by :meth:`OfferAlert.tick`; the view plays the sound and paints the flash.
The chime sounds at once and again every ``repeat_s`` while the offer stands, a little more
often in the last seconds so an agent who looked away hears that time is running out.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AlertFrame:
    """What the alert wants right now."""

    active: bool
    flash_on: bool
    play_sound: bool
    urgent: bool


@dataclass(kw_only=True, eq=False)
class OfferAlert:
    """Audible and visual alert state for one offer at a time."""

    repeat_s: float = 4.0
    urgent_repeat_s: float = 2.0
    urgent_below_s: float = 6.0
    flash_period_s: float = 0.5
    sound_enabled: bool = True
    sounds_played: int = field(default=0, init=False)
    _started: float | None = field(default=None, init=False, repr=False)
    _deadline: float | None = field(default=None, init=False, repr=False)
    _next_sound: float | None = field(default=None, init=False, repr=False)

    @property
    def active(self) -> bool:
        """Whether an offer is being announced."""
        return self._started is not None

    def start(self, now: float, deadline: float) -> None:
        """A new offer arrived at ``now`` and expires at ``deadline`` (monotonic seconds)."""
        self._started = now
        self._deadline = deadline
        self._next_sound = now

    def stop(self) -> None:
        """The offer was accepted, rejected, revoked or timed out."""
        self._started = self._deadline = self._next_sound = None

    def tick(self, now: float) -> AlertFrame:
        """The alert's state at ``now``; ``play_sound`` is true once per chime."""
        if self._started is None or self._deadline is None:
            return AlertFrame(active=False, flash_on=False, play_sound=False, urgent=False)
        remaining = self._deadline - now
        urgent = remaining <= self.urgent_below_s
        flash_on = int((now - self._started) / self.flash_period_s) % 2 == 0
        play = False
        if self._next_sound is not None and now >= self._next_sound and remaining > 0:
            play = self.sound_enabled
            if play:
                self.sounds_played += 1
            step = self.urgent_repeat_s if urgent else self.repeat_s
            self._next_sound = now + step
        return AlertFrame(active=True, flash_on=flash_on, play_sound=play, urgent=urgent)
