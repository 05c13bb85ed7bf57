"""Building and running the desktop console: presenter, backend and window on a qasync loop."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import ssl
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agent_console.backend import ConsoleBackend
from agent_console.bookings import BookingsPresenter
from agent_console.callbacks import CallbackPresenter
from agent_console.clock import Clock, SystemClock
from agent_console.i18n import Catalogue, UiLanguage
from agent_console.presenter import ConsolePresenter
from agent_console.views.context import ViewContext
from agent_console.views.main_window import MainWindow
from client_core.local_media import LocalMedia
from client_core.signaling_client import Backoff
from client_core.tls import tls_context
from jsonlog import fields

log = logging.getLogger("etapiste.console")


@dataclass
class Console:
    """One assembled console."""

    presenter: ConsolePresenter
    backend: ConsoleBackend
    window: MainWindow
    bookings: BookingsPresenter


def build_console(
    base_url: str,
    media: LocalMedia,
    *,
    language: UiLanguage = "fi",
    photo_folder: Path | None = None,
    chime: Callable[[], None] | None = None,
    clock: Clock | None = None,
    stats_interval_s: float = 2.0,
    backoff: Backoff | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> Console:
    """Wire presenter, backend and window together (the app, tests, screenshots, bench)."""
    backend = ConsoleBackend(
        base_url,
        media,
        stats_interval_s=stats_interval_s,
        backoff=backoff,
        ssl_context=ssl_context,
    )
    presenter = ConsolePresenter(
        backend, clock or SystemClock(), photo_folder=photo_folder, chime=chime
    )
    backend.attach(presenter)
    bookings = BookingsPresenter(backend, presenter.server_now)
    backend.attach_bookings(bookings)
    callbacks = CallbackPresenter(backend.send_callback, presenter.clock)
    backend.callbacks = callbacks
    presenter.subscribe(
        lambda topic: callbacks.logged_out() if topic == "login" and presenter.session is None
        else None
    )
    window = MainWindow(ViewContext(presenter, Catalogue(language), backend.feeds, bookings,
                                    callbacks))
    return Console(presenter, backend, window, bookings)


async def _run(args: argparse.Namespace) -> int:
    from PyQt6.QtWidgets import QApplication

    from agent_console.sound import Chime

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    from agent_console.media import open_devices

    if args.camera == "synthetic":
        media = LocalMedia.synthetic()
    else:
        media = await open_devices(args.camera)
    chime = Chime(app, use_multimedia=not args.no_sound)
    console = build_console(
        args.server,
        media,
        language=args.ui_language,
        photo_folder=Path(args.photo_folder) if args.photo_folder else None,
        chime=chime.play,
        ssl_context=tls_context(args.ca_file) if args.server.startswith("https") else None,
    )
    if args.username:
        console.window.login.username.setText(args.username)
        console.window.login.password.setFocus()
    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)
    # A session ending or systemd stopping the desktop sends SIGTERM: hang up and log out like
    # closing the window, so the citizen in a call is requeued at once, not after a grace.
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, closed.set)
    console.window.show()
    log.info("console started", extra=fields(server=args.server))
    await closed.wait()
    await console.backend.close()
    console.window.hide()
    log.info("console stopped")
    return 0


def run_ui(args: argparse.Namespace) -> int:
    """Run the desktop console until its window closes."""
    import qasync
    from PyQt6.QtWidgets import QApplication

    from client_qt.logs import route_qt_messages

    route_qt_messages()
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Etäpiste")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        code: int = loop.run_until_complete(_run(args))
    return code
