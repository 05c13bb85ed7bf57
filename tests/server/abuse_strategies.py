"""Hypothesis strategies for hostile WebSocket traffic against the signaling server.

A generated :class:`Attack` is plain data. Identifiers that only exist at run time (the
victims' call id, offer ids, entry ids, resume tokens) appear as :class:`Id` placeholders and
are filled in when the example runs, so failing examples print readably, stay small when
shrunk, and still make sense after the test rebuilds its scenario. Big payloads (oversized
messages, deep nesting) are described by their size and built only when sent.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from hypothesis import strategies as st

from wire.client_messages import AGENT_TYPES, KIOSK_TYPES
from wire.types import MAX_MESSAGE_BYTES

FRAME_LIMIT = 4 * MAX_MESSAGE_BYTES
"""aiohttp's ``max_msg_size`` on the server: a bigger frame is closed with 1009."""

KNOWN_TYPES = sorted(KIOSK_TYPES | AGENT_TYPES)
SERVICES = ["kela.benefits", "vero.tax", "migri.permits", "dvv.population", "nope.nothing"]
SDP_TEXT = "v=0\r\no=- 7 7 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"


@dataclass(frozen=True)
class Id:
    """A placeholder for one of the victims' identifiers, resolved when the example runs."""

    name: str

    def __repr__(self) -> str:
        return f"Id({self.name!r})"


CALL = Id("call")  # A and X's call in progress
OFFER_PENDING = Id("offer_pending")  # Z's offer for kiosk D, not yet answered
OFFER_ACCEPTED = Id("offer_accepted")  # X's offer for kiosk A, accepted: now stale
ENTRY_B = Id("entry_b")
ENTRY_D = Id("entry_d")
RESUME_A = Id("resume_a")
RESUME_B = Id("resume_b")
KIOSK_A = Id("kiosk_a")
AGENT_X = Id("agent_x")
VICTIM_IDS = (CALL, OFFER_PENDING, OFFER_ACCEPTED, ENTRY_B, ENTRY_D, KIOSK_A, AGENT_X)


@dataclass(frozen=True)
class RawNumber:
    """A JSON number literal written as is (NaN, 1e999, a 5000-digit integer ...)."""

    text: str


# ------------------------------------------------------------------------------ encoding


def encode(value: Any, ids: Mapping[str, str]) -> str:
    """JSON text of ``value`` with placeholders resolved and raw numbers kept verbatim."""
    if isinstance(value, Id):
        return json.dumps(ids[value.name])
    if isinstance(value, RawNumber):
        return value.text
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(encode(v, ids) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(
            f"{json.dumps(str(k))}:{encode(v, ids)}" for k, v in value.items()
        ) + "}"
    raise TypeError(f"cannot encode {type(value).__name__}")


WireFrame = tuple[Literal["text"], str] | tuple[Literal["text_bytes", "binary", "ping"], bytes] | (
    tuple[Literal["fragments"], list[str]]
)
"""What actually goes on the socket: a text frame, raw bytes in a text frame (possibly not
UTF-8), a binary frame, a fragmented text message, or a control ping."""


@dataclass(frozen=True)
class Json:
    """A JSON text frame (any shape, possibly with NaN or huge numbers)."""

    value: Any

    def build(self, ids: Mapping[str, str]) -> WireFrame:
        return ("text", encode(self.value, ids))


@dataclass(frozen=True)
class Text:
    """A raw text frame (malformed JSON, junk, a truncated message)."""

    text: str

    def build(self, ids: Mapping[str, str]) -> WireFrame:
        return ("text", self.text)


@dataclass(frozen=True)
class Truncated:
    """A protocol message cut off at ``cut`` (modulo its length)."""

    value: Any
    cut: int

    def build(self, ids: Mapping[str, str]) -> WireFrame:
        text = encode(self.value, ids)
        return ("text", text[: self.cut % max(1, len(text))])


@dataclass(frozen=True)
class TextBytes:
    """Bytes sent in a *text* frame: invalid UTF-8 must end only this connection (1007)."""

    data: bytes

    def build(self, ids: Mapping[str, str]) -> WireFrame:
        return ("text_bytes", self.data)


@dataclass(frozen=True)
class Binary:
    """A binary frame; the protocol is JSON text only."""

    data: bytes

    def build(self, ids: Mapping[str, str]) -> WireFrame:
        return ("binary", self.data)


@dataclass(frozen=True)
class Fragmented:
    """A protocol message split over several continuation frames."""

    value: Any
    pieces: int

    def build(self, ids: Mapping[str, str]) -> WireFrame:
        text = encode(self.value, ids)
        step = max(1, math.ceil(len(text) / self.pieces))
        return ("fragments", [text[i : i + step] for i in range(0, len(text), step)] or [""])


@dataclass(frozen=True)
class ControlPing:
    """A WebSocket ping control frame (answered by aiohttp itself)."""

    data: bytes

    def build(self, ids: Mapping[str, str]) -> WireFrame:
        return ("ping", self.data)


_PAD = "@@PAD@@"


@dataclass(frozen=True)
class Oversized:
    """``value`` padded to ``size`` UTF-8 bytes, inside its string field ``path`` or in an
    extra ``pad`` field; ``fill`` may be multi-byte so that characters ≠ bytes."""

    value: Any
    size: int
    path: tuple[str, ...]
    fill: str

    def build(self, ids: Mapping[str, str]) -> WireFrame:
        value = _with_pad(self.value, self.path)
        text = encode(value, ids)
        room = self.size - len(text.encode()) + len(json.dumps(_PAD)) - 2
        per_char = len(json.dumps(self.fill, ensure_ascii=False).encode()) - 2
        filler = json.dumps(self.fill * max(0, room // per_char), ensure_ascii=False)
        return ("text", text.replace(json.dumps(_PAD), filler, 1))

    def __repr__(self) -> str:
        return f"Oversized({self.value!r}, size={self.size}, path={self.path}, fill={self.fill!r})"


def _with_pad(value: Any, path: tuple[str, ...]) -> Any:
    if not isinstance(value, dict):
        return {"type": "ping", "t": 1, "pad": _PAD}
    if not path:
        return {**value, "pad": _PAD}
    head, *rest = path
    inner = value.get(head)
    if not rest:
        return {**value, head: _PAD}
    return {**value, head: _with_pad(inner if isinstance(inner, dict) else {}, tuple(rest))}


@dataclass(frozen=True)
class Nested:
    """``depth`` levels of nesting, at the top level or inside a message's field."""

    depth: int
    shape: Literal["list", "object", "in_ping", "in_sdp"]

    def build(self, ids: Mapping[str, str]) -> WireFrame:
        d = self.depth
        nest = "[" * d + "]" * d
        if self.shape == "list":
            return ("text", nest)
        if self.shape == "object":
            return ("text", '{"a":' * d + "1" + "}" * d)
        if self.shape == "in_ping":
            return ("text", '{"type":"ping","t":' + nest + "}")
        call = json.dumps(ids[CALL.name])
        return ("text", '{"type":"sdp","call_id":' + call + ',"description":' + nest + "}")


@dataclass(frozen=True)
class Repeated:
    """One frame sent ``times`` times in a row: floods that cross the abuse limit."""

    frame: Json | Text | Binary
    times: int

    def build_all(self, ids: Mapping[str, str]) -> list[WireFrame]:
        return [self.frame.build(ids)] * self.times


Frame = (
    Json | Text | Truncated | TextBytes | Binary | Fragmented | ControlPing | Oversized | Nested
    | Repeated
)


def wire_frames(frame: Frame, ids: Mapping[str, str]) -> list[WireFrame]:
    """What goes on the socket for one generated frame."""
    return frame.build_all(ids) if isinstance(frame, Repeated) else [frame.build(ids)]


@dataclass(frozen=True)
class Attack:
    """One attacker connection: who it authenticates as, and what it sends."""

    role: Literal["kiosk", "agent"]
    hello_first: bool
    frames: tuple[Frame, ...]


# ---------------------------------------------------------------------------- strategies

raw_numbers = st.sampled_from(
    [
        RawNumber(t)
        for t in ("NaN", "-NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1e-999", "-0",
                  "9" * 5000, "-" + "9" * 400, "123456789012345678901234567890", "1E+308",
                  "0.1e1", "2.5e-324")
    ]
)
numbers = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    raw_numbers,
)
short_text = st.text(max_size=40)
real_ids = st.sampled_from(VICTIM_IDS)
idents = st.one_of(
    real_ids,
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_.:-", min_size=1, max_size=64),
    st.text(max_size=70),
)
json_scalars = st.one_of(st.none(), st.booleans(), numbers, short_text, real_ids)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
call_ids = st.one_of(st.just(CALL), st.just(CALL), idents)
offer_ids = st.one_of(st.just(OFFER_PENDING), st.just(OFFER_ACCEPTED), idents)
attempts = st.one_of(st.integers(-2, 10_010), numbers)
refs = st.one_of(
    st.text(min_size=1, max_size=64), st.text(min_size=65, max_size=80), json_values
)
services = st.one_of(st.sampled_from(SERVICES), idents)
languages = st.one_of(st.sampled_from(["fi", "sv", "en"]), st.text(max_size=3))


def _msg(type_: str, optional: dict[str, st.SearchStrategy[Any]] | None = None,
         **required: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"type": st.just(type_), **required}, optional=optional or {})


_stats = st.dictionaries(
    st.sampled_from(["rtt_ms", "loss", "jitter_ms", "fps_sent", "freezes", "quality", "bogus"]),
    st.one_of(numbers, st.sampled_from(["good", "fair", "poor", "awful"])),
    max_size=4,
)
_health = st.fixed_dictionaries(
    {
        "app_version": short_text,
        "uptime_s": numbers,
        "camera": st.sampled_from(["ok", "missing", "failed", "on fire"]),
        "microphone": st.sampled_from(["ok", "missing"]),
        "speaker": st.sampled_from(["ok", "failed"]),
    },
    optional={"temperature_c": numbers, "cpu_percent": numbers},
)

PROTOCOL: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "hello": _msg(
        "hello",
        protocol=st.one_of(st.just(1), st.integers(-3, 1003), numbers),
        optional={
            "client": short_text,
            "resume_token": st.one_of(
                st.sampled_from([RESUME_A, RESUME_B]), st.none(), st.text(max_size=220)
            ),
        },
    ),
    "ping": _msg("ping", t=numbers),
    "pong": _msg("pong", t=numbers),
    "services_get": _msg("services_get"),
    "queue_join": _msg("queue_join", service=services, language=languages),
    "queue_leave": _msg("queue_leave"),
    "sdp": _msg(
        "sdp",
        call_id=call_ids,
        description=st.fixed_dictionaries(
            {
                "type": st.sampled_from(["offer", "answer", "pranswer", "rollback"]),
                "sdp": st.one_of(st.just(SDP_TEXT), st.just(""), short_text),
            }
        ),
        optional={"attempt": attempts},
    ),
    "ice": _msg(
        "ice",
        call_id=call_ids,
        optional={
            "attempt": attempts,
            "candidate": st.one_of(
                st.none(),
                st.just("candidate:1 1 udp 2122260223 10.6.6.6 40000 typ host"),
                short_text,
            ),
            "sdp_mid": st.one_of(st.just("0"), short_text),
            "sdp_mline_index": st.one_of(st.integers(-1, 70), numbers),
        },
    ),
    "media_restart": _msg("media_restart", call_id=call_ids, attempt=attempts),
    "call_end": _msg(
        "call_end",
        call_id=call_ids,
        optional={"reason": st.sampled_from(["hangup", "media_failed", "device_failed", "x"])},
    ),
    "call_stats": _msg("call_stats", call_id=call_ids, stats=_stats),
    "call_rating": _msg("call_rating", call_id=call_ids, rating=st.integers(-1, 7)),
    "health": _msg("health", health=_health),
    "agent_state": _msg(
        "agent_state",
        state=st.sampled_from(["ready", "not_ready", "away"]),
        optional={"reason": st.sampled_from(["lunch", "", "Not Lower", "x" * 41])},
    ),
    "offer_accept": _msg("offer_accept", offer_id=offer_ids),
    "offer_reject": _msg("offer_reject", offer_id=offer_ids),
    "wrapup_done": _msg(
        "wrapup_done",
        call_id=call_ids,
        optional={"disposition": short_text, "note": st.text(max_size=600)},
    ),
    "call_transfer": _msg("call_transfer", call_id=call_ids, service=services),
    "history_get": _msg("history_get"),
    "logout": _msg("logout"),
}
"""Well-formed messages of every client type, for either role, aimed at the victims' ids."""


@st.composite
def protocol_messages(draw: st.DrawFn) -> dict[str, Any]:
    """A message of any client type (including the other role's), maybe with a ``ref``."""
    message = draw(st.sampled_from(sorted(PROTOCOL)).flatmap(PROTOCOL.__getitem__))
    if draw(st.booleans()):
        message = {**message, "ref": draw(refs)}
    return message


_ICE = "candidate:1 1 udp 2122260223 10.6.6.6 40000 typ host"
TARGETED: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "sdp": _msg("sdp", call_id=st.just(CALL), description=st.sampled_from(
        [{"type": "offer", "sdp": SDP_TEXT}, {"type": "answer", "sdp": SDP_TEXT}]
    ), optional={"attempt": st.integers(0, 3)}),
    "ice": _msg("ice", call_id=st.just(CALL), candidate=st.sampled_from([_ICE, None]),
                optional={"sdp_mid": st.just("0"), "sdp_mline_index": st.just(0)}),
    "media_restart": _msg("media_restart", call_id=st.just(CALL), attempt=st.integers(0, 3)),
    "call_end": _msg("call_end", call_id=st.just(CALL), optional={
        "reason": st.sampled_from(["hangup", "media_failed", "device_failed"])
    }),
    "call_stats": _msg("call_stats", call_id=st.just(CALL), stats=st.just({"rtt_ms": 12.5})),
    "call_rating": _msg("call_rating", call_id=st.just(CALL), rating=st.integers(1, 5)),
    "call_transfer": _msg("call_transfer", call_id=st.just(CALL),
                          service=st.sampled_from(SERVICES[:3])),
    "wrapup_done": _msg("wrapup_done", call_id=st.just(CALL),
                        optional={"disposition": st.just("resolved")}),
    "offer_accept": _msg("offer_accept", offer_id=st.sampled_from([OFFER_PENDING, OFFER_ACCEPTED])),
    "offer_reject": _msg("offer_reject", offer_id=st.sampled_from([OFFER_PENDING, OFFER_ACCEPTED])),
    "hello": _msg("hello", protocol=st.just(1), resume_token=st.sampled_from([RESUME_A, RESUME_B])),
    "queue_leave": _msg("queue_leave"),
    "history_get": _msg("history_get"),
}
"""Valid messages that would hijack the victims' call or offers if membership were not checked
(a ``hello`` with another kiosk's resume token among them)."""

targeted = st.sampled_from(sorted(TARGETED)).flatmap(TARGETED.__getitem__)


@st.composite
def wrong_shapes(draw: st.DrawFn) -> dict[str, Any]:
    """A message of a known type with a field dropped, retyped, added or mislabelled."""
    message = dict(draw(protocol_messages()))
    op = draw(st.sampled_from(["drop", "retype", "extra", "swap_type", "type_value"]))
    keys = [k for k in message if k != "type"]
    if op == "drop" and keys:
        del message[draw(st.sampled_from(keys))]
    elif op == "retype" and keys:
        message[draw(st.sampled_from(keys))] = draw(json_values)
    elif op == "swap_type":
        message["type"] = draw(st.sampled_from(KNOWN_TYPES))
    elif op == "type_value":
        message["type"] = draw(json_values.filter(lambda v: not isinstance(v, str)))
    else:
        message[draw(st.text(max_size=12))] = draw(json_values)
    return message


unknown_types = st.builds(
    lambda t, extra: {"type": t, **extra},
    st.one_of(idents, st.sampled_from(["HELLO", "ping ", "sdp\u0000", "__class__", "error"]))
    .filter(lambda t: t not in KNOWN_TYPES),
    st.dictionaries(st.text(max_size=8), json_values, max_size=3),
)

MALFORMED = [
    "", " ", "{", "}", "[", "]", "null", "true", "0", '"ping"', '{"type":',
    '{"type":"ping","t":}', '{"type":"ping","t":1,}', "{'type':'ping','t':1}",
    '{"type":"ping""t":1}', '\ufeff{"type":"ping","t":1}', '{"type":"ping","t":1}garbage',
    '{"type":"ping","t":1}{"type":"ping","t":2}', '{"type":"ping","t":0x10}',
    '{"type":"ping","t":01}', '{"type":"ping","t":1} // comment', '{"type":"ping","t":1e}',
    '{"type":"ping","ref":"\\ud800","t":1}', '{"type":"ping\\u0000","t":1}',
    '{"type":"ping","type":"call_end","call_id":"x","t":1}', "\x00", "\u2028",
    '{"type":"hello","protocol":1,"protocol":0}', "Traceback (most recent call last):",
]

malformed_text = st.one_of(
    st.sampled_from(MALFORMED),
    st.text(st.characters(codec="utf-8"), max_size=200),
    st.builds(Truncated, protocol_messages(), st.integers(0, 10_000)),
)

oversize_sizes = st.one_of(
    st.integers(MAX_MESSAGE_BYTES + 1, FRAME_LIMIT),
    st.integers(MAX_MESSAGE_BYTES + 1, FRAME_LIMIT),
    st.sampled_from([MAX_MESSAGE_BYTES - 1, MAX_MESSAGE_BYTES, MAX_MESSAGE_BYTES + 1,
                     FRAME_LIMIT - 1, FRAME_LIMIT]),
    st.integers(FRAME_LIMIT + 1, 4 * FRAME_LIMIT),  # aiohttp closes these with 1009
)


@st.composite
def oversized(draw: st.DrawFn) -> Oversized:
    """A message padded to a size around or over the limits, often an SDP for the real call."""
    value = draw(st.one_of(PROTOCOL["sdp"], protocol_messages()))
    path: tuple[str, ...] = ()
    if value.get("type") == "sdp" and isinstance(value.get("description"), dict):
        path = ("description", "sdp")
    elif draw(st.booleans()):
        path = ("ref",)
    fill = draw(st.sampled_from(["a", "ä", "€", "\U0001f600", "\\"]))
    return Oversized(value, draw(oversize_sizes), path, fill)


frames: st.SearchStrategy[Frame] = st.one_of(
    # Out-of-order and other-role protocol messages with the real ids (weighted up).
    st.builds(Json, targeted),
    st.builds(Json, targeted),
    st.builds(Json, targeted),
    st.builds(Json, protocol_messages()),
    st.builds(Json, protocol_messages()),
    st.builds(Json, protocol_messages()),
    st.builds(Json, wrong_shapes()),
    st.builds(Json, unknown_types),
    st.builds(Json, json_values.filter(lambda v: not isinstance(v, dict))),
    malformed_text.map(lambda t: t if isinstance(t, Truncated) else Text(t)),
    # Invalid UTF-8 in a text frame ends the connection (1007), so it shares a slot.
    st.builds(Binary, st.one_of(st.binary(max_size=200), st.just(b'{"type":"ping","t":1}'))),
    st.builds(TextBytes, st.one_of(
        st.binary(max_size=60),
        st.sampled_from([b"\xff", b"\xc3\x28", b'{"type":"ping","t":1,"ref":"\xed\xa0\x80"}',
                         b"\xf4\x90\x80\x80", b'{"type":"ping","t":1}\xff']),
    )) | st.builds(Binary, st.binary(max_size=20)),
    st.builds(Fragmented, protocol_messages(), st.integers(2, 5)),
    st.builds(ControlPing, st.binary(max_size=125)),
    oversized(),
    st.builds(Nested, st.one_of(st.integers(1, 300), st.integers(300, 50_000)),
              st.sampled_from(["list", "object", "in_ping", "in_sdp"])),
    st.builds(
        Repeated,
        st.one_of(st.builds(Json, targeted), st.builds(Text, st.sampled_from(MALFORMED)),
                  st.builds(Binary, st.binary(max_size=8))),
        st.integers(5, 40),
    ),
)

attacks = st.builds(
    Attack,
    role=st.sampled_from(["kiosk", "agent"]),
    hello_first=st.sampled_from([True, True, True, False]),
    frames=st.lists(frames, min_size=2, max_size=25).map(tuple),
)
"""An attacker connection as kiosk C or agent Y, usually starting with a proper hello."""
