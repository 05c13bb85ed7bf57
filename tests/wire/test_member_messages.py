"""Messages of calls with three or four members: they parse both ways, refuse what they must,
and an old two-member peer still reads a relayed SDP without ``peer``."""

from __future__ import annotations

import json

import pytest

from wire import client_messages as C
from wire import member_messages as M
from wire.codec import dump, parse_client, parse_server
from wire.errors import ErrorCode, MessageError
from wire.types import IceServer


def test_every_member_client_message_round_trips():
    messages = [
        M.MemberInvite(call_id="c", target="interpreters", role="interpreter",
                       interpretation_language="fi-sign", ref="1"),
        M.MemberInvite(call_id="c", target="agent", agent_id="a-7", role="supervisor"),
        M.MemberInvite(call_id="c", target="service", service="vero.tax", note="tax view"),
        M.MemberInviteCancel(call_id="c", invite_id="inv-1"),
        M.SupervisorJoin(call_id="c", mode="whisper"),
        M.MemberOfferAccept(invite_id="inv-1"),
        M.MemberOfferDecline(invite_id="inv-1"),
        M.MemberRemove(call_id="c", member_id="m2"),
        M.MemberLeave(call_id="c"),
        M.MemberChat(call_id="c", text="Hei\nkaikki"),
        M.SupervisorModeSet(call_id="c", mode="barge"),
        M.MemberDirectoryGet(),
        C.SdpMessage(call_id="c", peer="m3",
                     description=C.SessionDescription(type="answer", sdp="v=0")),
        C.IceMessage(call_id="c", peer="m2", candidate=None),
        C.MediaRestart(call_id="c", attempt=1, peer="m2"),
    ]
    for message in messages:
        assert parse_client(dump(message)) == message


def test_every_member_server_message_parses_on_the_client_side():
    pair = M.MemberPair(offerer=True, ice_servers=[IceServer(urls=["stun:127.0.0.1:3478"])],
                        send_video=False)
    members = M.CallMembers(
        call_id="c", service="kela.benefits", language="fi", you="m2", your_role="interpreter",
        members=[
            M.CallMember(member_id="m0", role="kiosk", name="Lieksa", joined_at=1.0, pair=pair),
            M.CallMember(member_id="m1", role="clerk", name="Aino", joined_at=1.0, pair=pair),
            M.CallMember(member_id="m2", role="interpreter", name="Hodan", joined_at=2.0,
                         interpretation_language="so"),
            M.CallMember(member_id="m3", role="supervisor", name="Eeva", joined_at=3.0,
                         supervisor_mode="listen", pair=pair),
        ],
        event="joined", member_id="m3",
    )
    messages = [
        members,
        M.MemberOffer(invite_id="i", call_id="c", role="interpreter", service="kela.benefits",
                      language="fi", interpretation_language="ar", invited_by="Aino",
                      site="Lieksa", members=2, expires_in_s=20),
        M.MemberOfferRevoked(invite_id="i", reason="timeout"),
        M.MemberInviteStatus(invite_id="i", call_id="c", state="ringing", role="interpreter",
                             target="interpreters", name="Hodan"),
        M.MemberChatPosted(call_id="c", member_id="m0", name="Lieksa", role="kiosk",
                           text="kiitos", at=5.0),
        M.MemberDirectory(
            agents=[M.DirectoryAgent(agent_id="a", name="B", state="ready",
                                     interpretation_languages=["ru"])],
            pools=[M.DirectoryPool(interpretation_language="ru", free=1, logged_in=2)],
        ),
    ]
    for message in messages:
        assert parse_server(dump(message)) == message


def test_a_call_holds_four_members_at_most():
    member = M.CallMember(member_id="m", role="clerk", name="x", joined_at=0.0)
    with pytest.raises(ValueError):
        M.CallMembers(call_id="c", service="s", language="fi", you="m", your_role="clerk",
                      members=[member] * 5)


@pytest.mark.parametrize(
    "raw",
    [
        {"type": "member_chat", "call_id": "c", "text": ""},
        {"type": "member_chat", "call_id": "c", "text": "x" * 1001},
        {"type": "member_chat", "call_id": "c", "text": "evil\u202eoverride"},
        {"type": "member_invite", "call_id": "c", "target": "interpreters",
         "interpretation_language": "klingon"},
        {"type": "supervisor_join", "call_id": "c", "mode": "shout"},
        {"type": "sdp", "call_id": "c", "peer": "m 2",
         "description": {"type": "offer", "sdp": "v=0"}},
    ],
)
def test_bad_member_messages_are_typed_errors(raw):
    raw = {**raw, "ref": "r9"}
    with pytest.raises(MessageError) as caught:
        parse_client(json.dumps(raw))
    assert caught.value.code is ErrorCode.BAD_MESSAGE
    assert caught.value.ref == "r9"


def test_the_kiosk_may_chat_with_all_members_but_not_invite():
    assert "member_chat" in C.KIOSK_TYPES
    assert "member_invite" not in C.KIOSK_TYPES
    assert {"member_invite", "supervisor_join", "member_remove"} <= C.AGENT_TYPES


def test_two_member_sdp_has_no_peer_on_the_wire():
    message = C.SdpMessage(call_id="c", description=C.SessionDescription(type="offer", sdp="v"))
    assert "peer" not in json.loads(dump(message))
