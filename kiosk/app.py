"""The touch kiosk assembled: devices, signaling, controller, presenter, window, watchdog.

:class:`KioskApp` is what ``python -m kiosk`` runs (:func:`run`) and what the UI tests and
the benchmark drive: one Qt + asyncio loop (qasync), one code path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import qasync
from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QApplication

from client_core.signaling_client import Backoff, SignalingClient
from client_core.tls import tls_context
from client_qt.logs import route_qt_messages
from kiosk import crash, systemd
from kiosk.audio_out import AudioOut
from kiosk.callback_flow import CALLBACK_WAIT_S
from kiosk.chime import Chime
from kiosk.controller import KioskController
from kiosk.devices import KioskDevices
from kiosk.flow import KioskPresenter
from kiosk.guidance import fixed_lines
from kiosk.headphones import read_jack
from kiosk.health import HEALTH_INTERVAL_S
from kiosk.i18n import Catalogue
from kiosk.speech.cache import SpeechCache, default_cache_dir
from kiosk.speech.speaker import Announcer, Speech
from kiosk.speech.voices import voice_for
from kiosk.state import Screen, Site
from kiosk.ui.window import KioskGuard, KioskWindow
from wire.types import Language

log = logging.getLogger("etapiste.kiosk.app")

EXIT_SESSION_ENDED = 3
HANG_REPORT_PERIODS = 1.8
"""Keepalive periods (half ``WatchdogSec`` each) without a ping before the hang report."""


@dataclass
class KioskConfig:
    """How to run the kiosk."""

    url: str
    token: str
    language: Language = "fi"
    windowed: bool = False
    ca_file: str | None = None
    """CA bundle for a ``wss://`` server (None: the system store)."""
    health_interval_s: float = HEALTH_INTERVAL_S
    stats_interval_s: float = 2.0
    media_timeout_s: float = 4.0
    idle_timeouts: dict[Screen, float | None] | None = None
    backoff: Backoff = field(default_factory=Backoff)
    audio_device: str | None = "default"
    """The speaker for chimes and spoken guidance, as ALSA names it (None: silent)."""
    speech: bool = True
    """Spoken guidance available (rendered into ``speech_cache`` on first start)."""
    speech_cache: Path | None = None
    hearing_loop: bool = False
    """The site has a hearing (induction) loop (the server may also say so)."""
    helpline: str | None = None
    """A phone number the device check names when a device fails."""
    callback_wait_s: float = CALLBACK_WAIT_S
    """A wait estimate this long offers a call back on the waiting screen (issue 14)."""


class KioskApp:
    """One kiosk: build with devices, :meth:`start`, later ``await`` :meth:`stop`."""

    def __init__(
        self,
        config: KioskConfig,
        devices: KioskDevices,
        *,
        clock: Callable[[], float] = time.monotonic,
        catalogue: Catalogue | None = None,
    ) -> None:
        self.config = config
        self.devices = devices
        self.catalogue = catalogue or Catalogue.load()
        self.client = SignalingClient(
            config.url,
            config.token,
            client_name="kiosk-ui",
            ssl_context=tls_context(config.ca_file) if "wss:" in config.url else None,
            backoff=config.backoff,
        )
        self.audio_out = AudioOut(config.audio_device if devices.speaker_device else None)
        self.speech_cache = SpeechCache(config.speech_cache or default_cache_dir(), voice_for)
        self.speech = (
            Speech(self.audio_out, self.speech_cache, self.catalogue) if config.speech else None
        )
        self.controller = KioskController(
            self.client,
            devices,
            chime=Chime(self.audio_out),
            speech=self.speech,
            read_headphones=read_jack if devices.speaker_device else lambda: None,
            health_interval_s=config.health_interval_s,
            stats_interval_s=config.stats_interval_s,
            media_timeout_s=config.media_timeout_s,
        )
        self.presenter = KioskPresenter(
            self.controller,
            clock=clock,
            default_language=config.language,
            idle_timeouts=config.idle_timeouts,
            site=Site(induction_loop=config.hearing_loop, helpline=config.helpline),
            callback_wait_s=config.callback_wait_s,
        )
        self.controller.bind(self.presenter)
        self.announcer = (
            Announcer(self.presenter, self.catalogue, self.speech) if self.speech else None
        )
        self.window = KioskWindow(
            self.presenter,
            self.catalogue,
            self.controller.remote,
            devices.preview,
            kiosk_mode=not config.windowed,
            slots=self.controller.slots,
        )
        self.guard = KioskGuard(self.presenter, lock_keys=not config.windowed)
        self.watchdog = QTimer()
        self.watchdog_pings = 0
        self.ended = asyncio.Event()
        self._prerender: asyncio.Future[int] | None = None
        self.exit_code = 0
        self._stopping = False
        self._hang_report_s = 0.0
        self.client.add_state_listener(self._on_state)

    def start(self) -> None:
        """Connect and show the window (fullscreen in kiosk mode)."""
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.guard)
        if self.config.windowed:
            self.window.resize(1920, 1080)
            self.window.show()
        else:
            self.window.showFullScreen()
        self.controller.start()
        if self.speech is not None:
            # First start (or a changed catalogue): render the fixed sentences in the
            # background; anything asked for before then is rendered on demand.
            self._prerender = asyncio.ensure_future(
                asyncio.to_thread(self.speech_cache.prerender, fixed_lines(self.catalogue))
            )
        interval = systemd.watchdog_interval_s()
        if interval is not None:
            # Pinged from the UI loop itself: a hung loop stops the pings.
            self.watchdog.setInterval(int(interval * 1000))
            self.watchdog.timeout.connect(self._keepalive)
            self.watchdog.start()
            self._hang_report_s = interval * HANG_REPORT_PERIODS
            crash.arm_hang_report(self._hang_report_s)
        systemd.notify("READY=1")

    def _keepalive(self) -> None:
        if systemd.notify("WATCHDOG=1"):
            self.watchdog_pings += 1
        crash.arm_hang_report(self._hang_report_s)

    def _on_state(self, state: str) -> None:
        if state == "closed" and not self._stopping and not self.ended.is_set():
            log.error("the server ended this kiosk's session (token revoked or replaced)")
            self.exit_code = EXIT_SESSION_ENDED
            self.ended.set()

    async def stop(self) -> None:
        """Hang up, disconnect, release devices, close the window."""
        self._stopping = True
        self.watchdog.stop()
        crash.disarm_hang_report()
        systemd.notify("STOPPING=1")
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.guard)
        self.window.tick_timer.stop()
        await self.controller.stop()
        if self._prerender is not None:
            with contextlib.suppress(Exception):
                await self._prerender
        self.audio_out.close()
        self.window.allow_close = True
        self.window.close()
        self.window.deleteLater()


async def _serve(config: KioskConfig, synthetic: bool, camera: str) -> int:
    if synthetic:
        devices = KioskDevices.synthetic()
    else:
        device: int | str = int(camera) if camera.isdigit() else camera
        devices = await KioskDevices.hardware(device)
    kiosk = KioskApp(config, devices)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, kiosk.ended.set)
    kiosk.start()
    await kiosk.ended.wait()
    await kiosk.stop()
    return kiosk.exit_code


def run(config: KioskConfig, *, synthetic: bool, camera: str, crash_dir: Path) -> int:
    """Run the touch UI until SIGTERM; crashes exit with :data:`crash.CRASH_EXIT_CODE`."""
    crash.install(crash_dir)
    route_qt_messages()
    app = QApplication(sys.argv[:1])
    app.setApplicationName("etapiste-kiosk")
    app.setQuitOnLastWindowClosed(False)  # the loop ends on SIGTERM, not on a window
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    loop.set_exception_handler(crash.loop_exception_handler(crash_dir))
    with loop:
        code: int = loop.run_until_complete(_serve(config, synthetic, camera))
    return code


def default_crash_dir() -> Path:
    """``$STATE_DIRECTORY/crash`` under systemd, else ``~/.local/state/etapiste/crash``."""
    state = os.environ.get("STATE_DIRECTORY")
    if state:
        return Path(state.split(":")[0]) / "crash"
    return Path.home() / ".local" / "state" / "etapiste" / "crash"
