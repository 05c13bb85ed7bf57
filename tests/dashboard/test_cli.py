"""The admin command line: the same audited actions as the dashboard."""

from __future__ import annotations

from pathlib import Path

import pytest

from signaling.__main__ import main
from signaling.store import SqliteStore
from tests.dashboard.helpers import form_login, http_session, page_csrf
from tests.server.harness import PASSWORD, running_server

pytestmark = pytest.mark.usefixtures("keep_root_logging")


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


# The same refusals from both doors: (dashboard form path, form, CLI arguments).
REFUSED = [
    pytest.param("kiosks", {"site_id": "nurmes", "name": "K" * 81},
                 ["add-kiosk", "nurmes", "K" * 81], id="kiosk name too long"),
    pytest.param("kiosks", {"site_id": "atlantis", "name": "Atlantis 1"},
                 ["add-kiosk", "atlantis", "Atlantis 1"], id="kiosk at unknown site"),
    pytest.param("sites", {"site_id": "Kontio lahti", "name": "Kontiolahti", "region": "PK"},
                 ["add-site", "Kontio lahti", "--name-fi", "Kontiolahti"], id="bad site id"),
    pytest.param("sites", {"site_id": "kontiolahti", "name": "S" * 121, "region": "PK"},
                 ["add-site", "kontiolahti", "--name-fi", "S" * 121], id="site name too long"),
    pytest.param("accounts", {"username": "a b", "display_name": "A", "role": "agent",
                              "password": "long enough password"},
                 ["add-account", "a b", "--name", "A", "--password-env", "PW"],
                 id="bad username"),
    pytest.param("accounts", {"username": "aino", "display_name": "Aino", "role": "agent",
                              "password": "short"},
                 ["add-account", "aino", "--name", "Aino", "--password-env", "SHORT"],
                 id="short password"),
    pytest.param("accounts", {"username": "aino", "display_name": "A" * 250, "role": "agent",
                              "password": "long enough password"},
                 ["add-account", "aino", "--name", "A" * 250, "--password-env", "PW"],
                 id="display name too long"),
    pytest.param("kiosks", {"site_id": "nurmes", "name": "Nurmes\u202e1"},
                 ["add-kiosk", "nurmes", "Nurmes\u202e1"], id="bidi override in a name"),
    pytest.param("accounts", {"username": "aino", "display_name": "Aino", "role": "agent",
                              "password": "long enough password", "languages": "fi,de"},
                 ["add-account", "aino", "--name", "Aino", "--password-env", "PW",
                  "--languages", "fi,de"], id="a language no kiosk speaks"),
]


@pytest.mark.parametrize(("form_path", "form", "cli"), REFUSED)
async def test_cli_refuses_what_the_dashboard_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    form_path: str, form: dict[str, str], cli: list[str],
) -> None:
    monkeypatch.setenv("PW", "long enough password")
    monkeypatch.setenv("SHORT", "short")
    data = tmp_path / "data"
    async with running_server(data) as h, http_session() as http:
        h.add_agent("ada", [], ["fi"], role="admin")
        await form_login(http, h.base_url, "ada", PASSWORD)
        csrf = await page_csrf(http, h.base_url)

        def state() -> tuple[object, ...]:
            store = h.ctx.store
            return (store.list_kiosks(), store.sites(), store.accounts())

        before = state()
        url = f"{h.base_url}/dashboard/admin/{form_path}"
        async with http.post(url, data={**form, "csrf": csrf}, allow_redirects=False) as r:
            assert r.status == 303 and "error=" in r.headers["Location"]
        assert state() == before
        capsys.readouterr()
        assert run(data, *cli) == 1
        assert capsys.readouterr().err.strip()  # says why, on stderr
        assert state() == before
