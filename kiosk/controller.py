"""Glue between the presenter and the world: signaling, calls, devices, photos, heartbeat.

:class:`KioskController` implements :class:`kiosk.flow.Effects` with the client core and
feeds server messages and call events back to the :class:`kiosk.flow.KioskPresenter`.
It imports no Qt: the same controller runs under the touch UI and in tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import subprocess
from collections.abc import Callable, Coroutine
from typing import Any

from client_core.call import CallSession, MediaSources
from client_core.call_events import (
    CallEvent,
    CallFinished,
    ControlReceived,
    MediaFailed,
    MediaRecovered,
    PeerLinkChanged,
    StatsSampled,
)
from client_core.control import Chat, ControlMessage, PeerMediaStatus, PhotoCancel, PhotoRequest
from client_core.errors import ClientError, NotConnected, ServerRefused
from client_core.frame_slot import FrameSlot
from client_core.mesh import MediaFanout, MeshCall, PairMedia
from client_core.signaling_client import SignalingClient, State
from client_core.source_check import SourceCheck
from client_core.track_lease import TrackLease, lease
from kiosk.booking_link import BookingLink
from kiosk.callback_link import CallbackLink
from kiosk.chime import Chime
from kiosk.devices import DeviceKind, KioskDevices
from kiosk.flow import KioskPresenter
from kiosk.headphones import HeadphoneWatch, read_jack
from kiosk.health import HEALTH_INTERVAL_S, HealthReporter
from kiosk.media_prep import MediaPrepLink
from kiosk.members import CallMember, MemberSlots
from kiosk.photo import PhotoSendFailed, send_photo
from kiosk.speech.speaker import Speech
from kiosk.state import Screen
from kiosk.stills import StillUnavailable, encode_jpeg
from wire import client_messages as C
from wire import member_messages as M
from wire import server_messages as S
from wire.errors import ErrorCode
from wire.types import DeviceStatus, Language, Quality

log = logging.getLogger("etapiste.kiosk.controller")

SERVICES_REFRESH_S = 30.0


class KioskController(BookingLink, CallbackLink, MediaPrepLink):
    """Runs one kiosk's signaling, calls and heartbeat on the event loop."""

    def __init__(
        self,
        client: SignalingClient,
        devices: KioskDevices,
        *,
        chime: Chime | None = None,
        speech: Speech | None = None,
        read_headphones: Callable[[], bool | None] = read_jack,
        health_interval_s: float = HEALTH_INTERVAL_S,
        stats_interval_s: float = 2.0,
        media_timeout_s: float = 4.0,
    ) -> None:
        self.client = client
        self.devices = devices
        self.chime = chime or Chime()
        self.speech = speech
        self.source_check = SourceCheck(devices.media, self._on_level)
        self.scanner = self._scanner()
        self._last_wait = None
        self.headphones = HeadphoneWatch(self._on_headphones, read_headphones)
        self.stats_interval_s = stats_interval_s
        self.media_timeout_s = media_timeout_s
        self.presenter: KioskPresenter | None = None
        self.session: CallSession | None = None
        self.last_call_id: str | None = None
        """The citizen's latest call, which the end screen's rating is about."""
        self.remote = FrameSlot()
        self.slots = MemberSlots(self.remote)
        """Each member's picture in a call of three or four (the clerk's is ``remote``)."""
        self.members: list[CallMember] = []
        self.member_id: str | None = None
        """The kiosk's own member id in a call of three or four."""
        self.mesh: MeshCall | None = None
        """The pairs with members beyond the clerk (made with each call, idle in a call of
        two)."""
        self.first_pair: PairMedia | None = None
        self.leases: list[TrackLease | None] = []
        self._mesh_closing: set[asyncio.Future[None]] = set()
        self.last_quality: Quality | None = None
        self.calls = 0
        self.photos_sent = 0
        self.health = HealthReporter(
            client, devices, lambda: self.last_quality, interval_s=health_interval_s
        )
        self._tasks: set[asyncio.Task[Any]] = set()
        self._photo_task: asyncio.Task[Any] | None = None
        self._ever_connected = False

    # ----------------------------------------------------------------------- lifecycle

    @property
    def p(self) -> KioskPresenter:
        """The bound presenter."""
        if self.presenter is None:
            raise RuntimeError("controller not bound to a presenter")
        return self.presenter

    def bind(self, presenter: KioskPresenter) -> None:
        """Attach the presenter this controller serves."""
        self.presenter = presenter
        presenter.devices.camera = self.devices.camera
        presenter.devices.microphone = self.devices.microphone
        presenter.devices.speaker = self.devices.speaker

    def start(self) -> None:
        """Connect, start the heartbeat and the periodic service refresh."""
        self.devices.on_change = self._on_device
        self.client.add_listener(self._on_message)
        self.client.add_state_listener(self._on_state)
        self.client.start()
        self.health.start()
        self.headphones.start()
        self._spawn(self._refresh_loop(), "services-refresh")

    async def stop(self) -> None:
        """Hang up, stop every task, close the connection and the devices."""
        if self.session is not None:
            with contextlib.suppress(Exception):
                await self.session.hangup(timeout=2.0)
        if (primer := self._take_primer()) is not None:
            await primer.stop()
        await self.health.stop()
        await self.headphones.stop()
        await self.source_check.stop()
        await self.scanner.stop()
        if self.speech is not None:
            self.speech.stop()
        if self.mesh is not None:
            self._after_call()
        # Pairs closing finish first: a cancelled close would leave their peers running.
        await asyncio.gather(*self._mesh_closing, return_exceptions=True)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.client.close()
        await self.devices.close()

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro, name=f"kiosk-{name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # ------------------------------------------------------------------------- effects

    def refresh_services(self) -> None:
        self._spawn(self._refresh_services(), "services")

    async def _refresh_services(self) -> None:
        with contextlib.suppress(ClientError, TimeoutError):
            reply = await self.client.request(C.ServicesGet(), timeout=5.0)
            if isinstance(reply, S.Services):
                self.p.on_services(reply.services)

    async def _refresh_loop(self) -> None:
        while True:
            await asyncio.sleep(SERVICES_REFRESH_S)
            if self.p.screen in (Screen.WELCOME, Screen.SERVICES) and self.p.devices.online:
                await self._refresh_services()

    def join_queue(self, service: str, language: Language) -> None:
        self._spawn(self._join(service, language), "join")

    async def _join(self, service: str, language: Language) -> None:
        self._prepare_media()
        try:
            reply = await self.client.request(C.QueueJoin(service=service, language=language))
        except ServerRefused as exc:
            if exc.code != ErrorCode.ALREADY_QUEUED:
                self._drop_prepared_media()
            if exc.code == ErrorCode.ALREADY_QUEUED or self._kiosk_reserved(exc):
                return
            langs = [x for x in exc.languages_available if x in ("fi", "sv", "en")]
            self.p.on_refused(str(exc.code), exc.next_opening, langs)  # type: ignore[arg-type]
            return
        except (NotConnected, TimeoutError):
            self._drop_prepared_media()
            self.p.on_refused("offline")
            return
        if isinstance(reply, S.QueuePosition):
            self.p.on_queued(
                reply.position, reply.estimated_wait_s, reply.kiosk_needed, reply.estimate_kind
            )

    def leave_queue(self) -> None:
        self._spawn(self._leave(), "leave")

    async def _leave(self) -> None:
        self._drop_prepared_media()
        with contextlib.suppress(ClientError, TimeoutError):
            await self.client.request(C.QueueLeave(), timeout=5.0)

    def hang_up(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            self._spawn(self._hang_up(session), "hangup")

    async def _hang_up(self, session: CallSession) -> None:
        await session.hangup(timeout=3.0)
        self._after_call()

    def send_chat(self, text: str) -> None:
        session = self.session
        if session is None:
            return
        if len(self.members) > 1:  # a call of three or four: the server relays to all
            self.client.send(M.MemberChat(call_id=session.call_id, text=text))
        else:
            session.send_control(Chat(text=text).model_dump())

    def set_microphone(self, on: bool) -> None:
        self.devices.set_microphone_enabled(on)
        self._tell_peer(microphone=on and self.devices.microphone == DeviceStatus.OK)

    def set_camera(self, on: bool) -> None:
        self.devices.set_camera_enabled(on)
        self._tell_peer(camera=on and self.devices.camera == DeviceStatus.OK)

    def _tell_peer(self, camera: bool | None = None, microphone: bool | None = None) -> None:
        if self.session is not None:
            status = PeerMediaStatus(camera=camera, microphone=microphone)
            self.session.send_control(status.model_dump(exclude_none=True))

    def set_volume(self, level: int) -> None:
        self._spawn(asyncio.to_thread(set_system_volume, level), "volume")

    def take_photo(self) -> None:
        self._photo_task = self._spawn(self._take_photo(), "photo")

    async def _take_photo(self) -> None:
        session, still = self.session, self.devices.still
        if session is None or still is None:
            self.p.on_photo_failed()
            return
        try:
            image = await still.capture()
            height, width = image.shape[:2]
            jpeg = await asyncio.to_thread(encode_jpeg, image)
            del image
            await send_photo(session, jpeg, width, height)
            del jpeg
        except (StillUnavailable, PhotoSendFailed, TimeoutError) as exc:
            log.warning("photo not sent: %s", exc)
            self.p.on_photo_failed()
            return
        self.photos_sent += 1
        log.info("document photo sent (%dx%d); nothing kept", width, height)
        self.p.on_photo_sent()

    def cancel_photo(self) -> None:
        if self._photo_task is not None:
            self._photo_task.cancel()
            self._photo_task = None
        if self.devices.still is not None:
            self.devices.still.disarm()
        if self.session is not None:
            self.session.send_control(PhotoCancel().model_dump())

    def play_chime(self) -> None:
        if self.speech is not None:
            self.speech.stop()  # the clerk is here: guidance about waiting is over
        self.chime.play()

    def play_attention(self) -> None:
        self.chime.attention()

    def play_test_sound(self, language: Language) -> None:
        if self.speech is None:
            log.info("test sound asked for, but this kiosk has no speech")
            return
        self.speech.say_keys(language, ["check.test_sentence"], "test-sound")

    def start_device_check(self) -> None:
        self.source_check.start()

    def stop_device_check(self) -> None:
        self._spawn(self.source_check.stop(), "check-stop")

    def _on_level(self, level: float) -> None:
        self.p.on_microphone_level(level)

    def _on_headphones(self, plugged: bool) -> None:
        self.p.on_headphones(plugged)

    def submit_rating(self, rating: int) -> None:
        # Stored on the call record (anonymous); the kiosk keeps nothing.
        if self.last_call_id is None:
            log.info("rating %d given without a call; not sent", rating)
            return
        self.client.send(C.CallRating(call_id=self.last_call_id, rating=rating))
        self.last_call_id = None

    def forget_citizen(self) -> None:
        self._drop_prepared_media()
        self.last_call_id = None
        if self._photo_task is not None:
            self._photo_task.cancel()
            self._photo_task = None
        self.devices.forget()
        self.remote.clear()

    # -------------------------------------------------------------------------- events

    def _on_state(self, state: State) -> None:
        if state == "connected":
            self._ever_connected = True
            welcome = self.client.welcome
            if welcome is not None:
                self.p.on_site(hearing_loop=welcome.identity.hearing_loop)
            self.p.on_connection(True)
            self.refresh_services()
            self.health.send_now()
        elif state in ("reconnecting", "closed") or self._ever_connected:
            self.p.on_connection(False, problem=self.client.problem)

    def _on_device(self, kind: DeviceKind, status: DeviceStatus) -> None:
        log.warning("device %s is %s; telling the operator", kind, status)
        self.p.on_device(kind, status)
        self.health.send_now()
        if kind == "camera":
            self._tell_peer(camera=status == DeviceStatus.OK)
        elif kind == "microphone":
            self._tell_peer(microphone=status == DeviceStatus.OK)

    def _on_message(self, message: S.ServerMessage) -> None:
        match message:
            case S.Services():
                self.p.on_services(message.services)
            case S.QueuePosition():
                self.p.on_queued(
                    message.position,
                    message.estimated_wait_s,
                    message.kiosk_needed,
                    message.estimate_kind,
                )
            case S.QueueLeft() if message.reason in ("cancelled", "abandoned"):
                self._drop_prepared_media()
                self.p.on_left_queue()
            case S.CallStart() if not message.resumed:
                self._spawn(self._start_call(message), "call")
            case S.CallTransferred():
                self.p.on_transferred("transferred")
            case M.MemberChatPosted() if self._in_this_call(message.call_id):
                if message.member_id != self.member_id:  # our own line is shown already
                    self.p.on_chat_received(message.text, message.member_id)
            case _:
                self._on_booking_message(message)

    def _on_members(self, message: M.CallMembers) -> None:
        """A membership change (the mesh has opened or closed its pairs already)."""
        if not self._in_this_call(message.call_id):
            return
        self.member_id = message.you
        mesh = self.mesh
        if mesh is not None:
            for member_id, link in mesh.pairs.items():
                self.slots.link(member_id, link.remote_video)
        members = [CallMember.from_wire(m) for m in message.members]
        self.members = [m for m in members if m is not None]
        self.slots.keep_only(m.member_id for m in self.members)
        self.p.on_members(self.members)

    def _in_this_call(self, call_id: str) -> bool:
        return self.session is not None and self.session.call_id == call_id

    async def _start_call(self, start: S.CallStart) -> None:
        if not self.p.queued or self.session is not None:
            log.warning("call %s arrived with nobody waiting; ending it", start.call_id)
            self.client.send(C.CallEnd(call_id=start.call_id))
            return
        self.calls += 1
        self.last_call_id = start.call_id
        await self.source_check.stop()  # the call takes over the camera and microphone
        await self.scanner.stop()
        # Camera and microphone fan out to every member's pair; the clerk's pair is first.
        self.leases = [lease(self.devices.video), lease(self.devices.audio)]
        fanout = MediaFanout(*self.leases)
        first = self.first_pair = fanout.subscribe()
        sources = MediaSources(
            video=first.video,
            audio=first.audio,
            speaker=self.devices.speaker_for_call,
            remote_video=self.remote,
        )
        session = CallSession(
            self.client,
            start,
            sources,
            listener=self._on_call_event,
            stats_interval_s=self.stats_interval_s,
            media_timeout_s=self.media_timeout_s,
            name=f"kiosk-{start.call_id[-8:]}",
            primer=self._take_primer(),
        )
        self.session = session
        self.mesh = MeshCall(
            self.client, start.call_id, fanout, on_members=self._on_members,
            speaker=self.devices.speaker_for_call, stats_interval_s=self.stats_interval_s,
            media_timeout_s=self.media_timeout_s, name=f"kiosk-mesh-{start.call_id[-8:]}",
        )
        self.p.on_call_started(start.peer.name)
        await session.begin()

    def _on_call_event(self, event: CallEvent) -> None:
        match event:
            case MediaFailed():
                self.p.on_media_lost()
            case MediaRecovered():
                self.p.on_media_recovered()
            case StatsSampled(sample=sample):
                self.last_quality = Quality(sample.grade)
                self.p.on_quality(sample.grade)
            case PeerLinkChanged(status=status):
                self.p.on_clerk_status(status == "reconnecting")
            case ControlReceived(message=message):
                self._on_control(message)
            case CallFinished(reason=reason):
                self.session = None
                self._after_call()
                if reason in ("transferred", "agent_lost", "media_requeued"):
                    self._prepare_media()  # waiting again, for another clerk
                    self.p.on_transferred(reason)
                else:
                    self.p.on_call_ended(reason)
            case _:
                pass

    def _on_control(self, message: ControlMessage) -> None:
        if isinstance(message, Chat):
            self.p.on_chat_received(message.text)
        elif isinstance(message, PhotoRequest):
            if self.devices.still is not None:
                self.devices.still.arm()
            self.p.on_photo_requested(message.prompt)
        elif isinstance(message, PhotoCancel):
            if self.devices.still is not None:
                self.devices.still.disarm()
            self.p.on_photo_cancelled()

    def _after_call(self) -> None:
        self.members, self.member_id = [], None
        mesh, first = self.mesh, self.first_pair
        self.mesh = self.first_pair = None
        if mesh is not None:
            closing = asyncio.ensure_future(mesh.close())
            self._mesh_closing.add(closing)
            closing.add_done_callback(self._mesh_closing.discard)
        if first is not None:
            first.stop()
        for leased in self.leases:
            if leased is not None:
                leased.stop()  # the relay's reader of the camera and microphone ends
        self.leases = []
        self.slots.keep_only(())
        self.remote.clear()
        self.devices.preview.clear()
        if self.devices.still is not None:
            self.devices.still.disarm()


def set_system_volume(level: int) -> bool:
    """Set the speaker volume through PulseAudio or ALSA; False when neither is there."""
    commands = []
    if shutil.which("pactl"):
        commands.append(["pactl", "set-sink-volume", "@DEFAULT_SINK@", f"{level}%"])
    if shutil.which("amixer"):
        commands.append(["amixer", "-q", "set", "Master", f"{level}%"])
    for command in commands:
        try:
            result = subprocess.run(command, capture_output=True, timeout=3, check=False)  # noqa: S603
        except (OSError, subprocess.TimeoutExpired):
            continue
        if result.returncode == 0:
            return True
    log.info("no mixer to set the volume to %d%%", level)
    return False
