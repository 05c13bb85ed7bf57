"""A client that hangs up in the middle of the WebSocket upgrade (a kiosk losing its link, a
proxy's probe) is logged as one plain line, not as a server error with a traceback."""

from __future__ import annotations

import asyncio
import logging
import socket
import struct
from pathlib import Path

import pytest

from tests.server.harness import running_server

ATTEMPTS = 20


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _upgrade_then_reset(port: int, token: str) -> None:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(
        (
            "GET /ws HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Protocol: etapiste.v1\r\n"
            f"Authorization: Bearer {token}\r\n\r\n"
        ).encode()
    )
    # Linger 0: the close is a reset, at once, before the server answers the upgrade.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


@pytest.mark.asyncio
async def test_a_hang_up_during_the_upgrade_is_no_server_error(tmp_path: Path) -> None:
    records = Records()
    root = logging.getLogger()
    root.addHandler(records)
    old_level = root.level
    root.setLevel(logging.INFO)
    try:
        async with running_server(tmp_path) as h:
            kiosk = h.add_kiosk()
            port = int(h.base_url.rsplit(":", 1)[1])
            for _ in range(ATTEMPTS):
                await asyncio.to_thread(_upgrade_then_reset, port, h.kiosk_tokens[kiosk])
                await asyncio.sleep(0.05)
            client = await h.kiosk(kiosk)  # the server still serves the kiosk
            assert client is not None
    finally:
        root.removeHandler(records)
        root.setLevel(old_level)
    errors = [r for r in records.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    left = [r for r in records.records if r.getMessage() == "client left during the handshake"]
    assert left, "no hang-up landed inside the upgrade in 20 attempts"
    assert all(r.exc_info is None for r in left)
