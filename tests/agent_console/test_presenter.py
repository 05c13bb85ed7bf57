"""The console's state machine without a screen or a network: fake backend, manual clock."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import cv2
import numpy as np
import pytest

from agent_console.alert import OfferAlert
from agent_console.call_presenter import Media, PhotoState
from agent_console.clock import ManualClock
from agent_console.console_state import Phase
from agent_console.presenter import ConsolePresenter
from client_core.call_events import BytesReceived, ControlReceived, MediaConnected, StatsSampled
from client_core.call_stats import StatsSample
from client_core.control import Chat, PhotoEnd, PhotoStart, photo_chunk, split_photo
from tests.agent_console.fakes import (
    FakeBackend,
    call_start,
    login_info,
    offer,
    service,
    status,
)
from wire import server_messages as S

Logged = tuple[ConsolePresenter, FakeBackend, ManualClock, list[int]]


def logged_in(tmp_path: Path | None = None) -> Logged:
    backend, clock, chimes = FakeBackend(), ManualClock(), []
    p = ConsolePresenter(
        backend, clock, photo_folder=tmp_path, chime=lambda: chimes.append(1)
    )
    p.login("aino", "secret")
    assert p.phase is Phase.LOGGING_IN and backend.calls[0] == ("login", ("aino", "secret"))
    p.on_logged_in(login_info(server_time=clock.time() + 5.0))  # server clock 5 s ahead
    p.on_message(status("not_ready", since=clock.time() + 5.0))
    return p, backend, clock, chimes


def in_call(tmp_path: Path | None = None) -> tuple[ConsolePresenter, FakeBackend, ManualClock]:
    p, backend, clock, _ = logged_in(tmp_path)
    p.set_ready()
    p.on_message(status("ready", since=clock.time()))
    p.on_message(offer())
    p.accept()
    p.on_message(status("in_call", since=clock.time(), call_id="c1"))
    p.on_message(call_start())
    return p, backend, clock


def test_login_needs_both_fields_and_reports_refusal():
    backend, clock = FakeBackend(), ManualClock()
    p = ConsolePresenter(backend, clock)
    seen: list[str] = []
    p.subscribe(seen.append)
    p.login("  ", "x")
    assert p.login_error == "login.missing" and backend.calls == []
    p.login("aino", "wrong")
    p.on_login_failed("login.refused")
    assert p.phase is Phase.LOGGED_OUT and p.login_error == "login.refused"
    assert "login" in seen


def test_time_in_state_uses_the_server_clock():
    p, _, clock, _ = logged_in()
    assert p.phase is Phase.NOT_READY
    assert p.time_in_state_s() == pytest.approx(0.0)
    clock.advance(65)
    assert p.time_in_state_s() == pytest.approx(65.0)


def test_ready_offer_countdown_alert_and_reject():
    p, backend, clock, chimes = logged_in()
    p.set_ready()
    assert backend.calls[-1] == ("set_state", ("ready", None))
    p.on_message(status("ready", since=clock.time()))
    assert p.phase is Phase.READY
    p.on_message(offer(expires_in_s=20, waited_s=95))
    p.on_message(status("reserved", since=clock.time()))
    assert p.phase is Phase.OFFERED
    assert p.offer_remaining_s() == pytest.approx(20)
    assert chimes == [1] and p.alert_frame.active and p.alert_frame.flash_on
    clock.advance(0.6)
    p.tick()
    assert not p.alert_frame.flash_on  # flashing
    clock.advance(3.5)
    p.tick()
    assert len(chimes) == 2  # repeats every 4 s
    assert p.offer_remaining_s() == pytest.approx(15.9)
    assert p.offer_waited_s() == pytest.approx(95 + 4.1)
    p.reject()
    assert backend.calls[-1] == ("reject_offer", ("o1",))
    p.reject()  # a double click sends nothing more
    assert backend.names().count("reject_offer") == 1
    p.on_message(S.OfferRevoked(offer_id="o1", reason="rejected"))
    p.on_message(status("ready", since=clock.time()))
    assert p.phase is Phase.READY and p.offer is None and not p.alert_frame.active
    clock.advance(10)
    p.tick()
    assert len(chimes) == 2  # silent once the offer is gone


def test_alert_is_urgent_near_the_end():
    alert = OfferAlert(repeat_s=4, urgent_repeat_s=2, urgent_below_s=6)
    alert.start(0.0, 10.0)
    played = [t for t in np.arange(0, 10, 0.25) if alert.tick(float(t)).play_sound]
    assert played == [0.0, 4.0, 6.0, 8.0]
    assert alert.tick(9.0).urgent and not alert.tick(9.5).play_sound


def test_missed_offers_are_counted_and_not_ready_is_explained():
    p, _, clock, _ = logged_in()
    p.set_ready()
    p.on_message(status("ready", since=clock.time()))
    for n in range(1, 4):
        p.on_message(offer(f"o{n}"))
        clock.advance(20)
        p.on_message(S.OfferRevoked(offer_id=f"o{n}", reason="timeout"))
        assert p.missed_offers == n and p.notice == "offer.missed"
    p.on_message(status("not_ready", since=clock.time(), reason="missed_offers"))
    assert p.phase is Phase.NOT_READY and p.status.reason == "missed_offers"
    p.set_ready()
    assert p.missed_offers == 0 and p.notice is None


def test_call_chat_mute_camera_and_quality():
    p, backend, clock = in_call()
    assert p.phase is Phase.IN_CALL and p.call is not None and p.offer is None
    call = p.call
    assert call.media is Media.CONNECTING
    p.on_call_event(MediaConnected(attempt=0))
    assert call.media is Media.CONNECTED
    assert call.send_chat("  Hei, miten voin auttaa?  ")
    assert backend.controls[-1] == {"type": "chat", "text": "Hei, miten voin auttaa?"}
    assert not call.send_chat("   ")
    p.on_call_event(ControlReceived(Chat(text="Hei!")))
    assert [(c.sender, c.text) for c in call.chat] == [
        ("agent", "Hei, miten voin auttaa?"),
        ("citizen", "Hei!"),
    ]
    backend.channel_open = False
    assert not call.send_chat("lost")
    assert call.chat[-1].sender == "system" and call.chat[-1].text == "chat_not_sent"
    backend.channel_open = True
    call.toggle_mute()
    call.toggle_camera()
    assert ("set_muted", (True,)) in backend.calls and ("set_camera", (False,)) in backend.calls
    assert {"type": "status", "camera": False, "microphone": None} in backend.controls

    sample = StatsSample(
        at=0.0, interval_s=2.0, rtt_ms=120.0, loss_in=0.01, loss_out=0.03, jitter_ms=8.0,
        bitrate_out_kbps=800.0, bitrate_in_kbps=800.0, fps_sent=30.0, fps_decoded=28.0,
        frames_missing=0, freezes=0, freeze_ms=0.0, latency_p50_ms=None, latency_p95_ms=None,
        audio_level_dbfs=-30.0, grade="fair",
    )
    p.on_call_event(StatsSampled(sample))
    assert (call.quality, call.rtt_ms, call.loss) == ("fair", 120.0, 0.03)
    clock.advance(42)
    assert call.elapsed_s() == pytest.approx(42)


def _jpeg() -> bytes:
    image = np.full((240, 320, 3), 200, dtype=np.uint8)
    ok, data = cv2.imencode(".jpg", image)
    assert ok
    return data.tobytes() * 3  # > one chunk


def _send_photo(p: ConsolePresenter, data: bytes, photo_id: str = "Ph0to123") -> None:
    chunks = split_photo(data)
    start = PhotoStart(
        photo_id=photo_id, mime="image/jpeg", size=len(data), chunks=len(chunks),
        width=320, height=240,
    )
    p.on_call_event(ControlReceived(start))
    for i, payload in reversed(list(enumerate(chunks))):  # order does not matter
        p.on_call_event(BytesReceived(photo_chunk(photo_id, i, payload)))
    p.on_call_event(ControlReceived(PhotoEnd(photo_id=photo_id)))


def test_photo_kept_in_memory_and_saved_only_on_request(tmp_path):
    folder = tmp_path / "photos"
    p, backend, _ = in_call(folder)
    call = p.call
    assert call is not None
    assert call.request_photo("Aseta asiakirja kameran eteen")
    assert backend.controls[-1]["type"] == "photo_request"
    assert call.photo_state is PhotoState.REQUESTED
    assert not call.request_photo()  # one at a time
    data = _jpeg()
    _send_photo(p, data)
    assert call.photo_state is PhotoState.RECEIVED and call.photo is not None
    assert call.photo.data == data
    assert not folder.exists()  # nothing written by receiving
    path = call.save_photo()
    assert path is not None and path.read_bytes() == data and path.parent == folder
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    call.discard_photo()
    assert call.photo is None and call.photo_state is PhotoState.IDLE


def test_photo_cannot_be_saved_without_a_folder():
    p, _, _ = in_call(None)
    call = p.call
    assert call is not None
    call.request_photo()
    _send_photo(p, _jpeg())
    assert call.photo is not None and not call.can_save_photo
    assert call.save_photo() is None


def test_broken_photo_transfer_fails_cleanly():
    p, _, _ = in_call()
    call = p.call
    assert call is not None
    call.request_photo()
    data = _jpeg()
    start = PhotoStart(photo_id="Ph0to123", mime="image/jpeg", size=len(data), chunks=2,
                       width=320, height=240)
    p.on_call_event(ControlReceived(start))
    p.on_call_event(BytesReceived(photo_chunk("Ph0to123", 0, data[:1000])))
    p.on_call_event(ControlReceived(PhotoEnd(photo_id="Ph0to123")))
    assert call.photo_state is PhotoState.FAILED and call.photo is None


def test_transfer_targets_and_transfer():
    p, backend, _ = in_call()
    p.on_services([
        service("kela.benefits", "kela"),
        service("vero.tax", "vero"),
        service("migri.permits", "migri", open_=False),
        service("te.employment", "te", languages=("sv",)),
    ])
    assert [s.id for s in p.transfer_targets()] == ["vero.tax", "migri.permits"]
    p.transfer("vero.tax")
    assert backend.calls[-1] == ("transfer", ("c1", "vero.tax"))


def test_wrapup_needs_a_disposition_and_ends_early(tmp_path):
    p, backend, clock = in_call()
    p.end_call()
    p.end_call()
    assert backend.names().count("end_call") == 1
    now = clock.time() + 5.0
    p.on_message(S.CallEnded(call_id="c1", reason="hangup", by="agent"))
    p.on_message(status("wrap_up", since=now, until=now + 30))  # as the server sends it
    assert p.phase is Phase.WRAP_UP and p.call is None and p.wrapup is not None
    assert p.wrapup.service == "kela.benefits"
    assert p.wrapup_remaining_s() == pytest.approx(30)
    clock.advance(12)
    assert p.wrapup_remaining_s() == pytest.approx(18)
    p.finish_wrapup()
    assert p.notice == "wrapup.choose_first" and "wrapup_done" not in backend.names()
    p.choose_disposition("not-a-code")
    assert p.wrapup.disposition is None
    p.choose_disposition("guided_to_eservice")
    p.set_note("  ohjattu OmaKelaan  ")
    p.finish_wrapup()
    assert backend.calls[-1] == ("wrapup_done", ("c1", "guided_to_eservice", "ohjattu OmaKelaan"))
    p.on_message(status("ready", since=clock.time()))
    assert p.phase is Phase.READY and p.wrapup is None


def test_a_chosen_disposition_is_sent_before_the_wrapup_runs_out():
    """The server keeps a wrap-up only while it lasts (issue 12): a choice made but not sent
    goes out just before the end, not after (when it would be refused and lost)."""
    p, backend, clock = in_call()
    p.on_message(S.CallEnded(call_id="c1", reason="hangup", by="kiosk"))
    until = clock.time() + 5.0 + 30  # server clock 5 s ahead of ours
    p.on_message(status("wrap_up", since=clock.time() + 5.0, until=until, call_id="c1"))
    p.choose_disposition("resolved")
    clock.advance(27.0)
    p.tick()
    assert "wrapup_done" not in backend.names()
    clock.advance(1.5)  # 1.5 s left
    p.tick()
    assert backend.calls[-1] == ("wrapup_done", ("c1", "resolved", None))
    p.tick()
    assert backend.names().count("wrapup_done") == 1


def test_nothing_is_sent_after_the_wrapup_ran_out():
    p, backend, clock = in_call()
    p.on_message(S.CallEnded(call_id="c1", reason="hangup", by="kiosk"))
    p.on_message(status("wrap_up", since=clock.time(), until=clock.time() + 30, call_id="c1"))
    p.choose_disposition("resolved")
    p.on_message(status("ready", since=clock.time()))  # the console missed its moment
    assert "wrapup_done" not in backend.names()


def test_transferred_call_goes_to_wrap_up_with_a_notice():
    p, _, clock = in_call()
    p.on_message(S.CallEnded(call_id="c1", reason="transferred", by="agent"))
    p.on_message(status("wrap_up", since=clock.time(), until=clock.time() + 30, call_id="c1"))
    assert p.phase is Phase.WRAP_UP and p.notice == "call.transferred"


def test_call_without_media_tells_the_clerk_where_the_citizen_went():
    for reason in ("media_requeued", "media_failed"):
        p, _, clock = in_call()
        p.on_message(S.CallEnded(call_id="c1", reason=reason, by="kiosk"))
        p.on_message(status("wrap_up", since=clock.time(), until=clock.time() + 30, call_id="c1"))
        assert p.phase is Phase.WRAP_UP and p.notice == f"call.{reason}"


def test_logout_only_between_calls():
    p, backend, _ = in_call()
    p.logout()
    assert "logout" not in backend.names()
    p.on_message(S.CallEnded(call_id="c1", reason="hangup", by="kiosk"))
    p.on_message(status("not_ready", since=0, reason="break"))
    p.logout()
    assert backend.names()[-1] == "logout"
    p.on_logged_out()
    assert p.phase is Phase.LOGGED_OUT and p.session is None


def test_queue_longest_wait_counts_on_between_pushes():
    p, _, clock, _ = logged_in()
    p.on_message(S.QueueStats(queues=[
        S.QueueStat(service="kela.benefits", language="fi", waiting=2, longest_wait_s=60,
                    ready_agents=1),
        S.QueueStat(service="vero.tax", language="fi", waiting=0, longest_wait_s=0,
                    ready_agents=1),
    ]))
    clock.advance(30)
    assert [p.longest_wait_s(r) for r in p.queues] == [pytest.approx(90), 0.0]
