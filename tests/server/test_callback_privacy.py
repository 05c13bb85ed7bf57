"""Callback numbers (issue 14) are personal data: the retention limit deletes them even from
a task nobody ended (a server that was down past the promised day), and no log line carries
one, whoever logs it."""

from __future__ import annotations

import io
import json
import logging
import time
from pathlib import Path

import pytest

from jsonlog import JsonFormatter, redact
from signaling.catalogue import load_catalogue
from signaling.settings import Settings
from signaling.store import SqliteStore
from signaling.store.callbacks import CallbackRecord
from tests.server.harness import running_server

DAY = 86400.0
PHONE = "+358401234567"

pytestmark = pytest.mark.usefixtures("keep_root_logging")


async def test_a_number_past_the_retention_limit_goes_at_start_even_from_an_open_task(
    tmp_path: Path,
) -> None:
    data, now = tmp_path / "data", time.time()
    store = SqliteStore.open(data)
    try:
        store.seed_catalogue(load_catalogue(Settings().catalogue), now=now)
        old = now - 8 * DAY  # the default limit is 7 days
        # Due in the future (a clock stepped back, a bad promise): only retention ends it.
        store.add_callback(CallbackRecord("cb_old", "kela.benefits", "fi", "nurmes", None, old,
                                          "2020-01-01", now + DAY, 0, None, "open", None, None,
                                          None), PHONE, now=old)
        fresh = CallbackRecord("cb_new", "kela.benefits", "fi", "nurmes", None, now, "2020-01-02",
                               now + 3600, 0, None, "open", None, None, None)
        store.add_callback(fresh, "+358501234567", now=now)
        db = store.path
    finally:
        store.close()
    assert b"358401234567" in b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    async with running_server(data) as h:
        s = h.ctx.store
        assert s.callback_phone("cb_old") is None
        record = s.callback("cb_old")
        assert record is not None and record.state == "expired"
        purge = [a for a in s.audit_log() if a.action == "retention_purge"][-1]
        assert purge.detail["callback_numbers"] == 1
        assert s.callback_phone("cb_new") == "+358501234567"  # within its limit: kept
        assert [t.task_id for t in h.ctx.hub.callbacks.desk.tasks()] == ["cb_new"]
        files = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
        assert b"358401234567" not in files and b"401234567" not in files


@pytest.mark.parametrize("text", [
    "+358401234567", "+358 40 123 4567", "040 123 4567", "0401234567", "(+46) 70-123 45 67",
    "phone='+358401234567' is invalid",
])
def test_numbers_are_redacted_in_any_log_line(text: str) -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("etapiste.test.redaction")
    log.addHandler(handler)
    try:
        log.warning("a library said %s", text, extra={"fields": {"input": text}})
        try:
            raise ValueError(text)
        except ValueError:
            log.exception("and failed")
    finally:
        log.removeHandler(handler)
    lines = out.getvalue()
    digits = "".join(ch for ch in text if ch.isdigit())
    assert digits[-7:] not in lines.replace(" ", "").replace("-", "")
    assert "[phone]" in lines


def test_times_ids_and_counts_are_not_taken_for_numbers() -> None:
    line = json.dumps({"ts": 1733241234.123, "task": "cb_0401234567abcdef", "n": 0.0123456789,
                       "port": 8765, "time": "2026-12-03T16:23:08Z"})
    assert redact(line) == line
