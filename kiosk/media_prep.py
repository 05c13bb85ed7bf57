"""The kiosk controller's prepared media: the next call's offer made while the citizen waits.

Mixed into :class:`~kiosk.controller.KioskController`.  Joining a queue starts a
:class:`~client_core.media_primer.MediaPrimer` (ICE candidates gathered, TURN allocated, the
offer made: 0.4 s of a rural call's set-up done before the clerk accepts); the call takes it
when it starts; leaving the queue, being refused, or the citizen going away closes it, so no
connection or TURN allocation outlives the wait it was made for.  No Qt.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from client_core.media_primer import MediaPrimer
from client_core.media_tuning import MediaTuning
from client_core.signaling_client import SignalingClient


class MediaPrepLink:
    """Owns the primer between a queue join and the call (or the citizen's leaving)."""

    client: SignalingClient
    primer: MediaPrimer | None = None
    """Keeps the offer ready while the citizen waits (None: not waiting, or switched off)."""

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        raise NotImplementedError

    def _prepare_media(self) -> None:
        """The citizen is joining a queue: have the call's offer ready before a clerk
        accepts (``prepared_offer`` of :class:`MediaTuning` switches it off)."""
        if self.primer is None and MediaTuning.from_env().prepared_offer:
            self.primer = MediaPrimer.for_client(self.client, name="kiosk-prepared")
            self.primer.start()

    def _take_primer(self) -> MediaPrimer | None:
        """For the call that starts now (it takes the offer, or closes the primer)."""
        primer, self.primer = self.primer, None
        return primer

    def _drop_prepared_media(self) -> None:
        """The citizen is not waiting any more: close the unused offer."""
        primer, self.primer = self.primer, None
        if primer is not None:
            self._spawn(primer.stop(), "prepared-media-drop")
