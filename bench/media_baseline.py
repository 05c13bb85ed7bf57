"""Media baseline: two bare aiortc peers in two processes, no signaling server.

What the full system is compared against: the same synthetic sources
(stamped 640x480 VP8 video and a 440 Hz tone, both ways), the same sinks
and the same stats code (:mod:`client_core.media_sink`,
:mod:`client_core.call_stats`), but a bare ``RTCPeerConnection`` per
process with an explicit empty ICE server list and the SDP passed over a
``multiprocessing`` pipe on this host.

Per process it reports:

* ``connect_ms``: offerer's start -> this side "connected".
* ``setup_ms``: offerer's start -> first decoded remote frame on this side
  (both processes measure from the same wall-clock instant, ``t0``, taken
  by the offerer after both processes have imported everything).
* latency p50/p95 (capture stamp -> decoded, ms), fps, lost frames (stamp
  counter gaps) over a measurement window of ``duration_s`` that starts at
  this side's first frame.
* ``cpu_percent``: process CPU time (all threads) over the window per wall
  second; one core = 100.

Run: ``python -m bench.media_baseline [duration_s]`` from the project root;
prints JSON.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import sys
import time
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Barrier
from typing import Any

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack

from client_core.call_stats import CallStatsCollector
from client_core.media_sink import AudioSink, CountingTrack, VideoSink
from client_core.media_synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from client_core.rtc_config import rtc_configuration


async def _recv(conn: Connection) -> Any:
    return await asyncio.to_thread(conn.recv)


async def run_peer(
    role: str,
    conn: Connection,
    *,
    duration_s: float,
    width: int = 640,
    height: int = 480,
    fps: float = 30.0,
    barrier: Barrier | None = None,
    first_frame_timeout_s: float = 15.0,
) -> dict[str, Any]:
    """One side of the baseline call; ``role`` is "offerer" or "answerer".

    ``conn`` is a duplex pipe to the other side.  Returns the figures for
    this process.
    """
    if barrier is not None:
        await asyncio.to_thread(barrier.wait)
    pc = RTCPeerConnection(rtc_configuration([], "all"))
    video_sink = VideoSink(name=f"{role}-video", expected_fps=fps)
    audio_sink = AudioSink(name=f"{role}-audio")
    sent_video = CountingTrack(SyntheticVideoTrack(width, height, fps, stamp_frames=True))
    audio_source = SyntheticAudioTrack()
    connected_at: list[float] = []

    @pc.on("track")
    def on_track(track: MediaStreamTrack) -> None:
        (video_sink if track.kind == "video" else audio_sink).attach(track)

    @pc.on("connectionstatechange")
    def on_state() -> None:
        if pc.connectionState == "connected" and not connected_at:
            connected_at.append(time.time())

    pc.addTransceiver(sent_video, direction="sendrecv")
    pc.addTransceiver(audio_source, direction="sendrecv")
    if role == "offerer":
        t0 = time.time()
        await pc.setLocalDescription(await pc.createOffer())
        conn.send({"t0": t0, "sdp": pc.localDescription.sdp})
        answer = await _recv(conn)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    else:
        offer = await _recv(conn)
        t0 = offer["t0"]
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer["sdp"], type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        conn.send(pc.localDescription.sdp)

    deadline = time.monotonic() + first_frame_timeout_s
    while video_sink.first_frame_wall_us is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{role}: no remote video frame in {first_frame_timeout_s} s")
        await asyncio.sleep(0.005)
    setup_ms = video_sink.first_frame_wall_us / 1000 - t0 * 1000

    collector = CallStatsCollector(pc, video_sink, audio_sink, sent_video, expected_fps=fps)
    await collector.start()
    cpu0, wall0 = time.process_time(), time.monotonic()
    await asyncio.sleep(duration_s)
    cpu1, wall1 = time.process_time(), time.monotonic()
    sample = await collector.sample()

    # Keep sending until the other side has finished its window too.
    conn.send("done")
    await _recv(conn)
    await pc.close()
    await video_sink.stop()
    await audio_sink.stop()
    audio_source.stop()
    return {
        "role": role,
        "connect_ms": (connected_at[0] - t0) * 1000 if connected_at else None,
        "setup_ms": setup_ms,
        "window_s": wall1 - wall0,
        "cpu_percent": (cpu1 - cpu0) / (wall1 - wall0) * 100,
        "latency_p50_ms": sample.latency_p50_ms,
        "latency_p95_ms": sample.latency_p95_ms,
        "fps_decoded": sample.fps_decoded,
        "fps_sent": sample.fps_sent,
        "frames_lost": sample.frames_missing,
        "out_of_order": video_sink.out_of_order,
        "freezes": sample.freezes,
        "rtt_ms": sample.rtt_ms,
        "bitrate_out_kbps": sample.bitrate_out_kbps,
        "bitrate_in_kbps": sample.bitrate_in_kbps,
        "audio_frames_total": audio_sink.frames_received,
        "audio_level_dbfs": sample.audio_level_dbfs,
        "video_codec": "VP8",
        "resolution": f"{width}x{height}",
    }


def _peer_process(
    role: str, conn: Connection, results: Connection, barrier: Barrier, options: dict[str, Any]
) -> None:
    try:
        result = asyncio.run(run_peer(role, conn, barrier=barrier, **options))
    except BaseException as exc:
        result = {"role": role, "error": f"{type(exc).__name__}: {exc}"}
    results.send(result)


def run_baseline(
    duration_s: float = 10.0,
    *,
    width: int = 640,
    height: int = 480,
    fps: float = 30.0,
    timeout_s: float | None = None,
) -> dict[str, Any]:
    """Run one two-process baseline call; returns {"offerer": {...}, "answerer": {...}}.

    Uses the ``spawn`` start method, so it is safe to call from a process
    that already runs an event loop (a test, the lead benchmark).
    """
    ctx = mp.get_context("spawn")
    a_end, b_end = ctx.Pipe(duplex=True)
    barrier = ctx.Barrier(2)
    options = {"duration_s": duration_s, "width": width, "height": height, "fps": fps}
    receivers = []
    processes = []
    for role, end in (("offerer", a_end), ("answerer", b_end)):
        recv_end, send_end = ctx.Pipe(duplex=False)
        proc = ctx.Process(
            target=_peer_process,
            args=(role, end, send_end, barrier, options),
            name=f"baseline-{role}",
        )
        proc.start()
        receivers.append(recv_end)
        processes.append(proc)
    limit = timeout_s if timeout_s is not None else duration_s + 60
    results: dict[str, Any] = {}
    try:
        for recv_end in receivers:
            if not recv_end.poll(limit):
                raise TimeoutError("baseline peer did not report in time")
            result = recv_end.recv()
            results[result["role"]] = result
    finally:
        for proc in processes:
            proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join()
    return results


if __name__ == "__main__":
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    print(json.dumps(run_baseline(seconds), indent=2))
