"""Document photos from the kiosk: reassembled in memory, saved only on the agent's order.

The kiosk announces a photo with ``photo_start``, sends binary chunks over the data channel and
closes with ``photo_end`` (:mod:`client_core.control`). :class:`PhotoAssembler` rebuilds it in
memory and checks it against the announcement. Nothing is written to disk unless the agent
presses *save* and a folder is configured (:func:`save_photo`): the design keeps citizens'
documents out of files by default.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from client_core.control import PhotoEnd, PhotoStart, parse_photo_chunk
from i18n import local_time

log = logging.getLogger("etapiste.console.photo")


@dataclass(frozen=True)
class ReceivedPhoto:
    """A complete photo, held in memory only."""

    photo_id: str
    mime: str
    data: bytes
    width: int
    height: int
    received_at: float

    @property
    def extension(self) -> str:
        """File extension for the photo's type."""
        return ".png" if self.mime == "image/png" else ".jpg"


class PhotoError(ValueError):
    """A photo transfer broke its own announcement (wrong size, missing chunks)."""


class PhotoAssembler:
    """Collects one photo at a time from ``photo_start``, chunks and ``photo_end``."""

    def __init__(self) -> None:
        self._start: PhotoStart | None = None
        self._chunks: dict[int, bytes] = {}
        self._bytes = 0

    @property
    def receiving(self) -> bool:
        """Whether a photo is in transfer."""
        return self._start is not None

    @property
    def progress(self) -> float:
        """Fraction of the announced bytes received (0 when idle)."""
        if self._start is None:
            return 0.0
        return min(1.0, self._bytes / self._start.size)

    def begin(self, start: PhotoStart) -> None:
        """A new photo is announced; any unfinished one is dropped."""
        self._start = start
        self._chunks = {}
        self._bytes = 0

    def add_chunk(self, data: bytes) -> bool:
        """Take one binary message; False if it belongs to no photo in transfer."""
        parsed = parse_photo_chunk(data)
        start = self._start
        if parsed is None or start is None:
            return False
        photo_id, index, payload = parsed
        if photo_id != start.photo_id or not 0 <= index < start.chunks:
            return False
        if index not in self._chunks:
            self._bytes += len(payload)
            if self._bytes > start.size:
                self.cancel()
                raise PhotoError("more bytes than announced")
            self._chunks[index] = payload
        return True

    def finish(self, end: PhotoEnd, now: float | None = None) -> ReceivedPhoto:
        """The kiosk says all chunks were sent: the photo, or :class:`PhotoError`."""
        start = self._start
        if start is None or end.photo_id != start.photo_id:
            raise PhotoError("photo_end for no photo in transfer")
        try:
            if len(self._chunks) != start.chunks:
                raise PhotoError(f"{len(self._chunks)} of {start.chunks} chunks arrived")
            data = b"".join(self._chunks[i] for i in range(start.chunks))
            if len(data) != start.size:
                raise PhotoError(f"{len(data)} bytes, {start.size} announced")
        finally:
            self.cancel()
        return ReceivedPhoto(
            start.photo_id,
            start.mime,
            data,
            start.width,
            start.height,
            time.time() if now is None else now,
        )

    def cancel(self) -> None:
        """Drop what was received."""
        self._start = None
        self._chunks = {}
        self._bytes = 0


PHOTO_GLOB = "etapiste-*"
"""What :func:`save_photo` names its files: the only files :func:`purge_photos` touches."""


def purge_photos(folder: Path, max_age_days: int, now: float | None = None) -> int:
    """Delete photos this console saved in ``folder`` that are older than ``max_age_days``
    (by modification time); how many went. Other files in the folder are left alone."""
    if not folder.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - max_age_days * 86400
    removed = 0
    for path in folder.glob(PHOTO_GLOB):
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError as exc:
            log.warning("old photo not deleted: %s", type(exc).__name__)
    return removed


def save_photo(photo: ReceivedPhoto, folder: Path, call_id: str) -> Path:
    """Write ``photo`` into ``folder`` (readable by the agent's account only); the new path."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = local_time(photo.received_at).strftime("%Y%m%d-%H%M%S")
    safe_call = "".join(c for c in call_id if c.isalnum())[:12]
    path = folder / f"etapiste-{stamp}-{safe_call}-{photo.photo_id}{photo.extension}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(photo.data)
    return path
