"""Property test of the wire decoder: whatever arrives, ``parse_client`` returns a message or
raises :class:`MessageError` with a stable code, and its text never echoes the input.

``FUZZ_EXAMPLES`` sets the number of generated inputs (the suite uses a few thousand; the
issue-12 run used 100,000: ``FUZZ_EXAMPLES=100000 .venv/bin/python -m pytest -q
tests/wire/test_decoder_fuzz.py -p no:cacheprovider``).
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.server.abuse_strategies import (
    VICTIM_IDS,
    encode,
    json_values,
    protocol_messages,
    wrong_shapes,
)
from wire.codec import dump, parse_client
from wire.errors import ErrorCode, MessageError

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1000"))
MARKER = "ZQXJ-echo-marker"
IDS = {i.name: f"{i.name}-1" for i in VICTIM_IDS} | {"resume_a": "r-a", "resume_b": "r-b"}
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _mark(value: Any) -> Any:
    """``value`` with the marker in every string and as an extra key of every object."""
    if isinstance(value, str):
        return value + MARKER
    if isinstance(value, list):
        return [_mark(v) for v in value]
    if isinstance(value, dict):
        marked = {k: v if k == "type" else _mark(v) for k, v in value.items()}
        marked[MARKER] = MARKER
        return marked
    return value


def _json(value: Any) -> str:
    return encode(value, IDS)


inputs = st.one_of(
    st.text(max_size=300),
    st.binary(max_size=300),
    protocol_messages().map(_json),
    protocol_messages().map(_json).map(str.encode),
    wrong_shapes().map(_json),
    json_values.map(_json),
    protocol_messages().map(lambda m: _json(_mark(m))),
)


SEEN: list[bool] = []


@FUZZ
@given(inputs)
def _decode_one(data: str | bytes) -> None:
    SEEN.append(True)
    try:
        message = parse_client(data)
    except MessageError as exc:
        assert exc.code in (ErrorCode.BAD_MESSAGE, ErrorCode.MESSAGE_TOO_LARGE)
        assert MARKER not in exc.message and "Traceback" not in exc.message
        assert exc.ref is None or (isinstance(exc.ref, str) and len(exc.ref) <= 64)
    else:
        assert parse_client(dump(message)) == message  # what we accept, we can say back


def test_decoder_answers_a_message_or_a_typed_error() -> None:
    SEEN.clear()
    _decode_one()
    print(f"\n{len(SEEN)} generated inputs decoded")
