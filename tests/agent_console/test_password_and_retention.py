"""The console after an administrator's password reset (a clear page to set a new password,
then on to work), and the retention of the document photos it saved (issue 12)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from agent_console.clock import ManualClock
from agent_console.console_state import Phase
from agent_console.photo import purge_photos
from agent_console.presenter import ConsolePresenter
from signaling.admin import reset_password
from tests.agent_console.fakes import FakeBackend, login_info
from tests.agent_console.test_console_e2e import click, console_for, log_in
from tests.server.harness import running_server
from tests.waiting import wait_until as until

DAY = 86400.0


def test_presenter_asks_for_a_new_password_and_checks_it_first() -> None:
    backend, clock = FakeBackend(), ManualClock()
    p = ConsolePresenter(backend, clock)
    p.login("aino", "temp-pass-1")
    p.on_password_change_required()
    assert p.phase is Phase.CHANGE_PASSWORD and p.password.error is None
    p.change_password("short", "short")
    assert p.password.error == "password.too_short" and "change_password" not in backend.names()
    p.change_password("long enough 1", "long enough 2")
    assert p.password.error == "password.mismatch"
    p.change_password("long enough 1", "long enough 1")
    assert p.password.busy and backend.calls[-1] == ("change_password", ("long enough 1",))
    p.on_password_change_failed("password.refused")
    assert p.password.error == "password.refused" and not p.password.busy
    p.cancel_password_change()
    assert p.phase is Phase.LOGGED_OUT and backend.names()[-1] == "cancel_password_change"


def test_old_saved_photos_go_at_session_start_and_the_count_is_reported(tmp_path: Path) -> None:
    clock = ManualClock()
    old = tmp_path / "etapiste-20260101-120000-c1-p1.jpg"
    new = tmp_path / "etapiste-20260301-120000-c2-p2.jpg"
    mine = tmp_path / "notes.txt"  # not the console's: never touched
    for path in (old, new, mine):
        path.write_bytes(b"x")
    now = clock.time()
    os.utime(old, (now - 8 * DAY, now - 8 * DAY))
    os.utime(mine, (now - 80 * DAY, now - 80 * DAY))
    backend = FakeBackend()
    p = ConsolePresenter(backend, clock, photo_folder=tmp_path)
    p.login("aino", "secret")
    info = login_info(server_time=now)
    p.on_logged_in(type(info)(**{**info.__dict__, "photo_retention_days": 7}))
    assert not old.exists() and new.exists() and mine.exists()
    assert ("photos_purged", (1,)) in backend.calls
    assert purge_photos(tmp_path / "missing", 7) == 0


def test_console_sets_a_new_password_after_a_reset_and_gets_to_work(qtbot, run, tmp_path):
    async def body() -> None:
        async with running_server(tmp_path / "data") as h:
            h.add_agent("aino", ["kela.benefits"], ["fi"])
            reset_password(h.ctx.store, "admin:cli", "aino", "tilapainen-1",
                           now=h.ctx.clock(), hasher=h.ctx.auth.hasher)
            photos = tmp_path / "photos"
            photos.mkdir()
            stale = photos / "etapiste-20250101-000000-x-1.png"
            stale.write_bytes(b"x")
            os.utime(stale, (time.time() - 30 * DAY,) * 2)
            async with console_for(qtbot, h, photo_folder=photos) as (console, _):
                p, w = console.presenter, console.window
                await log_in(qtbot, console, "aino", "tilapainen-1")
                await until(lambda: p.phase is Phase.CHANGE_PASSWORD, what="password page")
                assert w.pages.currentWidget() is w.password
                assert w.password.title.text() == "Vaihda salasana"
                w.password.new.setText("oma salasana 2026")
                w.password.again.setText("oma salasana 2026")
                click(qtbot, w.password.submit)
                await until(lambda: p.phase is Phase.NOT_READY, 10, "logged in")
                assert w.pages.currentWidget() is w.work
                await until(lambda: not stale.exists(), what="old photo deleted")
                await until(lambda: any(a.action == "photo_purge"
                                        for a in h.ctx.store.audit_log()), what="audited")
            account = h.ctx.store.account(h.ctx.store.accounts()[0].id)
            assert account is not None and not account.must_change_password

    run(body(), 60)

