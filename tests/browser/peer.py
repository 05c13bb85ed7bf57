"""Headless Chromium as a kiosk or an agent of a real call, reporting like our headless clients.

The anchor of the link-quality bench: two of these (one in the kiosk's network namespace, one
in the data centre's) call each other through our signaling server, coturn and the impaired
link, exactly where our headless kiosk and agent run.  Each prints JSON lines with the same
``event`` names and field names as ``python -m kiosk --headless`` / ``agent_console
--headless``, so one parser reads both stacks:

* ``welcome``, ``accepted`` (agent: the moment it accepted the offer), ``call_start``,
  ``connected``, ``first_frame`` (first remote video frame rendered), ``ended``;
* ``stats`` every ``--stats-interval``: differences of ``getStats()`` counters over the
  interval: ``freezes``/``freeze_ms`` (``freezeCount``, ``totalFreezesDuration``),
  ``fps_decoded``, ``audio_samples``/``audio_concealed_samples`` (``totalSamplesReceived``,
  ``concealedSamples``), ``bitrate_in_kbps`` (transport ``bytesReceived``),
  ``jitter_buffer_ms``, and ``latencies_ms``: capture to presentation of each rendered frame;
* ``call_done`` with the page's errors and attempts.

Run inside a namespace (bounded by ``--hold`` and ``--wait-timeout``)::

    ip netns exec NS python -m tests.browser.peer --role kiosk --server http://10.77.1.1:8765 \
        --token-env ETAPISTE_KIOSK_TOKEN --hold 30
    ip netns exec NS python -m tests.browser.peer --role agent --server http://10.77.1.1:8765 \
        --username aino --hold 45      # password in $ETAPISTE_PASSWORD

The page is served on ``127.0.0.1:--page-port`` inside the namespace; the signaling server
must allow that origin (``ETAPISTE_ALLOWED_ORIGINS``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

from client_core.headless import emit
from client_core.media_synthetic import voice_like
from client_core.signaling_client import login
from tests.browser.interop import agent_browser, page_server
from tests.browser.y4m import write_y4m

PAGE = Path(__file__).with_name("peer_page.html")
PAGE_PORT = 8089


def page_origin(port: int = PAGE_PORT) -> str:
    """The origin the page is served from (to allow on the signaling server)."""
    return f"http://127.0.0.1:{port}"


def write_voice_wav(path: Path, *, rate: int = 48000) -> Path:
    """The fake microphone: the same speech-like signal and level our headless clients send
    (:func:`client_core.media_synthetic.voice_like`), mono s16, looped by Chromium."""
    pcm = (0.35 * 32767 * voice_like(rate=rate)).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return path


def _delta(now: dict[str, Any], prev: dict[str, Any], key: str) -> float:
    a, b = now.get(key), prev.get(key)
    if a is None:
        return 0.0
    return float(a) - float(b or 0)


def interval_stats(now: dict[str, Any], prev: dict[str, Any], dt: float) -> dict[str, Any]:
    """One ``stats`` line from two cumulative ``pqSample()`` results ``dt`` seconds apart."""
    if now.get("attempt") != prev.get("attempt"):
        prev = {}  # a new peer connection starts its counters at zero
    emitted = _delta(now, prev, "jitterBufferEmittedCount")
    jb = _delta(now, prev, "jitterBufferDelay")
    return {
        "interval_s": round(dt, 3),
        "freezes": int(_delta(now, prev, "freezeCount")),
        "freeze_ms": round(_delta(now, prev, "totalFreezesDuration") * 1000, 1),
        "fps_decoded": round(_delta(now, prev, "framesDecoded") / dt, 2) if dt > 0 else 0.0,
        "audio_samples": int(_delta(now, prev, "totalSamplesReceived")),
        "audio_concealed_samples": int(_delta(now, prev, "concealedSamples")),
        "bitrate_in_kbps": round(_delta(now, prev, "bytesReceived") * 8 / dt / 1000, 1)
        if dt > 0 else 0.0,
        "bitrate_out_kbps": round(_delta(now, prev, "bytesSent") * 8 / dt / 1000, 1)
        if dt > 0 else 0.0,
        "jitter_buffer_ms": round(jb / emitted * 1000, 1) if emitted > 0 else None,
        "rtt_ms": round(now["rtt"] * 1000, 1) if now.get("rtt") is not None else None,
        "sent_size": [now.get("sentWidth"), now.get("sentHeight")],
        "sent_fps": now.get("sentFps"),
        "limited_by": now.get("qualityLimitationReason"),
        "latencies_ms": [round(x, 1) for x in now.get("latencies", [])],
    }


class Page:
    """The measuring page's state (``window.pq``) and functions."""

    def __init__(self, page: Any) -> None:
        self.page = page

    async def get(self, key: str) -> Any:
        return await self.page.evaluate(f"window.pq.{key}")

    async def until(self, expression: str, timeout_s: float) -> bool:
        """Poll a JS expression until truthy; False after ``timeout_s``."""
        try:
            await self.page.wait_for_function(expression, timeout=timeout_s * 1000, polling=50)
        except Exception:
            return False
        return True

    async def sample(self) -> dict[str, Any]:
        result = await self.page.evaluate("pqSample()")
        return result if isinstance(result, dict) else {}


async def _credential(args: argparse.Namespace) -> str:
    if args.role == "kiosk":
        return os.environ[args.token_env]
    session = await login(args.server, args.username, os.environ["ETAPISTE_PASSWORD"])
    return session.token


async def run(args: argparse.Namespace) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    tmp = Path(tempfile.mkdtemp(prefix="etp-bpeer-"))
    try:
        y4m = write_y4m(tmp / "camera.y4m")
        wav = write_voice_wav(tmp / "voice.wav")
        extra = [f"--use-file-for-fake-audio-capture={wav}", "--disable-quic"]
        token = await _credential(args)
        async with (
            page_server(PAGE, route="/peer.html", port=args.page_port) as origin,
            agent_browser(tmp / "profile", y4m, extra) as raw_page,
        ):
            page = Page(raw_page)
            await raw_page.goto(f"{origin}/peer.html")
            ws_url = args.server.replace("http", "ws", 1).rstrip("/") + "/ws"
            await raw_page.evaluate(
                "cfg => pqStart(cfg)",
                {"role": args.role, "wsUrl": ws_url, "token": token,
                 "service": args.service, "language": args.language},
            )
            return await _call(page, args, stop)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


async def _call(page: Page, args: argparse.Namespace, stop: asyncio.Event) -> int:
    if not await page.until("pq.welcome !== null || pq.errors.length > 0", 30):
        emit("error", reason="no welcome", log=await page.get("log"))
        return 1
    emit("welcome", role=args.role)
    if not await page.until("pq.callId !== null || pq.errors.length > 0", args.wait_timeout):
        emit("timeout", waited_s=args.wait_timeout)
        return 1
    started = time.monotonic()
    wall = await page.get("wall")
    if "accepted" in wall:
        emit("accepted", at=wall["accepted"])
    emit("call_start", call_id=await page.get("callId"))
    reported: set[str] = set()
    prev: dict[str, Any] = await page.sample()
    prev_at = time.monotonic()
    while time.monotonic() - started < args.hold and not stop.is_set():
        await asyncio.sleep(args.stats_interval)
        now, now_at = await page.sample(), time.monotonic()
        wall = await page.get("wall")
        for name, event in (("connected", "connected"), ("first_frame", "first_frame")):
            if name in wall and name not in reported:
                reported.add(name)
                emit(event, at=wall[name], attempt=await page.get("attempt"))
        emit("stats", **interval_stats(now, prev, now_at - prev_at))
        prev, prev_at = now, now_at
        if await page.get("ended") is not None:
            break
    ended = await page.get("ended")
    if ended is None and args.role == "kiosk":
        await page.page.evaluate("pqHangup()")
        await page.until("pq.ended !== null", 10)
        ended = await page.get("ended")
    elif ended is None:
        await page.until("pq.ended !== null", 15)
        ended = await page.get("ended")
    if ended is not None:
        emit("ended", reason=ended.get("reason"), by=ended.get("by"))
    emit("call_done", attempts=await page.get("attempts"), errors=await page.get("errors"),
         frames_rendered=await page.get("framesRendered"), wall=await page.get("wall"))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.browser.peer")
    parser.add_argument("--role", choices=("kiosk", "agent"), required=True)
    parser.add_argument("--server", required=True, help="http://HOST:PORT of the server")
    parser.add_argument("--token-env", default="ETAPISTE_KIOSK_TOKEN")
    parser.add_argument("--username", default="aino")
    parser.add_argument("--service", default="kela.benefits")
    parser.add_argument("--language", default="fi")
    parser.add_argument("--hold", type=float, default=30.0)
    parser.add_argument("--stats-interval", type=float, default=1.0)
    parser.add_argument("--wait-timeout", type=float, default=60.0)
    parser.add_argument("--page-port", type=int, default=PAGE_PORT)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(run(args))
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
