"""Crash handling for an unattended kiosk: log, keep a crash report, exit non-zero.

A kiosk nobody watches must not sit on a half-dead screen after an unexpected exception:
the handler writes a crash report (traceback, no citizen data: chat text and photos never
reach exceptions' messages here), logs it and ends the process with :data:`CRASH_EXIT_CODE`,
so systemd (``Restart=on-failure``) starts a fresh kiosk.  Hard crashes (segfaults in Qt or a
codec) are dumped by :mod:`faulthandler` into the same directory.
"""

from __future__ import annotations

import asyncio
import faulthandler
import logging
import os
import sys
import threading
import time
import traceback
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Final

log = logging.getLogger("etapiste.kiosk.crash")

CRASH_EXIT_CODE: Final = 70  # EX_SOFTWARE
_fault_file: IO[str] | None = None


def _write_report(directory: Path, text: str) -> Path | None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
        path.write_text(text, encoding="utf-8")
        return path
    except OSError:
        return None


def _die(directory: Path, where: str, exc: BaseException | None, tb_text: str) -> None:
    report = f"Etäpiste kiosk crash in {where}\n{tb_text}"
    path = _write_report(directory, report)
    log.critical("fatal error in %s: %r; crash report %s", where, exc, path)
    logging.shutdown()
    sys.stderr.flush()
    os._exit(CRASH_EXIT_CODE)


def install(directory: Path) -> None:
    """Make every uncaught exception (main thread, Qt slots, threads) fatal and reported."""
    global _fault_file
    directory.mkdir(parents=True, exist_ok=True)
    _fault_file = (directory / "faulthandler.log").open("a", encoding="utf-8")
    faulthandler.enable(_fault_file)

    def excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        text = "".join(traceback.format_exception(kind, exc, tb))
        _die(directory, "main thread", exc, text)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        text = "".join(
            traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)
        )
        _die(directory, f"thread {args.thread.name if args.thread else '?'}", args.exc_value, text)

    sys.excepthook = excepthook  # PyQt6 routes exceptions in slots here
    threading.excepthook = thread_hook


def arm_hang_report(seconds: float) -> None:
    """Write every thread's stack to the crash log unless re-armed within ``seconds``.

    Re-armed by each watchdog keepalive from the UI loop, and set to fire a little before
    systemd's ``WatchdogSec`` runs out: a hung UI leaves a report of where it hung before
    systemd kills it. A no-op until :func:`install` has opened the log.
    """
    if _fault_file is not None:
        faulthandler.dump_traceback_later(seconds, repeat=False, file=_fault_file)


def disarm_hang_report() -> None:
    """Stop the pending hang report (the app is shutting down on purpose)."""
    faulthandler.cancel_dump_traceback_later()


def loop_exception_handler(directory: Path) -> Any:
    """An asyncio exception handler: exceptions from the kiosk's own tasks are fatal.

    Library noise (aiortc/aioice transports closing) is only logged.
    """

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        task = context.get("task") or context.get("future")
        name = task.get_name() if isinstance(task, asyncio.Task) else ""
        if exc is not None and name.startswith("kiosk-"):
            text = "".join(traceback.format_exception(exc))
            _die(directory, f"task {name}", exc, text)
        loop.default_exception_handler(context)

    return handler
