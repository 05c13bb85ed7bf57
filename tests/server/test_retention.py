"""Retention bites (issue 12: "Retention exists only as Store.purge_history, which nothing
calls: call records with free-text notes, audit rows and sessions are kept for ever"), and the
audit chain can be checked from the command line."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from signaling.__main__ import main as cli
from signaling.catalogue import load_catalogue
from signaling.settings import Settings
from signaling.store import SqliteStore
from tests.server.harness import running_server

DAY = 86400.0


pytestmark = pytest.mark.usefixtures("keep_root_logging")


def old_history(data: Path, now: float) -> None:
    """A call of three years ago, one of forty days ago with a note, an expired session."""
    store = SqliteStore.open(data)
    try:
        store.seed_catalogue(load_catalogue(Settings().catalogue), now=now)
        kiosk_id, _ = store.create_kiosk("nurmes", "Nurmes 1", now=now)
        agent = store.create_account("aino", "Aino", "agent", "hash", now=now)
        for call_id, age in (("ancient", 3 * 365 * DAY), ("recent", 40 * DAY)):
            at = now - age
            store.call_started(call_id, entry_id=call_id, kiosk_id=kiosk_id, agent_id=agent,
                               service_id="kela.benefits", language="fi", offered_at=at,
                               answered_at=at, queued_at=at)
            store.call_ended(call_id, at + 300, "answered", "hangup")
            store.call_wrapup(call_id, "resolved", "call back on Monday about the form")
        store.create_session(agent, 3600, now=now - 90 * DAY)
        store.audit("admin:cli", "ancient_action", "", now=now - 3 * 365 * DAY)
    finally:
        store.close()


async def test_the_server_purges_at_start_and_audits_the_counts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    now = time.time()
    old_history(data, now)
    async with running_server(data) as h:
        store = h.ctx.store
        assert store.call("ancient") is None
        recent = store.call("recent")
        assert recent is not None and recent.wrapup_note is None
        assert recent.disposition == "resolved"  # the record stays; only the free text goes
        purges = [a for a in store.audit_log() if a.action == "retention_purge"]
        assert purges and purges[-1].actor == "system:server"
        counts = purges[-1].detail
        assert (counts["calls"], counts["notes"], counts["sessions"], counts["audit"]) == (
            1, 1, 1, 1
        )
        assert "ancient_action" not in {a.action for a in store.audit_log()}
        assert store.verify_audit_chain().ok


def test_purge_and_audit_chain_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    old_history(data, time.time())
    assert cli(["--data-dir", str(data), "purge"]) == 0
    assert "calls=1" in capsys.readouterr().out
    assert cli(["--data-dir", str(data), "verify-audit"]) == 0
    assert "intact" in capsys.readouterr().out
    conn = sqlite3.connect(data / "etapiste.db")
    conn.execute("UPDATE audit SET actor='someone:else' WHERE action='retention_purge'")
    conn.commit()
    conn.close()
    assert cli(["--data-dir", str(data), "verify-audit"]) == 2
    assert "BROKEN" in capsys.readouterr().err
