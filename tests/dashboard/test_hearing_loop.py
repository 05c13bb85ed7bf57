"""The hearing-loop site setting: set from the CLI or the admin page, audited, sent to kiosks."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from signaling.__main__ import main
from signaling.store import SqliteStore
from tests.dashboard.helpers import form_login, page_csrf
from tests.server.harness import PASSWORD, running_server

pytestmark = pytest.mark.usefixtures("keep_root_logging")


def run(data: Path, *args: str) -> int:
    return main(["--data-dir", str(data), *args])


def test_cli_sets_the_loop_and_lists_it(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    assert run(data, "set-site", "nurmes", "--hearing-loop", "on") == 0
    assert run(data, "set-site", "atlantis", "--hearing-loop", "on") == 1
    assert "no site 'atlantis'" in capsys.readouterr().err
    assert run(data, "sites") == 0
    rows = {line.split("\t")[0]: line.split("\t") for line in capsys.readouterr().out.splitlines()}
    assert rows["nurmes"][-1] == "hearing-loop" and rows["lieksa"][-1] == "-"
    with SqliteStore.open(data) as store:
        lines = [(a.actor, a.action, a.subject, dict(a.detail)) for a in store.audit_log()]
    assert ("admin:cli", "site_hearing_loop", "nurmes", {"on": True}) in lines
    assert run(data, "set-site", "nurmes", "--hearing-loop", "off") == 0
    with SqliteStore.open(data) as store:
        assert not any(s.hearing_loop for s in store.sites())


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
async def test_admin_page_sets_the_loop_and_the_next_kiosk_welcome_carries_it(
    tmp_path: Path, lang: str
) -> None:
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
    async with running_server(tmp_path / "data") as h, aiohttp.ClientSession(
        cookie_jar=jar, headers={"Accept-Language": lang}
    ) as http:
        kiosk_id = h.add_kiosk("nurmes", "Nurmes 1")
        other_id = h.add_kiosk("lieksa", "Lieksa 1")
        h.add_agent("ada", [], ["fi"], role="admin")  # site settings are an admin's
        await form_login(http, h.base_url, "ada", PASSWORD)
        before = await h.kiosk(kiosk_id)
        assert before.welcome is not None and before.welcome.identity.hearing_loop is False
        await before.close()
        csrf = await page_csrf(http, h.base_url, "/dashboard/admin")
        async with http.get(f"{h.base_url}/dashboard/admin") as r:
            page = await r.text()
        heading = {"fi": "Yhteispalvelupisteet", "sv": "Gemensamma serviceställen",
                   "en": "Joint service points"}[lang]
        assert heading in page and 'action="/dashboard/admin/sites/nurmes"' in page

        url = f"{h.base_url}/dashboard/admin/sites/nurmes"
        async with http.post(url, data={"csrf": csrf, "hearing_loop": "on"},
                             allow_redirects=True) as r:
            assert r.status == 200
            shown = await r.text()
        assert h.ctx.store.site("nurmes").hearing_loop  # type: ignore[union-attr]
        saved = {"fi": "Pisteen nurmes asetukset tallennettu",
                 "sv": "Inställningarna för nurmes har sparats",
                 "en": "Settings of nurmes saved"}[lang]
        assert saved in shown
        assert 'name="hearing_loop" value="on" checked' in shown

        after = await h.kiosk(kiosk_id)  # a kiosk connecting from now on
        assert after.welcome is not None and after.welcome.identity.hearing_loop is True
        elsewhere = await h.kiosk(other_id)
        assert elsewhere.welcome is not None and elsewhere.welcome.identity.hearing_loop is False
        audit = [(a.actor, a.action) for a in h.ctx.store.audit_log()]
        assert any(act == "site_hearing_loop" and who.startswith("admin:")
                   for who, act in audit)

        # Unticked, the form turns it off; without the CSRF token nothing changes.
        async with http.post(url, data={"csrf": csrf}, allow_redirects=False) as r:
            assert r.status == 303
        assert not h.ctx.store.site("nurmes").hearing_loop  # type: ignore[union-attr]
        async with http.post(url, data={"hearing_loop": "on"}, allow_redirects=False) as r:
            assert r.status in (400, 403)
        assert not h.ctx.store.site("nurmes").hearing_loop  # type: ignore[union-attr]
        bad = f"{h.base_url}/dashboard/admin/sites/atlantis"
        async with http.post(bad, data={"csrf": csrf, "hearing_loop": "on"},
                             allow_redirects=False) as r:
            assert r.status == 303 and "error=" in r.headers["Location"]
