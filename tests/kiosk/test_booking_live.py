"""Appointments end to end: a real server, the real kiosk UI (synthetic camera and sound), a
clerk on the client core, and real Chromium for the public booking page.

1. A citizen books on the public page in Chromium (a phone-sized screen), comes to the kiosk,
   touches "I have an appointment", types the code on the code keyboard; at the slot start the
   clerk is offered the call and answers; picture and sound flow both ways.
2. A clerk books a meeting with themself for a citizen on the phone; the citizen shows the QR
   code to the kiosk camera (the synthetic camera holds it up, read through the same camera
   path as a real one); the named clerk is offered the call at the slot start and answers.
3. A walk-in is refused because the kiosk is booked before the call would end, is told when,
   and books a time at the kiosk instead (the code and QR code on screen).

The server's clock is set to run a little before a slot boundary, so no test waits for a real
half hour; once the booking is made it is moved on, before the kiosk connects, so the slot
starts a few seconds after the check-in. (It is never moved while clients are connected: a
jump reads as their heartbeats having stopped, and the server drops them.)
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
from PyQt6.QtCore import Qt

from client_core.media_synthetic import SyntheticVideoTrack
from kiosk.state import Screen
from kiosk.ui.check_in import CheckInScreen
from kiosk.ui.welcome import WelcomeScreen
from signaling.booking.capacity import Capacity
from signaling.booking.codes import code_digest
from signaling.routing.hours import DAY_KEYS
from tests.kiosk.clerk import Clerk
from tests.kiosk.conftest import run
from tests.kiosk.helpers import make_app
from tests.kiosk.test_code_scan import qr_picture
from tests.server.harness import Harness, running_server
from tests.waiting import wait_until
from tools.dashboard_screenshots import CHROMIUM, chromium_page
from wire import booking_messages as B

pytestmark = pytest.mark.slow
LEFT = Qt.MouseButton.LeftButton
SERVICE = "kela.benefits"
PUBLIC = "https://etapiste.example"
SLOT_S = 1800.0
CHECK_IN_LEAD_S = 10.0
"""From the kiosk's start to the slot: its set-up and the check-in take a few seconds."""


class ServerClock:
    """The server's wall clock: real time moved by a fixed ``offset``."""

    def __init__(self, lead_s: float) -> None:
        now = time.time()
        boundary = (now // SLOT_S + 1) * SLOT_S
        if boundary - now < lead_s:
            boundary += SLOT_S
        self.offset = boundary - lead_s - now
        """Server time starts ``lead_s`` before a slot boundary (at most half an hour on)."""

    def __call__(self) -> float:
        return time.time() + self.offset

    def lead_to(self, start: float, lead_s: float = CHECK_IN_LEAD_S) -> None:
        """Move on so ``start`` is ``lead_s`` ahead (never back; only with no client connected)."""
        self.offset = max(self.offset, start - lead_s - time.time())


def capacity() -> Capacity:
    """Half-hour slots all day every day, one clerk set aside."""
    return Capacity(SERVICE, "fi", 30, 1, {d: [["00:00", "24:00"]] for d in DAY_KEYS})


async def _book_in_chromium(base_url: str, profile: Path) -> str:
    async with chromium_page(profile, 390, 844, locale="fi-FI") as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        await page.goto(f"{base_url}/book")
        await page.get_by_label("Kelan etuudet suomeksi").check()
        await page.get_by_label("Lieksa").check()
        await page.get_by_role("button", name="Näytä vapaat ajat").click()
        await page.locator(".slots button").first.click()
        await page.locator("h2.ok").wait_for()
        code = await page.locator(".code").get_attribute("data-code")
        assert code is not None and errors == []
        return code


def book_in_chromium(base_url: str, profile: Path) -> str:
    """Playwright on its own loop in a thread (the test's loop is Qt's); returns the code."""
    result: list[str] = []
    failure: list[BaseException] = []

    def body() -> None:
        try:
            result.append(asyncio.run(_book_in_chromium(base_url, profile)))
        except BaseException as exc:  # re-raised in the test
            failure.append(exc)

    thread = threading.Thread(target=body, name="chromium-booking")
    thread.start()
    thread.join(90)
    if failure:
        raise failure[0]
    assert result, "the booking page did not finish in 90 s"
    return result[0]


async def _media_both_ways(app, clerk: Clerk) -> None:  # type: ignore[no-untyped-def]
    session = clerk.session
    assert session is not None
    await wait_until(lambda: session.peer is not None
                     and session.peer.video_sink.frames_received > 10, 20,
                     "the kiosk's picture at the clerk")
    await wait_until(lambda: session.peer is not None
                     and session.peer.audio_sink.frames_received > 25, 10,
                     "the kiosk's sound at the clerk")
    kiosk_call = app.controller.session
    assert kiosk_call is not None
    await wait_until(lambda: kiosk_call.peer is not None
                     and kiosk_call.peer.video_sink.frames_received > 10, 20,
                     "the clerk's picture at the kiosk")
    await wait_until(lambda: kiosk_call.peer is not None
                     and kiosk_call.peer.audio_sink.frames_received > 25, 10,
                     "the clerk's sound at the kiosk")


async def _checked_in_then_answered(  # type: ignore[no-untyped-def]
    h: Harness, clock: ServerClock, app, clerk: Clerk, code: str
) -> None:
    p = app.presenter
    await wait_until(lambda: p.screen == Screen.WAITING
                     and p.citizen.booking.appointment is not None, 20, "checked in")
    appointment = p.citizen.booking.appointment
    booking = h.ctx.store.booking_by_code(code_digest(code))
    assert booking is not None and booking.state == "checked_in"
    assert appointment.booking_id == booking.id
    to_go = appointment.start - clock()
    answered = asyncio.ensure_future(clerk.answer(timeout=max(0.0, to_go) + 30))
    if to_go > 3:  # (on a very busy machine the setup may have taken the whole lead)
        await asyncio.sleep(1.0)
        assert appointment.state == "before_slot"
        assert clerk.offer is None  # nobody is offered a booked citizen before the slot
    await answered
    assert clock() >= appointment.start - 1
    await wait_until(lambda: p.screen == Screen.CALL, 20, "the call on the kiosk")
    assert clerk.offer is not None and clerk.offer.booking is not None
    assert clerk.offer.booking.booking_id == booking.id
    await _media_both_ways(app, clerk)
    again = h.ctx.store.booking(booking.id)
    assert again is not None and again.state == "in_call"


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} missing (Debian chromium)")
def test_booked_on_the_public_page_checked_in_by_typed_code_and_answered(
    qtbot, qloop, tmp_path: Path
) -> None:
    run(qloop, _typed(qtbot, tmp_path), timeout=170)


async def _typed(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    clock = ServerClock(lead_s=45)
    async with running_server(tmp_path / "data", clock, public_url=PUBLIC) as h:
        h.ctx.store.set_capacity(capacity(), now=clock())
        kid = h.add_kiosk("lieksa", "Lieksa 1")
        h.add_agent("aino", [SERVICE], ["fi"])
        code = await asyncio.to_thread(book_in_chromium, h.base_url, tmp_path / "profile")
        booked = h.ctx.store.booking_by_code(code_digest(code))
        assert booked is not None
        clock.lead_to(booked.start_at)  # the phone is put away; the citizen walks to the kiosk
        app = make_app(h, kid)
        app.start()
        clerk = Clerk(h.base_url, "aino")
        p, w = app.presenter, app.window
        try:
            await wait_until(lambda: p.devices.online, 10, "online")
            welcome = w.screens[Screen.WELCOME]
            assert isinstance(welcome, WelcomeScreen)
            qtbot.mouseClick(welcome.appointments["fi"], LEFT)
            assert p.screen == Screen.PRIVACY  # read first, as a walk-in does
            qtbot.mouseClick(w.screens[Screen.PRIVACY].accept, LEFT)  # type: ignore[attr-defined]
            assert p.screen == Screen.DEVICE_CHECK  # camera and sound checked, as a walk-in's
            qtbot.mouseClick(w.screens[Screen.DEVICE_CHECK].join, LEFT)  # type: ignore[attr-defined]
            assert p.screen == Screen.CHECK_IN
            screen = w.screens[Screen.CHECK_IN]
            assert isinstance(screen, CheckInScreen)
            keys = {key.text(): key for key in screen.keyboard.keys}
            for char in code:  # as the citizen reads it off the phone
                qtbot.mouseClick(keys[char], LEFT)
            assert screen.keyboard.send_button.isEnabled()
            qtbot.mouseClick(screen.keyboard.send_button, LEFT)
            await _checked_in_then_answered(h, clock, app, clerk, code)
        finally:
            await clerk.close()
            await app.stop()


def test_booked_by_the_clerk_checked_in_by_qr_through_the_camera_and_answered_by_them(
    qtbot, qloop, tmp_path: Path
) -> None:
    run(qloop, _qr(qtbot, tmp_path), timeout=170)


async def _qr(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    clock = ServerClock(lead_s=30)
    async with running_server(tmp_path / "data", clock, public_url=PUBLIC) as h:
        h.ctx.store.set_capacity(capacity(), now=clock())
        kid = h.add_kiosk("lieksa", "Lieksa 1")
        h.add_agent("aino", [SERVICE], ["fi"])
        clerk = Clerk(h.base_url, "aino")
        client = await clerk.connect()
        # Two days: in the last half hour before midnight today has no slot left to start.
        slots = await client.request(B.BookingSlotsGet(service=SERVICE, language="fi",
                                                       site="lieksa", days=2))
        assert isinstance(slots, B.BookingSlots) and slots.slots
        first = slots.slots[0]
        made = await client.request(B.BookingMake(service=SERVICE, language="fi", site="lieksa",
                                                  start=first.start, with_me=True))
        assert isinstance(made, B.BookingMade) and made.booking.clerk_name == "Aino"
        assert made.booking.qr_url == f"{PUBLIC}/book/{made.booking.code}"
        # The clerk hangs up the phone and logs out; comes back to work (a new login, in
        # :meth:`Clerk.answer`) once the citizen has checked in.
        await clerk.close()
        clerk = Clerk(h.base_url, "aino")
        clock.lead_to(first.start)
        app = make_app(h, kid)
        app.start()
        p, w = app.presenter, app.window
        try:
            await wait_until(lambda: p.devices.online, 10, "online")
            await wait_until(lambda: p.reservation.at == first.start, 10, "the kiosk's schedule")
            welcome = w.screens[Screen.WELCOME]
            assert isinstance(welcome, WelcomeScreen)
            qtbot.mouseClick(welcome.appointments["fi"], LEFT)
            qtbot.mouseClick(w.screens[Screen.PRIVACY].accept, LEFT)  # type: ignore[attr-defined]
            check = w.screens[Screen.DEVICE_CHECK]
            await wait_until(lambda: check.self_view.frames_shown >= 1, 10,  # type: ignore[attr-defined]
                             "own picture in the device check")
            qtbot.mouseClick(check.join, LEFT)  # type: ignore[attr-defined]
            assert p.screen == Screen.CHECK_IN
            await wait_until(lambda: app.controller.scanner.running, 5, "the camera looking")
            camera = app.devices.media.video
            assert camera is not None and isinstance(camera.source, SyntheticVideoTrack)
            camera.source.show(qr_picture(made.booking.qr_url or ""))  # the phone held up
            await _checked_in_then_answered(h, clock, app, clerk, made.booking.code)
            assert clerk.offer is not None and clerk.offer.booking is not None
            assert clerk.offer.booking.named  # the booked clerk, not any clerk
            assert not app.controller.scanner.running  # the camera is the call's now
            assert p.citizen.booking.appointment.clerk_name == "Aino"
        finally:
            await clerk.close()
            await app.stop()


def test_walk_in_refused_before_a_booked_meeting_books_a_time_at_the_kiosk(
    qtbot, qloop, tmp_path: Path
) -> None:
    run(qloop, _walk_in(qtbot, tmp_path), timeout=120)


async def _walk_in(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    clock = ServerClock(lead_s=240)  # the kiosk is booked four minutes from now
    async with running_server(tmp_path / "data", clock, public_url=PUBLIC) as h:
        h.ctx.store.set_capacity(capacity(), now=clock())
        kid = h.add_kiosk("lieksa", "Lieksa 1")
        h.add_agent("aino", [SERVICE], ["fi"])
        clerk = Clerk(h.base_url, "aino")
        client = await clerk.connect()
        # Two days: in the last half hour before midnight today has no slot left to start.
        slots = await client.request(B.BookingSlotsGet(service=SERVICE, language="fi",
                                                       site="lieksa", days=2))
        assert isinstance(slots, B.BookingSlots)
        first = slots.slots[0]
        made = await client.request(B.BookingMake(service=SERVICE, language="fi", site="lieksa",
                                                  start=first.start, with_me=True))
        assert isinstance(made, B.BookingMade)
        app = make_app(h, kid)
        app.start()
        p, w = app.presenter, app.window
        try:
            await wait_until(lambda: p.devices.online and p.services_loaded, 10, "online")
            await wait_until(lambda: p.reservation.at == first.start, 10, "the kiosk's schedule")
            # A walk-in chooses Kela: a call now would run into the booked meeting.
            p.choose_language("fi")
            await wait_until(lambda: p.reserved_soon(), 5, "reserved soon")
            services = w.screens[Screen.SERVICES]
            assert services.reserved.isVisible()  # type: ignore[attr-defined]
            p.choose_service(SERVICE)
            p.accept_privacy()
            p.join_queue()
            await wait_until(lambda: p.citizen.refusal is not None, 10, "refused")
            assert p.screen == Screen.SERVICES and p.citizen.refusal.code == "kiosk_reserved"
            assert services.notice.isVisible() and services.book.isVisible()  # type: ignore[attr-defined]
            qtbot.mouseClick(services.book, LEFT)  # type: ignore[attr-defined]
            assert p.screen == Screen.BOOKING
            offer = p.citizen.booking.offer
            assert offer is not None
            await wait_until(lambda: offer.phase == "slots", 10, "free times")
            assert first.start not in [s.start for s in offer.slots]  # that one is taken
            screen = w.screens[Screen.BOOKING]
            qtbot.mouseClick(screen.slot_buttons[0], LEFT)  # type: ignore[attr-defined]
            await wait_until(lambda: offer.phase == "made", 10, "booked")
            assert offer.made is not None
            code = offer.made.code
            stored = h.ctx.store.booking_by_code(code_digest(code))
            assert stored is not None and stored.state == "booked" and stored.site_id == "lieksa"
            assert screen.qr.pixmap() is not None and not screen.qr.pixmap().isNull()  # type: ignore[attr-defined]
            qtbot.mouseClick(screen.back, LEFT)  # "Done": nothing of it stays on the kiosk
            assert p.screen == Screen.WELCOME and p.citizen.booking.offer is None
        finally:
            await clerk.close()
            await app.stop()
