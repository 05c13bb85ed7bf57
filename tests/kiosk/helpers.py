"""Building a real kiosk app against the test server."""

from __future__ import annotations

from kiosk.app import KioskApp, KioskConfig
from kiosk.devices import KioskDevices
from tests.fake_clock import FakeClock
from tests.server.harness import FAST, Harness
from wire.types import Language


def make_app(
    h: Harness,
    kiosk_id: str,
    devices: KioskDevices | None = None,
    clock: FakeClock | None = None,
    language: Language = "fi",
    health_interval_s: float = 0.5,
) -> KioskApp:
    """A windowed kiosk app with synthetic media talking to ``h``."""
    config = KioskConfig(
        url=h.ws_url,
        token=h.kiosk_tokens[kiosk_id],
        language=language,
        windowed=True,
        health_interval_s=health_interval_s,
        stats_interval_s=1.0,
        # Server, clerk, kiosk and UI share two busy cores in the tests: no media restart
        # on a scheduling hiccup (production keeps 4 s).
        media_timeout_s=10.0,
        backoff=FAST,
        audio_device=None,
        speech=False,  # spoken guidance has its own tests; no rendering in every UI test
    )
    return KioskApp(config, devices or KioskDevices.synthetic(), clock=clock or FakeClock())
