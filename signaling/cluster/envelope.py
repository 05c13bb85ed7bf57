"""What nodes say to each other: operations packed into NOTIFY payloads. Pure functions.

An operation is a small JSON object with an ``op`` (see :mod:`signaling.cluster.node`). Several
go into one notification as a JSON list, up to :data:`NOTIFY_LIMIT` bytes (PostgreSQL refuses
payloads of 8000 bytes or more); one operation larger than that (an SDP offer with many
candidates, a dashboard snapshot) travels as a row of ``cluster_payloads`` and the
notification carries only its id: ``{"op": "big", "id": N}``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["NOTIFY_LIMIT", "Op", "channel_of", "pack", "unpack"]

NOTIFY_LIMIT = 7000
Op = dict[str, Any]

LEADER_CHANNEL = "etapiste_leader"
"""Operations for the routing node (only the leader listens)."""
BROADCAST_CHANNEL = "etapiste_all"
"""Announcements for every node (a new leader, dashboard snapshots)."""


def channel_of(node_id: str) -> str:
    """The channel a node listens on for its clients' messages."""
    safe = "".join(ch if ch.isalnum() else "_" for ch in node_id.lower())
    return f"etapiste_node_{safe}"[:63]


def pack(ops: Iterable[Op], keep_large: Callable[[str], int]) -> list[str]:
    """Payloads carrying ``ops`` in order; ``keep_large(body)`` stores one too large, its id."""
    payloads: list[str] = []
    batch: list[str] = []
    size = 2
    for op in ops:
        body = json.dumps(op, separators=(",", ":"), ensure_ascii=False)
        if len(body.encode()) + 2 > NOTIFY_LIMIT:
            body = json.dumps({"op": "big", "id": keep_large(body)})
        length = len(body.encode()) + 1
        if batch and size + length > NOTIFY_LIMIT:
            payloads.append("[" + ",".join(batch) + "]")
            batch, size = [], 2
        batch.append(body)
        size += length
    if batch:
        payloads.append("[" + ",".join(batch) + "]")
    return payloads


def unpack(payload: str, take_large: Callable[[int], str | None]) -> list[Op]:
    """The operations in ``payload``, large ones fetched with ``take_large(id)``."""
    ops: list[Op] = []
    for op in json.loads(payload):
        if isinstance(op, dict) and op.get("op") == "big":
            body = take_large(int(op["id"]))
            if body is None:
                continue  # read already, or purged: nothing to do
            op = json.loads(body)
        if isinstance(op, dict):
            ops.append(op)
    return ops
