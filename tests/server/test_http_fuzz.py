"""Property test of every HTTP route: generated requests (any method, every route with junk in
its parameters and query, random paths, bodies of every content type, as nobody, a kiosk, an
agent, an operator or an admin, with right and wrong CSRF tokens and Origins) never get a 500,
never a stack trace, and never make the server log an error.

The server runs on loopback in a thread of its own; each example is one real HTTP request.
``FUZZ_EXAMPLES`` sets how many (the suite uses a few hundred; the issue-12 run used 100,000:
``FUZZ_EXAMPLES=100000 .venv/bin/python -m pytest -q tests/server/test_http_fuzz.py
-p no:cacheprovider --timeout 0``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from collections import Counter
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp
import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signaling.dashboard_pages import DASHBOARD
from signaling.identity import Principal
from tests.server.harness import Harness, running_server

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
T = TypeVar("T")

FIELDS = [
    "csrf", "username", "password", "name", "site_id", "region", "display_name", "role",
    "skills", "languages", "weekly", "max_queue", "current_password", "new_password",
    "new_password_again", "actor", "action", "since", "until", "before", "kiosk_id", "format",
    "weeks", "name_sv", "name_en", "next", "service", "language", "level", "within", "days",
]


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()}")


@dataclass
class Target:
    """The server in its thread, and what a request can present."""

    loop: asyncio.AbstractEventLoop
    h: Harness
    http: aiohttp.ClientSession
    routes: list[tuple[str, str]]
    kiosk_token: str
    errors: ErrorLog

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=30)

    async def session(self, role: str) -> tuple[str, str]:
        """A fresh session token of ``role`` and its CSRF token (a fuzzed request may well
        log the previous one out or disable its account)."""
        store, now = self.h.ctx.store, self.h.ctx.clock()
        account = next(a for a in store.accounts() if a.username == f"fuzz-{role}")
        if account.disabled:
            store.enable_account(account.id)
        session_id = store.create_session(account.id, 3600, now=now)
        token = self.h.ctx.auth.signer.issue(session_id, account.id, role, now)
        principal = Principal(role, account.id, account.display_name,  # type: ignore[arg-type]
                              session_id=session_id)
        assert self.h.app is not None
        return token, self.h.app[DASHBOARD].csrf_token(principal)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    data: Path = tmp_path_factory.mktemp("fuzz") / "data"
    manager = running_server(data, login_rate_per_s=1000.0, login_burst=1000,
                             login_failures_per_user=1_000_000)

    async def start() -> tuple[Harness, aiohttp.ClientSession]:
        h = await manager.__aenter__()
        h.ctx.auth.hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
        for role in ("agent", "operator", "admin"):
            h.add_agent(f"fuzz-{role}", ["kela.benefits"], ["fi"], role=role)
        http = aiohttp.ClientSession(
            cookie_jar=aiohttp.DummyCookieJar(), timeout=aiohttp.ClientTimeout(total=20)
        )
        return h, http

    h, http = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=30)
    kiosk_id = h.add_kiosk()
    assert h.app is not None
    routes = sorted(
        {(r.method, r.resource.canonical) for r in h.app.router.routes() if r.resource}
    )
    yield Target(loop, h, http, routes, h.kiosk_tokens[kiosk_id], errors)
    asyncio.run_coroutine_threadsafe(http.close(), loop).result(timeout=10)
    asyncio.run_coroutine_threadsafe(manager.__aexit__(None, None, None), loop).result(timeout=30)
    logging.getLogger().removeHandler(errors)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


# ---------------------------------------------------------------------------- strategies

visible = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
junk = st.one_of(
    visible, st.text(max_size=40),
    st.sampled_from(["", "0", "-1", "99999999999999999999", "NaN", "1e999", "../../etc/passwd",
                     "%00", "<script>", "' OR 1=1 --", "nurmes", "kela.benefits", "fuzz-admin",
                     "fuzz-agent", "mon=09:00-16:00", "agent", "operator", "admin", "fi,sv",
                     "x" * 300, "\u202e", "a\nb", "2026-01-01", "csv"]),
)
params = st.dictionaries(st.sampled_from(FIELDS), junk, max_size=6)
who = st.sampled_from(["nobody", "kiosk", "agent", "operator", "admin", "junk"])
how = st.sampled_from(["cookie", "bearer", "both"])
csrf_mode = st.sampled_from(["right", "wrong", "none", "header"])
origin = st.sampled_from([None, "same", "https://evil.example", "null", "\u00e4"])
body_kind = st.sampled_from(["none", "form", "json", "multipart", "bytes", "text"])
methods = st.sampled_from(["GET", "POST", "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"])


@st.composite
def paths(draw: st.DrawFn, routes: list[tuple[str, str]]) -> tuple[str, str]:
    if draw(st.integers(0, 9)) == 0:
        return draw(methods), "/" + quote(draw(st.text(max_size=30)), safe="/")
    method, template = draw(st.sampled_from(routes))
    if draw(st.integers(0, 4)) == 0:
        method = draw(methods)
    parts = []
    for piece in template.split("/"):
        if piece.startswith("{"):
            piece = quote(draw(junk) or "x", safe="")
        parts.append(piece)
    path = "/".join(parts)
    query = draw(params)
    if query:
        path += "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in query.items())
    return method, path


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    who: str
    how: str
    csrf: str
    origin: str | None
    body_kind: str
    fields: dict[str, str]
    raw: bytes
    xff: str | None


def requests(routes: list[tuple[str, str]]) -> st.SearchStrategy[Request]:
    return st.builds(
        lambda mp, w, hw, c, o, b, f, r, x: Request(mp[0], mp[1], w, hw, c, o, b, f, r, x),
        paths(routes), who, how, csrf_mode, origin, body_kind, params,
        st.binary(max_size=200), st.one_of(st.none(), visible),
    )


async def send(t: Target, r: Request) -> tuple[int, str, str]:
    headers: dict[str, str] = {}
    csrf = ""
    if r.who in ("agent", "operator", "admin"):
        token, csrf = await t.session(r.who)
    elif r.who == "kiosk":
        token = t.kiosk_token
    else:
        token = "v1.junk.junk" if r.who == "junk" else ""
    if token and r.how in ("cookie", "both"):
        headers["Cookie"] = f"etapiste_session={token}"
    if token and r.how in ("bearer", "both"):
        headers["Authorization"] = f"Bearer {token}"
    if r.origin is not None:
        headers["Origin"] = t.h.base_url if r.origin == "same" else quote(r.origin, safe=":/.")
    if r.xff is not None:
        headers["X-Forwarded-For"] = r.xff
    fields = dict(r.fields)
    if r.csrf == "right":
        fields["csrf"] = csrf
    elif r.csrf == "header":
        headers["X-CSRF-Token"] = csrf
    data: Any = None
    if r.body_kind == "form":
        data = fields
    elif r.body_kind == "json":
        data = json.dumps(fields).encode()
        headers["Content-Type"] = "application/json"
    elif r.body_kind == "multipart":
        form = aiohttp.FormData()
        for k, v in fields.items():
            form.add_field(k, v)
        data = form
    elif r.body_kind == "bytes":
        data = r.raw
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif r.body_kind == "text":
        data = r.raw
        headers["Content-Type"] = "text/plain"
    async with t.http.request(
        r.method, t.h.base_url + r.path, data=data, headers=headers, allow_redirects=False
    ) as response:
        if response.headers.get("Content-Type", "").startswith("text/event-stream"):
            body = (await response.content.read(4096)).decode(errors="replace")
        else:
            body = (await response.read()).decode(errors="replace")
        return response.status, response.headers.get("Content-Type", ""), body


def test_no_route_answers_500_or_a_traceback(target: Target) -> None:
    assert len(target.routes) >= 15

    sent: list[int] = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(requests(target.routes))
    def one(r: Request) -> None:
        status, _type, body = target.call(send(target, r))
        sent.append(status)
        assert status < 500 or status in (501, 503), (status, r, body[:300])
        assert "Traceback" not in body and 'File "' not in body, (r, body[:500])
        assert not target.errors.records, target.errors.records

    one()
    print(f"\n{len(sent)} generated requests; answers by status: {sorted(Counter(sent).items())}")
