"""The device check before joining a queue: own picture, microphone level, a test sound.

Mixed into :class:`~kiosk.flow.KioskPresenter`.  While the check screen is up the
controller pulls the camera and microphone (self view and level meter); a failing device is
named in plain words with what to do instead (:meth:`DeviceCheckFlow.check_problems`).
No Qt, no I/O.
"""

from __future__ import annotations

from typing import Final

from kiosk.ports import Effects
from kiosk.state import CitizenSession, Devices, Screen, Site
from wire.types import DeviceStatus

LEVEL_STEPS: Final = 20
"""The meter redraws only when the level moves by one of this many steps."""

HEARD_LEVEL: Final = 0.15
"""A level the microphone must reach once for the check to say "we hear you"."""


class DeviceCheckFlow:
    """Device-check intents and events; the presenter provides the state and the plumbing."""

    effects: Effects
    citizen: CitizenSession
    devices: Devices
    site: Site
    screen: Screen

    def touch(self) -> None:
        """Restart the idle timer (the presenter's)."""
        raise NotImplementedError

    def _changed(self) -> None:
        raise NotImplementedError

    # ----------------------------------------------------------------- citizen intents

    def play_test_sound(self) -> None:
        """Play a short spoken test sentence on the speaker, in the citizen's language."""
        self.touch()
        self.citizen.check.test_sound_played = True
        self.citizen.check.heard = None
        self.effects.play_test_sound(self.citizen.language)
        self._changed()

    def heard_test_sound(self, heard: bool) -> None:
        """The citizen's answer: did they hear the test sound?"""
        self.touch()
        if self.citizen.check.test_sound_played:
            self.citizen.check.heard = heard
        self._changed()

    # ------------------------------------------------------------------ controller events

    def on_microphone_level(self, level: float) -> None:
        """The microphone's level during the check, 0 to 1."""
        check = self.citizen.check
        level = min(1.0, max(0.0, level))
        before = (round(check.microphone_level * LEVEL_STEPS), check.loudest >= HEARD_LEVEL)
        check.microphone_level = level
        check.loudest = max(check.loudest, level)
        if (round(level * LEVEL_STEPS), check.loudest >= HEARD_LEVEL) != before:
            self._changed()

    # ------------------------------------------------------------------------ queries

    def microphone_heard(self) -> bool:
        """Whether the microphone has picked up sound since the check began."""
        return self.citizen.check.loudest >= HEARD_LEVEL

    def check_problems(self) -> list[str]:
        """Catalogue keys naming each failing device and what to do, worst first."""
        problems = []
        if self.devices.microphone != DeviceStatus.OK:
            problems.append("check.microphone_broken")
        if self.devices.speaker != DeviceStatus.OK:
            problems.append("check.speaker_broken")
        elif self.citizen.check.heard is False:
            problems.append("check.not_heard")
        if self.devices.camera != DeviceStatus.OK:
            problems.append("check.camera_broken")
        if problems:
            problems.append("check.helpline" if self.site.helpline else "check.ask_staff")
        return problems
