"""Packing operations into NOTIFY payloads: every payload under PostgreSQL's limit, the order
kept, and an operation too large for a notification (an SDP offer) through the payload table."""

from __future__ import annotations

import json

from signaling.cluster.envelope import NOTIFY_LIMIT, Op, channel_of, pack, unpack


class Table:
    """Stands in for ``cluster_payloads``: each body kept once, read once."""

    def __init__(self) -> None:
        self.rows: dict[int, str] = {}

    def put(self, body: str) -> int:
        key = len(self.rows) + 1
        self.rows[key] = body
        return key

    def take(self, key: int) -> str | None:
        return self.rows.pop(key, None)


def test_many_small_operations_fill_several_payloads_in_order() -> None:
    table = Table()
    ops: list[Op] = [{"op": "to", "conn": f"c{i}", "msg": {"type": "queue_position",
                                                           "position": i}} for i in range(400)]
    payloads = pack(ops, table.put)
    assert len(payloads) > 1 and not table.rows
    assert all(len(p.encode()) < NOTIFY_LIMIT for p in payloads)
    back = [op for p in payloads for op in unpack(p, table.take)]
    assert back == ops


def test_an_operation_over_the_limit_travels_through_the_table() -> None:
    table = Table()
    sdp = "v=0\r\n" + "a=candidate:1 1 udp 2122260223 10.0.0.1 50000 typ host\r\n" * 300
    big: Op = {"op": "to", "conn": "c1", "msg": {"type": "sdp_offer", "sdp": "å" + sdp}}
    small: Op = {"op": "to", "conn": "c2", "msg": {"type": "ice"}}
    payloads = pack([small, big, small], table.put)
    assert all(len(p.encode()) < NOTIFY_LIMIT for p in payloads)
    assert len(table.rows) == 1
    assert [op for p in payloads for op in unpack(p, table.take)] == [small, big, small]
    # Read once: a second delivery of the same notification finds nothing to repeat.
    assert [op for p in payloads for op in unpack(p, table.take)] == [small, small]


def test_a_limit_counted_in_bytes_not_characters() -> None:
    table = Table()
    # Just under the limit in characters, over it in UTF-8 bytes.
    op: Op = {"op": "to", "msg": "ä" * (NOTIFY_LIMIT - 40)}
    payloads = pack([op], table.put)
    assert len(table.rows) == 1 and len(payloads[0].encode()) < NOTIFY_LIMIT
    assert json.loads(table.rows[1]) == op


def test_channel_names_are_safe_identifiers() -> None:
    assert channel_of("Node-1.Helsinki") == "etapiste_node_node_1_helsinki"
    assert len(channel_of("x" * 200)) == 63
