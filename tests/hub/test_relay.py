"""SDP, ICE, stats and TURN credentials: only between the two members of a call."""

from __future__ import annotations

import base64
import hashlib
import hmac

from wire import client_messages as C
from wire import media_messages as P
from wire import server_messages as S
from wire.errors import ErrorCode
from wire.types import CallStats, Quality

from .conftest import T0, FakeConn, Scene, add_agent, add_kiosk


def _pair(scene: Scene) -> tuple[str, FakeConn, FakeConn]:
    kid = add_kiosk(scene.store, "nurmes", "Nurmes 1")
    aid = add_agent(scene.store, "aino")
    agent = scene.agent(aid)
    kiosk = scene.kiosk(kid)
    return scene.call(kiosk, agent), kiosk, agent


def test_sdp_and_ice_go_to_the_other_member_only(scene: Scene) -> None:
    call_id, kiosk, agent = _pair(scene)
    outsider_kiosk = scene.kiosk(add_kiosk(scene.store, "lieksa", "Lieksa 1"))
    outsider_agent = scene.agent(add_agent(scene.store, "erik"), ready=False)
    for conn in (kiosk, agent, outsider_kiosk, outsider_agent):
        conn.take()
    offer = C.SessionDescription(type="offer", sdp="v=0\r\n")
    scene.hub.handle(kiosk, C.SdpMessage(call_id=call_id, description=offer, ref="r1"))
    scene.hub.handle(agent, C.IceMessage(call_id=call_id, candidate="candidate:1", ref="r2"))
    (sdp,) = agent.take()
    assert isinstance(sdp, C.SdpMessage) and sdp.description == offer and sdp.ref is None
    (ice,) = kiosk.take()
    assert isinstance(ice, C.IceMessage) and ice.candidate == "candidate:1"
    # Outsiders get the same answer for "no such call" and "not yours", and nothing moves.
    scene.hub.handle(outsider_kiosk, C.SdpMessage(call_id=call_id, description=offer, ref="r3"))
    scene.hub.handle(outsider_agent, C.IceMessage(call_id=call_id, ref="r4"))
    scene.hub.handle(outsider_agent, C.CallEnd(call_id=call_id, ref="r5"))
    for conn, refs in ((outsider_kiosk, ["r3"]), (outsider_agent, ["r4", "r5"])):
        errors = conn.of(S.Error)
        assert [(e.code, e.ref) for e in errors] == [(ErrorCode.UNKNOWN_CALL, r) for r in refs]
    assert not kiosk.sent and not agent.sent
    assert scene.hub.router.call(call_id) is not None


def test_call_start_carries_fresh_turn_credentials(scene: Scene) -> None:
    call_id, kiosk, agent = _pair(scene)
    for conn, role in ((kiosk, "offerer"), (agent, "answerer")):
        start = conn.last(S.CallStart)
        assert start.role == role and not start.resumed
        (turn,) = start.ice_servers
        assert turn.username == f"{int(T0) + 3600}:{call_id}"
        digest = hmac.new(b"turn-secret", turn.username.encode(), hashlib.sha1).digest()
        assert turn.credential == base64.b64encode(digest).decode()


def test_stats_are_kept_for_the_call_record_and_the_kiosk(scene: Scene) -> None:
    call_id, kiosk, agent = _pair(scene)
    stats = CallStats(rtt_ms=40.0, quality=Quality.GOOD)
    scene.hub.handle(kiosk, C.CallStatsReport(call_id=call_id, stats=stats))
    live = scene.hub.view.kiosk_live[kiosk.principal.id]
    assert live.last_quality == stats
    scene.hub.handle(agent, C.CallEnd(call_id=call_id))
    record = scene.store.call(call_id)
    assert record is not None and record.quality is not None
    assert record.quality["kiosk"] == {"rtt_ms": 40.0, "quality": "good"} | {
        k: None for k in CallStats.model_fields if k not in ("rtt_ms", "quality")
    }
    assert [m.reason for m in kiosk.of(S.CallEnded)] == ["hangup"]


def test_a_kiosk_gets_turn_credentials_to_prepare_its_next_call(scene: Scene) -> None:
    kid = add_kiosk(scene.store, "nurmes", "Nurmes 1")
    kiosk = scene.kiosk(kid)
    kiosk.take()
    scene.hub.handle(kiosk, P.MediaPrepare(ref="p1"))
    (servers,) = kiosk.take()
    assert isinstance(servers, P.MediaServers) and servers.ref == "p1"
    assert servers.ttl_s == 3600 and servers.ice_transport_policy == "all"
    (turn,) = servers.ice_servers
    # Named for the kiosk (no call yet), valid as long as a call's, checkable by coturn.
    assert turn.username == f"{int(T0) + 3600}:prep-{kid}"
    digest = hmac.new(b"turn-secret", turn.username.encode(), hashlib.sha1).digest()
    assert turn.credential == base64.b64encode(digest).decode()
    # Nothing else moved: no queue place, no call.
    assert scene.hub.router.entry_for_kiosk(kid) is None


def test_only_kiosks_may_ask_to_prepare_media() -> None:
    assert "media_prepare" in C.KIOSK_TYPES
    assert "media_prepare" not in C.AGENT_TYPES | C.OPERATOR_TYPES
