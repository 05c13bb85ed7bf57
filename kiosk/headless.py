"""A kiosk without a screen: joins a queue, holds the call, reports figures as JSON lines.

Used by scripts, the demo, soak tests and benchmarks; it runs exactly the client core the
touch UI runs, with synthetic media (or a real camera) instead of a person.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from client_core.call import CallSession, MediaSources
from client_core.call_events import CallEvent, ControlReceived
from client_core.control import PhotoRequest
from client_core.errors import ServerRefused
from client_core.headless import CallScript, StopSignal, emit, hold_call, report_event
from client_core.headless_mesh import MeshRunner
from client_core.media_primer import MediaPrimer
from client_core.media_synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from client_core.media_tuning import MediaTuning
from client_core.mesh import MediaFanout
from client_core.signaling_client import SignalingClient
from client_core.tls import tls_context
from kiosk.devices import KioskDevices
from kiosk.health import HealthReporter
from wire import client_messages as C
from wire import server_messages as S
from wire.types import DeviceStatus, Language

PREPARE_WAIT_S = 2.0
"""Longest wait for the prepared offer before joining (see :func:`_prepared_media`)."""


@dataclass
class KioskScript(CallScript):
    """What the headless kiosk does."""

    url: str
    token: str
    service: str
    language: Language
    ca_file: str | None = None
    """CA bundle for a ``wss://`` server (None: the system store)."""
    width: int = 640
    height: int = 480
    fps: float = 30.0
    answer_photos: bool = False
    """Answer the agent's ``photo_request`` with a synthetic JPEG (see :class:`PhotoAnswerer`)."""
    on_call: Callable[[CallSession], None] | None = None
    """Called with each call's session as it starts (tests chat as the citizen through it)."""
    health_interval_s: float = 10.0
    """Period of the health report the operator dashboard watches (0: send none)."""


async def run_kiosk(script: KioskScript) -> int:
    """Queue, take the call, hold it, hang up; ``calls`` times. Returns an exit code."""
    tls = tls_context(script.ca_file) if "wss:" in script.url else None
    client = SignalingClient(
        script.url, script.token, client_name="kiosk-headless", ssl_context=tls
    )
    client.add_state_listener(lambda state: emit("signaling", state=state))
    sources = MediaSources(
        video=SyntheticVideoTrack(
            *(script.video_size or (script.width, script.height)),
            script.video_fps or script.fps, stamp_frames=script.stamp_frames,
        ),
        audio=SyntheticAudioTrack(script.tone_hz, voice=script.voice_audio),
    )
    stop = StopSignal()
    health: HealthReporter | None = None
    try:
        welcome = await client.connected()
        emit("welcome", kiosk=welcome.identity.id, name=welcome.identity.name)
        health = start_health_reports(client, script.health_interval_s)
        for _ in range(script.calls):
            if stop.event.is_set():
                break
            if not await _one_call(client, script, sources, stop):
                return 1
    finally:
        if health is not None:
            await health.stop()
        await client.close()
    return 0


def start_health_reports(client: SignalingClient, interval_s: float) -> HealthReporter | None:
    """Report health like the touch kiosk does: at once, then every ``interval_s``.

    Uptime, app version, CPU, memory and disk come from :class:`kiosk.health.HealthReporter`;
    the synthetic picture and tone stand in for camera, microphone and speaker, so they count
    as ``ok``. Returns None when ``interval_s`` is 0.
    """
    if interval_s <= 0:
        return None
    devices = KioskDevices()
    devices.camera = devices.microphone = devices.speaker = DeviceStatus.OK
    reporter = HealthReporter(client, devices, lambda: None, interval_s=interval_s)
    client.measure_rtt()
    reporter.send_now()
    reporter.start()
    return reporter


async def _one_call(
    client: SignalingClient, script: KioskScript, sources: MediaSources, stop: StopSignal
) -> bool:
    started = asyncio.ensure_future(
        client.wait_for(S.CallStart, lambda m: not m.resumed, timeout=script.wait_timeout_s)
    )

    def on_position(message: S.ServerMessage) -> None:
        if isinstance(message, S.QueuePosition):
            emit("position", position=message.position, estimated_wait_s=message.estimated_wait_s)

    client.add_listener(on_position)
    primer = await _prepared_media(client)
    try:
        joined = await client.request(C.QueueJoin(service=script.service, language=script.language))
    except ServerRefused as exc:
        client.remove_listener(on_position)
        started.cancel()
        if primer is not None:
            await primer.stop()
        emit(
            "refused",
            code=exc.code,
            message=exc.message,
            languages_available=exc.languages_available,
            next_opening=exc.next_opening,
        )
        return False
    assert isinstance(joined, S.QueuePosition)
    emit("queued", position=joined.position, estimated_wait_s=joined.estimated_wait_s)
    try:
        start = await started
    except TimeoutError:
        client.remove_listener(on_position)
        if primer is not None:
            await primer.stop()
        emit("timeout", waited_s=script.wait_timeout_s)
        with contextlib.suppress(Exception):
            await client.request(C.QueueLeave())
        return False
    client.remove_listener(on_position)
    emit("call_start", call_id=start.call_id, peer=start.peer.name)
    answerer = PhotoAnswerer(script.width, script.height) if script.answer_photos else None
    runner: MeshRunner | None = None

    def listener(event: CallEvent) -> None:
        report_event(event)
        if runner is not None:
            runner.on_original_event(event)
        if answerer is not None and isinstance(event, ControlReceived):
            answerer.on_control(session, event)

    fanout = MediaFanout(sources.video, sources.audio) if script.mesh else None
    first = fanout.subscribe() if fanout is not None else None
    session = CallSession(
        client,
        start,
        sources if first is None else MediaSources(video=first.video, audio=first.audio),
        stats_interval_s=script.stats_interval_s,
        listener=listener,
        primer=primer,
    )
    if fanout is not None:
        runner = MeshRunner(client, start.call_id, fanout, original=session,
                            probe_interval_s=script.probe_interval_s,
                            stats_interval_s=script.stats_interval_s, name="kiosk-mesh")
    if script.on_call is not None:
        script.on_call(session)
    await hold_call(session, stop, script.hold_s)
    if runner is not None and first is not None:
        await runner.close()
        first.stop()
    return True


async def _prepared_media(client: SignalingClient) -> MediaPrimer | None:
    """Start preparing the call's offer, as the touch kiosk does when its citizen joins.

    A citizen at the touch kiosk spends seconds choosing a language and a service; this kiosk
    joins at once, so it gives the preparation that time first (at most
    :data:`PREPARE_WAIT_S`), and the clerk's accept finds the offer ready as it would."""
    if not MediaTuning.from_env().prepared_offer:
        return None
    primer = MediaPrimer.for_client(client, name="kiosk-prepared")
    primer.start()
    ready = await primer.wait_ready(PREPARE_WAIT_S)
    emit("media_prepared", ready=ready)
    return primer


class PhotoAnswerer:
    """Answers ``photo_request`` with a JPEG of the synthetic test picture (``--answer-photos``).

    Stands in for a citizen holding a document to the camera; sent with the kiosk's own
    :func:`kiosk.photo.send_photo`, so the chunk protocol is the one the touch UI uses.
    """

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self.sent = 0
        self._tasks: set[asyncio.Task[None]] = set()

    def on_control(self, session: CallSession, event: ControlReceived) -> None:
        """Start sending a photo when the agent asks for one."""
        if isinstance(event.message, PhotoRequest):
            task = asyncio.ensure_future(self._send(session))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _send(self, session: CallSession) -> None:
        import cv2

        from kiosk.photo import PhotoSendFailed, send_photo

        frame = await SyntheticVideoTrack(self.width, self.height).recv()
        image = frame.to_ndarray(format="bgr24")
        cv2.putText(
            image,
            "DOCUMENT",
            (40, self.height // 2),
            cv2.FONT_HERSHEY_SIMPLEX,
            2.0,
            (255, 255, 255),
            4,
        )
        ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
        if not ok:
            emit("photo_failed", reason="encode")
            return
        try:
            photo_id = await send_photo(session, jpeg.tobytes(), self.width, self.height)
        except (PhotoSendFailed, TimeoutError) as exc:
            emit("photo_failed", reason=str(exc) or type(exc).__name__)
            return
        self.sent += 1
        emit("photo_sent", photo_id=photo_id, bytes=len(jpeg))
