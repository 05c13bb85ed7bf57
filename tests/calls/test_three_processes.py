"""Server, kiosk and agent as three processes on loopback: a real call with real media."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from typing import Any

import pytest

from demo.process import start_server, wait_ready
from demo.seed import seed
from signaling.settings import Settings
from tests.calls.processes import Headless, free_port, kill_all, spawn
from tests.server.harness import CHEAP_HASHER

pytestmark = pytest.mark.slow



def left_out(receiver: dict[str, Any], sender: dict[str, Any]) -> int:
    """Frames left out on purpose, not lost: the sender's video ladder starts at 24 fps, and
    the receiver's playout shows only the newest of frames overdue at once."""
    paths_in, paths_out = receiver.get("media_paths") or {}, sender.get("media_paths") or {}
    dropped = (paths_out.get("video_send") or {}).get("frames_dropped", 0)
    skipped = (paths_in.get("video_receive") or {}).get("frames_skipped", 0)
    return int(dropped) + int(skipped)

async def test_call_through_the_queue_with_media_both_ways(tmp_path):
    data = tmp_path / "data"
    setup = seed(data, Settings().catalogue, CHEAP_HASHER)
    token = next(iter(setup.kiosk_tokens.values()))
    port = free_port()
    server = start_server(data, port)
    agent = kiosk = None
    try:
        await wait_ready(f"http://127.0.0.1:{port}")
        agent = await spawn(
            "agent_console",
            [
                "--server",
                f"http://127.0.0.1:{port}",
                "--username",
                "aino",
                "--hold",
                "30",
                "--stats-interval",
                "1",
            ],
            {"ETAPISTE_PASSWORD": "demo-aino-2026"},
        )
        await agent.wait_event("welcome", 20)
        kiosk = await spawn(
            "kiosk",
            ["--server", f"ws://127.0.0.1:{port}/ws", "--hold", "6", "--stats-interval", "1"],
            {"ETAPISTE_KIOSK_TOKEN": token},
        )
        assert await kiosk.finish(60) == 0
        assert await agent.finish(30) == 0
        k, a = kiosk.of("call_done")[0], agent.of("call_done")[0]
        assert k["call_id"] == a["call_id"]
        for side, other in ((k, a), (a, k)):
            assert side["video_codec"] == "video/VP8"
            assert side["frames_received"] >= 100  # 6 s at 30 fps, minus set-up
            assert side["out_of_order"] == 0
            assert side["frames_missing"] <= 3 + left_out(side, other)
            assert side["audio_frames"] >= 150  # 20 ms frames
            assert side["audio_level_dbfs"] > -30  # the 440 Hz tone arrived, not silence
        # The kiosk hung up; the agent saw it end cleanly.
        assert agent.of("ended")[0]["by"] == "kiosk"
        server.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(server.wait, 15) == 0
        db = sqlite3.connect(data / "etapiste.db")
        outcome, reason, answered, ended = db.execute(
            "SELECT outcome, end_reason, answered_at, ended_at FROM calls WHERE id=?",
            (k["call_id"],),
        ).fetchone()
        db.close()
        assert (outcome, reason) == ("answered", "hangup")
        assert answered is not None and ended is not None and ended > answered
    finally:
        await kill_all(*(p for p in (agent, kiosk) if p is not None))
        if server.poll() is None:
            server.kill()
            server.wait()


async def reconnected(side: Headless, timeout: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if [e["state"] for e in side.of("signaling")].count("connected") >= 2:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"no reconnect: {[e['state'] for e in side.of('signaling')]}")


async def test_server_restart_during_a_call_media_keeps_flowing(tmp_path):
    data = tmp_path / "data"
    setup = seed(data, Settings().catalogue, CHEAP_HASHER)
    token = next(iter(setup.kiosk_tokens.values()))
    port = free_port()
    server = start_server(data, port)
    agent = kiosk = None
    try:
        await wait_ready(f"http://127.0.0.1:{port}")
        agent = await spawn(
            "agent_console",
            [
                "--server",
                f"http://127.0.0.1:{port}",
                "--username",
                "aino",
                "--hold",
                "120",
                "--stats-interval",
                "1",
            ],
            {"ETAPISTE_PASSWORD": "demo-aino-2026"},
            log=data / "agent.log",
        )
        await agent.wait_event("welcome", 20)
        kiosk = await spawn(
            "kiosk",
            ["--server", f"ws://127.0.0.1:{port}/ws", "--hold", "120", "--stats-interval", "1"],
            {"ETAPISTE_KIOSK_TOKEN": token},
            log=data / "kiosk.log",
        )
        await kiosk.wait_event("connected", 30)
        await asyncio.sleep(2)
        server.send_signal(signal.SIGKILL)
        await asyncio.to_thread(server.wait, 10)
        down_at = len(kiosk.of("stats"))
        await asyncio.sleep(4)  # no signaling at all for 4 s
        during = kiosk.of("stats")[down_at:]
        server = start_server(data, port)
        await wait_ready(f"http://127.0.0.1:{port}", timeout=60)
        await reconnected(kiosk, 30)
        await reconnected(agent, 30)
        await asyncio.sleep(2)
        kiosk.proc.send_signal(signal.SIGTERM)  # the kiosk hangs up and exits cleanly
        assert await kiosk.finish(30) == 0
        await agent.wait_event("ended", 15)
        # The agent was scripted for one call (the default): it logs out and exits by itself.
        assert await agent.finish(30) == 0
        # Media flowed in every interval while the server was gone (a loaded 2-core machine
        # may slow it, but it never stops; the ideal is 30 fps).
        fps = [round(s["fps_decoded"]) for s in during]
        assert len(fps) >= 3 and min(fps) >= 5, fps
        # Both came back to the same call without needing a new media attempt.
        assert kiosk.of("media_failed") == [] and agent.of("media_failed") == []
        k, a = kiosk.of("call_done")[0], agent.of("call_done")[0]
        assert k["call_id"] == a["call_id"] and k["attempts"] == 1
        assert k["frames_missing"] <= 5 + left_out(k, a) and k["out_of_order"] == 0
        # The hang-up after the restart reached the agent through the restored call.
        assert agent.of("ended")[0]["by"] == "kiosk"
    finally:
        await kill_all(*(p for p in (agent, kiosk) if p is not None))
        if server.poll() is None:
            server.kill()
            server.wait()
