"""The persistent store: a typed interface, and SQLite by aggregate over one database handle.

:class:`Store` (:mod:`.interface`) is what the server is written against. Aggregates: accounts
and sessions (:mod:`.accounts`), sites and kiosks (:mod:`.sites`), services (:mod:`.services`),
the queue (:mod:`.queue`), calls (:mod:`.calls`), the audit trail (:mod:`.audit`), the
operator's records (:mod:`.operator`), shown wait estimates and actual waits (:mod:`.waits`)
and the staffing history (:mod:`.staffing`); :class:`SqliteStore` (:mod:`.sqlite`) joins
their SQLite implementations over one handle (:mod:`.db`).
"""

from signaling.store.calls import UNANSWERED_OUTCOMES
from signaling.store.db import DB_FILENAME
from signaling.store.interface import Store
from signaling.store.sqlite import SqliteStore

__all__ = ["DB_FILENAME", "UNANSWERED_OUTCOMES", "SqliteStore", "Store"]
