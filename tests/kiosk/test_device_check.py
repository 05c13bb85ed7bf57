"""The device check before queueing: own picture, microphone level, test sound, and failing
devices named in plain words with what to do."""

from __future__ import annotations

import asyncio
import math

import numpy as np
from av import AudioFrame

from client_core.signaling_client import SignalingClient
from client_core.source_check import FLOOR_DB, level_of
from kiosk import wording
from kiosk.controller import KioskController
from kiosk.devices import KioskDevices
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.state import Screen
from tests.kiosk.test_flow import make, names
from tests.waiting import wait_until
from tools.shots import catalogue_services
from wire.types import DeviceStatus

CAT = Catalogue.load()


def frame(amplitude: float) -> AudioFrame:
    samples = (amplitude * 32767 * np.sin(np.arange(960) / 48000 * 2 * math.pi * 440))
    out = AudioFrame.from_ndarray(samples.astype(np.int16).reshape(1, -1), format="s16",
                                  layout="mono")
    out.sample_rate = 48000
    return out


def test_level_reads_silence_as_zero_and_full_scale_as_one() -> None:
    assert level_of(frame(0.0)) == 0.0
    assert level_of(frame(1.0)) > 0.95
    quiet = level_of(frame(10 ** (FLOOR_DB / 40)))  # halfway down in dB
    assert 0.4 < quiet < 0.6


async def test_the_check_shows_the_own_picture_and_the_microphone_level() -> None:
    devices = KioskDevices.synthetic()
    client = SignalingClient("ws://127.0.0.1:9/ws", "unused")  # never started
    controller = KioskController(client, devices)
    p = KioskPresenter(controller)
    controller.bind(p)
    p.on_services(catalogue_services(1.7e9))
    try:
        p.choose_language("fi")
        p.choose_service("kela.benefits")
        assert devices.preview.get()[1] is None  # nobody pulls the camera before the check
        p.accept_privacy()
        assert p.screen == Screen.DEVICE_CHECK and controller.source_check.running
        await wait_until(lambda: devices.preview.get()[1] is not None, 5, "own picture")
        await wait_until(p.microphone_heard, 5, "microphone level")
        assert 0.5 < p.citizen.check.microphone_level < 0.9  # the tone is at -15 dBFS
        p.toggle_mute()  # a muted microphone reads as silence
        await wait_until(lambda: p.citizen.check.microphone_level == 0.0, 5, "muted level")
        p.toggle_mute()
        p.back()  # leaving the check lets go of the camera and microphone
        await wait_until(lambda: not controller.source_check.running, 5, "check stopped")
    finally:
        await controller.stop()


def test_failing_devices_are_named_with_what_to_do() -> None:
    p, effects, _ = make()
    p.choose_language("fi")
    p.choose_service("kela.benefits")
    p.accept_privacy()
    assert "start_device_check" in names(effects)
    assert p.check_problems() == []
    p.play_test_sound()
    assert ("play_test_sound", ("fi",)) in effects.calls
    p.heard_test_sound(False)
    p.on_device("microphone", DeviceStatus.MISSING)
    p.on_device("camera", DeviceStatus.FAILED)
    lines = wording.check_lines(p, CAT)
    assert lines == [
        CAT.tr("fi", "check.microphone_broken"),
        CAT.tr("fi", "check.not_heard"),
        CAT.tr("fi", "check.camera_broken"),
        CAT.tr("fi", "check.ask_staff"),
    ]
    assert "näppäimistöllä" in lines[0]  # what to do: write instead
    p.site.helpline = "0295 000 000"
    assert wording.check_lines(p, CAT)[-1] == "Tarvitsetko apua? Soita neuvontaan: 0295 000 000."
    assert not p.citizen.chat_open  # the chat opens in the call, not here
    p.join_queue()  # a broken device does not stop anyone from queueing
    assert p.screen == Screen.WAITING and "stop_device_check" in names(effects)
    p.on_call_started("Aino")
    assert p.citizen.chat_open  # no microphone: the chat is open from the start


async def test_a_call_takes_the_devices_over_from_the_check() -> None:
    devices = KioskDevices.synthetic()
    client = SignalingClient("ws://127.0.0.1:9/ws", "unused")
    controller = KioskController(client, devices)
    p = KioskPresenter(controller)
    controller.bind(p)
    try:
        controller.start_device_check()
        await wait_until(lambda: controller.source_check.frames > 3, 5, "pulling")
        await controller.source_check.stop()
        frames = controller.source_check.frames
        await asyncio.sleep(0.2)
        assert controller.source_check.frames == frames and not controller.source_check.running
    finally:
        await controller.stop()
