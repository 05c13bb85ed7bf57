"""Speech rendered ahead of time into a cache on the kiosk (never into git).

A clip is stored as ``<dir>/<voice id>/<sha256 of the text>.wav``: the catalogue's text is the
key, so a changed text is simply rendered again and can never drift from what the screen
says.  Provisioning (or the first start) renders every fixed sentence of the guidance
(:func:`kiosk.guidance.fixed_lines`); sentences with live figures (a queue position) are
rendered when first needed and kept too.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from kiosk.audio_out import Clip
from kiosk.speech.voices import Voice, read_wav, write_wav
from wire.types import Language

log = logging.getLogger("etapiste.kiosk.speech")


def default_cache_dir() -> Path:
    """``$CACHE_DIRECTORY/speech`` under systemd, else ``~/.cache/etapiste/speech``."""
    cache = os.environ.get("CACHE_DIRECTORY")
    if cache:
        return Path(cache.split(":")[0]) / "speech"
    return Path.home() / ".cache" / "etapiste" / "speech"


class SpeechCache:
    """Rendered sentences on disk, one voice per language."""

    def __init__(self, directory: Path, voices: Callable[[Language], Voice]) -> None:
        self.directory = directory
        self.voices = voices
        self.rendered = 0
        """How many sentences this cache had to render (not found on disk)."""
        self._lock = threading.Lock()

    def path(self, language: Language, text: str) -> Path:
        """Where the clip of ``text`` in ``language`` lives."""
        voice = self.voices(language)
        digest = hashlib.sha256(f"{language}\n{text}".encode()).hexdigest()[:32]
        return self.directory / voice.id / f"{digest}.wav"

    def clips(self, language: Language, texts: list[str]) -> list[Clip]:
        """Each text as speech, from the cache or rendered now (and stored)."""
        found: dict[int, Clip] = {}
        missing: list[int] = []
        for i, text in enumerate(texts):
            path = self.path(language, text)
            try:
                found[i] = read_wav(path.read_bytes())
            except (OSError, EOFError, ValueError):
                missing.append(i)
        if missing:
            with self._lock:
                fresh = self.voices(language).render_many([texts[i] for i in missing])
                for i, clip in zip(missing, fresh, strict=True):
                    self._store(self.path(language, texts[i]), clip)
                    found[i] = clip
                self.rendered += len(missing)
        return [found[i] for i in range(len(texts))]

    def _store(self, path: Path, clip: Clip) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(write_wav(clip))
        tmp.replace(path)  # atomic: a reader never sees half a file

    def prerender(self, items: Iterable[tuple[Language, str]]) -> int:
        """Render whatever of ``items`` is not cached yet; returns how many were rendered."""
        by_language: dict[Language, list[str]] = {}
        for language, text in items:
            if not self.path(language, text).exists():
                by_language.setdefault(language, []).append(text)
        count = 0
        for language, texts in by_language.items():
            unique = list(dict.fromkeys(texts))
            self.clips(language, unique)
            count += len(unique)
        if count:
            log.info("rendered %d spoken sentences into %s", count, self.directory)
        return count
