"""Pieces shared by the headless kiosk and agent: output lines and token loading."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from client_core.call import CallSession
from client_core.media_sink import percentile


def emit(event: str, **fields: Any) -> None:
    """One JSON line on stdout, the headless tools' machine-readable output."""
    line = {"event": event, "t": round(time.time(), 3), **fields}
    sys.stdout.write(json.dumps(line, default=str) + "\n")
    sys.stdout.flush()


def read_secret(file: str | None, env: str | None) -> str:
    """A credential from a file (e.g. the kiosk's 0600 token file) or an environment variable.

    Never from the command line, where every local user could read it in ``ps``.
    """
    if file:
        return Path(file).read_text(encoding="utf-8").strip()
    if env and os.environ.get(env):
        return os.environ[env]
    raise SystemExit(f"no credential: give --token-file or set ${env}")


class StopSignal:
    """SIGTERM/SIGINT as an event: a headless client hangs up and exits cleanly on it."""

    def __init__(self) -> None:
        self.event = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.event.set)

    async def hold(self, ended: asyncio.Event, seconds: float) -> None:
        """Wait until ``ended``, a stop signal, or ``seconds``, whichever comes first."""
        waiters = {asyncio.ensure_future(ended.wait()), asyncio.ensure_future(self.event.wait())}
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()


def call_summary(session: CallSession) -> dict[str, Any]:
    """Figures about a finished or running call, for the final output line."""
    peer = session.peer or session.last_peer
    out: dict[str, Any] = {
        "call_id": session.call_id,
        "role": session.role,
        "attempts": session.attempt + 1,
        "recoveries_ms": [round(x) for x in session.recoveries_ms],
        "end_reason": session.end_reason,
    }
    if peer is not None:
        video = peer.video_sink
        latencies = video.latency_ms()
        out.update(
            latency_p50_ms=percentile(latencies, 50),
            latency_p95_ms=percentile(latencies, 95),
            frames_received=video.frames_received,
            frames_missing=video.missing,
            out_of_order=video.out_of_order,
            last_counter=video.last_stamp.counter if video.last_stamp else None,
            audio_frames=peer.audio_sink.frames_received,
            audio_level_dbfs=round(peer.audio_sink.level_dbfs, 1),
            video_codec=peer.video_codec,
            connect_ms=peer.connect_ms,
            first_frame_ms=peer.first_frame_ms,
        )
    if session.latest_stats is not None:
        out["stats"] = session.latest_stats.as_dict()
    return out
