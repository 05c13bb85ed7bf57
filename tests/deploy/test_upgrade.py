"""The current server starts on the database of the first release, migrates it, and every
kiosk, account and call record is still there (through the CLI, HTTP and the WebSocket).

``data/release-0.1-schema3.sql`` was dumped from a store made by the first release (schema
version 3). Only public entry points are used: ``python -m signaling serve`` and ``kiosks``,
``POST /api/login`` and a kiosk connecting with its device token; the call record is read
with sqlite3, as an operator's report query would.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from client_core.errors import AuthFailed
from client_core.signaling_client import SignalingClient, login
from tests.calls.processes import free_port
from tests.server.harness import FAST

ROOT = Path(__file__).resolve().parents[2]
DUMP = Path(__file__).parent / "data" / "release-0.1-schema3.sql"
ACTIVE = ("kio_f7baf3e44c182231", "etk_iROqFu1hMCQzmXDQtTUPlDu-EOFnRsd288txg7TUVdk")
REVOKED = ("kio_d1227592a4cc1b9a", "etk_bBZ1xptJ3d7-h-AsC7xjrJVEtWmX0ahjR65SCt1Vpuc")
AGENT = ("aino", "release-0.1-aino")
OPERATOR = ("olli", "release-0.1-olli")


def _env(data: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ETAPISTE_")}
    env.update(ETAPISTE_DATA_DIR=str(data), ETAPISTE_PORT=str(port), ETAPISTE_LOG_LEVEL="INFO",
               PYTHONDONTWRITEBYTECODE="1")
    return env


def test_the_first_releases_database_survives_the_upgrade(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / "etapiste.db") as db:
        db.executescript(DUMP.read_text(encoding="utf-8"))
    port = free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "signaling", "serve"], cwd=ROOT,
                                  env=_env(data, port), stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while '"msg": "listening"' not in log_path.read_text():
            assert server.poll() is None, log_path.read_text()[-3000:]
            assert time.monotonic() < deadline, log_path.read_text()[-3000:]
            time.sleep(0.1)
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/readyz", timeout=5) as ready:
            assert ready.status == 200

        async def clients() -> None:
            agent = await login(base, *AGENT)
            operator = await login(base, *OPERATOR)
            assert (agent.role, agent.name) == ("agent", "Aino Virtanen")
            assert operator.role == "operator"
            kiosk = SignalingClient(f"ws://127.0.0.1:{port}/ws", ACTIVE[1], backoff=FAST)
            try:
                welcome = await kiosk.connected(timeout=10)
                assert (welcome.identity.id, welcome.identity.name) == (ACTIVE[0],
                                                                        "Nurmes kiosk 1")
            finally:
                await kiosk.close()
            revoked = SignalingClient(f"ws://127.0.0.1:{port}/ws", REVOKED[1], backoff=FAST)
            try:
                with pytest.raises(AuthFailed):
                    await revoked.connected(timeout=10)
            finally:
                await revoked.close()

        asyncio.run(clients())
        listed = subprocess.run([sys.executable, "-m", "signaling", "kiosks"], cwd=ROOT,
                                env=_env(data, port), capture_output=True, text=True,
                                check=True, timeout=60).stdout
        rows = {line.split("\t")[0]: line.split("\t") for line in listed.splitlines()}
        assert rows[ACTIVE[0]][1:] == ["nurmes", "Nurmes kiosk 1", "active"]
        assert rows[REVOKED[0]][1:] == ["lieksa", "Lieksa kiosk 1", "revoked"]
    finally:
        server.terminate()
        assert server.wait(20) == 0, log_path.read_text()[-3000:]
    lines = [json.loads(line) for line in log_path.read_text().splitlines()
             if line.startswith("{")]
    assert not [line for line in lines if line["level"] in ("error", "critical")], lines
    with sqlite3.connect(data / "etapiste.db") as db:
        version = db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
        call = db.execute("SELECT kiosk_id, site_id, outcome, rating, disposition FROM calls "
                          "WHERE id = 'call-release-0.1'").fetchone()
    assert version >= 3
    # Each schema version added since the first release was applied at this start, in order.
    migrated = [line["schema_version"] for line in lines if line["msg"] == "store migrated"]
    assert migrated == list(range(4, version + 1)), migrated
    assert call == (ACTIVE[0], "nurmes", "answered", 5, "resolved")
