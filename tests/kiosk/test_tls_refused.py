"""The touch kiosk told to trust the wrong CA says it is out of service, on screen and in its
log, instead of showing a welcome screen a citizen could start a visit from."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PyQt6.QtCore import Qt

from kiosk.app import KioskApp, KioskConfig
from kiosk.devices import KioskDevices
from kiosk.state import Screen
from kiosk.ui.out_of_service import OutOfServiceScreen
from tests.deploy.tls_server import tls_listener
from tests.kiosk.conftest import SOFT_HYPHEN, run, visible_texts
from tests.server.harness import FAST
from tests.waiting import wait_until


def test_an_untrusted_certificate_puts_the_kiosk_out_of_service(
    qtbot, qloop, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        async with tls_listener(tmp_path) as (port, _cert, wrong_ca):
            url = f"wss://127.0.0.1:{port}/ws"
            config = KioskConfig(url=url, token="etk_test", windowed=True, backoff=FAST,
                                 audio_device=None, speech=False, ca_file=str(wrong_ca),
                                 helpline="0295 000 000")
            app = KioskApp(config, KioskDevices.synthetic())
            app.start()
            try:
                p, w = app.presenter, app.window
                await wait_until(lambda: p.screen == Screen.OUT_OF_SERVICE, 10, "the sign")
                assert p.devices.problem == "tls_untrusted"
                screen = w.screens[Screen.OUT_OF_SERVICE]
                assert isinstance(screen, OutOfServiceScreen) and screen.isVisible()
                texts = [t.replace(SOFT_HYPHEN, "") for t in visible_texts(w)]
                cat = app.catalogue
                for line in (cat.tr("fi", "out_of_service.title"),
                             cat.tr("fi", "out_of_service.untrusted"),
                             "Apua saat puhelimitse: 0295 000 000."):
                    assert line in texts, texts
                # The sign says it all: no small print in the top bar, no way into a visit.
                assert not w.topbar.offline.isVisible()
                assert cat.tr("fi", "welcome.title") not in texts
                qtbot.mouseClick(w.bottombar.langs["en"], Qt.MouseButton.LeftButton)
                assert p.screen == Screen.OUT_OF_SERVICE and p.language == "en"
                assert "This kiosk is out of service" in [
                    t.replace(SOFT_HYPHEN, "") for t in visible_texts(w)]
            finally:
                await app.stop()

    with caplog.at_level(logging.INFO, logger="etapiste.client"):
        run(qloop, scenario(), timeout=30)
    refusals = [r for r in caplog.records if "certificate is not trusted" in r.getMessage()]
    assert len(refusals) == 1 and refusals[0].levelno == logging.ERROR  # once, not per retry
    assert "wss://127.0.0.1:" in refusals[0].getMessage()

