"""The catalogue file: the shipped one loads, broken ones fail naming file and field."""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from signaling.catalogue import Catalogue, load_catalogue, parse_catalogue
from signaling.errors import CatalogueError, ConfigError, SignalingError

from .conftest import CATALOGUE_PATH

SERVICE_IDS = {
    "kela.benefits",
    "vero.tax",
    "dvv.population",
    "migri.permits",
    "poliisi.permits",
    "te.employment",
    "mml.property",
    "oikeusapu.legal_aid",
    "ulosotto.enforcement",
}


def raw() -> dict[str, Any]:
    with CATALOGUE_PATH.open("rb") as f:
        return tomllib.load(f)


def test_shipped_catalogue_loads(catalogue: Catalogue) -> None:
    assert {s.id for s in catalogue.services} == SERVICE_IDS
    assert len(catalogue.agencies) == 9
    assert {s.id for s in catalogue.sites} == {"nurmes", "lieksa", "kitee"}
    nurmes = catalogue.site("nurmes")
    assert nurmes is not None
    assert nurmes.region == "Pohjois-Karjala"
    assert nurmes.names.fi == "Nurmeksen yhteispalvelupiste"
    assert nurmes.names.sv == "Nurmes gemensamma serviceställe"
    assert nurmes.names.en == "Nurmes joint service point"


def test_official_agency_names(catalogue: Catalogue) -> None:
    dvv = catalogue.agency("dvv")
    assert dvv is not None
    assert dvv.names.fi == "Digi- ja väestötietovirasto"
    assert dvv.names.sv == "Myndigheten för digitalisering och befolkningsdata"
    kela = catalogue.agency("kela")
    assert kela is not None and kela.names.sv == "Folkpensionsanstalten"
    migri = catalogue.agency("migri")
    assert migri is not None and (migri.names.fi, migri.names.sv) == (
        "Maahanmuuttovirasto",
        "Migrationsverket",
    )


def test_every_service_is_bilingual_and_well_formed(catalogue: Catalogue) -> None:
    for service in catalogue.services:
        # Finnish and Swedish service is a legal right; English is optional.
        assert {"fi", "sv"} <= set(service.languages), service.id
        assert catalogue.agency(service.agency) is not None
        assert service.hours.tz == "Europe/Helsinki"
        assert service.hours.weekly, service.id
        assert service.max_queue > 0 and service.default_handle_s > 0


def test_hours_are_plain_data(catalogue: Catalogue) -> None:
    vero = catalogue.service("vero.tax")
    assert vero is not None
    assert vero.hours.weekly["mon"] == (("09:00", "16:15"),)
    assert "sat" not in vero.hours.weekly
    legal = catalogue.service("oikeusapu.legal_aid")
    assert legal is not None and len(legal.hours.weekly["mon"]) == 2


def test_holidays_merge_into_closed_dates(catalogue: Catalogue) -> None:
    service = catalogue.services[0]
    closed = catalogue.closed_dates(service)
    assert dt.date(2025, 12, 24) in closed
    assert list(closed) == sorted(closed)


def test_iso_string_dates_are_accepted() -> None:
    data = raw()
    data["services"][0]["hours"]["closed_dates"] = ["2026-02-02"]
    cat = parse_catalogue(data)
    assert cat.services[0].hours.closed_dates == (dt.date(2026, 2, 2),)


def test_models_are_frozen(catalogue: Catalogue) -> None:
    with pytest.raises(ValueError):
        setattr(catalogue.services[0], "max_queue", 1)  # noqa: B010 - must bypass mypy's check


Mutation = Callable[[dict[str, Any]], None]


def _svc(i: int, key: str, value: object) -> Mutation:
    return lambda d: d["services"][i].__setitem__(key, value)


def _hours(i: int, day: str, value: object) -> Mutation:
    return lambda d: d["services"][i]["hours"]["weekly"].__setitem__(day, value)


BAD: list[tuple[str, Mutation, tuple[str, ...]]] = [
    ("start after end", _hours(1, "mon", [["16:00", "09:00"]]), ("vero.tax", "weekly", "mon")),
    ("equal start end", _hours(1, "tue", [["09:00", "09:00"]]), ("vero.tax", "hours.weekly")),
    ("bad time", _hours(1, "mon", [["9:00", "16:00"]]), ("hours.weekly", "'9:00'")),
    ("hour 24", _hours(1, "mon", [["09:00", "24:00"]]), ("hours.weekly", "'24:00'")),
    ("unknown weekday", _hours(1, "monday", [["09:00", "16:00"]]), ("hours.weekly.monday",)),
    ("overlap", _hours(1, "mon", [["09:00", "12:00"], ["11:00", "13:00"]]), ("overlaps",)),
    ("three-item interval", _hours(1, "mon", [["09:00", "12:00", "13:00"]]), ("mon[0]",)),
    ("string max_queue", _svc(2, "max_queue", "5"), ("services[2]", "dvv.population", "max_queue")),
    ("zero max_queue", _svc(2, "max_queue", 0), ("max_queue",)),
    ("unknown agency", _svc(0, "agency", "nasa"), ("services[0]", ".agency", "'nasa'")),
    ("extra key", _svc(0, "colour", "blue"), ("services[0]", "colour", "Extra inputs")),
    ("bad language", _svc(0, "languages", ["fi", "de"]), ("languages[1]",)),
    ("no languages", _svc(0, "languages", []), ("languages",)),
    ("repeated language", _svc(0, "languages", ["fi", "fi"]), ("languages", "repeat")),
    ("bad id", _svc(0, "id", "Kela Benefits"), ("services[0]", ".id")),
    (
        "unknown tz",
        lambda d: d["services"][3]["hours"].__setitem__("tz", "Mars/Olympus"),
        ("hours.tz", "Mars/Olympus"),
    ),
    (
        "bad date",
        lambda d: d["services"][3]["hours"].__setitem__("closed_dates", ["2025-13-01"]),
        ("closed_dates", "2025-13-01"),
    ),
    ("duplicate service", lambda d: d["services"].append(d["services"][0]), ("duplicate",)),
    ("missing agencies", lambda d: d.pop("agencies"), ("agencies", "required")),
    ("missing site names", lambda d: d["sites"][0].pop("names"), ("sites[0]", "names")),
    ("missing sv name", lambda d: d["agencies"][0]["names"].pop("sv"), ("agencies[0]", "names.sv")),
]


@pytest.mark.parametrize(("mutate", "expected"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_catalogue_names_the_field(mutate: Mutation, expected: tuple[str, ...]) -> None:
    data = copy.deepcopy(raw())
    mutate(data)
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(data, "bad.toml")
    message = str(info.value)
    assert message.startswith("bad.toml: ")
    for fragment in expected:
        assert fragment in message


def test_error_hierarchy() -> None:
    assert issubclass(CatalogueError, ConfigError)
    assert issubclass(CatalogueError, SignalingError)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(CatalogueError, match=r"nope\.toml"):
        load_catalogue(path)


def test_invalid_toml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('[[agencies]]\nid = "x\n', encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"broken\.toml: not valid TOML.*line 2"):
        load_catalogue(path)


def test_bad_file_names_file_and_field(tmp_path: Path) -> None:
    text = CATALOGUE_PATH.read_text(encoding="utf-8").replace(
        "max_queue = 20", 'max_queue = "twenty"', 1
    )
    path = tmp_path / "catalogue.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(path)
    assert str(path) in str(info.value)
    assert "max_queue" in str(info.value)
