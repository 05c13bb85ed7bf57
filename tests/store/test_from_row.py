"""Records are built from rows by column name, with each record type's field names kept after
the first row: a second type, a row with an appended column, and overrides all still come out
right."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from signaling.store.db import from_row


@dataclass(frozen=True)
class Place:
    entry_id: str
    queued_at: float


@dataclass(frozen=True)
class Other:
    queued_at: float
    note: str


def test_records_by_column_name_across_types_and_overrides() -> None:
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    # Columns in another order than the fields, and one a later migration appended.
    conn.execute("CREATE TABLE t (queued_at REAL, added_later TEXT, entry_id TEXT, note TEXT)")
    conn.execute("INSERT INTO t VALUES (12.5, 'x', 'e-1', 'n1'), (13.0, 'y', 'e-2', 'n2')")
    rows = conn.execute("SELECT * FROM t ORDER BY queued_at").fetchall()
    assert [from_row(Place, r) for r in rows] == [Place("e-1", 12.5), Place("e-2", 13.0)]
    # Another type from the same rows: its own fields, not the first type's.
    assert from_row(Other, rows[0]) == Other(12.5, "n1")
    # An override wins over the column, for that row only.
    assert from_row(Place, rows[1], queued_at=99.0) == Place("e-2", 99.0)
    assert from_row(Place, rows[1]) == Place("e-2", 13.0)
    conn.close()
