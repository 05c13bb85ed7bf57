"""The console told to trust the wrong CA says so at login, on screen and in the log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from agent_console.app import build_console
from agent_console.i18n import Catalogue
from client_core.local_media import LocalMedia
from client_core.tls import tls_context
from tests.deploy.tls_server import tls_listener
from tests.server.harness import FAST
from tests.waiting import wait_until


def test_an_untrusted_certificate_is_named_at_login(
    qtbot, run, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        async with tls_listener(tmp_path) as (port, _cert, wrong_ca):
            console = build_console(f"https://127.0.0.1:{port}", LocalMedia.synthetic(64, 48, 5),
                                    backoff=FAST, ssl_context=tls_context(str(wrong_ca)))
            qtbot.addWidget(console.window)
            console.window.show()
            try:
                login = console.window.login
                login.username.setText("aino")
                login.password.setText("whatever-it-is")
                login.submit.click()
                await wait_until(lambda: console.presenter.login_error == "login.untrusted",
                                 10, "the refusal")
                await wait_until(lambda: login.error.isVisible(), 5, "the message")
                assert login.error.text() == Catalogue("fi").t("login.untrusted")
            finally:
                await console.backend.close()
                console.window.timer.stop()

    with caplog.at_level(logging.INFO, logger="etapiste.console"):
        run(scenario(), 30)
    assert any("certificate is not trusted" in r.getMessage() and r.levelno == logging.ERROR
               for r in caplog.records)
