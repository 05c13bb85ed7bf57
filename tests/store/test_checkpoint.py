"""SQLite's write-ahead log is moved into the database file by the store's own thread, not by
a commit on the event loop: the log stops growing without any commit checkpointing."""

from __future__ import annotations

import time
from pathlib import Path

from signaling.store import SqliteStore
from signaling.store.db import Database


def test_the_log_is_checkpointed_by_the_thread_and_commits_never_do(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "data")
    try:
        assert db.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        checkpointer = db.checkpointer
        assert checkpointer is not None
        checkpointer.stop()  # hold it while the log grows
        with db.tx() as c:
            c.execute("CREATE TABLE t (x TEXT)")
        for i in range(1500):  # ~1500 pages of log: past SQLite's own 1000-page checkpoint
            with db.tx() as c:
                c.execute("INSERT INTO t VALUES (?)", ("x" * 3000 + str(i),))
        # No commit checkpointed: the rows (4.5 MB) are all in the log, not in the file.
        wal = db.path.with_name(db.path.name + "-wal")
        assert wal.stat().st_size > 4_000_000 and db.path.stat().st_size < 1_000_000
        # The thread, given its turn, copies the log into the database file.
        from signaling.store.checkpoint import Checkpointer

        db.checkpointer = Checkpointer(db.path, interval_s=0.05)
        deadline = time.monotonic() + 10
        while db.checkpointer.checkpoints == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert db.path.stat().st_size > 4_000_000
    finally:
        db.close()
    # Closed: everything is in the database file, readable by a fresh handle.
    store = SqliteStore.open(tmp_path / "data")
    try:
        assert store.schema_version() >= 1
    finally:
        store.close()
