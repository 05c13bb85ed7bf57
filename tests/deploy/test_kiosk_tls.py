"""A kiosk given the wrong CA refuses the server, and says it is out of service on its screen
(not a welcome screen a citizen could start from) and why in its log."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.deploy.conftest import SHOTS
from tests.deploy.kiosk_run import KioskRun
from tests.deploy.screen import Xvfb, xvfb
from tests.deploy.site import Site, wait_for


@pytest.fixture(scope="module")
def display() -> Iterator[Xvfb]:
    with xvfb() as screen:
        yield screen


def test_a_kiosk_with_the_wrong_ca_refuses_the_server(site: Site, display: Xvfb) -> None:
    ca = site.root.path("/etc/etapiste/ca.pem")
    right = ca.read_bytes()
    ca.write_bytes(site.wrong_ca.cert.read_bytes())  # an administrator installed the wrong CA
    run = KioskRun.start(site, display.display, SHOTS, "wrong-ca")
    try:
        run.wait_ready(since=run.started_at)
        wait_for(lambda: "certificate is not trusted" in run.service.log(), 30, "the refusal")
        log = run.service.log()
        assert f"cannot connect to {site.ws_url}: the server's certificate is not trusted" in log
        path, picture = run.wait_screen("kiosk-untrusted-server", "is_out_of_service")
        assert picture.is_out_of_service, (picture, path)
        assert not picture.is_welcome
    finally:
        run.stop()
        ca.write_bytes(right)
