"""The persistent store, by aggregate over one database handle.

Aggregates: accounts and sessions (:mod:`.accounts`), sites and kiosks (:mod:`.sites`),
services (:mod:`.services`), the queue (:mod:`.queue`), calls (:mod:`.calls`), the audit trail
(:mod:`.audit`) and the operator's records (:mod:`.operator`); :class:`SqliteStore` joins them
over one SQLite handle (:mod:`.db`).
"""

from signaling.store.calls import UNANSWERED_OUTCOMES
from signaling.store.db import DB_FILENAME
from signaling.store.sqlite import SqliteStore

Store = SqliteStore

__all__ = ["DB_FILENAME", "UNANSWERED_OUTCOMES", "SqliteStore", "Store"]
