"""The installed site, built once for every deploy test that needs it (and taken down after)."""

from __future__ import annotations

import functools
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy import rootfs
from tests.deploy.site import Site, installed_site
from tests.network.helpers import unavailable_reason as netns_unavailable


def _shots() -> Path:
    """Where the deploy tests leave their compositor screenshots: ``ETAPISTE_DEPLOY_SHOTS``,
    else ``deploy-shots`` beside the checkout (outside the repository), else the temp dir."""
    named = os.environ.get("ETAPISTE_DEPLOY_SHOTS")
    for candidate in ([Path(named)] if named else []) + [
        Path(__file__).resolve().parents[3] / "deploy-shots",
        Path(tempfile.gettempdir()) / "etapiste-deploy-shots",
    ]:
        try:
            candidate.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(candidate, os.W_OK):
            return candidate
    raise RuntimeError("no writable place for the deploy screenshots")


SHOTS = _shots()


@functools.cache
def site_unavailable_reason() -> str | None:
    """Why the installed site cannot be built here (None: it can)."""
    return rootfs.unavailable_reason() or netns_unavailable()


@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Kiosk and server side installed from deploy/ in a throwaway root, services running."""
    reason = site_unavailable_reason()
    if reason:
        pytest.skip(f"deploy site not available: {reason}")
    with installed_site(tmp_path_factory.mktemp("site")) as built:
        print(f"\n[deploy site] {json.dumps(built.timings)} (work: {built.work})")
        yield built


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The first deploy test builds the site (two minutes on a new machine): more time."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(900))
