"""Browser interop timings: headless Chromium as the agent, the Python kiosk as the offerer.

Each run starts a fresh signaling server (in process), a fresh Chromium (Debian's, through
Playwright, fake camera from a generated .y4m) and a Python kiosk with synthetic media, makes
one call, waits for media both ways, and hangs up from the browser.  Both ways are timed from
the moment the kiosk starts its offer (``CallPeer.started_at``), on the wall clock shared by
the two processes:

* ``kiosk_connect_ms`` / ``browser_connect_ms``: that side's connection state "connected";
* ``kiosk_first_frame_ms``: first decoded frame of the browser's camera in the kiosk;
* ``browser_first_frame_ms``: first frame of the kiosk's video painted by the page
  (``requestVideoFrameCallback``);
* ``kiosk_first_audio_ms`` / ``browser_first_audio_ms``: first remote audio frame in the
  kiosk, first loud sample (RMS > 0.01) in the page's AnalyserNode;
* ``offer_relay_ms``: offer started -> offer in the page (aiortc gathers its candidates
  inside, so this includes gathering) and ``answer_ms``: offer in the page -> answer sent.

Run: ``.venv/bin/python -m bench.browser_interop [runs]`` from the project root; prints one
JSON line per run and a summary (medians) per mode: ``trickle`` (the page sends its answer at
once and trickles candidates) and ``in-answer`` (the page waits for gathering to complete).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages, tests' helpers among them

from tests.browser.interop import BrowserAgent, PythonKiosk, agent_browser, page_server  # noqa: E402
from tests.browser.y4m import write_y4m  # noqa: E402
from tests.server.harness import PASSWORD, running_server  # noqa: E402


def _ms(later: float | None, earlier: float) -> float | None:
    return None if later is None else round((later - earlier) * 1000, 1)


async def one_run(tmp: Path, y4m: Path, candidates: str) -> dict[str, Any]:
    async with (
        page_server() as origin,
        running_server(tmp / "data", allowed_origins=[origin]) as h,
        agent_browser(tmp / "profile", y4m) as page,
    ):
        kiosk_id = h.add_kiosk("nurmes", "Nurmes 1")
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        agent = BrowserAgent(page)
        await agent.open(origin, h.base_url, h.ws_url, "aino", PASSWORD, candidates=candidates)
        kiosk = PythonKiosk(await h.kiosk(kiosk_id))
        try:
            await asyncio.wait_for(kiosk.call(), 20)
            await agent.wait("etp.framesRendered >= 30 && 'first_audio' in etp.times", 15)
            await kiosk.until(
                lambda: (
                    kiosk.peer.video_sink.frames_received >= 30
                    and kiosk.peer.audio_sink.first_frame_at is not None
                ),
                15,
                "media from the browser",
            )
            peer = kiosk.peer
            t0_wall = kiosk.started_wall()
            t0 = peer.started_at
            wall = await agent.state("wall")
            stats = await agent.stats()
            await agent.hangup()
            await asyncio.wait_for(kiosk.session.ended.wait(), 10)  # type: ignore[union-attr]
        finally:
            await kiosk.close()

    def browser(name: str) -> float | None:
        return _ms(wall.get(name), t0_wall)

    return {
        "mode": candidates,
        "kiosk_connect_ms": _ms(peer.connected_at, t0),
        "browser_connect_ms": browser("connected"),
        "kiosk_first_frame_ms": _ms(peer.video_sink.first_frame_at, t0),
        "browser_first_frame_ms": browser("first_frame"),
        "kiosk_first_audio_ms": _ms(peer.audio_sink.first_frame_at, t0),
        "browser_first_audio_ms": browser("first_audio"),
        "offer_relay_ms": browser("offer_received"),
        "answer_ms": round((wall["answer_sent"] - wall["offer_received"]) * 1000, 1),
        "channel_open_ms": browser("channel_open"),
        "video_codec": peer.video_codec,
        "kiosk_rx_size": [peer.video_sink.width, peer.video_sink.height],
        "browser_rx_size": [stats.get("frameWidth"), stats.get("frameHeight")],
        "pair": stats.get("candidatePair"),
    }


async def main(runs: int) -> None:
    summary: dict[str, list[dict[str, Any]]] = {"trickle": [], "in-answer": []}
    with tempfile.TemporaryDirectory(prefix="browser-interop-") as tmp_dir:
        tmp = Path(tmp_dir)
        y4m = write_y4m(tmp / "camera.y4m")
        for i in range(runs):
            for candidates in summary:
                run_dir = tmp / f"run{i}-{candidates}"
                run_dir.mkdir()
                began = time.monotonic()
                result = await one_run(run_dir, y4m, candidates)
                result["wall_s"] = round(time.monotonic() - began, 2)
                print(json.dumps(result), flush=True)
                summary[result["mode"]].append(result)
    for mode, results in summary.items():
        medians = {
            key: statistics.median(r[key] for r in results)
            for key in results[0]
            if key.endswith("_ms") and all(r[key] is not None for r in results)
        }
        print(json.dumps({"summary": mode, "runs": len(results), "median": medians}))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3))
