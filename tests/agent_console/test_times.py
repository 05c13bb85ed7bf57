"""The console shows every time in Finnish time, whatever zone the workstation is set to."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from agent_console.i18n import Catalogue
from agent_console.views.context import ViewContext
from agent_console.views.history import HistoryPanel
from tests.agent_console.test_presenter import logged_in
from wire import server_messages as S

NOON_HELSINKI = 1_751_446_800.0  # 2025-07-02 12:00 EEST = 09:00 UTC


@pytest.fixture
def utc_workstation(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_history_times_are_helsinki_times_on_a_utc_workstation(qapp, utc_workstation) -> None:
    assert time.strftime("%H:%M", time.localtime(NOON_HELSINKI)) == "09:00"  # the machine's
    p, _, _, _ = logged_in()
    p.on_message(
        S.History(
            calls=[
                S.HistoryItem(
                    call_id="c1",
                    service="kela.benefits",
                    language="sv",
                    queued_at=NOON_HELSINKI - 300,
                    answered_at=NOON_HELSINKI,
                    ended_at=NOON_HELSINKI + 600,
                    outcome="completed",
                )
            ]
        )
    )
    panel = HistoryPanel(ViewContext(p, Catalogue("fi")))
    item = panel.table.item(0, 0)
    assert item is not None and item.text() == "12:00"
