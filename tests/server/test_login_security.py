"""Anonymous paths: password checks off the event loop with a bounded queue, the login API's
JSON-and-Origin rule, per-client limits behind a trusted proxy, per-username limits, who may
read /metrics, and what failed logins and refusals leave in the audit log (issue 12)."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import aiohttp
from argon2 import PasswordHasher

from tests.dashboard.helpers import form_login, http_session
from tests.server.harness import PASSWORD, Harness, running_server


class RecordingHasher(PasswordHasher):
    """Cheap argon2 that notes the thread of every verification (and can be slow)."""

    def __init__(self, delay_s: float = 0.0) -> None:
        super().__init__(time_cost=1, memory_cost=64, parallelism=1)
        self.delay_s = delay_s
        self.threads: list[int] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.threads.append(threading.get_ident())
        if self.delay_s:
            time.sleep(self.delay_s)
        return super().verify(hash, password)


def hasher_of(h: Harness, delay_s: float = 0.0) -> RecordingHasher:
    hasher = RecordingHasher(delay_s)
    h.ctx.auth.hasher = hasher
    return hasher


async def api_login(
    http: aiohttp.ClientSession, h: Harness, username: str, password: str, **headers: str
) -> int:
    async with http.post(
        f"{h.base_url}/api/login", json={"username": username, "password": password},
        headers=headers,
    ) as r:
        await r.read()
        return r.status


async def test_password_checks_never_run_on_the_event_loop(tmp_path: Path) -> None:
    """Finding: "The dashboard login form runs argon2 on the event loop"."""
    async with running_server(tmp_path / "data") as h, http_session() as http:
        hasher = hasher_of(h)
        h.add_agent("olli", [], ["fi"], role="operator")
        loop_thread = threading.get_ident()
        assert (await form_login(http, h.base_url, "olli", "wrong password")).status == 401
        assert (await form_login(http, h.base_url, "nobody", "wrong password")).status == 401
        assert (await form_login(http, h.base_url, "olli", PASSWORD)).status == 303
        assert await api_login(http, h, "olli", "wrong password") == 401
        assert await api_login(http, h, "olli", PASSWORD) == 200
        assert len(hasher.threads) >= 4  # the unknown user costs a dummy check all the same
        assert loop_thread not in hasher.threads


async def test_a_full_password_pool_answers_503_at_once(tmp_path: Path) -> None:
    async with running_server(
        tmp_path / "data", password_workers=1, password_queue=1
    ) as h, aiohttp.ClientSession() as http:
        hasher_of(h, delay_s=0.4)
        h.add_agent("aino", [], ["fi"])
        started = time.monotonic()
        statuses = await asyncio.gather(
            *(api_login(http, h, "aino", f"wrong {i}") for i in range(5))
        )
        assert sorted(statuses) == [401, 401, 503, 503, 503]
        assert time.monotonic() - started < 3.0


async def test_api_login_takes_only_json_from_an_allowed_origin_and_sets_no_cookie(
    tmp_path: Path,
) -> None:
    """Finding: "POST /api/login accepts a cross-site text/plain form post and sets the
    session cookie"."""
    async with running_server(tmp_path / "data") as h, aiohttp.ClientSession() as http:
        h.add_agent("aino", [], ["fi"])
        body = f'{{"username": "aino", "password": "{PASSWORD}"}}'
        evil = {"Origin": "https://evil.example", "Content-Type": "text/plain"}
        async with http.post(f"{h.base_url}/api/login", data=body, headers=evil) as r:
            assert r.status in (403, 415)
            assert "Set-Cookie" not in r.headers
        async with http.post(f"{h.base_url}/api/login", data=body,
                             headers={"Content-Type": "text/plain"}) as r:
            assert r.status == 415 and "Set-Cookie" not in r.headers
        json_evil = {"Origin": "https://evil.example", "Content-Type": "application/json"}
        async with http.post(f"{h.base_url}/api/login", data=body, headers=json_evil) as r:
            assert r.status == 403 and "Set-Cookie" not in r.headers
        same = {"Origin": h.base_url, "Content-Type": "application/json"}
        async with http.post(f"{h.base_url}/api/login", data=body, headers=same) as r:
            assert r.status == 200 and "Set-Cookie" not in r.headers
            assert (await r.json())["token"]


async def test_limits_per_client_behind_a_trusted_proxy_and_per_username(tmp_path: Path) -> None:
    """Finding: "Behind the documented nginx proxy every client is 127.0.0.1, so the login
    limiter is one shared bucket"."""
    async with running_server(
        tmp_path / "data", trusted_proxies=["127.0.0.1"], login_burst=3,
        login_rate_per_s=0.01, login_failures_per_user=4,
    ) as h, aiohttp.ClientSession() as http:
        hasher_of(h)
        h.add_agent("aino", [], ["fi"])
        h.add_agent("bertil", [], ["sv"])
        one = {"X-Forwarded-For": "198.51.100.1"}
        assert [await api_login(http, h, "bertil", "x", **one) for _ in range(4)] == [
            401, 401, 401, 429
        ]
        # Another client behind the same proxy has a bucket of its own.
        two = {"X-Forwarded-For": "203.0.113.9, 198.51.100.2"}
        assert await api_login(http, h, "aino", PASSWORD, **two) == 200
        # A client cannot mint buckets by sending the header past a proxy it is not.
        async with running_server(tmp_path / "direct", login_burst=2, login_rate_per_s=0.01) as d:
            hasher_of(d)
            statuses = [
                await api_login(http, d, "aino", "x", **{"X-Forwarded-For": f"192.0.2.{i}"})
                for i in range(3)
            ]
            assert statuses[-1] == 429
        # Failures for one username from many addresses: then even the right password waits.
        for i in range(4):
            addr = {"X-Forwarded-For": f"192.0.2.{i + 10}"}
            assert await api_login(http, h, "aino", "wrong", **addr) == 401
        assert await api_login(http, h, "aino", PASSWORD, **{"X-Forwarded-For": "192.0.2.99"}) \
            == 429
        failed = [a for a in h.ctx.store.audit_log() if a.action == "login_failed"]
        # Finding: "Failed logins are audited as anonymous with no username".
        assert {str(a.detail["username"]) for a in failed} == {"bertil", "aino"}
        assert {str(a.detail["client"]) for a in failed} >= {"198.51.100.1", "192.0.2.10"}


async def test_metrics_need_the_token_unless_loopback_only_and_not_proxied(
    tmp_path: Path,
) -> None:
    """Finding: "/metrics answers anyone when no token is set"."""
    async with aiohttp.ClientSession() as http:
        async with (
            running_server(tmp_path / "public", host="0.0.0.0") as h,
            http.get(f"{h.base_url}/metrics") as r,
        ):
            assert r.status == 401
        async with running_server(tmp_path / "local") as h:
            async with http.get(f"{h.base_url}/metrics") as r:
                assert r.status == 200
            async with http.get(f"{h.base_url}/metrics",
                                headers={"X-Forwarded-For": "203.0.113.5"}) as r:
                assert r.status == 401
        async with running_server(tmp_path / "token", metrics_token="s3cret") as h:
            async with http.get(f"{h.base_url}/metrics") as r:
                assert r.status == 401
            async with http.get(f"{h.base_url}/metrics",
                                headers={"Authorization": "Bearer s3cret"}) as r:
                assert r.status == 200


async def test_role_refusals_are_audited(tmp_path: Path) -> None:
    """Finding: "refusals are not audited"."""
    async with running_server(tmp_path / "data") as h:
        kiosk_id = h.add_kiosk()
        kiosk = await h.kiosk(kiosk_id)
        from wire import client_messages as C

        kiosk.send(C.AgentStateSet(state="ready"))
        kiosk.send(C.HistoryGet())
        await kiosk.request(C.Ping(t=0.0), timeout=5)
        refused = [a for a in h.ctx.store.audit_log() if a.action == "refused"]
        assert [a.actor for a in refused] == [f"kiosk:{kiosk_id}"] * 2
        assert refused[0].detail["code"] == "not_allowed"


async def test_failed_logins_are_audited_with_the_username_tried(tmp_path: Path) -> None:
    """Finding: "Failed logins are audited as anonymous with no username" (default settings:
    no proxy, no special limits; the dashboard form and the API alike)."""
    async with running_server(tmp_path / "data") as h, http_session() as http:
        hasher_of(h)
        h.add_agent("olli", [], ["fi"], role="operator")
        assert (await form_login(http, h.base_url, "olli", "wrong password")).status == 401
        assert await api_login(http, h, "nobody", "wrong password") == 401
        failed = [a for a in h.ctx.store.audit_log() if a.action == "login_failed"]
        assert sorted(str(a.detail["username"]) for a in failed) == ["nobody", "olli"]
        assert {str(a.detail["client"]) for a in failed} == {"127.0.0.1"}
        assert all(PASSWORD not in str(a.detail) and "wrong" not in str(a.detail)
                   for a in failed)
