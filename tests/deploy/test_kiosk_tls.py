"""A kiosk given the wrong CA refuses the server, and says so on its screen and in its log."""

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
        # The refusal takes two lines of the top bar; "no connection, retrying" one (25 rows).
        path, picture = run.wait_screen("kiosk-untrusted-server",
                                        lambda p: p.shows_a_bar_message and p.bar_text > 35)
        assert picture.shows_a_bar_message and picture.bar_text > 35, (picture, path)
    finally:
        run.stop()
        ca.write_bytes(right)
