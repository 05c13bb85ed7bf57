"""A clerk's console given several servers moves past one that is down, as a kiosk does: the
login goes to the first server that answers, and the signaling connection's list starts there
(shared code in client_core.servers)."""

from __future__ import annotations

import pytest

from agent_console.app import build_console
from agent_console.console_state import Phase
from client_core.errors import AuthFailed
from client_core.local_media import LocalMedia
from client_core.servers import first_answering, server_list, ws_url_for, ws_urls
from client_core.signaling_client import login
from tests.agent_console.test_console_e2e import log_in
from tests.calls.processes import free_port
from tests.server.harness import FAST, PASSWORD, running_server
from tests.waiting import wait_until as until


def test_the_server_list_and_its_websocket_urls() -> None:
    bases = server_list(" http://a:1 ,https://b:2/,, http://c:3")
    assert bases == ("http://a:1", "https://b:2/", "http://c:3")
    assert ws_urls(bases, first="https://b:2/") == ["wss://b:2/ws", "ws://c:3/ws", "ws://a:1/ws"]
    assert ws_url_for("http://a:1/") == "ws://a:1/ws"
    with pytest.raises(ValueError):
        server_list(" , ")


async def test_a_login_skips_a_dead_server_but_not_a_refusal(tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    async with running_server(tmp_path / "data") as h:
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        base, result = await first_answering(
            [dead, h.base_url], lambda b: login(b, "aino", PASSWORD))
        assert base == h.base_url and result.role == "agent"
        # A live server's refusal is its answer: the next server is not asked.
        asked: list[str] = []

        async def refused(b: str) -> object:
            asked.append(b)
            return await login(b, "aino", "wrong password")

        with pytest.raises(AuthFailed):
            await first_answering([h.base_url, dead], refused)
        assert asked == [h.base_url]
    with pytest.raises(OSError):  # none answers: the last one's error
        await first_answering([dead], lambda b: login(b, "aino", PASSWORD))


@pytest.mark.slow
def test_the_console_logs_in_past_a_dead_server(qtbot, run, tmp_path):
    async def body() -> None:
        dead = f"http://127.0.0.1:{free_port()}"
        async with running_server(tmp_path / "data") as h:
            h.add_agent("aino", ["kela.benefits"], ["fi"])
            console = build_console(f"{dead}, {h.base_url}", LocalMedia.synthetic(320, 240, 15),
                                    stats_interval_s=1.0, backoff=FAST)
            qtbot.addWidget(console.window)
            console.window.show()
            try:
                await log_in(qtbot, console, "aino")
                await until(lambda: console.presenter.phase is Phase.NOT_READY, what="logged in")
                backend = console.backend
                assert backend.base_url == h.base_url
                assert backend.client is not None
                assert backend.client.urls == (ws_url_for(h.base_url), ws_url_for(dead))
                assert backend.client.url == ws_url_for(h.base_url)
            finally:
                await console.backend.close()
                console.window.timer.stop()

    run(body())
