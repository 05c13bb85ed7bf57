"""The wire protocol: strict parsing, typed errors that echo nothing, and a fresh schema."""

from __future__ import annotations

import json

import pytest

from wire import client_messages as C
from wire import server_messages as S
from wire.codec import dump, parse_client, parse_server
from wire.errors import ErrorCode, MessageError
from wire.schema import DEFAULT_PATH, render
from wire.types import MAX_MESSAGE_BYTES


def test_committed_schema_is_current():
    assert DEFAULT_PATH.read_text(encoding="utf-8") == render(), (
        "deploy/protocol.schema.json is stale: run `make schema` and commit it"
    )


def test_every_client_message_round_trips():
    desc = C.SessionDescription(type="offer", sdp="v=0\r\n")
    messages = [
        C.Hello(protocol=1, resume_token="abc"),
        C.QueueJoin(service="kela.benefits", language="sv", ref="7"),
        C.SdpMessage(call_id="call-1", attempt=2, description=desc),
        C.IceMessage(call_id="call-1", candidate=None),
        C.WrapUpDone(call_id="call-1", disposition="resolved", note="ok"),
        C.AgentStateSet(state="not_ready", reason="lunch"),
    ]
    for message in messages:
        assert parse_client(dump(message)) == message


def test_server_messages_parse_on_the_client_side():
    error = S.Error(code=ErrorCode.SERVICE_CLOSED, message="closed", next_opening=1.5e9)
    assert parse_server(dump(error)) == error
    position = S.QueuePosition(entry_id="e", service="vero.tax", language="fi", position=3)
    assert parse_server(dump(position)) == position


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        ('{"type":"queue_join","service":"kela.benefits","language":"de","ref":"r1"}', "language"),
        ('{"type":"queue_join","service":"a b","language":"fi","ref":"r1"}', "service"),
        ('{"type":"ping","t":"1","ref":"r1"}', "ping.t"),
        ('{"type":"ping","t":1,"extra":true,"ref":"r1"}', "unexpected field"),
        ('{"type":"agent_state","state":"ready","reason":"DROP TABLE","ref":"r1"}', "reason"),
    ],
)
def test_bad_fields_are_typed_errors_that_keep_the_ref(raw, where):
    with pytest.raises(MessageError) as info:
        parse_client(raw)
    assert info.value.code == ErrorCode.BAD_MESSAGE
    assert info.value.ref == "r1"
    assert where in info.value.message


@pytest.mark.parametrize("field", ["service", "type"])
def test_errors_never_echo_the_input(field):
    secret = "etk_SECRET VALUE THAT MUST NOT ECHO"
    message = {"type": "queue_join", "service": "kela.benefits", "language": "fi", "ref": "r9"}
    message[field] = secret
    with pytest.raises(MessageError) as info:
        parse_client(json.dumps(message))
    assert secret not in info.value.message
    assert "SECRET" not in info.value.message
    assert info.value.ref == "r9"


@pytest.mark.parametrize("raw", ["{", "[]", "null", "42", '"x"', '{"type":"nope"}', "{}", "\x00"])
def test_garbage(raw):
    with pytest.raises(MessageError) as info:
        parse_client(raw)
    assert info.value.code == ErrorCode.BAD_MESSAGE


def test_size_limit_counts_utf8_bytes():
    text = json.dumps(
        {"type": "ping", "t": 1, "pad": "ä" * (MAX_MESSAGE_BYTES // 2)}, ensure_ascii=False
    )
    assert len(text) < MAX_MESSAGE_BYTES < len(text.encode())
    with pytest.raises(MessageError) as info:
        parse_client(text)
    assert info.value.code == ErrorCode.MESSAGE_TOO_LARGE


def test_deep_nesting_is_a_typed_error():
    with pytest.raises(MessageError):
        parse_client('{"type":"ping","t":' + "[" * 5000 + "]" * 5000 + "}")


def test_clients_ignore_fields_a_newer_server_adds_at_any_depth() -> None:
    newer = json.loads(dump(S.Services(services=[])))
    service = {
        "id": "kela.benefits", "agency": "kela",
        "names": {"fi": "a", "sv": "b", "en": "c", "xx": "new"},
        "agency_names": {"fi": "a", "sv": "b", "en": "c"},
        "languages": ["fi"], "open": True, "languages_available": ["fi"],
        "added_later": {"anything": 1},
    }
    newer["services"] = [service]
    newer["added_later"] = 7
    parsed = parse_server(json.dumps(newer))
    assert isinstance(parsed, S.Services) and parsed.services[0].names.fi == "a"
    with pytest.raises(MessageError):  # the server does not extend the same courtesy
        parse_client('{"type":"ping","t":1,"added_later":true}')
