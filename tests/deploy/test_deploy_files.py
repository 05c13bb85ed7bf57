"""The example settings load as the server loads them.

Every other file in deploy/ is run the way production runs it: the units from their own
ExecStart lines (test_kiosk_unit, test_server_units), provision-kiosk.sh in a fresh Debian
(test_provision), nginx and coturn with the shipped configurations (test_server_units,
test_turns_443), the Containerfile with podman (test_container).
"""

from __future__ import annotations

from pathlib import Path

from signaling.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_example_settings_file_loads(monkeypatch):
    monkeypatch.setenv("ETAPISTE_CONFIG", str(DEPLOY / "signaling.example.toml"))
    settings = Settings()
    assert settings.port == 8443 and settings.host == "127.0.0.1"  # behind the TLS proxy
    assert settings.secure_cookies  # browsers come through the TLS proxy
    assert settings.ice_servers[0].turn_secret
    # aiortc takes the first TURN URL: TURN over TLS on 443, what every firewall lets out.
    first = settings.ice_servers[0].urls[0]
    assert first.startswith("turns:") and ":443?transport=tcp" in first
