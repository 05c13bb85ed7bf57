"""Giving memory back to the system after a call.

A call allocates tens of MiB natively (VP8 and Opus codec state, frame buffers in libav and
libvpx, some of it in encoder threads). When the call ends that memory is freed, but glibc
keeps freed heap pages for reuse, spread over several arenas, so a kiosk's RSS crept up by
about 0.4 MiB per call and by 40-55 MiB over 50 calls (``bench/call_media.py``) although the
Python heap stayed flat (tracemalloc). ``malloc_trim(0)`` after each call hands the free pages
back; RSS then stays within a few MiB of its level after the first call.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

_SETTLE_S = 1.0
"""Let aiortc's tasks and encoder threads finish with the closed call before trimming."""


def _load_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
        return trim
    except (OSError, AttributeError):
        return None  # not glibc (musl, macOS): nothing to trim


_malloc_trim = _load_trim()


def release_free_memory() -> float:
    """Collect reference cycles (aiortc's objects hold some), then return free heap pages to
    the system. Returns the time it took in ms (a few ms; it runs after a call, not in one)."""
    started = time.perf_counter()
    gc.collect()
    if _malloc_trim is not None:
        _malloc_trim(0)
    return (time.perf_counter() - started) * 1000


def release_after_call() -> None:
    """Schedule :func:`release_free_memory` shortly after a call's media has been closed."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return

    def run() -> None:
        took_ms = release_free_memory()
        log.debug("memory released after call in %.1f ms", took_ms)

    loop.call_later(_SETTLE_S, run)
