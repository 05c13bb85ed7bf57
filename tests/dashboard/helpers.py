"""Shared helpers of the dashboard tests: form login over real HTTP, CSRF scraping, demo calls."""

from __future__ import annotations

import re

import aiohttp

from signaling.store import Store

CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')
CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')


def http_session() -> aiohttp.ClientSession:
    """A client keeping cookies for 127.0.0.1 (aiohttp ignores IP cookies unless unsafe)."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def form_login(
    http: aiohttp.ClientSession, base: str, username: str, password: str
) -> aiohttp.ClientResponse:
    """Log in through the login form as a browser would (no redirect following)."""
    async with http.get(f"{base}/dashboard/login") as r:
        page = await r.text()
    token = CSRF_FIELD.search(page)
    assert token is not None
    data = {"csrf": token.group(1), "username": username, "password": password}
    async with http.post(f"{base}/dashboard/login", data=data, allow_redirects=False) as r:
        await r.read()
        return r


async def page_csrf(http: aiohttp.ClientSession, base: str, path: str = "/dashboard/kiosks") -> str:
    """The session's CSRF token, read from a dashboard page."""
    async with http.get(f"{base}{path}") as r:
        assert r.status == 200, r.status
        match = CSRF_META.search(await r.text())
    assert match is not None
    return match.group(1)


def record_calls(store: Store, kiosk_id: str, agent_id: str, service: str, start: float) -> None:
    """A few finished calls and abandoned entries for reports (no citizen data exists)."""
    for i, (wait, talk) in enumerate(((30.0, 300.0), (200.0, 420.0), (90.0, 600.0))):
        queued = start + i * 3600
        entry = f"entry-{kiosk_id}-{i}"
        store.insert_entry(entry, kiosk_id, service, "fi", 0, queued, now=queued)
        store.call_started(
            f"call-{kiosk_id}-{i}", entry_id=entry, kiosk_id=kiosk_id, agent_id=agent_id,
            service_id=service, language="fi", offered_at=queued + wait - 5,
            answered_at=queued + wait, queued_at=queued,
        )
        store.call_ended(f"call-{kiosk_id}-{i}", queued + wait + talk, "answered", "hangup")
        if i < 2:  # two of three citizens rate their call: 5 and 3
            store.rate_call(f"call-{kiosk_id}-{i}", kiosk_id, 5 - 2 * i)
        store.close_entry(entry, queued + wait + talk, None)
    for i in range(2):
        entry = f"gone-{kiosk_id}-{i}"
        store.insert_entry(entry, kiosk_id, service, "fi", 0, start + 600 + i, now=start)
        store.close_entry(entry, start + 900 + i, "abandoned")
