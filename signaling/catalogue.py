"""The service catalogue: agencies, the services citizens queue for, and the sites with kiosks.

The catalogue is a TOML file (``deploy/catalogue.toml``) read once at start-up. Models are strict
and forbid unknown keys, so a typo fails loudly instead of silently switching a feature off.
Opening hours stay plain data here (weekday -> ``[start, end]`` pairs, a time zone, closed
dates); interpreting them against a clock belongs to the routing layer.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import zoneinfo
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)

from signaling.errors import CatalogueError

__all__ = [
    "WEEKDAYS",
    "Agency",
    "Catalogue",
    "Language",
    "Names",
    "OpeningHours",
    "Service",
    "Site",
    "Weekday",
    "load_catalogue",
]

Language = Literal["fi", "sv", "en"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
#: Weekday keys in ``datetime.date.weekday()`` order.
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_ID_RE = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"
_HHMM_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")

# TOML arrays arrive as lists; strict mode would refuse them for tuples, so the containers
# alone are lax while their items stay strict.
_Interval = Annotated[tuple[str, str], Strict(False)]
_Intervals = Annotated[tuple[_Interval, ...], Strict(False)]
_Id = Annotated[str, Field(pattern=_ID_RE, max_length=64)]
_Text = Annotated[str, Field(min_length=1, max_length=200)]


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def _parse_dates(value: object) -> object:
    """Accept ISO date strings as well as TOML dates; leave anything else to strict checks."""
    if not isinstance(value, list | tuple):
        return value
    out: list[object] = []
    for item in value:
        if isinstance(item, str):
            try:
                item = dt.date.fromisoformat(item)
            except ValueError:
                raise ValueError(f"{item!r} is not an ISO date (YYYY-MM-DD)") from None
        out.append(item)
    return tuple(out)


class Names(_Model):
    """A display name in each of the kiosk languages."""

    fi: _Text
    sv: _Text
    en: _Text

    def get(self, language: str) -> str:
        """The name in ``language``, falling back to Finnish for an unknown code."""
        return {"fi": self.fi, "sv": self.sv, "en": self.en}.get(language, self.fi)


class OpeningHours(_Model):
    """Weekly opening intervals in local time of ``tz`` plus service-specific closed dates."""

    tz: str = "Europe/Helsinki"
    weekly: dict[Weekday, _Intervals]
    closed_dates: Annotated[tuple[dt.date, ...], Strict(False)] = ()

    _check_dates = field_validator("closed_dates", mode="before")(_parse_dates)

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, tz: str) -> str:
        try:
            zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {tz!r}") from None
        return tz

    @field_validator("weekly")
    @classmethod
    def _valid_intervals(
        cls, weekly: dict[Weekday, tuple[tuple[str, str], ...]]
    ) -> dict[Weekday, tuple[tuple[str, str], ...]]:
        for day, intervals in weekly.items():
            previous_end = ""
            for start, end in intervals:
                for t in (start, end):
                    if not _HHMM_RE.match(t):
                        raise ValueError(f"{day}: {t!r} is not a time HH:MM (00:00-23:59)")
                if start >= end:
                    raise ValueError(f"{day}: interval {start}-{end} must start before it ends")
                # Zero-padded HH:MM strings order like the times they name.
                if start < previous_end:
                    raise ValueError(f"{day}: interval {start}-{end} overlaps or is out of order")
                previous_end = end
        return weekly


class Agency(_Model):
    """A public authority whose staff serve citizens remotely."""

    id: _Id
    names: Names


class Service(_Model):
    """One queue family: citizens pick a service, then a language among ``languages``."""

    id: _Id
    agency: _Id
    names: Names
    languages: Annotated[tuple[Language, ...], Strict(False), Field(min_length=1)]
    max_queue: Annotated[int, Field(ge=1, le=10_000)]
    default_handle_s: Annotated[int, Field(ge=30, le=4 * 3600)]
    hours: OpeningHours

    @field_validator("languages")
    @classmethod
    def _unique_languages(cls, languages: tuple[Language, ...]) -> tuple[Language, ...]:
        if len(set(languages)) != len(languages):
            raise ValueError("languages must not repeat")
        return languages


class Site(_Model):
    """A joint service point where kiosks stand."""

    id: _Id
    region: _Text
    names: Names


class Catalogue(_Model):
    """The whole catalogue file, with cross-references checked."""

    holidays: Annotated[tuple[dt.date, ...], Strict(False)] = ()
    agencies: Annotated[tuple[Agency, ...], Strict(False)]
    services: Annotated[tuple[Service, ...], Strict(False)]
    sites: Annotated[tuple[Site, ...], Strict(False)] = ()

    _check_dates = field_validator("holidays", mode="before")(_parse_dates)

    @model_validator(mode="after")
    def _cross_references(self) -> Catalogue:
        problems: list[str] = []
        id_lists: tuple[tuple[str, list[str]], ...] = (
            ("agencies", [a.id for a in self.agencies]),
            ("services", [s.id for s in self.services]),
            ("sites", [s.id for s in self.sites]),
        )
        for kind, ids in id_lists:
            seen: set[str] = set()
            for i, item_id in enumerate(ids):
                if item_id in seen:
                    problems.append(f"{kind}[{i}](id={item_id!r}).id: duplicate id")
                seen.add(item_id)
        agency_ids = {a.id for a in self.agencies}
        for i, service in enumerate(self.services):
            if service.agency not in agency_ids:
                problems.append(
                    f"services[{i}](id={service.id!r}).agency: unknown agency {service.agency!r}"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def service(self, service_id: str) -> Service | None:
        """The service with ``service_id``, or None."""
        return next((s for s in self.services if s.id == service_id), None)

    def agency(self, agency_id: str) -> Agency | None:
        """The agency with ``agency_id``, or None."""
        return next((a for a in self.agencies if a.id == agency_id), None)

    def site(self, site_id: str) -> Site | None:
        """The site with ``site_id``, or None."""
        return next((s for s in self.sites if s.id == site_id), None)

    def closed_dates(self, service: Service) -> tuple[dt.date, ...]:
        """Dates ``service`` is closed: catalogue-wide holidays plus its own closed dates."""
        return tuple(sorted(set(self.holidays) | set(service.hours.closed_dates)))


def _describe_loc(loc: Sequence[int | str], raw: Mapping[str, Any]) -> str:
    """Render a pydantic error location as ``services[2](id='vero.tax').hours.weekly.mon[0]``."""
    out = ""
    node: Any = raw
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, Mapping) and isinstance(node.get("id"), str):
                out += f"(id={node['id']!r})"
        else:
            out += f".{part}" if out else part
            node = node.get(part) if isinstance(node, Mapping) else None
    return out


def parse_catalogue(data: Mapping[str, Any], source: str = "<catalogue>") -> Catalogue:
    """Validate already-parsed catalogue data; ``source`` names it in error messages."""
    try:
        return Catalogue.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            # Pydantic tags dict-key failures with a "[key]" pseudo-location; drop it.
            loc = [p for p in err["loc"] if p != "[key]"]
            msg = err["msg"].removeprefix("Value error, ")
            where = _describe_loc(loc, data)
            problems.append(f"{where}: {msg}" if where else msg)
        raise CatalogueError(f"{source}: invalid catalogue: " + "; ".join(problems)) from None


def load_catalogue(path: str | Path) -> Catalogue:
    """Read and validate the catalogue TOML at ``path``.

    Raises :class:`~signaling.errors.CatalogueError` naming the file and the offending field
    when the file is missing, is not TOML, or does not match the schema.
    """
    path = Path(path)
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read catalogue: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path}: not valid TOML: {exc}") from exc
    return parse_catalogue(data, str(path))
