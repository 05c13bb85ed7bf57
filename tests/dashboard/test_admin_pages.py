"""Admins apart from operators (issue 12): who may open and post what, the account and kiosk
actions of the admin page (each audited, each biting at once), the password page after a
reset, the audit log page with its CSV and chain check, and the live channel ending when its
session is revoked."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from pathlib import Path

import aiohttp
import websockets

from signaling.store import SqliteStore
from signaling.web_ws import SUBPROTOCOL
from tests.dashboard.helpers import form_login, http_session, page_csrf
from tests.server.harness import PASSWORD, Harness, running_server
from tests.waiting import wait_until as until

SECRET = re.compile(r'<code id="secret" class="secret">([^<]+)</code>')


async def logged_in(h: Harness, http: aiohttp.ClientSession, username: str, role: str) -> str:
    h.add_agent(username, [], ["fi"], role=role)
    response = await form_login(http, h.base_url, username, PASSWORD)
    assert response.status == 303, response.status
    return await page_csrf(http, h.base_url)


async def test_operators_watch_and_admins_administer(tmp_path: Path) -> None:
    """Finding: "There is no admin role: an operator can create other operators and
    accounts"."""
    async with running_server(tmp_path / "data") as h:
        async with http_session() as op:
            csrf = await logged_in(h, op, "olli", "operator")
            async with op.get(f"{h.base_url}/dashboard/kiosks") as r:
                page = await r.text()
                assert r.status == 200 and "/dashboard/admin" not in page
            for path in ("/dashboard/admin", "/dashboard/audit", "/dashboard/audit.csv"):
                async with op.get(f"{h.base_url}{path}") as r:
                    assert r.status == 403, path
            form = {"csrf": csrf, "username": "mallory", "display_name": "M", "role": "admin",
                    "password": "long enough password"}
            async with op.post(f"{h.base_url}/dashboard/admin/accounts", data=form,
                               allow_redirects=False) as r:
                assert r.status == 403
            assert "mallory" not in {a.username for a in h.ctx.store.accounts()}
            refused = [a for a in h.ctx.store.audit_log() if a.action == "refused"]
            assert refused and refused[-1].detail["code"] == "not_admin"
        async with http_session() as ad:
            csrf = await logged_in(h, ad, "ada", "admin")
            async with ad.get(f"{h.base_url}/dashboard/kiosks") as r:
                page = await r.text()
                assert 'href="/dashboard/admin"' in page and 'href="/dashboard/audit"' in page
            form["csrf"] = csrf
            async with ad.post(f"{h.base_url}/dashboard/admin/accounts", data=form) as r:
                assert r.status == 200
            made = {a.username: a.role for a in h.ctx.store.accounts()}
            assert made["mallory"] == "admin"


async def test_admin_disables_resets_and_rotates_from_the_page(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data") as h, http_session() as ad:
        csrf = await logged_in(h, ad, "ada", "admin")
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        agent = await h.agent("aino")
        kiosk_id = h.add_kiosk()
        kiosk = await h.kiosk(kiosk_id)
        base = f"{h.base_url}/dashboard/admin"
        async with ad.post(f"{base}/accounts/aino/disable", data={"csrf": csrf}) as r:
            assert r.status == 200
        await until(lambda: agent.state == "closed", 5, "agent disconnected")
        async with ad.post(f"{base}/accounts/aino/enable", data={"csrf": csrf}) as r:
            assert r.status == 200
        async with ad.post(f"{base}/accounts/aino/reset", data={"csrf": csrf}) as r:
            match = SECRET.search(await r.text())
        assert match is not None
        temporary = match.group(1)
        async with aiohttp.ClientSession() as api, api.post(
            f"{h.base_url}/api/login", json={"username": "aino", "password": temporary}
        ) as r:
            assert (await r.json())["must_change_password"] is True
        async with ad.post(f"{base}/kiosks/{kiosk_id}/rotate", data={"csrf": csrf}) as r:
            match = SECRET.search(await r.text())
        assert match is not None and match.group(1) != h.kiosk_tokens[kiosk_id]
        await until(lambda: kiosk.state == "closed", 5, "kiosk disconnected")
        async with websockets.connect(
            h.ws_url, subprotocols=[SUBPROTOCOL],  # type: ignore[list-item]
            additional_headers={"Authorization": f"Bearer {match.group(1)}"},
        ):
            pass
        async with ad.post(f"{base}/purge", data={"csrf": csrf}) as r:
            assert r.status == 200
        # The admin cannot lock themself out from the page.
        async with ad.post(f"{base}/accounts/ada/disable", data={"csrf": csrf},
                           allow_redirects=False) as r:
            assert "error=" in r.headers["Location"]
        actions = [a.action for a in h.ctx.store.audit_log()]
        for action in ("account_disable", "account_enable", "password_reset",
                       "kiosk_token_rotate", "retention_purge"):
            assert action in actions, action
        assert temporary not in json.dumps([a.detail for a in h.ctx.store.audit_log()])


async def test_a_temporary_password_opens_only_the_password_page(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data") as h, http_session() as http:
        h.add_agent("olli", [], ["fi"], role="operator")
        from signaling.admin import reset_password

        reset_password(h.ctx.store, "admin:cli", "olli", "temporary-1", now=h.ctx.clock(),
                       hasher=h.ctx.auth.hasher)
        r = await form_login(http, h.base_url, "olli", "temporary-1")
        assert r.status == 303 and r.headers["Location"] == "/dashboard/password"
        async with http.get(f"{h.base_url}/dashboard/kiosks", allow_redirects=False,
                            headers={"Accept": "text/html"}) as page:
            assert page.status == 303 and page.headers["Location"] == "/dashboard/password"
        csrf = await page_csrf(http, h.base_url, "/dashboard/password")
        form = {"csrf": csrf, "current_password": "temporary-1", "new_password": "my own 2026",
                "new_password_again": "my own 2027"}
        async with http.post(f"{h.base_url}/dashboard/password", data=form) as page:
            assert page.status == 400
        form["new_password_again"] = "my own 2026"
        async with http.post(f"{h.base_url}/dashboard/password", data=form,
                             allow_redirects=False) as page:
            assert page.status == 303 and page.headers["Location"] == "/dashboard/kiosks"
        async with http.get(f"{h.base_url}/dashboard/kiosks") as page:
            assert page.status == 200
        account = h.ctx.store.accounts()[0]
        assert not account.must_change_password
        assert "password_change" in [a.action for a in h.ctx.store.audit_log()]


async def test_audit_page_filters_downloads_and_checks_the_chain(tmp_path: Path) -> None:
    """Finding: "nobody can read the audit log without SQL"."""
    async with running_server(tmp_path / "data") as h, http_session() as ad:
        async with aiohttp.ClientSession() as api:
            for name in ("=HYPERLINK(\"http://evil\")", "bertil"):
                await api.post(f"{h.base_url}/api/login",
                               json={"username": name, "password": "wrong"})
        csrf = await logged_in(h, ad, "ada", "admin")
        async with ad.get(f"{h.base_url}/dashboard/audit",
                          params={"action": "login_failed"}) as r:
            page = await r.text()
        assert r.status == 200 and "bertil" in page and "=HYPERLINK(" in page
        assert '"http://evil"' not in page  # escaped, like everything a stranger typed
        assert "retention_purge" not in page.split("<tbody>")[1]  # filtered out
        async with ad.get(f"{h.base_url}/dashboard/audit.csv",
                          params={"action": "login_failed"}) as r:
            rows = list(csv.reader(io.StringIO(await r.text())))
        assert rows[0][:5] == ["id", "time", "actor", "username", "action"]
        details = [row[6] for row in rows[1:]]
        assert any("bertil" in d for d in details)
        assert all(not cell.startswith("=") for row in rows for cell in row)
        async with ad.post(f"{h.base_url}/dashboard/audit/verify", data={"csrf": csrf}) as r:
            assert "ehjä" in await r.text()  # Finnish by default: the chain is intact
        h.ctx.store._db.conn.execute(  # type: ignore[attr-defined]
            "UPDATE audit SET actor='anonymous:x' WHERE action='login_failed'"
        )
        async with ad.post(f"{h.base_url}/dashboard/audit/verify", data={"csrf": csrf}) as r:
            assert "RIKKI" in await r.text()
        seen = [a.action for a in h.ctx.store.audit_log()]
        assert "audit_view" in seen and "audit_download" in seen and "audit_verify" in seen


async def test_live_channel_ends_when_its_session_is_revoked_elsewhere(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data") as h, http_session() as http:
        await logged_in(h, http, "olli", "operator")
        async with http.get(f"{h.base_url}/dashboard/events") as stream:
            assert stream.status == 200
            await stream.content.readuntil(b"event: snapshot")
            other = SqliteStore.open(tmp_path / "data")
            session = other.accounts()[0].id
            other.disable_account(session, now=h.ctx.clock())
            other.close()

            async def until_logout() -> None:
                while b"event: logout" not in await stream.content.readline():
                    pass

            await asyncio.wait_for(until_logout(), 5)
