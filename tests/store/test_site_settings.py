"""Site settings: the hearing loop."""

from __future__ import annotations

from pathlib import Path

import pytest

from signaling.catalogue import Catalogue
from signaling.store import SqliteStore, Store
from signaling.store.schema import MIGRATIONS

from .conftest import T0


def test_hearing_loop_is_off_until_set_and_survives_reseeding(
    store: Store, catalogue: Catalogue
) -> None:
    assert store.site("nurmes") is not None and not store.site("nurmes").hearing_loop  # type: ignore[union-attr]
    assert store.set_site_hearing_loop("nurmes", True)
    store.seed_catalogue(catalogue, now=T0 + 10)  # a restart re-reads the catalogue file
    sites = {s.id: s.hearing_loop for s in store.sites()}
    assert sites["nurmes"] is True and sites["lieksa"] is False
    assert store.set_site_hearing_loop("nurmes", False)
    assert not store.site("nurmes").hearing_loop  # type: ignore[union-attr]
    assert not store.set_site_hearing_loop("atlantis", True)


def test_a_site_added_later_has_no_loop(store: Store) -> None:
    created = store.create_site("juuka", "Juuka", "Juga", "Juuka", "Pohjois-Karjala", now=T0)
    assert created.hearing_loop is False
    assert store.site("juuka") == created


def test_upgrade_from_version_4_keeps_sites_without_a_loop(
    data_dir: Path, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("signaling.store.db.MIGRATIONS", MIGRATIONS[:4])
    old = SqliteStore.open(data_dir)
    old.seed_catalogue(catalogue, now=T0)
    old.create_site("juuka", "Juuka", "Juga", "Juuka", "", now=T0)
    assert old.schema_version() == 4
    old.close()
    monkeypatch.undo()
    with SqliteStore.open(data_dir) as s:
        assert s.schema_version() == len(MIGRATIONS)
        juuka = s.site("juuka")
        assert juuka is not None and juuka.name_sv == "Juga" and not juuka.hearing_loop
