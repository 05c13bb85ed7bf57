"""The touch kiosk told to trust the wrong CA says why it cannot work, on screen and in the log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kiosk.app import KioskApp, KioskConfig
from kiosk.devices import KioskDevices
from tests.deploy.tls_server import tls_listener
from tests.kiosk.conftest import run
from tests.server.harness import FAST
from tests.waiting import wait_until


def test_an_untrusted_certificate_is_named_on_screen(
    qtbot, qloop, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        async with tls_listener(tmp_path) as (port, _cert, wrong_ca):
            url = f"wss://127.0.0.1:{port}/ws"
            config = KioskConfig(url=url, token="etk_test", windowed=True, backoff=FAST,
                                 chime_device=None, ca_file=str(wrong_ca))
            app = KioskApp(config, KioskDevices.synthetic())
            app.start()
            try:
                await wait_until(lambda: app.presenter.devices.problem == "tls_untrusted",
                                 10, "the refusal")
                bar = app.window.topbar.offline
                await wait_until(lambda: bar.isVisible(), 5, "the message")
                assert bar.text() == app.catalogue.tr("fi", "bar.untrusted")
                assert "varmenteeseen ei voi luottaa" in bar.text()
            finally:
                await app.stop()

    with caplog.at_level(logging.INFO, logger="etapiste.client"):
        run(qloop, scenario(), timeout=30)
    refusals = [r for r in caplog.records if "certificate is not trusted" in r.getMessage()]
    assert len(refusals) == 1 and refusals[0].levelno == logging.ERROR  # once, not per retry
    assert "wss://127.0.0.1:" in refusals[0].getMessage()
