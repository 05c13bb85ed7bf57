"""Agencies and services: seeded from the catalogue file, and administrators' overrides.

Services missing from a new catalogue are retired, not deleted, because call history refers to
them. An override of a service's weekly hours or queue cap outlives reseeding.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence

from signaling.catalogue import Catalogue, Names, Service
from signaling.store.db import Row, SqlAggregate, from_row, to_json
from signaling.store.records import AgencyRecord, ServiceOverride, ServiceRecord
from signaling.store.schema import RETIRE_SERVICES, UPSERT_AGENCY, UPSERT_SERVICE, UPSERT_SITE

__all__ = ["ServicesSql", "service_from_row", "service_params"]


class ServicesSql(SqlAggregate):
    """Agencies, services and service overrides."""


    def seed_catalogue(self, catalogue: Catalogue, *, now: float) -> None:
        """Upsert agencies, services and sites from ``catalogue``. Idempotent: unchanged rows
        keep their timestamps. Services missing from the catalogue are retired, not deleted,
        because call history refers to them."""
        with self._tx() as c:
            c.executemany(
                UPSERT_AGENCY,
                [(a.id, *_names(a.names), now) for a in catalogue.agencies],
            )
            c.executemany(
                UPSERT_SERVICE, [service_params(catalogue, s, now) for s in catalogue.services]
            )
            c.execute(RETIRE_SERVICES, (now, now, to_json([s.id for s in catalogue.services])))
            sites = [(x.id, *_names(x.names), x.region, now) for x in catalogue.sites]
            c.executemany(UPSERT_SITE, sites)

    def agencies(self) -> list[AgencyRecord]:
        """All agencies, by id."""
        return [from_row(AgencyRecord, r) for r in self._all("SELECT * FROM agencies ORDER BY id")]

    def services(self) -> list[ServiceRecord]:
        """Services currently in the catalogue (retired ones excluded), by id."""
        rows = self._all("SELECT * FROM services WHERE retired_at IS NULL ORDER BY id")
        return [service_from_row(r) for r in rows]


    def set_service_override(
        self,
        service_id: str,
        by: str,
        *,
        weekly: Mapping[str, Sequence[tuple[str, str]]] | None,
        max_queue: int | None,
        now: float,
    ) -> ServiceOverride:
        """Replace a service's weekly hours and/or queue cap (None keeps the catalogue's)."""
        weekly_json = None
        if weekly is not None:
            weekly_json = to_json({d: [list(i) for i in v] for d, v in weekly.items()})
        with self._tx() as c:
            c.execute(
                "INSERT INTO service_overrides (service_id, weekly, max_queue, updated_at, "
                "updated_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT(service_id) DO UPDATE SET "
                "weekly=excluded.weekly, max_queue=excluded.max_queue, "
                "updated_at=excluded.updated_at, updated_by=excluded.updated_by",
                (service_id, weekly_json, max_queue, now, by),
            )
        return next(o for o in self.service_overrides() if o.service_id == service_id)

    def service_overrides(self) -> list[ServiceOverride]:
        """Every service override, by service id."""
        return list(self._iter_overrides())

    def _iter_overrides(self) -> Iterator[ServiceOverride]:
        for r in self._all("SELECT * FROM service_overrides ORDER BY service_id"):
            weekly = None
            if r["weekly"] is not None:
                weekly = {
                    d: tuple((str(a), str(b)) for a, b in v)
                    for d, v in json.loads(r["weekly"]).items()
                }
            yield ServiceOverride(
                str(r["service_id"]), weekly, r["max_queue"], float(r["updated_at"]),
                str(r["updated_by"]),
            )


def _names(names: Names) -> tuple[str, str, str]:
    return names.fi, names.sv, names.en


def service_params(catalogue: Catalogue, s: Service, now: float) -> tuple[object, ...]:
    """Parameters of :data:`UPSERT_SERVICE` for catalogue service ``s``."""
    hours = {
        "weekly": {day: [list(iv) for iv in ivs] for day, ivs in s.hours.weekly.items()},
        "closed_dates": [d.isoformat() for d in catalogue.closed_dates(s)],
    }
    return (s.id, s.agency, s.names.fi, s.names.sv, s.names.en, to_json(list(s.languages)),
            s.max_queue, s.default_handle_s, to_json(hours), s.hours.tz, now)


def service_from_row(row: Row) -> ServiceRecord:
    """A :class:`ServiceRecord` from a ``services`` row."""
    hours = json.loads(row["hours"])
    weekly = {day: tuple((str(a), str(b)) for a, b in ivs) for day, ivs in hours["weekly"].items()}
    return from_row(
        ServiceRecord,
        row,
        languages=tuple(json.loads(row["languages"])),
        weekly=weekly,
        closed_dates=tuple(hours.get("closed_dates", ())),
    )
