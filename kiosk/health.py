"""The kiosk's health heartbeat: devices, load, temperature, server round trip, call quality.

Sent every :data:`HEALTH_INTERVAL_S` and at once when a device changes, so the operator's
dashboard knows within seconds that a camera died or a kiosk is overheating.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import psutil  # type: ignore[import-untyped]

from client_core.signaling_client import SignalingClient
from kiosk.devices import KioskDevices
from wire import client_messages as C
from wire.types import KioskHealth, Quality

log = logging.getLogger("etapiste.kiosk.health")

HEALTH_INTERVAL_S: Final = 10.0
APP_VERSION: Final = "0.1.0"


def temperature_c() -> float | None:
    """The hottest CPU-ish sensor, if the platform exposes any."""
    reader = getattr(psutil, "sensors_temperatures", None)
    if reader is None:
        return None
    try:
        sensors = reader()
    except (OSError, RuntimeError):
        return None
    readings = [t.current for entries in sensors.values() for t in entries if t.current]
    return round(max(readings), 1) if readings else None


@dataclass(eq=False)
class HealthReporter:
    """Builds :class:`KioskHealth` samples and sends them over the signaling client."""

    client: SignalingClient
    devices: KioskDevices
    last_quality: Callable[[], Quality | None]
    _: dataclasses.KW_ONLY
    interval_s: float = HEALTH_INTERVAL_S
    disk_path: str = "/"
    version: str = APP_VERSION
    started: float = field(default_factory=time.monotonic, init=False)
    sent: int = field(default=0, init=False)
    _task: asyncio.Task[None] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        psutil.cpu_percent(None)  # prime: the first call has no interval to measure

    def sample(self) -> KioskHealth:
        """What the kiosk reports right now."""
        disk: float | None
        try:
            disk = psutil.disk_usage(self.disk_path).percent
        except OSError:
            disk = None
        return KioskHealth(
            app_version=self.version,
            uptime_s=round(time.monotonic() - self.started, 1),
            camera=self.devices.camera,
            microphone=self.devices.microphone,
            speaker=self.devices.speaker,
            cpu_percent=min(1000.0, psutil.cpu_percent(None)),
            memory_percent=psutil.virtual_memory().percent,
            disk_percent=disk,
            temperature_c=temperature_c(),
            server_rtt_ms=self.client.last_rtt_ms,
            last_call_quality=self.last_quality(),
        )

    def send_now(self) -> bool:
        """Send one heartbeat now (returns False when offline)."""
        ok = self.client.send(C.Health(health=self.sample()))
        if ok:
            self.sent += 1
        return ok

    def start(self) -> None:
        """Heartbeat every ``interval_s`` until :meth:`stop`."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="kiosk-health")

    async def _run(self) -> None:
        while True:
            self.client.measure_rtt()  # the pong lands before the next beat
            await asyncio.sleep(self.interval_s)
            try:
                self.send_now()
            except Exception:
                log.exception("health sample failed")

    async def stop(self) -> None:
        """Stop the heartbeat."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
