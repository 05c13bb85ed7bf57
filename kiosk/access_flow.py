"""Access settings in the presenter: larger text, high contrast, spoken guidance, headphones.

Mixed into :class:`~kiosk.flow.KioskPresenter`; each change lasts for the current citizen only
(a new citizen starts from the defaults).  No Qt, no I/O.
"""

from __future__ import annotations

from kiosk.state import CitizenSession, Devices


class AccessFlow:
    """What a citizen can switch on every screen; the presenter provides the state."""

    citizen: CitizenSession
    devices: Devices
    _speech_by_jack: bool

    def touch(self) -> None:
        """Restart the idle timer (the presenter's)."""
        raise NotImplementedError

    def _changed(self) -> None:
        raise NotImplementedError

    def toggle_large_text(self) -> None:
        """Bigger type on every screen, or back to normal."""
        self.touch()
        self.citizen.large_text = not self.citizen.large_text
        self._changed()

    def toggle_high_contrast(self) -> None:
        """White and yellow on black on every screen, or back to the normal colours."""
        self.touch()
        self.citizen.high_contrast = not self.citizen.high_contrast
        self._changed()

    def toggle_speech(self) -> None:
        """Spoken guidance on or off."""
        self.touch()
        self.citizen.speech = not self.citizen.speech
        self._speech_by_jack = False
        self._changed()

    def on_headphones(self, plugged: bool) -> None:
        """Headphones plugged in turn spoken guidance on (and off again when unplugged,
        unless the citizen switched it on themselves)."""
        self.devices.headphones = plugged
        if plugged and not self.citizen.speech:
            self.citizen.speech = True
            self._speech_by_jack = True
        elif not plugged and self._speech_by_jack:
            self.citizen.speech = False
            self._speech_by_jack = False
        self._changed()
