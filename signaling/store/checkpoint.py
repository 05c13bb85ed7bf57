"""Moving SQLite's write-ahead log into the database file from a thread of its own.

By default SQLite checkpoints inside the commit that takes the log past 1000 pages: that
commit copies the pages and syncs both files, on the event loop that routes. At 10,000 kiosks
(about 400 small transactions a second) those commits were among the callbacks that held the
loop for 10-30 ms of CPU. The handle turns automatic checkpoints off and a
:class:`Checkpointer` runs a ``PASSIVE`` checkpoint every second on a connection of its own:
passive checkpoints never wait for or block the writer, and the sqlite3 module lets go of the
GIL while SQLite works, so the loop goes on meanwhile.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

__all__ = ["CHECKPOINT_S", "Checkpointer"]

log = logging.getLogger("etapiste.store")

CHECKPOINT_S = 1.0


class Checkpointer:
    """A daemon thread that checkpoints the database at ``path`` every ``interval_s``."""

    def __init__(self, path: Path, interval_s: float = CHECKPOINT_S) -> None:
        self.path = path
        self.interval_s = interval_s
        self.checkpoints = 0
        """Checkpoints run so far (a test reads it)."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            log.error("checkpoint connection failed", extra={"fields": {"error": str(exc)}})
            return
        try:
            conn.execute("PRAGMA busy_timeout=1000")
            while not self._stop.wait(self.interval_s):
                self.checkpoint(conn)
        finally:
            conn.close()

    def checkpoint(self, conn: sqlite3.Connection) -> None:
        """One passive checkpoint; a failure is logged and the next one tries again."""
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            self.checkpoints += 1
        except sqlite3.Error as exc:
            log.warning("checkpoint failed", extra={"fields": {"error": str(exc)}})

    def stop(self) -> None:
        """End the thread (the handle closing checkpoints what is left)."""
        self._stop.set()
        self._thread.join(timeout=5)
