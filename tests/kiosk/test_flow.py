"""The presenter alone: no screen, no network, an injected clock."""

from __future__ import annotations

from kiosk.flow import KioskPresenter
from kiosk.state import CitizenSession, Screen, Site
from tests.kiosk.memory import traces
from tools.kiosk_screenshots import NullEffects
from tools.shots import catalogue_services
from wire.types import DeviceStatus


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def make() -> tuple[KioskPresenter, NullEffects, Clock]:
    effects, clock = NullEffects(), Clock()
    p = KioskPresenter(effects, clock=clock, wall_clock=lambda: 1.7e9)  # type: ignore[arg-type]
    p.on_services(catalogue_services(1.7e9))
    p.on_connection(True)
    return p, effects, clock


def names(effects: NullEffects) -> list[str]:
    return [name for name, _ in effects.calls]


def test_happy_path_and_effects() -> None:
    p, effects, _ = make()
    p.choose_language("sv")
    assert p.screen == Screen.SERVICES and "refresh_services" in names(effects)
    p.choose_service("mml.property")  # closed: not the queue, but a booking or a call back
    assert p.screen == Screen.OTHER_WAYS and "join_queue" not in names(effects)
    p.choose_way("book")
    assert p.screen == Screen.BOOKING and ("get_slots", ("mml.property", "sv")) in effects.calls
    p.leave_booking()
    assert p.screen == Screen.OTHER_WAYS and p.citizen.booking.offer is None
    p.choose_way("callback")
    assert p.screen == Screen.CALLBACK
    p.callback_back()
    assert p.screen == Screen.OTHER_WAYS and p.citizen.callback is None
    p.leave_other_ways()
    assert p.screen == Screen.SERVICES and p.citizen.other_ways is None
    p.choose_service("kela.benefits")
    assert p.screen == Screen.PRIVACY
    p.accept_privacy()
    assert p.screen == Screen.DEVICE_CHECK and "start_device_check" in names(effects)
    assert "join_queue" not in names(effects)
    p.join_queue()
    assert p.screen == Screen.WAITING and ("join_queue", ("kela.benefits", "sv")) in effects.calls
    assert "stop_device_check" in names(effects)
    p.on_queued(2, 300.0)
    assert (p.citizen.position, p.citizen.estimated_wait_s) == (2, 300.0)
    p.on_call_started("Aino")
    assert p.screen == Screen.CALL and "play_chime" in names(effects)
    p.on_chat_received("hei")
    p.send_chat("  hej  ")
    assert [(c.mine, c.text) for c in p.citizen.chat] == [(False, "hei"), (True, "hej")]
    p.toggle_mute()
    assert ("set_microphone", (False,)) in effects.calls
    p.change_volume(+1)
    assert p.citizen.volume == 80
    p.on_call_ended("hangup")
    assert p.screen == Screen.END and p.citizen.chat == []
    p.rate(4)
    assert ("submit_rating", (4,)) in effects.calls
    p.finish()
    assert p.screen == Screen.WELCOME and p.citizen == CitizenSession(language="fi")


def test_a_service_not_offered_in_english_explains_instead_of_queueing() -> None:
    p, effects, _ = make()
    p.choose_language("en")
    p.choose_service("poliisi.permits")  # fi and sv only
    assert p.screen == Screen.LANGUAGE_HELP and "join_queue" not in names(effects)
    help_ = p.language_help()
    assert help_ is not None and not help_.offered
    assert [o.language for o in help_.options] == ["fi", "sv"]


def test_refusal_goes_back_to_services_with_reason() -> None:
    p, _, _ = make()
    p.choose_language("fi")
    p.choose_service("kela.benefits")
    p.accept_privacy()
    p.join_queue()
    p.on_refused("queue_full")
    assert p.screen == Screen.SERVICES and p.citizen.refusal is not None
    assert p.citizen.refusal.service_id == "kela.benefits"  # the banner names the service
    assert not p.queued


def test_call_and_photo_never_time_out_but_reset_hangs_up() -> None:
    p, effects, clock = make()
    p.choose_language("fi")
    p.choose_service("kela.benefits")
    p.accept_privacy()
    p.join_queue()
    p.on_call_started("Aino")
    clock.t += 3600
    p.tick()
    assert p.screen == Screen.CALL
    p.on_photo_requested("passi")
    assert p.screen == Screen.PHOTO
    p.reset()
    assert "hang_up" in names(effects) and p.screen == Screen.WELCOME


def test_photo_countdown_then_capture() -> None:
    p, effects, clock = make()
    p.choose_language("fi")
    p.choose_service("kela.benefits")
    p.accept_privacy()
    p.join_queue()
    p.on_call_started("Aino")
    p.on_photo_requested("Kela-kortti")
    p.take_photo()
    assert p.countdown() == 3
    clock.t += 1.2
    p.tick()
    assert p.countdown() == 2 and "take_photo" not in names(effects)
    clock.t += 2
    p.tick()
    assert "take_photo" in names(effects) and p.citizen.photo.phase == "sending"  # type: ignore[union-attr]
    p.on_photo_sent()
    clock.t += 3.1
    p.tick()
    assert p.screen == Screen.CALL and p.citizen.photo is None


def test_photo_with_broken_camera_is_declined_honestly() -> None:
    p, effects, _ = make()
    p.choose_language("fi")
    p.choose_service("kela.benefits")
    p.accept_privacy()
    p.join_queue()
    p.on_call_started("Aino")
    p.on_device("camera", DeviceStatus.FAILED)
    p.on_photo_requested("passi")
    assert p.citizen.photo is not None and p.citizen.photo.phase == "unavailable"
    assert "cancel_photo" in names(effects)


def test_lost_microphone_opens_the_chat() -> None:
    p, _, _ = make()
    p.on_device("microphone", DeviceStatus.MISSING)
    p.choose_language("fi")
    p.choose_service("kela.benefits")
    p.accept_privacy()
    p.join_queue()
    p.on_call_started("Aino")
    assert p.citizen.chat_open


def test_reconnecting_covers_the_call_and_returns() -> None:
    p, _, _ = make()
    p.choose_language("fi")
    p.choose_service("kela.benefits")
    p.accept_privacy()
    p.join_queue()
    p.on_call_started("Aino")
    p.on_media_lost()
    assert p.screen == Screen.RECONNECTING
    p.on_media_recovered()
    assert p.screen == Screen.CALL
    p.on_connection(False)
    assert p.screen == Screen.RECONNECTING
    p.on_connection(True)
    assert p.screen == Screen.CALL


def test_transfer_and_lost_clerk_requeue() -> None:
    p, _, _ = make()
    p.choose_language("fi")
    p.choose_service("kela.benefits")
    p.accept_privacy()
    p.join_queue()
    p.on_call_started("Aino")
    p.on_transferred("transferred")
    assert p.screen == Screen.WAITING and p.queued and p.citizen.transferred
    p.on_queued(1, None)
    assert p.citizen.position == 1 and p.citizen.requeue_reason is None
    assert p.waiting_notice_key == "waiting.transferred"
    # No media path with that clerk: back at the head of the queue, and the screen says so.
    p.on_call_started("Aino")
    p.on_transferred("media_requeued")
    assert p.screen == Screen.WAITING and p.queued and not p.citizen.transferred
    assert p.citizen.requeue_reason == "media_requeued"
    assert p.waiting_notice_key == "waiting.requeued_media"
    # It failed with the next clerk too: the end screen says what to do now.
    p.on_call_started("Eero")
    p.on_call_ended("media_failed")
    assert p.screen == Screen.END and p.end_message_key == "end.ended_media_failed"


def test_the_end_screen_says_how_the_call_ended() -> None:
    p, _, _ = make()
    for reason, key, title in (("hangup", "end.ended", "end.title"),
                               ("kiosk_lost", "end.ended_failed", "end.title_failed"),
                               ("media_failed", "end.ended_media_failed", "end.title_failed")):
        p.citizen.end_reason = reason
        assert (p.end_message_key, p.end_title_key) == (key, title)


def test_memory_probe_finds_what_it_looks_for() -> None:
    marker = "M" + "x" * 12
    holder = {"a": [("b", f"hello {marker}")], "photo": b"\xff\xd8\xff\xe0rest"}
    assert len(traces([holder], marker)) == 2


def test_the_hearing_loop_sign_follows_the_server_or_the_kiosks_own_setting() -> None:
    p, _, _ = make()
    assert not p.site.induction_loop
    p.on_site(hearing_loop=True)  # the site setting, in the welcome
    assert p.site.induction_loop
    p.on_site(hearing_loop=False)  # turned off again: gone at the next connection
    assert not p.site.induction_loop
    configured = KioskPresenter(NullEffects(), site=Site(induction_loop=True))  # type: ignore[arg-type]
    configured.on_site(hearing_loop=False)
    assert configured.site.induction_loop  # kiosk.env says so: the server cannot hide it
