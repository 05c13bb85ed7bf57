"""Every role boundary: who may connect, send what, and touch which call or offer."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from client_core.errors import ServerRefused
from tests.dashboard.helpers import CSRF_FIELD
from tests.server.harness import PASSWORD, Harness, running_server
from wire import client_messages as C
from wire import server_messages as S
from wire.errors import ErrorCode
from wire.types import CallStats, DeviceStatus, KioskHealth

KIOSK_ONLY = [
    C.QueueJoin(service="kela.benefits", language="fi"),
    C.QueueLeave(),
    C.CallRating(call_id="call-x", rating=5),
]
AGENT_ONLY = [
    C.AgentStateSet(state="ready"),
    C.OfferAccept(offer_id="offer-x"),
    C.OfferReject(offer_id="offer-x"),
    C.WrapUpDone(call_id="call-x"),
    C.CallTransfer(call_id="call-x", service="vero.tax"),
    C.HistoryGet(),
]


async def refused(client, message) -> ErrorCode:
    with pytest.raises(ServerRefused) as info:
        await client.request(message, timeout=5)
    return info.value.code


async def handshake_status(
    url: str, headers: dict[str, str], subprotocols: list[str] | None = None
) -> int:
    try:
        async with websockets.connect(
            url, additional_headers=headers, subprotocols=subprotocols, open_timeout=5
        ):
            return 101
    except InvalidStatus as exc:
        return exc.response.status_code


async def test_handshake_needs_a_valid_credential(tmp_path):
    async with running_server(tmp_path / "data") as h:
        kid = h.add_kiosk()
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        token = h.kiosk_tokens[kid]
        assert await handshake_status(h.ws_url, {}) == 401
        assert await handshake_status(h.ws_url, {"Authorization": "Bearer etk_nope"}) == 401
        assert await handshake_status(h.ws_url, {"Authorization": "Bearer v1.x.y"}) == 401
        # A token in the URL is never looked at.
        assert await handshake_status(f"{h.ws_url}?token={token}", {}) == 401
        assert await handshake_status(h.ws_url, {"Authorization": f"Bearer {token}"}) == 101
        # Revoked kiosks are refused at once.
        h.ctx.store.revoke_kiosk(kid, now=h.ctx.clock())
        assert await handshake_status(h.ws_url, {"Authorization": f"Bearer {token}"}) == 401


async def test_sessions_wrong_password_logout_and_foreign_origin(tmp_path):
    async with running_server(tmp_path / "data") as h:
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        async with aiohttp.ClientSession() as http:
            bad = await http.post(
                f"{h.base_url}/api/login", json={"username": "aino", "password": "wrong"}
            )
            assert bad.status == 401 and (await bad.json())["error"] == "bad_credentials"
            ok = await http.post(
                f"{h.base_url}/api/login", json={"username": "aino", "password": PASSWORD}
            )
            token = (await ok.json())["token"]
            assert "Set-Cookie" not in ok.headers  # the API hands out tokens, never cookies
            auth = {"Authorization": f"Bearer {token}"}
            assert await handshake_status(h.ws_url, auth) == 101
            # The session cookie only works from our own origin (no cross-site WebSocket).
            cookie = {"Cookie": f"etapiste_session={token}"}
            assert (
                await handshake_status(h.ws_url, {**cookie, "Origin": "https://evil.example"})
                == 401
            )
            assert await handshake_status(h.ws_url, cookie) == 101
            # Browsers may carry the token in the subprotocol list, under the same Origin rule.
            protocols = ["etapiste.v1", f"bearer.{token}"]
            assert await handshake_status(h.ws_url, {}, protocols) == 101
            foreign = {"Origin": "http://127.0.0.1:1"}
            assert await handshake_status(h.ws_url, foreign, protocols) == 401
            out = await http.post(f"{h.base_url}/api/logout", headers=auth)
            assert out.status == 200
            assert await handshake_status(h.ws_url, auth) == 401
        audit = [a.action for a in h.ctx.store.audit_log()]
        assert "login_failed" in audit and "login" in audit and "logout" in audit


async def test_cookies_are_secure_behind_a_tls_proxy(tmp_path):
    # The proxy speaks plain HTTP to us; the browser saw HTTPS, so its cookies must be Secure.
    async with running_server(tmp_path / "data", secure_cookies=True) as h:
        h.add_agent("olli", [], ["fi"], role="operator")
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
            page = await http.get(f"{h.base_url}/dashboard/login")
            assert "secure" in page.headers["Set-Cookie"].lower().split("; ")
            # The client talks plain HTTP, so it must hand the Secure CSRF cookie back itself.
            csrf = CSRF_FIELD.search(await page.text()).group(1)
            form = {"csrf": csrf, "username": "olli", "password": PASSWORD}
            ok = await http.post(
                f"{h.base_url}/dashboard/login", data=form, allow_redirects=False,
                headers={"Cookie": f"{page.cookies['etapiste_login_csrf'].key}={csrf}"},
            )
            assert ok.status == 303
            assert "secure" in ok.headers["Set-Cookie"].lower().split("; ")


async def test_role_gates(tmp_path):
    async with running_server(tmp_path / "data") as h:
        kid = h.add_kiosk()
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        h.add_agent("olli", [], ["fi"], role="operator")
        kiosk, agent, operator = await h.kiosk(kid), await h.agent("aino"), await h.agent("olli")
        for message in AGENT_ONLY:
            assert await refused(kiosk, message) == ErrorCode.NOT_ALLOWED, message.type
        ok = DeviceStatus.OK
        health = KioskHealth(app_version="1", uptime_s=1, camera=ok, microphone=ok, speaker=ok)
        for message in [*KIOSK_ONLY, C.Health(health=health)]:
            assert await refused(agent, message) == ErrorCode.NOT_ALLOWED, message.type
        for message in KIOSK_ONLY + AGENT_ONLY:
            assert await refused(operator, message) == ErrorCode.NOT_ALLOWED, message.type
        # The refusals did not cost anyone their connection.
        assert isinstance(await kiosk.request(C.ServicesGet()), S.Services)


async def _call(h: Harness, kiosk, agent) -> str:
    start = asyncio.ensure_future(agent.wait_for(S.CallStart))
    offer = asyncio.ensure_future(agent.wait_for(S.Offer))
    agent.send(C.AgentStateSet(state="ready"))
    await kiosk.request(C.QueueJoin(service="kela.benefits", language="fi"))
    agent.send(C.OfferAccept(offer_id=(await offer).offer_id))
    return (await start).call_id


async def test_nobody_touches_someone_elses_call_or_offer(tmp_path):
    async with running_server(tmp_path / "data") as h:
        k1, k2 = h.add_kiosk(name="one"), h.add_kiosk(name="two")
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        h.add_agent("erik", ["kela.benefits", "vero.tax"], ["fi"])
        h.add_agent("vera", ["vero.tax"], ["fi"])  # no Kela skill
        kiosk1, kiosk2 = await h.kiosk(k1), await h.kiosk(k2)
        aino, erik, vera = await h.agent("aino"), await h.agent("erik"), await h.agent("vera")
        vera.send(C.AgentStateSet(state="ready"))
        call_id = await _call(h, kiosk1, aino)

        leaked: list[object] = []
        for client in (kiosk2, erik, vera):
            client.add_listener(
                lambda m: leaked.append(m) if getattr(m, "call_id", None) == call_id else None
            )
        desc = C.SessionDescription(type="offer", sdp="v=0\r\n")
        intrusions = [
            C.SdpMessage(call_id=call_id, description=desc),
            C.IceMessage(call_id=call_id, candidate=""),
            C.MediaRestart(call_id=call_id, attempt=5),
            C.CallEnd(call_id=call_id),
            C.CallStatsReport(call_id=call_id, stats=CallStats()),
        ]
        for intruder in (kiosk2, erik):
            for message in intrusions:
                assert await refused(intruder, message) == ErrorCode.UNKNOWN_CALL
        assert await refused(erik, C.CallTransfer(call_id=call_id, service="vero.tax")) == (
            ErrorCode.UNKNOWN_CALL
        )
        assert await refused(erik, C.WrapUpDone(call_id=call_id)) == ErrorCode.UNKNOWN_CALL

        # An offer belongs to the agent it was made to.
        offer_to_erik = asyncio.ensure_future(erik.wait_for(S.Offer))
        erik.send(C.AgentStateSet(state="ready"))
        await kiosk2.request(C.QueueJoin(service="kela.benefits", language="fi"))
        offer = await offer_to_erik
        not_yours = (ErrorCode.NOT_ALLOWED, ErrorCode.UNKNOWN_OFFER)
        assert await refused(aino, C.OfferAccept(offer_id=offer.offer_id)) in not_yours
        assert await refused(vera, C.OfferAccept(offer_id=offer.offer_id)) in not_yours
        assert await refused(vera, C.OfferReject(offer_id=offer.offer_id)) in not_yours
        await asyncio.sleep(0.2)
        assert leaked == []
        # Vera, ready all along but without the Kela skill, was never offered a Kela citizen.
        assert h.ctx.router.agent_view(vera.welcome.identity.id).offer_id is None
        # The call is intact: its members can still relay to each other.
        got = asyncio.ensure_future(aino.wait_for(C.SdpMessage))
        kiosk1.send(C.SdpMessage(call_id=call_id, description=desc))
        assert (await got).call_id == call_id

        # Only the citizen at the call's own kiosk rates it, once, after it has ended.
        rate = C.CallRating(call_id=call_id, rating=2)
        assert await refused(kiosk1, rate) == ErrorCode.UNKNOWN_CALL  # still going
        ended = asyncio.ensure_future(kiosk1.wait_for(S.CallEnded))
        aino.send(C.CallEnd(call_id=call_id))
        await ended
        assert await refused(kiosk2, rate) == ErrorCode.UNKNOWN_CALL
        kiosk1.send(C.CallRating(call_id=call_id, rating=4))
        assert await refused(kiosk1, rate) == ErrorCode.UNKNOWN_CALL  # rated already
        record = h.ctx.store.call(call_id)
        assert record is not None and record.rating == 4
