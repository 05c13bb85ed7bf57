"""One citizen's whole journey through a real server over real WebSockets on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3

from client_core.errors import ServerRefused
from client_core.signaling_client import login
from tests.server.harness import PASSWORD, running_server
from wire import client_messages as C
from wire import server_messages as S
from wire.errors import ErrorCode

SDP_OFFER = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
SDP_ANSWER = "v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


async def test_queue_offer_reject_accept_relay_end_wrapup(tmp_path):
    async with running_server(tmp_path / "data", wrapup_s=30) as h:
        kiosk_a = h.add_kiosk("nurmes", "Nurmes 1")
        kiosk_b = h.add_kiosk("lieksa", "Lieksa 1")
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        h.add_agent("erik", ["kela.benefits"], ["fi", "sv"])
        aino, erik = await h.agent("aino"), await h.agent("erik")
        ka, kb = await h.kiosk(kiosk_a), await h.kiosk(kiosk_b)

        # Two citizens queue while nobody is ready: positions 1 and 2.
        pa = await ka.request(C.QueueJoin(service="kela.benefits", language="fi"))
        pb = await kb.request(C.QueueJoin(service="kela.benefits", language="fi"))
        assert isinstance(pa, S.QueuePosition) and pa.position == 1
        assert isinstance(pb, S.QueuePosition) and pb.position == 2
        # Both clerks logged in but neither working: no estimate, and the kiosk is told so.
        assert (pb.estimated_wait_s, pb.estimate_kind) == (None, "none")

        # Aino becomes ready first, so Erik is the longest idle only after Aino rejects.
        offer_a = asyncio.ensure_future(aino.wait_for(S.Offer))
        aino.send(C.AgentStateSet(state="ready"))
        offer = await offer_a
        assert offer.service == "kela.benefits" and offer.site is not None
        assert offer.site.id == "nurmes"
        offer_e = asyncio.ensure_future(erik.wait_for(S.Offer))
        revoked = asyncio.ensure_future(aino.wait_for(S.OfferRevoked))
        aino.send(C.OfferReject(offer_id=offer.offer_id))
        assert (await revoked).reason == "rejected"
        erik.send(C.AgentStateSet(state="ready"))
        offer2 = await offer_e
        assert offer2.site is not None and offer2.site.id == "nurmes"  # same citizen, same place

        # Kiosk B moves up when kiosk A is answered.
        b_moves = asyncio.ensure_future(kb.wait_for(S.QueuePosition, lambda m: m.position == 1))
        k_start = asyncio.ensure_future(ka.wait_for(S.CallStart))
        e_start = asyncio.ensure_future(erik.wait_for(S.CallStart))
        erik.send(C.OfferAccept(offer_id=offer2.offer_id))
        ks, es = await k_start, await e_start
        assert ks.call_id == es.call_id
        assert (ks.role, es.role) == ("offerer", "answerer")
        moved = await b_moves
        # What B was shown, and A's wait, are stored (A's was answered: it has ended).
        assert h.ctx.store.shown_estimates(pb.entry_id)[0].kind == "none"
        assert moved.estimate_kind in ("soon", "minutes", "none")
        (wait_a,) = [w for w in h.ctx.store.waits_between(0, 2e9) if w.entry_id == pa.entry_id]
        assert wait_a.answered is True and wait_a.waited_s is not None

        # SDP and ICE are relayed only between the two members.
        got_offer = asyncio.ensure_future(erik.wait_for(C.SdpMessage))
        offer_desc = C.SessionDescription(type="offer", sdp=SDP_OFFER)
        ka.send(C.SdpMessage(call_id=ks.call_id, description=offer_desc))
        relayed = await got_offer
        assert relayed.description.sdp == SDP_OFFER
        got_answer = asyncio.ensure_future(ka.wait_for(C.SdpMessage))
        answer_desc = C.SessionDescription(type="answer", sdp=SDP_ANSWER)
        erik.send(C.SdpMessage(call_id=ks.call_id, description=answer_desc))
        assert (await got_answer).description.sdp == SDP_ANSWER

        # The kiosk hangs up; Erik goes to wrap-up and ends it early with a disposition.
        ended = asyncio.ensure_future(erik.wait_for(S.CallEnded))
        wrap = asyncio.ensure_future(erik.wait_for(S.AgentStatus, lambda m: m.state == "wrap_up"))
        ka.send(C.CallEnd(call_id=ks.call_id))
        assert (await ended).by == "kiosk"
        status = await wrap
        assert status.until is not None and status.until - status.since == 30
        ready = asyncio.ensure_future(
            erik.wait_for(S.AgentStatus, lambda m: m.state in ("ready", "reserved"))
        )
        erik.send(C.WrapUpDone(call_id=ks.call_id, disposition="resolved"))
        await ready

        db = sqlite3.connect(h.ctx.store.path)
        row = db.execute(
            "SELECT kiosk_id, site_id, service_id, language, outcome, queued_at, offered_at,"
            " answered_at, ended_at, disposition FROM calls WHERE id=?",
            (ks.call_id,),
        ).fetchone()
        db.close()
        assert row[:5] == (kiosk_a, "nurmes", "kela.benefits", "fi", "answered")
        queued, offered, answered, ended_at = row[5:9]
        assert queued <= offered <= answered <= ended_at
        assert row[9] == "resolved"


async def test_refusals_are_typed_and_keep_the_connection(tmp_path):
    async with running_server(tmp_path / "data") as h:
        kid = h.add_kiosk()
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        await h.agent("aino")
        k = await h.kiosk(kid)
        for msg, code in [
            (C.QueueJoin(service="nope.nothing", language="fi"), ErrorCode.UNKNOWN_SERVICE),
            (C.QueueJoin(service="kela.benefits", language="sv"), ErrorCode.LANGUAGE_UNAVAILABLE),
            (C.QueueLeave(), ErrorCode.NOT_QUEUED),
            (C.OfferAccept(offer_id="x"), ErrorCode.NOT_ALLOWED),
        ]:
            try:
                await k.request(msg)
            except ServerRefused as exc:
                assert exc.code == code
                if code == ErrorCode.LANGUAGE_UNAVAILABLE:
                    assert exc.languages_available == ["fi"]
            else:
                raise AssertionError(f"{msg.type} was accepted")
        # Still usable after four refusals.
        ok = await k.request(C.QueueJoin(service="kela.benefits", language="fi"))
        assert isinstance(ok, S.QueuePosition)


async def test_logs_hold_no_tokens_passwords_or_sdp(tmp_path, caplog):
    caplog.set_level("DEBUG")
    async with running_server(tmp_path / "data") as h:
        kid = h.add_kiosk()
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        agent, kiosk = await h.agent("aino"), await h.kiosk(kid)
        start = asyncio.ensure_future(kiosk.wait_for(S.CallStart))
        offer = asyncio.ensure_future(agent.wait_for(S.Offer))
        agent.send(C.AgentStateSet(state="ready"))
        await kiosk.request(C.QueueJoin(service="kela.benefits", language="fi"))
        agent.send(C.OfferAccept(offer_id=(await offer).offer_id))
        call_id = (await start).call_id
        got = asyncio.ensure_future(agent.wait_for(C.SdpMessage))
        desc = C.SessionDescription(type="offer", sdp=SDP_OFFER)
        kiosk.send(C.SdpMessage(call_id=call_id, description=desc))
        await got
        # A bad message and a failed login are logged too, still without secrets.
        with contextlib.suppress(Exception):
            await login(h.base_url, "aino", "not-the-password")
        kiosk.send(C.CallEnd(call_id=call_id))
        await agent.wait_for(S.CallEnded)
    text = "\n".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    assert "call started" in text  # the log is there, and it is not empty
    secrets = [h.kiosk_tokens[kid], agent._token, PASSWORD, "not-the-password", "o=- 1 1"]
    for secret in secrets:
        leaks = [
            f"{r.name}: {r.getMessage()}"
            for r in caplog.records
            if secret in f"{r.getMessage()} {vars(r)}"
        ]
        assert not leaks, leaks[:3]


def test_formatter_redacts_token_shapes():
    from jsonlog import JsonFormatter

    record = logging.makeLogRecord(
        {
            "msg": "Authorization: Bearer etk_abcdefghijklmnopqrstuvwxyz0123 and "
            "v1.eyJhYmMiOjF9.c2lnbmF0dXJlc2lnbmF0dXJlc2ln"
        }
    )
    line = JsonFormatter().format(record)
    assert "etk_abcdefgh" not in line and "c2lnbmF0dXJl" not in line
    assert "[redacted]" in line
