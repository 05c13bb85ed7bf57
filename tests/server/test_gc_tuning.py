"""The server sets the garbage collector from its settings at startup, and in timed mode
collects by the clock."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import weakref

import pytest
from pydantic import ValidationError

from signaling.gc_tuning import run_collector, tune_collector
from signaling.settings import Settings


@pytest.fixture
def restore_gc():
    thresholds, enabled = gc.get_threshold(), gc.isenabled()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_automatic_mode_takes_thresholds_and_freeze_from_settings_and_logs_them(
    restore_gc, monkeypatch, caplog
):
    monkeypatch.setenv("ETAPISTE_GC_MODE", "automatic")
    monkeypatch.setenv("ETAPISTE_GC_THRESHOLDS", "[25000, 20, 40]")
    settings = Settings()
    assert settings.gc_thresholds == (25_000, 20, 40) and settings.gc_freeze
    gc.unfreeze()
    gc.disable()
    with caplog.at_level(logging.INFO, logger="etapiste.server"):
        done = tune_collector(settings)
    assert gc.isenabled() and gc.get_threshold() == (25_000, 20, 40)
    assert gc.get_freeze_count() > 0 and done["gc_frozen"] != 0
    record = next(r for r in caplog.records if r.getMessage() == "garbage collector tuned")
    logged = json.loads(json.dumps(record.fields))
    assert logged["gc_mode"] == "automatic" and logged["gc_thresholds"] == [25_000, 20, 40]


def test_timed_mode_turns_the_automatic_collector_off_and_freezing_can_be_switched_off(
    restore_gc,
):
    gc.unfreeze()
    gc.enable()
    done = tune_collector(Settings(gc_freeze=False))
    assert Settings().gc_mode == "timed"
    assert not gc.isenabled() and done["gc_automatic"] is False
    assert gc.get_freeze_count() == 0 and done["gc_frozen"] == 0


class Cycle:
    def __init__(self) -> None:
        self.me = self


async def test_timed_collector_frees_young_cycles_and_logs_each_full_collection(
    restore_gc, caplog
):
    gc.disable()
    gc.collect()
    freed = asyncio.Event()
    cycle = Cycle()
    ref = weakref.ref(cycle, lambda _: freed.set())
    del cycle  # unreachable now; only a collection frees it
    settings = Settings(gc_young_interval_s=0.01, gc_full_interval_s=0.5)
    with caplog.at_level(logging.INFO, logger="etapiste.server"):
        task = asyncio.create_task(run_collector(settings))
        try:
            async with asyncio.timeout(5):
                await freed.wait()
                assert ref() is None
                # freed by a young collection, long before the first full one
                assert not [r for r in caplog.records if r.getMessage().startswith("full")]
                await asyncio.sleep(0.8)  # past the first full collection (0.5 s)
        finally:
            task.cancel()
    record = next(r for r in caplog.records if r.getMessage() == "full garbage collection")
    assert record.fields["young"] >= 5 and record.fields["ms"] >= 0


def test_defaults_and_nonsense_is_refused():
    s = Settings()
    assert (s.gc_young_interval_s, s.gc_full_interval_s) == (0.1, 600.0)
    with pytest.raises(ValidationError):
        Settings(gc_thresholds=(0, 10, 10))
    with pytest.raises(ValidationError):
        Settings(gc_mode="never")
    with pytest.raises(ValidationError):
        Settings(gc_young_interval_s=0)
