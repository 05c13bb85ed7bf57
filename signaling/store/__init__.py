"""The persistent store: a typed interface, and SQL by aggregate over SQLite or PostgreSQL.

:class:`Store` (:mod:`.interface`) is what the server is written against. Aggregates: accounts
and sessions (:mod:`.accounts`), sites and kiosks (:mod:`.sites`), services (:mod:`.services`),
the queue (:mod:`.queue`), calls (:mod:`.calls`), the audit trail (:mod:`.audit`), the
operator's records (:mod:`.operator`), shown wait estimates and actual waits (:mod:`.waits`),
the staffing history (:mod:`.staffing`) and the routing terms that fence several nodes
(:mod:`.cluster`); :class:`SqliteStore` and :class:`PostgresStore` (:mod:`.sqlite`) join them
over one database handle (:mod:`.db`, :mod:`.pg`), the SQL carried by :mod:`.dialect`.
"""

from signaling.store.calls import UNANSWERED_OUTCOMES
from signaling.store.db import DB_FILENAME
from signaling.store.interface import Store
from signaling.store.pg import CONNECT_OPTIONS
from signaling.store.sqlite import PostgresStore, SqliteStore, SqlStore, open_store

__all__ = [
    "CONNECT_OPTIONS",
    "DB_FILENAME", "UNANSWERED_OUTCOMES", "PostgresStore", "SqlStore", "SqliteStore", "Store",
    "open_store",
]
