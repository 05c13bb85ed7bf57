"""Out of service, in the presenter: when the kiosk cannot serve anyone, it says so.

Mixed into :class:`~kiosk.flow.KioskPresenter`.  The server refused to be trusted (at once:
retrying cannot help) or has been out of reach for :data:`~kiosk.state.OUT_OF_SERVICE_AFTER_S`:
the welcome screen and the screens before the queue give way to the out-of-service screen, and
it gives way to the welcome screen when the kiosk works again.  No Qt, no I/O.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from kiosk.ports import Effects
from kiosk.state import (
    OUT_OF_SERVICE_AFTER_S,
    OUT_OF_SERVICE_OVER,
    CitizenSession,
    Devices,
    Prompt,
    Screen,
)

log = logging.getLogger("etapiste.kiosk.flow")


class ServiceFlow:
    """In or out of service; the presenter provides the state and the plumbing."""

    effects: Effects
    clock: Callable[[], float]
    citizen: CitizenSession
    devices: Devices
    screen: Screen
    prompt: Prompt | None
    offline_since: float | None

    def touch(self) -> None:
        """Restart the idle timer (the presenter's)."""
        raise NotImplementedError

    def fresh_citizen(self) -> CitizenSession:
        """A new citizen's session (the presenter's)."""
        raise NotImplementedError

    def _go(self, screen: Screen) -> None:
        raise NotImplementedError

    def out_of_service(self) -> bool:
        """Whether the kiosk cannot serve anyone now: the server refused to be trusted, or
        has been out of reach for :data:`~kiosk.state.OUT_OF_SERVICE_AFTER_S`."""
        if self.devices.online or self.offline_since is None:
            return False
        if self.devices.problem == "tls_untrusted":  # retrying cannot help
            return True
        return self.clock() - self.offline_since >= OUT_OF_SERVICE_AFTER_S

    def _check_in_service(self) -> bool:
        """Put up or take down the out-of-service screen; True if the screen changed."""
        if self.screen == Screen.OUT_OF_SERVICE and not self.out_of_service():
            log.info("back in service")
            self._go(Screen.WELCOME)
            self.touch()
            self.effects.refresh_services()
            return True
        if self.screen in OUT_OF_SERVICE_OVER and self.out_of_service():
            log.warning("out of service (%s)", self.devices.problem or "no connection")
            # Whoever was choosing cannot be served: forget their errand, but keep how they
            # read and hear the kiosk (they may be standing in front of it).
            old, self.citizen = self.citizen, self.fresh_citizen()
            for setting in ("language", "large_text", "high_contrast", "speech", "volume"):
                setattr(self.citizen, setting, getattr(old, setting))
            self.prompt = None
            self._go(Screen.OUT_OF_SERVICE)
            return True
        return False
