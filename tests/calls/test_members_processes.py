"""Calls of three and four members as real processes: server, kiosk, clerk, interpreter and
supervisor, each with its own peer connection to every other, real media on loopback.

Every member sends its own tone; each receiver records a second of what arrived from each
other member and an FFT says which tones came (client_core.tone_probe). That is how the
whisper is checked: the supervisor's tone reaches the clerk and nobody else.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time

import pytest

from demo.process import start_server, wait_ready
from demo.seed import INTERPRETER, SUPERVISOR, seed
from signaling.settings import Settings
from tests.calls.members import (
    HEARD_DB,
    SILENT_DB,
    agent,
    dump_events,
    kiosk,
    loudest,
    member_ids,
    probes_with,
)
from tests.calls.processes import free_port, kill_all
from tests.server.harness import CHEAP_HASHER

pytestmark = pytest.mark.slow

AINO = ("aino", "demo-aino-2026")


async def wait_for(check, timeout: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def test_three_members_kiosk_clerk_and_interpreter_see_and_hear_each_other(tmp_path):
    data = tmp_path / "data"
    setup = seed(data, Settings().catalogue, CHEAP_HASHER)
    token = next(iter(setup.kiosk_tokens.values()))
    port = free_port()
    server = start_server(data, port)
    procs = []
    try:
        await wait_ready(f"http://127.0.0.1:{port}")
        interp = await agent(port, INTERPRETER.username, INTERPRETER.password, "interpreter",
                             ["--member"], 60, data / "interpreter.log")
        clerk = await agent(port, *AINO, "clerk", ["--invite", "interpreters:so"], 60,
                            data / "clerk.log")
        procs += [interp, clerk]
        await interp.wait_event("welcome", 30)
        await clerk.wait_event("welcome", 30)
        kio = await kiosk(port, token, 40, data / "kiosk.log")
        procs.append(kio)
        start = await interp.wait_event("member_start", 40)
        assert start["role"] == "interpreter"
        offer = await interp.wait_event("member_offer", 5)
        assert (offer["role"], offer["interpretation_language"], offer["service"]) == (
            "interpreter", "so", "kela.benefits")
        assert offer["invited_by"] == "Aino Virtanen" and offer["site"]
        await wait_for(lambda: "accepted" in [s["state"] for s in clerk.of("invite_status")],
                       10, "the clerk told the invitation was accepted")
        assert [s["state"] for s in clerk.of("invite_status")] == ["ringing", "accepted"]
        # Everyone sees everyone: media and tones on every pair, after the three-way start.
        sides = {"kiosk": kio, "clerk": clerk, "interpreter": interp}
        await wait_for(lambda: all(len(probes_with(s, 2)) >= 2 for s in sides.values()), 40,
                       "two probe rounds with two peers flowing at each member")
        for role, side in sides.items():
            ids = member_ids(side)
            rounds = probes_with(side, 2)
            for other in sides:
                if other == role:
                    continue
                level = loudest(rounds, ids[other], other)
                assert level is not None and level > HEARD_DB, (role, other, rounds)
                assert rounds[-1]["pairs"][ids[other]]["frames_received"] > 10, (role, other)
        assert await kio.hang_up(60) == 0  # the kiosk ends the call: for all
        assert (await interp.wait_event("ended", 15))["by"] == "kiosk"
        assert await interp.finish(30) == 0
        assert await clerk.finish(30) == 0
        server.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(server.wait, 15) == 0
        db = sqlite3.connect(data / "etapiste.db")
        rows = db.execute(
            "SELECT role, interpretation_language, joined_at, left_at FROM call_members "
            "WHERE call_id=? ORDER BY member_id", (start["call_id"],)).fetchall()
        db.close()
        assert [r[:2] for r in rows] == [("kiosk", None), ("clerk", None), ("interpreter", "so")]
        assert all(r[3] is not None and r[3] >= r[2] for r in rows)
    finally:
        dump_events(data, {f"proc{i}": p for i, p in enumerate(procs)})
        await kill_all(*procs)
        if server.poll() is None:
            server.kill()
            server.wait()


async def test_four_members_whisper_reaches_only_the_clerk_and_a_killed_member_leaves_the_rest(
    tmp_path,
):
    data = tmp_path / "data"
    setup = seed(data, Settings().catalogue, CHEAP_HASHER)
    token = next(iter(setup.kiosk_tokens.values()))
    port = free_port()
    server = start_server(data, port)
    procs = []
    try:
        await wait_ready(f"http://127.0.0.1:{port}")
        interp = await agent(port, INTERPRETER.username, INTERPRETER.password, "interpreter",
                             ["--member"], 90, data / "interpreter.log")
        boss = await agent(port, SUPERVISOR.username, SUPERVISOR.password, "supervisor",
                           ["--supervise", "whisper", "--supervise-min-members", "3"], 90,
                           data / "supervisor.log")
        clerk = await agent(port, *AINO, "clerk", ["--invite", "interpreters:so"], 90,
                            data / "clerk.log")
        procs += [interp, boss, clerk]
        for side in (interp, boss, clerk):
            await side.wait_event("welcome", 30)
        kio = await kiosk(port, token, 60, data / "kiosk.log")
        procs.append(kio)
        sides = {"kiosk": kio, "clerk": clerk, "interpreter": interp, "supervisor": boss}
        await wait_for(lambda: all(probes_with(s, 3) for s in sides.values()), 60,
                       "probes with three peers at each member")
        t_all = max(probes_with(s, 3)[0]["t"] for s in sides.values())
        await wait_for(lambda: all(len(probes_with(s, 3, after=t_all)) >= 3
                                   for s in sides.values()), 40,
                       "three probe rounds after all four were flowing")
        # The kiosk knows a supervisor is there and that it whispers (its banner says so).
        seen = {m["role"]: m for m in kio.of("members")[-1]["members"]}
        assert seen["supervisor"]["mode"] == "whisper"
        for role, side in sides.items():
            ids = member_ids(side)
            rounds = probes_with(side, 3, after=t_all)
            for other in sides:
                if other == role:
                    continue
                level = loudest(rounds, ids[other], other)
                if other != "supervisor" or role == "clerk":
                    assert level is not None and level > HEARD_DB, (role, other, rounds)
                else:  # the whisper: not one probe caught the supervisor's tone
                    assert level is None or level < SILENT_DB, (role, other, rounds)
                # Pictures flow on every pair (from a whispering supervisor, dark ones).
                assert rounds[-1]["pairs"][ids[other]]["frames_received"] > 10, (role, other)
        # kill -9 the interpreter: the others are told, and their pairs go on.
        killed_wall = time.time()
        interp_id = member_ids(kio)["interpreter"]
        interp.proc.send_signal(signal.SIGKILL)
        await interp.proc.wait()
        await wait_for(
            lambda: any(m["change"] == "reconnecting" and m["about"] == interp_id
                        for m in kio.of("members")), 20, "the kiosk told of the lost interpreter")
        rest = {r: s for r, s in sides.items() if r != "interpreter"}
        await wait_for(lambda: all(s.of("probe")[-1]["t"] > killed_wall + 4
                                   for s in rest.values()), 30, "probes 4 s after the kill")
        for role, side in rest.items():
            ids = member_ids(side)
            before = [p for p in side.of("probe") if p["t"] < killed_wall][-1]
            probe = side.of("probe")[-1]
            for other in rest:
                if other == role:
                    continue
                pair_now = probe["pairs"][ids[other]]
                pair_then = before["pairs"][ids[other]]
                assert pair_now["frames_received"] > pair_then["frames_received"] + 5, (
                    role, other)
            if role != "supervisor":
                other = "clerk" if role == "kiosk" else "kiosk"
                after = [p for p in side.of("probe") if p["t"] > killed_wall + 1]
                assert (loudest(after, ids[other], other) or -999) > HEARD_DB, (role, after)
        assert kio.proc.returncode is None and clerk.proc.returncode is None
        # After the grace the interpreter is out for good; the call goes on to the kiosk's end.
        await wait_for(
            lambda: any(m["change"] == "dropped" for m in kio.of("members")), 40,
            "the interpreter dropped after the grace")
        assert await kio.hang_up(60) == 0  # the kiosk ends the call: for all
        assert await clerk.finish(30) == 0
        assert await boss.finish(30) == 0
    finally:
        dump_events(data, {f"proc{i}": p for i, p in enumerate(procs)})
        await kill_all(*procs)
        if server.poll() is None:
            server.kill()
            server.wait()
