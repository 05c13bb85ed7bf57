"""Speaks lines of the catalogue through :class:`~kiosk.audio_out.AudioOut`.

:class:`Speech` turns ``(language, text)`` lines into clips (from the cache, rendering what
is missing in a worker thread) and plays them joined by short pauses; newer speech replaces
older.  :class:`Announcer` watches the presenter and says each screen's guidance
(:func:`kiosk.guidance.utterance`) while the citizen has spoken guidance on.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Sequence
from typing import Final

from kiosk.audio_out import AudioOut, Clip
from kiosk.flow import KioskPresenter
from kiosk.guidance import Line, Utterance, utterance
from kiosk.i18n import Catalogue
from kiosk.speech.cache import SpeechCache
from kiosk.speech.voices import SpeechError
from wire.types import Language

log = logging.getLogger("etapiste.kiosk.speech")

PAUSE_S: Final = 0.35
"""Silence between two sentences."""


class Speech:
    """Says lines on the kiosk's speaker; the latest request wins."""

    def __init__(self, out: AudioOut, cache: SpeechCache, catalogue: Catalogue) -> None:
        self.out = out
        self.cache = cache
        self.catalogue = catalogue
        self.said: list[str] = []
        """Labels of every request (tests)."""
        self._seq = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._last: asyncio.Task[None] | None = None

    def clip(self, lines: Sequence[Line]) -> Clip:
        """The lines as one clip (renders what the cache lacks; call in a worker thread).
        Consecutive lines of one language are rendered in one batch (one engine start)."""
        clips: list[Clip] = []
        for language, group in itertools.groupby(lines, key=lambda line: line[0]):
            clips += self.cache.clips(language, [text for _, text in group])
        return Clip.join(clips, PAUSE_S)

    def say(self, lines: Sequence[Line], label: str, *, interrupt: bool = True) -> None:
        """Start saying ``lines``: instead of what is being said (``interrupt``, a new
        screen), or after it (an update on the same screen)."""
        if not lines:
            return
        self.said.append(label)
        if interrupt:
            self._seq += 1
            self.out.interrupt()
        after = None if interrupt else self._last
        task = asyncio.ensure_future(self._say(list(lines), label, self._seq, after))
        self._last = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _say(
        self, lines: list[Line], label: str, seq: int, after: asyncio.Task[None] | None
    ) -> None:
        try:
            clip = await asyncio.to_thread(self.clip, lines)
        except (SpeechError, OSError) as exc:
            log.warning("spoken guidance unavailable: %s", exc)
            return
        if after is not None:
            await asyncio.wait([after])  # queued behind it, in order
        if seq == self._seq:  # nothing replaced it meanwhile
            await self.out.play(clip, label, interrupt=False)

    def say_keys(self, language: Language, keys: Sequence[str], label: str) -> None:
        """Say the catalogue's texts of ``keys`` in ``language``."""
        self.say([(language, self.catalogue.tr(language, key)) for key in keys], label)

    def stop(self) -> None:
        """Stop speaking."""
        self._seq += 1
        self.out.interrupt()

    async def settle(self) -> None:
        """Wait until every request so far was rendered and played (tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self.out.drain()


class Announcer:
    """Says each screen's guidance while spoken guidance is on."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue, speech: Speech) -> None:
        self.presenter = presenter
        self.catalogue = catalogue
        self.speech = speech
        self._last: Utterance | None = None
        presenter.subscribe(self._on_change)

    def _on_change(self) -> None:
        p = self.presenter
        now = utterance(p, self.catalogue) if p.citizen.speech else None
        last, self._last = self._last, now
        if now is None:
            if last is not None:
                self.speech.stop()
            return
        label = "/".join(now.topic)
        if last is None or now.topic != last.topic:
            self.speech.say(now.intro + now.state, label)
        elif now.state != last.state:
            fresh = [line for line in now.state if line not in last.state]
            self.speech.say(fresh, label + "/update", interrupt=False)
