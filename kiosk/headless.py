"""A kiosk without a screen: joins a queue, holds the call, reports figures as JSON lines.

Used by scripts, the demo, soak tests and benchmarks; it runs exactly the client core the
touch UI runs, with synthetic media (or a real camera) instead of a person.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass

from client_core.call import CallSession, MediaSources
from client_core.errors import ServerRefused
from client_core.headless import call_summary, emit
from client_core.media_synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from client_core.signaling_client import SignalingClient
from wire import client_messages as C
from wire import server_messages as S
from wire.types import Language


@dataclass
class KioskScript:
    """What the headless kiosk does."""

    url: str
    token: str
    service: str
    language: Language
    hold_s: float = 10.0
    calls: int = 1
    wait_timeout_s: float = 120.0
    stats_interval_s: float = 5.0
    width: int = 640
    height: int = 480
    fps: float = 30.0


async def run_kiosk(script: KioskScript) -> int:
    """Queue, take the call, hold it, hang up; ``calls`` times. Returns an exit code."""
    client = SignalingClient(script.url, script.token, client_name="kiosk-headless")
    client.add_state_listener(lambda state: emit("signaling", state=state))
    sources = MediaSources(
        video=SyntheticVideoTrack(script.width, script.height, script.fps),
        audio=SyntheticAudioTrack(),
    )
    try:
        welcome = await client.connected()
        emit("welcome", kiosk=welcome.identity.id, name=welcome.identity.name)
        for _ in range(script.calls):
            if not await _one_call(client, script, sources):
                return 1
    finally:
        await client.close()
    return 0


async def _one_call(client: SignalingClient, script: KioskScript, sources: MediaSources) -> bool:
    started = asyncio.ensure_future(
        client.wait_for(S.CallStart, lambda m: not m.resumed, timeout=script.wait_timeout_s)
    )
    def on_position(message: S.ServerMessage) -> None:
        if isinstance(message, S.QueuePosition):
            emit("position", position=message.position, estimated_wait_s=message.estimated_wait_s)

    client.add_listener(on_position)
    try:
        joined = await client.request(C.QueueJoin(service=script.service, language=script.language))
    except ServerRefused as exc:
        client.remove_listener(on_position)
        started.cancel()
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
        emit("timeout", waited_s=script.wait_timeout_s)
        with contextlib.suppress(Exception):
            await client.request(C.QueueLeave())
        return False
    client.remove_listener(on_position)
    emit("call_start", call_id=start.call_id, peer=start.peer.name)
    session = CallSession(
        client,
        start,
        sources,
        stats_interval_s=script.stats_interval_s,
        listener=lambda kind, d: _report(kind, d),
    )
    await session.begin()
    deadline = time.monotonic() + script.hold_s
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(session.ended.wait(), max(0.0, deadline - time.monotonic()))
    summary = call_summary(session)
    if not session.ended.is_set():
        await session.hangup()
    else:
        await session.close()
    emit("call_done", **summary)
    return True


def _report(kind: str, details: dict[str, object]) -> None:
    if kind == "stats":
        sample = details["sample"]
        emit("stats", **sample.as_dict())  # type: ignore[attr-defined]
    elif kind in ("connected", "media_failed", "recovered", "ended", "peer_status"):
        emit(kind, **details)
