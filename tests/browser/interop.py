"""A real Chromium as the agent, the Python client core as the kiosk, a real server between.

Shared by ``tests/browser/test_chromium_interop.py`` and ``bench/browser_interop.py``.

* :func:`page_server` serves ``agent_page.html`` from an aiohttp app of its own on loopback;
  its origin goes into the signaling server's ``allowed_origins``, as a separately hosted
  agent console's would.
* :func:`agent_browser` starts Debian's Chromium through Playwright (never a downloaded
  browser) with a fake camera reading a generated .y4m and the fake microphone's beep.
* :class:`BrowserAgent` drives the page (``window.etp``); :class:`PythonKiosk` queues a kiosk
  and runs :class:`~client_core.call.CallSession` with synthetic media, exactly as
  ``kiosk/headless.py`` does, plus a :class:`LevelMeter` as its "speaker".
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from aiohttp import web
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame
from playwright.async_api import Page, async_playwright

from client_core.call import CallSession, MediaSources
from client_core.call_events import CallEvent, ControlReceived
from client_core.media_synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from client_core.signaling_client import SignalingClient, login
from wire import client_messages as C
from wire import server_messages as S

CHROMIUM = Path("/usr/bin/chromium")
PAGE = Path(__file__).with_name("agent_page.html")
SERVICE = "kela.benefits"


def chromium_args(y4m: Path) -> list[str]:
    """Flags for a headless WebRTC run with a fake camera (DESIGN.md section 5)."""
    return [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={y4m}",
        "--autoplay-policy=no-user-gesture-required",
        "--disable-features=WebRtcHideLocalIpsWithMdns",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]


@contextlib.asynccontextmanager
async def page_server(
    page: Path = PAGE, *, route: str = "/agent.html", port: int = 0
) -> AsyncIterator[str]:
    """Serve ``page`` at ``route`` on a loopback port (ephemeral by default); yields its origin.

    A fixed ``port`` gives a fixed origin, which a server started beforehand can allow.
    """

    async def serve_page(_: web.Request) -> web.FileResponse:
        return web.FileResponse(page, headers={"Cache-Control": "no-store"})

    app = web.Application()
    app.router.add_get(route, serve_page)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def agent_browser(
    profile_dir: Path, y4m: Path, extra_args: list[str] | None = None
) -> AsyncIterator[Page]:
    """Debian's Chromium, headless, fresh profile; yields its page."""
    async with async_playwright() as pw:
        context = await pw.chromium.launch_persistent_context(
            str(profile_dir),
            executable_path=str(CHROMIUM),
            headless=False,  # "--headless=new" is in the args
            args=chromium_args(y4m) + (extra_args or []),
            timeout=20_000,
        )
        try:
            page = context.pages[0] if context.pages else await context.new_page()
            page.set_default_timeout(15_000)
            yield page
        finally:
            await context.close()


class BrowserAgent:
    """The test page as an agent: wraps ``window.etp`` and the page's functions."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))

    async def open(
        self,
        origin: str,
        base_url: str,
        ws_url: str,
        username: str,
        password: str,
        *,
        candidates: str = "trickle",
        timeout_s: float = 10.0,
    ) -> None:
        """Log in (as the agent console's login form would), load the page, go ready."""
        session = await login(base_url, username, password)
        await self.page.goto(f"{origin}/agent.html")
        await self.page.evaluate(
            "cfg => etpStart(cfg)",
            {"wsUrl": ws_url, "token": session.token, "candidates": candidates},
        )
        await self.wait("etp.ready || etp.errors.length > 0", timeout_s)
        errors = await self.state("errors")
        if errors:
            raise AssertionError(f"agent page failed: {errors}")

    async def wait(self, expression: str, timeout_s: float) -> None:
        """Wait until a JS expression is truthy on the page (polled, bounded)."""
        try:
            await self.page.wait_for_function(expression, timeout=timeout_s * 1000, polling=50)
        except Exception as exc:
            raise AssertionError(
                f"page: {expression!r} not true within {timeout_s} s;"
                f" log={await self.state('log')} errors={await self.state('errors')}"
                f" console={self.console[-10:]}"
            ) from exc

    async def state(self, key: str) -> Any:
        return await self.page.evaluate(f"window.etp.{key}")

    async def stats(self) -> dict[str, Any]:
        return await self.page.evaluate("etpStats()") or {}

    async def chat(self, text: str) -> None:
        await self.page.evaluate("t => etpChat(t)", text)

    async def hangup(self) -> None:
        await self.page.evaluate("etpHangup()")


class LevelMeter:
    """A "speaker" for :class:`MediaSources.audio_output`: measures every remote audio frame.

    ``AudioSink.rms`` holds only the latest 20 ms frame, and Chromium's fake microphone beeps
    briefly every half second or so, so polling it would miss the beeps; this sees them all.
    Duck-types the part of ``MediaRecorder`` the peer uses (``addTrack``, ``start``, ``stop``).
    """

    def __init__(self) -> None:
        self.frames = 0
        self.loud_frames = 0
        self.rms_max = 0.0
        self._tracks: list[MediaStreamTrack] = []
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def max_dbfs(self) -> float:
        return 20 * math.log10(self.rms_max) if self.rms_max > 0 else -math.inf

    def addTrack(self, track: MediaStreamTrack) -> None:  # MediaRecorder's name
        self._tracks.append(track)

    async def start(self) -> None:
        for track in self._tracks[len(self._tasks) :]:
            self._tasks.append(asyncio.create_task(self._read(track)))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        self._tracks.clear()

    async def _read(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if not isinstance(frame, AudioFrame):
                continue
            pcm = frame.to_ndarray().astype(np.float64) / 32768.0
            rms = float(np.sqrt(np.mean(np.square(pcm)))) if pcm.size else 0.0
            self.frames += 1
            self.loud_frames += rms > 0.01
            self.rms_max = max(self.rms_max, rms)


@dataclass
class PythonKiosk:
    """A kiosk of the client core, queued for the browser agent, with synthetic media."""

    client: SignalingClient
    meter: LevelMeter = field(default_factory=LevelMeter)
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    controls: list[Any] = field(default_factory=list)
    session: CallSession | None = None
    start: S.CallStart | None = None

    async def call(self, timeout_s: float = 15.0) -> CallSession:
        """Queue, wait for call_start, begin the call (sends the offer)."""
        started = asyncio.ensure_future(
            self.client.wait_for(S.CallStart, lambda m: not m.resumed, timeout=timeout_s)
        )
        joined = await self.client.request(C.QueueJoin(service=SERVICE, language="fi"))
        assert isinstance(joined, S.QueuePosition), joined
        self.start = await started
        assert self.start.role == "offerer"
        self.session = CallSession(
            self.client,
            self.start,
            MediaSources(
                video=SyntheticVideoTrack(640, 480, 30.0),
                audio=SyntheticAudioTrack(),
                speaker=self._speaker,
            ),
            listener=self._on_event,
            stats_interval_s=1.0,
        )
        await self.session.begin()
        return self.session

    async def _speaker(self) -> Any:
        return self.meter

    def _on_event(self, event: CallEvent) -> None:
        self.events.append((event.name, event))
        if isinstance(event, ControlReceived):
            self.controls.append(event.message.model_dump())

    @property
    def peer(self) -> Any:
        assert self.session is not None
        peer = self.session.peer or self.session.last_peer
        assert peer is not None, "no peer connection yet"
        return peer

    async def until(self, predicate: Any, timeout_s: float, what: str) -> None:
        """Poll ``predicate()`` every 20 ms until true; AssertionError after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"kiosk: {what} not reached within {timeout_s} s;"
                    f" events={[k for k, _ in self.events]}"
                )
            await asyncio.sleep(0.02)

    def started_wall(self) -> float:
        """Wall-clock time at which the kiosk began its offer (for cross-process timings)."""
        return time.time() - (time.monotonic() - self.peer.started_at)

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
