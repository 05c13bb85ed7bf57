"""The deployment files are consistent with the code they configure."""

from __future__ import annotations

import configparser
from pathlib import Path

from signaling.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_example_settings_file_loads(monkeypatch):
    monkeypatch.setenv("ETAPISTE_CONFIG", str(DEPLOY / "signaling.example.toml"))
    settings = Settings()
    assert settings.port == 8443
    assert settings.secure_cookies  # browsers come through the TLS proxy
    assert settings.ice_servers[0].turn_secret
    assert settings.ice_servers[0].urls[0].startswith("turn:")


def test_units_run_unprivileged_with_a_restart_policy():
    for unit in (DEPLOY / "systemd").glob("*.service"):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read_string(unit.read_text())
        service = parser["Service"]
        assert service.get("User") not in (None, "root"), unit.name
        assert service.get("Restart") in ("always", "on-failure"), unit.name
        assert service.get("NoNewPrivileges") == "yes", unit.name
    kiosk = (DEPLOY / "systemd" / "etapiste-kiosk.service").read_text()
    assert "WatchdogSec=" in kiosk and "Type=notify" in kiosk


def test_provisioning_reads_the_token_from_stdin_and_stores_it_0600():
    script = (DEPLOY / "kiosk" / "provision-kiosk.sh").read_text()
    assert "chmod 0600 /etc/etapiste/kiosk.token" in script
    assert "--token" not in script  # never on the command line
