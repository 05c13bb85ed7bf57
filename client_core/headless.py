"""Pieces shared by the headless kiosk and agent: options, output lines, token loading."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from client_core.call import CallSession
from client_core.call_events import (
    CallEvent,
    CallFinished,
    FirstFrame,
    MediaConnected,
    MediaFailed,
    MediaGaveUp,
    MediaRecovered,
    PeerLinkChanged,
    StatsSampled,
    event_fields,
)
from client_core.media_sink import percentile
from client_core.peer import CallPeer

_REPORTED = (
    MediaConnected,
    FirstFrame,
    MediaFailed,
    MediaGaveUp,
    MediaGaveUp,
    MediaRecovered,
    PeerLinkChanged,
    CallFinished,
    StatsSampled,
)


@dataclass(kw_only=True)
class CallScript:
    """What a headless kiosk or agent does with each call (each adds its own fields)."""

    hold_s: float = 10.0
    calls: int = 1
    wait_timeout_s: float = 120.0
    stats_interval_s: float = 5.0
    stamp_frames: bool = False
    """Paint the measuring strip into the synthetic picture (benchmarks, latency tests)."""
    voice_audio: bool = False
    """Send speech-like synthetic audio instead of the tone (benchmarks of audio loss)."""
    mesh: bool = False
    """Ready for calls of three or four members (:mod:`client_core.headless_mesh`): local
    media through a fan-out, a mesh beside the first pair."""
    tone_hz: float = 440.0
    """Frequency of the synthetic tone (each member of a test call sends its own)."""
    probe_interval_s: float = 0.0
    """With ``mesh``: print a ``probe`` line this often (0: never)."""
    video_size: tuple[int, int] | None = None
    video_fps: float | None = None
    """The synthetic picture's size and rate (None: each app's default, 640×480 at 30)."""


def add_call_arguments(parser: argparse.ArgumentParser) -> None:
    """The command-line options of :class:`CallScript` and the log level."""
    parser.add_argument("--hold", type=float, default=10.0, help="seconds to hold each call")
    parser.add_argument("--calls", type=int, default=1)
    parser.add_argument("--wait-timeout", type=float, default=120.0)
    parser.add_argument("--stats-interval", type=float, default=5.0)
    parser.add_argument(
        "--stamp-frames", action="store_true", help="stamp frames to measure latency (benches)"
    )
    parser.add_argument(
        "--voice-audio", action="store_true", help="speech-like synthetic audio (benches)"
    )
    parser.add_argument("--mesh", action="store_true", help="calls of 3-4 members (tests)")
    parser.add_argument("--tone", type=float, default=440.0, help="test tone, Hz")
    parser.add_argument("--probe-interval", type=float, default=0.0,
                        help="with --mesh: seconds between tone/stat probes (tests, benches)")
    parser.add_argument("--video-size", help="synthetic picture WIDTHxHEIGHT (tests, benches)")
    parser.add_argument("--video-fps", type=float, help="synthetic picture rate")
    parser.add_argument("--log-level", default="WARNING")


def call_options(args: argparse.Namespace) -> dict[str, Any]:
    """The :class:`CallScript` fields from parsed :func:`add_call_arguments` options."""
    return {
        "hold_s": args.hold,
        "calls": args.calls,
        "wait_timeout_s": args.wait_timeout,
        "stats_interval_s": args.stats_interval,
        "stamp_frames": args.stamp_frames,
        "voice_audio": args.voice_audio,
        "mesh": args.mesh,
        "tone_hz": args.tone,
        "probe_interval_s": args.probe_interval,
        "video_size": _size(args.video_size),
        "video_fps": args.video_fps,
    }


def _size(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    width, _, height = text.lower().partition("x")
    return int(width), int(height)


def emit(event: str, **fields: Any) -> None:
    """One JSON line on stdout, the headless tools' machine-readable output."""
    line = {"event": event, "t": round(time.time(), 3), **fields}
    sys.stdout.write(json.dumps(line, default=str) + "\n")
    sys.stdout.flush()


def report_event(event: CallEvent) -> None:
    """A call event as a JSON line (media and link changes and stats; not chat or photos)."""
    if isinstance(event, _REPORTED):
        emit(event.name, **event_fields(event))


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


async def hold_call(session: CallSession, stop: StopSignal, hold_s: float) -> None:
    """Start the call's media, hold it ``hold_s`` (or until it ends or a stop signal), hang
    up if it is still on, and print its ``call_done`` line."""
    await session.begin()
    await stop.hold(session.ended, hold_s)
    summary = call_summary(session)
    if not session.ended.is_set():
        await session.hangup()
    else:
        await session.close()
    emit("call_done", **summary)


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
            media_paths=media_path_figures(peer),
        )
    if session.latest_stats is not None:
        out["stats"] = session.latest_stats.as_dict()
    return out


def media_path_figures(peer: CallPeer) -> dict[str, Any]:
    """What the tuned receive and send paths did (for benches reading ``call_done``)."""
    out: dict[str, Any] = {}
    video, audio = peer.remote.video_path, peer.remote.audio_path
    if video is not None:
        out["video_receive"] = {
            **dataclasses.asdict(video.assembler.counters),
            "rtt_ms": round(video.assembler.rtt_s * 1000, 1),
            "playout_delay_ms": round(video.playout_delay_ms, 1),
            "decode_errors": video.decode_errors,
            "frames_skipped": video.track.frames_skipped,
        }
    if audio is not None:
        out["audio_receive"] = {
            **dataclasses.asdict(audio.counters),
            "playout_delay_ms": round(audio.playout_delay_ms, 1),
        }
    ladder, encoder = peer.send.ladder, peer.send.encoder
    if ladder is not None and encoder is not None:
        out["video_send"] = {
            "rung": dataclasses.asdict(ladder.rung), "changes": ladder.changes,
            "congestions": ladder.congestions, "queue_cuts": ladder.queue_cuts,
            "remb_kbps": None if ladder.remb is None else round(ladder.remb / 1000),
            "loss_estimate_kbps": round(ladder.loss_estimate / 1000),
            "sent_kbps": None if ladder.sent_bps is None else round(ladder.sent_bps / 1000),
            "ceiling_kbps": None if ladder.ceiling is None else round(ladder.ceiling / 1000),
            "keyframes": encoder.keyframes, "frames_dropped": encoder.frames_dropped,
        }
    if peer.send.opus is not None:
        out["audio_send"] = {"packets": peer.send.opus.packets}
    return out
