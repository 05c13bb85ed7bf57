"""The admin command line: the same audited actions as the dashboard."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from signaling.__main__ import main
from signaling.store import SqliteStore


@pytest.fixture(autouse=True)
def keep_logging() -> Iterator[None]:
    """``main`` points the root logger at (captured) stderr; put the old handlers back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def run(data: Path, *args: str) -> int:
    return main(["--data-dir", str(data), *args])


def test_cli_admin_commands_are_audited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("PW", "long enough password")
    assert run(data, "add-account", "aino", "--name", "Aino", "--skills", "kela.benefits",
               "--password-env", "PW") == 0
    assert run(data, "set-skills", "aino", "--skills", "vero.tax,dvv.population",
               "--languages", "fi,sv") == 0
    assert run(data, "set-skills", "aino", "--skills", "no.such") == 1
    assert run(data, "set-hours", "vero.tax", "--weekly", "mon=09:00-12:00", "--max-queue",
               "5") == 0
    assert run(data, "set-hours", "vero.tax", "--weekly", "xyz=09:00-12:00") == 1
    capsys.readouterr()
    assert run(data, "services") == 0
    assert "vero.tax\tmax_queue=5\tmon=09:00-12:00 (edited)" in capsys.readouterr().out
    store = SqliteStore.open(data)
    try:
        (account,) = store.accounts()
        assert account.skills == {"vero.tax", "dvv.population"}
        assert account.languages == {"fi", "sv"}
        alert = store.raise_alert("kiosk_offline", "kio_x", 1.0)
    finally:
        store.close()
    assert run(data, "alerts") == 0
    assert run(data, "ack-alert", str(alert)) == 0
    assert run(data, "ack-alert", str(alert)) == 1
    store = SqliteStore.open(data)
    try:
        actions = [(a.actor, a.action) for a in store.audit_log()]
        acked = store.alert(alert)
    finally:
        store.close()
    assert ("admin:cli", "skills_set") in actions
    assert ("admin:cli", "service_edit") in actions
    assert ("admin:cli", "alert_acknowledge") in actions
    assert acked is not None and acked.acknowledged_by == "admin:cli"
