"""The garbage collector's settings for a long-running server with thousands of clients.

Python's automatic collector suits short scripts, not a server holding 10,000 sockets. Every
client waits for its next message (a future, a task step, a coroutine frame), and those objects
live about a heartbeat. The collector starts a young collection when allocations minus
deallocations pass the first threshold; while such objects come and go that count grows
slowly, so young collections come seldom and walk everything made since that is still alive.
Measured with 10,000 clients (bench/signaling_load.py, a probe on ``gc.callbacks``) with the
threshold at 10,000: a young collection every 3-15 s holding the event loop 100-450 ms (nothing
collected), and a middle-generation one of 430 ms.

``gc_mode = "timed"`` (the default) therefore turns the automatic collector off after startup
and collects by the clock instead (:func:`run_collector`): the young generation every
``gc_young_interval_s`` (it holds only what was made since, so the walk is short; a reference
cycle dropped young is freed there), and everything every ``gc_full_interval_s``, logged
with its duration (cycles that lived longer wait for that). ``"automatic"`` keeps Python's
collector with ``gc_thresholds``. Either way what startup made (modules, schemas, the
restored queues) is frozen out of the walks (``gc_freeze``).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time

from jsonlog import fields
from signaling.settings import Settings

__all__ = ["run_collector", "tune_collector"]

log = logging.getLogger("etapiste.server")

SLOW_YOUNG_MS = 50.0
"""A young collection this long is counted apart and reported with the next full one."""


def tune_collector(settings: Settings) -> dict[str, object]:
    """Collect once, freeze what survives (``gc_freeze``), and set the collector up for
    ``gc_mode``; log and return what was done."""
    gc.collect()
    if settings.gc_freeze:
        gc.freeze()
    gc.set_threshold(*settings.gc_thresholds)
    if settings.gc_mode == "timed":
        gc.disable()
    else:
        gc.enable()
    done: dict[str, object] = {
        "gc_mode": settings.gc_mode,
        "gc_automatic": gc.isenabled(),
        "gc_thresholds": list(gc.get_threshold()),
        "gc_frozen": gc.get_freeze_count(),
    }
    if settings.gc_mode == "timed":
        done.update(young_interval_s=settings.gc_young_interval_s,
                    full_interval_s=settings.gc_full_interval_s)
    log.info("garbage collector tuned", extra=fields(**done))
    return done


async def run_collector(settings: Settings) -> None:
    """Collect by the clock (``gc_mode = "timed"``): the young generation every
    ``gc_young_interval_s``, everything every ``gc_full_interval_s``. Runs until cancelled."""
    young_s, full_s = settings.gc_young_interval_s, settings.gc_full_interval_s
    next_full = time.monotonic() + full_s
    young = slow = 0
    longest_ms = 0.0
    while True:
        await asyncio.sleep(young_s)
        t0 = time.perf_counter()
        if t0 < next_full:
            gc.collect(0)
            ms = (time.perf_counter() - t0) * 1000
            young += 1
            slow += ms >= SLOW_YOUNG_MS
            longest_ms = max(longest_ms, ms)
            continue
        found = gc.collect()
        log.info("full garbage collection", extra=fields(
            ms=round((time.perf_counter() - t0) * 1000, 1), collected=found,
            young=young, young_slow=slow, young_longest_ms=round(longest_ms, 1)))
        next_full = time.monotonic() + full_s
        young = slow = 0
        longest_ms = 0.0
