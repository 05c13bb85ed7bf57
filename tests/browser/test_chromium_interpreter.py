"""Chromium as the interpreter of a three-member call (issue 15).

Server, kiosk and clerk are real processes (the clerk invites the Somali interpreters' pool);
Debian's Chromium, driven by Playwright, logs in as the interpreter Hodan on a small page that
speaks the member messages and makes one RTCPeerConnection per other member. Checked on every
pair: the browser renders both pictures and hears each Python member's own tone (its peak
frequency), and both Python members receive the browser's picture and sound.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from client_core.signaling_client import login
from demo.process import start_server, wait_ready
from demo.seed import INTERPRETER, seed
from signaling.settings import Settings
from tests.browser.interop import CHROMIUM, agent_browser, page_server
from tests.browser.y4m import write_y4m
from tests.calls.members import TONES, agent, dump_events, kiosk, member_ids, probes_with
from tests.calls.processes import free_port, kill_all
from tests.server.harness import CHEAP_HASHER

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(180),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} missing (Debian chromium)"),
]

PAGE = Path(__file__).with_name("member_page.html")


@pytest.mark.parametrize("candidates", ["trickle"])
async def test_chromium_interpreter_joins_kiosk_and_clerk_with_media_on_every_pair(
    tmp_path, candidates
):
    data = tmp_path / "data"
    setup = seed(data, Settings().catalogue, CHEAP_HASHER)
    token = next(iter(setup.kiosk_tokens.values()))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    y4m = write_y4m(tmp_path / "camera.y4m", width=320, height=240, fps=15, frames=15)
    procs = []
    async with page_server(PAGE, route="/member.html") as origin:
        server = start_server(data, port, {"ETAPISTE_ALLOWED_ORIGINS": json.dumps([origin])})
        try:
            await wait_ready(base)
            async with agent_browser(tmp_path / "profile", y4m) as page:
                session = await login(base, INTERPRETER.username, INTERPRETER.password)
                await page.goto(f"{origin}/member.html")
                await page.evaluate("cfg => etpStart(cfg)",
                                    {"wsUrl": f"ws://127.0.0.1:{port}/ws",
                                     "token": session.token, "candidates": candidates})
                await page.wait_for_function("etp.ready || etp.errors.length > 0",
                                             timeout=15_000)
                assert await page.evaluate("etp.errors") == []
                clerk = await agent(port, "aino", "demo-aino-2026", "clerk",
                                    ["--invite", "interpreters:so"], 60, data / "clerk.log")
                procs.append(clerk)
                await clerk.wait_event("welcome", 30)
                kio = await kiosk(port, token, 40, data / "kiosk.log")
                procs.append(kio)
                try:
                    await page.wait_for_function(
                        "etp.pairs && Object.keys(etp.pairs).length === 2 && Object.values("
                        "etp.pairs).every(p => p.framesRendered >= 30 && p.peakHz)",
                        timeout=60_000, polling=200)
                finally:
                    (data / "page.json").write_text(json.dumps(await page.evaluate(
                        "({log: etp.log, errors: etp.errors, pairs: etp.pairs})"), indent=1))
                pairs = await page.evaluate("etp.pairs")
                offer = await page.evaluate("etp.offer")
                assert (offer["role"], offer["interpretation_language"]) == ("interpreter", "so")
                by_role = {p["role"]: p for p in pairs.values()}
                for role in ("kiosk", "clerk"):
                    # The browser hears this member's own tone (FFT bin of 11.7 Hz).
                    assert abs(by_role[role]["peakHz"] - TONES[role]) < 30, (role, pairs)
                    assert by_role[role]["audioRmsMax"] > 0.01, (role, pairs)
                # And the Python members get the browser's picture and its fake microphone.
                for side in (kio, clerk):
                    deadline = asyncio.get_running_loop().time() + 30

                    def from_browser(side=side) -> dict | None:
                        probes = probes_with(side, 2)
                        return probes[-1]["pairs"][member_ids(side)["interpreter"]] \
                            if probes else None

                    while not ((pair := from_browser()) and pair["frames_received"] > 20
                               and pair["audio_frames"] > 50):
                        assert asyncio.get_running_loop().time() < deadline, pair
                        await asyncio.sleep(0.3)
                assert await kio.hang_up(60) == 0  # the kiosk ends the call: for all
                await page.wait_for_function("etp.ended !== null", timeout=15_000)
                assert (await page.evaluate("etp.ended"))["by"] == "kiosk"
                assert await clerk.finish(30) == 0
        finally:
            dump_events(data, {f"proc{i}": p for i, p in enumerate(procs)})
            await kill_all(*procs)
            if server.poll() is None:
                server.terminate()
                server.wait(15)
